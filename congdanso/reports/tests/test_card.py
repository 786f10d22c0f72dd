"""The progress card (PNG to share): its texts are read from the drawing layer's record (every
text drawn, with its box and font size), its figures must be the indicators', it holds no
personal data, and every text fits inside the card's margins without overlapping another."""

import dataclasses
import datetime as dt
import io
import itertools
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.campaigns.services import campaign_create
from congdanso.conftest import EXEMPLARY_2023
from congdanso.partners.models import UnitKind
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create
from congdanso.progress.figures import ExemplaryFigure
from congdanso.progress.indicators import campaign_indicators
from congdanso.reports.card import MARGIN, SIZE, card_render, report_card
from congdanso.reports.card_canvas import DrawnText, text_width, wrap
from congdanso.reports.selectors import report_request
from congdanso.reports.tests.seed import AS_OF, seeded
from congdanso.vn import vietnam_today
from congdanso.vn.numbers import format_number

__all__ = ["seeded"]  # the fixture, used by name

pytestmark = pytest.mark.django_db

PRIVATE = ("Nguyễn Thị Hoà", "066190012345", "0912345678", "17/05/1990", "1990")


def _texts(drawn: list[DrawnText]) -> list[str]:
    return [d.text for d in drawn]


@pytest.fixture
def with_private(seeded: Campaign) -> Campaign:
    """The seed plus an exemplary resident with a name, numbers and a birth date to hide."""
    village = Place.objects.get(parent=seeded.place, name="Thôn Cao Bằng")
    resident = ResidentFactory(
        village=village, full_name=PRIVATE[0], cccd=PRIVATE[1], phone=PRIVATE[2]
    )
    for code in EXEMPLARY_2023:
        achievement_record(
            resident=resident,
            criterion=Criterion.objects.get(code=code),
            achieved_on=dt.date(2023, 6, 26),
        )
    return seeded


def test_the_card_shows_the_campaign_place_date_targets_and_leaders(with_private) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=with_private.pk, on=AS_OF)
    ind = campaign_indicators(request.campaign, place=request.place, on=AS_OF)
    week_before = campaign_indicators(
        request.campaign, place=request.place, on=AS_OF - dt.timedelta(days=7)
    )

    texts = _texts(card_render(request).canvas.drawn)

    assert texts[:3] == [
        "1.000 công dân số tiêu biểu",
        "Xã Ea Yông, Huyện Krông Pắc",
        "Số liệu đến ngày 30/06/2023",
    ]
    assert f"{ind.exemplary.count} / 1.000" in texts
    assert "Công dân số tiêu biểu" in texts
    assert "Người 16–50 tuổi đạt đủ tiêu chí" in texts
    share = format_number(ind.cohort.share * 100, 1).removesuffix(",0")
    assert f"{share}% / 50%" in texts
    assert f"{ind.cohort.met} / {ind.cohort.size} người" in texts
    gained = ind.exemplary.count - week_before.exemplary.count
    assert gained == 1  # the resident added above, 4 days before
    assert texts.count("Tuần qua: +1 người") == 2  # exemplary, and in the age group
    # Villages by the share of their age group met (ties: more people first), then units.
    assert texts[texts.index("Thôn, buôn dẫn đầu") + 1 :][:6] == [
        "1.",
        "Thôn Cao Bằng",
        "đạt 71,4% (5 / 7 người)",
        "2.",
        "Thôn Tân Tiến",
        "đạt 66,7% (2 / 3 người)",
    ]
    # Units by people helped (ties: more turns first).
    leading = sorted(ind.units, key=lambda u: (-u.people, -u.turns, u.name))[:3]
    assert leading[0].people > leading[1].people
    units = texts[texts.index("Đơn vị tích cực nhất") + 1 :]
    assert units == [
        text
        for rank, unit in enumerate(leading, 1)
        for text in (f"{rank}.", unit.name, f"đã hỗ trợ {unit.people} người")
    ]


