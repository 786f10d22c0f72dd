"""Numbers and dates written the Vietnamese way: 1.000; 4.000.000 đồng; 52,3%;
ngày 12 tháng 4 năm 2023."""

import datetime as dt


def format_number(value: float, decimals: int = 0) -> str:
    """Thousands with '.', decimals with ',' (1.234,5)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent(share: float, decimals: int = 1) -> str:
    """A share (0.523) as a percentage (52,3%); whole numbers lose the ',0'."""
    text = format_number(share * 100, decimals)
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -decimals - 1]
    return f"{text}%"


def format_vnd(amount: int) -> str:
    return f"{format_number(amount)} đồng"


def format_date_long(day: dt.date) -> str:
    """As in administrative documents: 'ngày 12 tháng 4 năm 2023' (day and month below 10
    take a leading zero only for the day and for January and February, per Decree 30)."""
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


def format_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"
