"""The package is pure Python: no Django, no file outside itself, data via importlib."""

import ast
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import congdanso.vn as vn
from congdanso.vn import (
    ERROR_CODES,
    InvalidCccd,
    InvalidDate,
    InvalidGender,
    InvalidPhone,
    VnValueError,
    normalize_phone,
    parse_birth_date,
    parse_cccd,
    parse_gender,
)

PACKAGE = Path(vn.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "tests" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_django_import(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert not any(name.split(".")[0] == "django" for name in names), path


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_path_outside_the_package(path: Path) -> None:
    assert "/work/shared" not in path.read_text(encoding="utf-8")


def test_importing_does_not_load_django() -> None:
    code = "import sys, congdanso.vn; print('django' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_data_files_ship_with_the_package() -> None:
    names = {p.name for p in (PACKAGE / "data").iterdir()}
    assert {
        "cccd_province_codes.csv",
        "vn_mobile_prefixes.csv",
        "tcvn3_to_unicode.json",
        "vni_to_unicode.json",
    } <= names


def test_public_api() -> None:
    for name in vn.__all__:
        assert hasattr(vn, name), name


BAD_VALUES = [
    (parse_cccd, ["", "12", "123456789", "06619001234O", "066390012345", "6.6E+10", True]),
    (normalize_phone, ["", "1", "0951234567", "01301234567", "abc", "02623852123", "+1 5"]),
    (parse_birth_date, ["", "x", "31/02/1990", "01/01/2999", "1800", "1/1/90", True]),
    (parse_gender, ["x", 1]),
]


def _errors() -> list[VnValueError]:
    errors: list[VnValueError] = []
    for parser, values in BAD_VALUES:
        for value in values:
            with pytest.raises(VnValueError) as caught:
                parser(value)  # type: ignore[operator]
            errors.append(caught.value)
    return errors


def test_errors_are_value_errors_with_vietnamese_and_english_messages() -> None:
    classes = {
        "InvalidCccd": InvalidCccd,
        "InvalidPhone": InvalidPhone,
        "InvalidDate": InvalidDate,
        "InvalidGender": InvalidGender,
    }
    for error in _errors():
        assert isinstance(error, ValueError)
        assert error.code in ERROR_CODES[type(error).__name__]
        assert isinstance(error, classes[type(error).__name__])
        assert str(error) == error.message
        assert unicodedata.is_normalized("NFC", error.message)
        assert error.message != error.message_en
        assert error.code == error.code.lower()
        assert " " not in error.code


def test_vietnam_today() -> None:
    from datetime import UTC, date, datetime, timedelta

    from congdanso.vn import vietnam_today

    today = vietnam_today()
    assert isinstance(today, date)
    assert vietnam_today() is today  # cached until midnight in Vietnam
    assert today == (datetime.now(UTC) + timedelta(hours=7)).date()