def test_big_figures_are_written_the_vietnamese_way(seeded) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=seeded.pk, on=AS_OF)
    figures = dataclasses.replace(
        request.indicators(),
        exemplary=ExemplaryFigure(count=12_345, target=20_000, share_of_target=12_345 / 20_000),
    )
    texts = _texts(card_render(dataclasses.replace(request, figures=figures)).canvas.drawn)
    assert "12.345 / 20.000" in texts
    assert "đạt 61,7% mục tiêu" in texts


def test_no_personal_data_is_drawn(with_private) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=with_private.pk, on=AS_OF)
    texts = _texts(card_render(request).canvas.drawn)
    everything = "\n".join(texts)
    for private in PRIVATE:
        assert private not in everything
    assert "Người Thử" not in everything  # the seed's residents
    assert not re.search(r"\d{9,}", everything.replace(".", ""))  # no CCCD or phone


def test_the_png_is_square_1080_and_small(with_private) -> None:  # type: ignore[no-untyped-def]
    data = report_card(report_request(campaign_id=with_private.pk, on=AS_OF))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (SIZE, SIZE) == (1080, 1080)
    assert len(data) <= 200 * 1024


@pytest.fixture
def long_names(ea_yong: Place) -> Campaign:
    """A campaign, a village and a unit with names far too long for the card."""
    long_village, _ = village_get_or_create(
        commune=ea_yong, name="Thôn Tân Lập Mới Mở Rộng Khu Dân Cư Số Mười Hai Phía Đông Bắc"
    )
    campaign = campaign_create(
        place=ea_yong,
        name=(
            "Chiến dịch cao điểm 90 ngày đêm phát triển công dân số tiêu biểu, tài khoản "
            "ngân hàng và thanh toán không dùng tiền mặt trên địa bàn toàn xã năm 2023"
        ),
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=list(EXEMPLARY_2023),
        target_exemplary=123_456_789,
        cohort_ages=(16, 50),
        cohort_target="0.5",
    )
    from congdanso.outreach.services import session_create, turn_record
    from congdanso.partners.services import unit_get_or_create

    unit, _ = unit_get_or_create(
        place=ea_yong,
        name="Ban Chỉ huy Quân sự xã Ea Yông và Đoàn Thanh niên Cộng sản Hồ Chí Minh xã",
        kind=UnitKind.YOUTH_UNION,
    )
    session = session_create(
        campaign=campaign, place=long_village, date=dt.date(2023, 5, 2), units=[unit]
    )
    for index, village in enumerate(Place.objects.filter(parent=ea_yong).order_by("pk")):
        for number in range(index + 2):
            resident = ResidentFactory(village=village, full_name=f"Người Dài {index}-{number}")
            for code in EXEMPLARY_2023:
                turn_record(
                    session=session,
                    resident=resident,
                    criterion=Criterion.objects.get(code=code),
                    unit=unit,
                )
    return campaign


@pytest.mark.parametrize("chot", [False, True])
def test_every_text_fits_inside_the_margins_and_none_overlap(long_names, chot: bool) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=long_names.pk, on=dt.date(2023, 6, 30))
    today = vietnam_today()
    if chot:  # the footer line too (the residents above were registered today)
        request = dataclasses.replace(request, registered_by=today)

    drawn = card_render(request).canvas.drawn

    texts = _texts(drawn)
    for text in drawn:
        # The recorded box is Pillow's, from the same font; the width is measured again.
        assert text.left >= MARGIN and text.right <= SIZE - MARGIN, text
        assert text.top >= 0 and text.bottom <= SIZE, text
        assert text_width(text.text, text.size, text.bold) <= SIZE - 2 * MARGIN, text
        assert text.size >= 22, text  # readable on a phone
    for first, second in itertools.combinations(drawn, 2):
        apart = (
            first.right <= second.left
            or second.right <= first.left
            or first.bottom <= second.top
            or second.bottom <= first.top
        )
        assert apart, (first, second)
    # The campaign's name wraps to two lines, the second shortened; long names are shortened.
    assert texts[0].startswith("Chiến dịch cao điểm 90 ngày đêm")
    assert texts[1].endswith("…") and not texts[2].endswith("…")
    assert any(t.startswith("Thôn Tân Lập Mới") and t.endswith("…") for t in texts)
    assert any(t.startswith("Ban Chỉ huy Quân sự") and t.endswith("…") for t in texts)
    assert "20 / 123.456.789" in texts  # smaller, to fit beside its aside
    if chot:
        assert texts[-1] == (f"Chỉ tính người dân có trong danh sách đến ngày {today:%d/%m/%Y}.")


@pytest.mark.parametrize(
    ("on", "change"),
    [
        (dt.date(2023, 4, 12), None),  # the first day: no change to show
        (dt.date(2023, 4, 15), "Từ 12/04/2023: không thay đổi"),  # the first week
        (dt.date(2023, 6, 30), "Tuần qua: không thay đổi"),
    ],
)
def test_the_change_is_over_the_week_or_since_the_start(  # type: ignore[no-untyped-def]
    seeded, on: dt.date, change: str | None
) -> None:
    texts = _texts(card_render(report_request(campaign_id=seeded.pk, on=on)).canvas.drawn)
    changes = [t for t in texts if t.startswith(("Tuần qua", "Từ "))]
    assert changes == ([change, change] if change else [])
    if on < dt.date(2023, 5, 1):  # nobody exemplary yet: no village leads
        villages = texts.index("Thôn, buôn dẫn đầu")
        assert texts[villages + 1] == "Chưa có"


def test_a_card_for_a_village_ranks_no_villages(seeded) -> None:  # type: ignore[no-untyped-def]
    village = Place.objects.get(parent=seeded.place, name="Thôn Cao Bằng")
    request = report_request(campaign_id=seeded.pk, place_code=village.code, on=AS_OF)
    texts = _texts(card_render(request).canvas.drawn)
    assert texts[1] == "Thôn Cao Bằng, Xã Ea Yông"
    assert "Thôn, buôn dẫn đầu" not in texts
    assert "Đơn vị tích cực nhất" in texts


# -- The command -------------------------------------------------------------------------


def test_the_command_writes_the_card(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "anh.png"
    call_command("report", "card", "--campaign", str(seeded.pk), "--date", "2023-06-30",
                 "--registered-by", "2023-06-30", "--out", str(out))  # fmt: skip
    request = report_request(campaign_id=seeded.pk, on=AS_OF, registered_by=AS_OF)
    assert out.read_bytes() == report_card(request)
    assert out.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--campaign", "999999"], "999999"),
        (["--date", "2023-01-01"], "01/01/2023"),
        (["--registered-by", "hom-qua"], "hom-qua"),
        (["--place", "ea-phe"], "Ea Phê"),
    ],
)
def test_bad_input_is_one_line_exit_code_2_and_no_file(  # type: ignore[no-untyped-def]
    seeded, ea_yong, tmp_path: Path, arguments: list[str], message: str
) -> None:
    commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")
    out = tmp_path / "anh.png"
    if "--campaign" not in arguments:
        arguments = ["--campaign", str(seeded.pk), *arguments]
    with pytest.raises(CommandError) as error:
        call_command("report", "card", *arguments, "--out", str(out))
    assert error.value.returncode == 2
    assert message in str(error.value)
    assert "\n" not in str(error.value).strip()
    assert list(tmp_path.iterdir()) == []


def test_a_title_on_two_lines_is_balanced() -> None:
    # Greedy wrapping would leave "rộng" alone on the second line.
    assert wrap("Công dân số 2026: duy trì và mở rộng", SIZE - 2 * MARGIN, 46, bold=True) == [
        "Công dân số 2026:",
        "duy trì và mở rộng",
    ]
    assert wrap("Ngắn gọn", SIZE - 2 * MARGIN, 46, bold=True) == ["Ngắn gọn"]
