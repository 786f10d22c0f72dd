"""The dashboard, the people behind its numbers, the village page and its print view.

The seeded campaign below has a little of everything a number counts (exemplary people on
several dates, a cohort, withdrawn and moved-away cases, data issues, people without a
village or a birth date, units with turns and achievements, a donation), so that following
every link of the dashboard and counting the list proves each list is the number's.
"""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.hooks import residents_changing
from congdanso.outreach.services import session_create, turn_record
from congdanso.partners.models import DonationItem, Unit, UnitKind
from congdanso.partners.services import donation_create, pledge_upsert, unit_get_or_create
from congdanso.people.models import DataIssue, IssueCode, Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db

ON = dt.date(2023, 9, 30)


def _criterion(code: str) -> Criterion:
    return Criterion.objects.get(code=code)


def _achieve(resident: Resident, on: dt.date, codes=EXEMPLARY_2023, unit=None) -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        achievement_record(
            resident=resident,
            criterion=_criterion(code),
            achieved_on=on,
            unit_id=unit.pk if unit else None,
        )


def _issue(resident: Resident, code: str) -> None:
    with residents_changing(residents=[resident.pk]):
        DataIssue.objects.create(commune=resident.commune, resident=resident, code=code)


class Seeded:
    def __init__(self, campaign: Campaign, villages: dict[str, Place], units: dict[str, Unit]):
        self.campaign = campaign
        self.villages = villages
        self.units = units


@pytest.fixture
def seeded(campaign: Campaign, ea_yong: Place) -> Seeded:
    villages = {p.name: p for p in Place.objects.filter(parent=ea_yong)}
    cao, tan, ghamah = villages["Thôn Cao Bằng"], villages["Thôn Tân Lập"], villages["Buôn Ghamah"]
    police, _ = unit_get_or_create(place=ea_yong, name="Công an xã Ea Yông", kind=UnitKind.POLICE)
    youth, _ = unit_get_or_create(place=ea_yong, name="Đoàn Thanh niên", kind=UnitKind.YOUTH_UNION)
    pledge_upsert(unit=police, campaign=campaign, target_people=300, target_sessions=20)
    young = {"birth_date": dt.date(2000, 3, 1)}
    old = {"birth_date": dt.date(1950, 3, 1)}
    # Cao Bằng: two exemplary in the cohort (May, August), one old exemplary, one halfway.
    a = ResidentFactory(village=cao, full_name="Nguyễn Thị Hoà", cccd="066190012345", **young)
    b = ResidentFactory(village=cao, full_name="Trần Văn Bình", **young)
    c = ResidentFactory(village=cao, full_name="Lê Văn Cụ", **old)
    d = ResidentFactory(village=cao, full_name="Phạm Thị Dung", phone="0912345678", **young)
    _achieve(a, dt.date(2023, 5, 4), unit=police)
    _achieve(b, dt.date(2023, 8, 10))
    _achieve(c, dt.date(2023, 6, 1))
    _achieve(d, dt.date(2023, 6, 1), codes=EXEMPLARY_2023[:2], unit=youth)
    # Tân Lập: exemplary after ON, a withdrawn one, one moved away, one with no birth date.
    e = ResidentFactory(village=tan, full_name="Hoàng Văn Em", **young)
    _achieve(e, dt.date(2023, 10, 20))
    f = ResidentFactory(village=tan, full_name="Vũ Thị Phương", **young)
    _achieve(f, dt.date(2023, 5, 5))
    achievement_withdraw(
        achievement=f.achievements.get(criterion=_criterion("vneid_level2")), reason="Nhập nhầm"
    )
    g = ResidentFactory(village=tan, full_name="Đỗ Văn Giang", status="moved_away", **young)
    _achieve(g, dt.date(2023, 5, 5))
    h = ResidentFactory(village=tan, full_name="Y Hiền Niê", birth_date=None)
    _achieve(h, dt.date(2023, 7, 7), codes=("sim_standardized",))
    # Ghamah: an imported achievement before the start; issues; no village.
    i = ResidentFactory(village=ghamah, full_name="H'Linh Êban", **young)
    _achieve(i, dt.date(2023, 1, 10), codes=("bank_account",))
    _issue(i, IssueCode.PHONE_INVALID)
    _issue(i, IssueCode.POSSIBLE_DUPLICATE)
    j = ResidentFactory(village=ghamah, full_name="Y Jơn Niê", **young)
    _issue(j, IssueCode.CCCD_INVALID)
    k = ResidentFactory(village=None, commune=ea_yong, full_name="Nông Văn Khải", **young)
    _achieve(k, dt.date(2023, 7, 1))
    # Sessions: police helps a and d in Cao Bằng; youth helps e in Tân Lập after ON.
    s1 = session_create(campaign=campaign, place=cao, date=dt.date(2023, 5, 4), units=[police])
    turn_record(session=s1, resident=a, service="data_update", unit=police)
    turn_record(session=s1, resident=a, service="guidance", unit=police)
    turn_record(session=s1, resident=d, service="data_update", unit=police)
    turn_record(session=s1, resident=g, service="guidance", unit=youth)
    s2 = session_create(campaign=campaign, place=tan, date=dt.date(2023, 10, 20), units=[youth])
    turn_record(session=s2, resident=e, service="guidance", unit=youth)
    donation_create(
        village=cao,
        item=DonationItem.INTERNET_LINE,
        value_vnd=4_000_000,
        given_on=dt.date(2023, 4, 12),
        donor_units=[police],
        campaign=campaign,
    )
    return Seeded(campaign, villages, {"police": police, "youth": youth})


def _user(role: str, place: Place, unit: Unit | None = None) -> Client:
    user = User.objects.create_user(f"{role}-{place.code}")
    role_grant(user=user, role=role, place=place, unit=unit if role == Role.UNIT_MEMBER else None)
    client = Client()
    client.force_login(user)
    return client


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def _number(text: str) -> int:
    """A figure as the page writes it (1.000) as an int."""
    return int(re.sub(r"[.\s]", "", text.strip()))


def _dashboard(client: Client, campaign: Campaign, **params: str):  # type: ignore[no-untyped-def]
    return client.get(reverse("campaigns:dashboard", args=[campaign.pk]), params)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.UNIT_MEMBER])
def test_every_number_links_to_a_list_of_exactly_that_many(seeded: Seeded, role: str) -> None:
    client = _user(role, seeded.campaign.place, seeded.units["police"])
    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))
    _every_link_counts(client, soup)


def test_only_the_list_as_it_was_counts_and_its_links_agree(seeded: Seeded) -> None:
    """`?chot=1`: only the residents in the list by the date; every figure and its list of
    people agree, and the page and the report downloads say so."""
    people = list(Resident.objects.order_by("pk"))
    Resident.objects.filter(pk__in=[r.pk for r in people[::3]]).update(
        created_at=dt.datetime(ON.year + 1, 1, 1, tzinfo=dt.UTC)
    )  # a third of them registered after the date
    client = _user(Role.MANAGER, seeded.campaign.place)
    everyone = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))
    listed = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat(), chot="1"))
    assert "đến ngày" in listed.select_one(".registry").get_text()
    assert "danh sách hiện nay" in everyone.select_one(".registry").get_text()
    first = listed.select_one("a.figure-link[data-counts=people]")
    assert "chot=1" in first["href"]
    residents = [
        _number(s.select_one('a.figure-link[href*="nhom"]').get_text()) for s in (everyone, listed)
    ]
    assert residents[1] < residents[0]
    assert all("chot=1" in a["href"] for a in listed.select(".report-downloads a"))
    _every_link_counts(client, listed)


def _every_link_counts(client: Client, soup: BeautifulSoup) -> None:
    links = soup.select("a.figure-link")
    assert len(links) > 30  # headline figures, criteria, villages, weeks, units, data quality
    checked = set()
    for link in links:
        key = (link["href"], link["data-counts"])
        if key in checked:
            continue
        checked.add(key)
        listed = _soup(client.get(link["href"]))
        count = listed.select_one(f'[data-count="{link["data-counts"]}"]')
        assert count is not None, link["href"]
        assert _number(count["data-value"]) == _number(link.get_text()), link["href"]
        if link["data-counts"] == "people":
            shown = listed.select_one(".list-count strong").get_text()
            assert _number(shown.split()[0]) == _number(link.get_text())


def test_the_figures_of_the_seeded_campaign(seeded: Seeded) -> None:
    client = _user(Role.MANAGER, seeded.campaign.place)
    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))

    big = [p.get_text(" ", strip=True) for p in soup.select(".big-number")]
    # a, b, c, k exemplary by 30/09 (e after it, f withdrawn, g moved away); cohort: a b d
    # e f i j k (h has no birth date, c is old) → 3 of 8.
    assert big[0].startswith("4 / 1.000")
    assert big[1].startswith("37,5% / 50%")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in soup.select("#khu-vuc tbody tr")
    }
    # 3 exemplary of the village's part of the 1,000: 4 of the commune's 10 residents → 400
    assert rows["Thôn Cao Bằng"] == ["4", "3", "2", "66,7%", "3/ 400", "0"]
    no_village = next(cells for name, cells in rows.items() if name.startswith("Xã Ea Yông"))
    assert no_village == ["1", "1", "1", "100%", "1", "0"]  # k, filed under no village
    donations = soup.select_one("#h-donations").find_parent("section")
    assert "4.000.000 đ" in donations.select_one("tfoot").get_text()


def test_a_village_is_measured_against_its_part_of_the_target(seeded: Seeded) -> None:
    client = _user(Role.MANAGER, seeded.campaign.place)
    village = seeded.campaign.place.children.get(name="Thôn Cao Bằng")
    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat(), noi=village.code))

    big = soup.select_one(".big-number").get_text(" ", strip=True)
    assert big.startswith("3 / 400")
    note = soup.select_one(".big-number").find_next("p", class_="muted").get_text(" ", strip=True)
    assert "1.000" in note and "Xã Ea Yông" in note


def test_a_viewer_sees_the_numbers_without_links_to_people(seeded: Seeded) -> None:
    client = _user(Role.VIEWER, seeded.campaign.place)
    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))
    assert soup.select(".big-number")
    assert soup.select("a.figure-link") == []
    assert not soup.find("a", href=re.compile("nguoi-dan"))
    people = client.get(reverse("campaigns:people", args=[seeded.campaign.pk]))
    assert people.status_code == 404


def test_the_date_picker_shows_the_date_the_figures_are_as_of(seeded: Seeded) -> None:
    client = _user(Role.MANAGER, seeded.campaign.place)

    default = _soup(_dashboard(client, seeded.campaign)).find("input", attrs={"name": "ngay"})
    asked = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))

    assert default["value"] == seeded.campaign.end_date.isoformat()  # today is after the end
    assert asked.find("input", attrs={"name": "ngay"})["value"] == ON.isoformat()


def test_a_village_head_reads_their_village_and_nothing_else(seeded: Seeded) -> None:
    cao, tan = seeded.villages["Thôn Cao Bằng"], seeded.villages["Thôn Tân Lập"]
    client = _user(Role.VILLAGE_HEAD, cao)
    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))
    # against his village's part of the commune's 1,000, not the whole of it
    assert soup.select_one(".big-number").get_text(" ", strip=True).startswith("3 / 400")
    for link in soup.select("a.figure-link"):
        assert parse_qs(urlsplit(link["href"]).query)["noi"] == [cao.code]
    village = reverse("campaigns:village", args=[seeded.campaign.pk, tan.code])
    assert client.get(village).status_code == 404
    assert client.get(village + "in/").status_code == 404
    assert _dashboard(client, seeded.campaign, noi=tan.code).status_code == 404
    assert _dashboard(client, seeded.campaign, noi=seeded.campaign.place.code).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ngay": "30/09/2023"}, "30/09/2023"),  # the message shows the expected form
        ({"ngay": "2023-02-30"}, "30/09/2023"),
        ({"ngay": "2023-01-01"}, "12/04/2023"),  # and the campaign's dates
        ({"ngay": "2024-06-01"}, "31/12/2023"),
        ({"sap-xep": "dan so; drop"}, ""),
    ],
)
def test_bad_parameters_are_a_message_on_the_page(seeded: Seeded, params, message) -> None:  # type: ignore[no-untyped-def]
    client = _user(Role.MANAGER, seeded.campaign.place)
    soup = _soup(_dashboard(client, seeded.campaign, **params))
    errors = " ".join(e.get_text() for e in soup.select(".errorlist"))
    assert errors.strip() and message in errors
    assert soup.select(".big-number")  # the page still shows the figures, at the default


def test_an_unknown_place_is_not_found(seeded: Seeded) -> None:
    client = _user(Role.MANAGER, seeded.campaign.place)
    assert _dashboard(client, seeded.campaign, noi="khong-co").status_code == 404
    other = Place.objects.filter(kind="commune").exclude(pk=seeded.campaign.place_id).first()
    assert _dashboard(client, seeded.campaign, noi=other.code).status_code == 404


def test_the_village_table_sorts_on_the_server_and_links_each_village(seeded: Seeded) -> None:
    client = _user(Role.MANAGER, seeded.campaign.place)
    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat(), **{"sap-xep": "-dan-so"}))
    rows = soup.select("#khu-vuc tbody tr")
    residents = [int(tr.find_all("td")[0].get_text(strip=True)) for tr in rows]
    assert residents == sorted(residents, reverse=True)
    header = soup.select_one('#khu-vuc th[aria-sort="descending"]')
    assert "dan-so" in header.a["href"]
    assert "sap-xep=dan-so" in header.a["href"]  # a second click sorts the other way
    cao = next(tr for tr in rows if tr.th.get_text(strip=True) == "Thôn Cao Bằng")
    assert cao.th.a["href"].startswith(
        reverse(
            "campaigns:village", args=[seeded.campaign.pk, seeded.villages["Thôn Cao Bằng"].code]
        )
    )
    assert cao["class"] == ["share-met"]


def test_the_chart_is_svg_with_patterns_and_a_text_equivalent(seeded: Seeded) -> None:
    client = _user(Role.VIEWER, seeded.campaign.place)
    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))
    svg = soup.select_one("svg.chart")
    assert svg["role"] == "img"
    assert svg.title.get_text() and "4" in svg.desc.get_text()
    dashes = {
        el.get("stroke-dasharray")
        for el in svg.select(".chart-actual, .chart-projection, .chart-target")
    }
    assert len(dashes) == 3  # solid, dashed, dotted: readable in black and white
    weeks = soup.select(".chart-figures tbody tr")
    assert weeks[-1].th.get_text() == "30/09/2023"
    assert weeks[-1].find_all("td")[0].get_text(strip=True) == "4"


def test_pages_have_no_inline_style_or_script(seeded: Seeded) -> None:
    client = _user(Role.MANAGER, seeded.campaign.place)
    cao = seeded.villages["Thôn Cao Bằng"]
    pages = [
        _dashboard(client, seeded.campaign),
        client.get(reverse("campaigns:people", args=[seeded.campaign.pk]), {"tieu-bieu": "1"}),
        client.get(reverse("campaigns:village", args=[seeded.campaign.pk, cao.code])),
        client.get(reverse("campaigns:village_print", args=[seeded.campaign.pk, cao.code])),
    ]
    for response in pages:
        soup = _soup(response)
        assert soup.find_all(style=True) == []
        assert soup.find_all("style") == []
        assert all(script.get("src") for script in soup.find_all("script"))
        assert not [
            tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)
        ]


def test_the_people_list_masks_personal_data(seeded: Seeded) -> None:
    client = _user(Role.UNIT_MEMBER, seeded.campaign.place, seeded.units["police"])
    response = client.get(
        reverse("campaigns:people", args=[seeded.campaign.pk]), {"ngay": ON.isoformat()}
    )
    soup = _soup(response)
    text = soup.get_text()
    assert "Nguyễn Thị Hoà" in text
    for private in ("066190012345", "0912345678", "01/03/2000", "2000-03-01"):
        assert private not in response.content.decode()
    row = next(
        tr for tr in soup.select(".people-table tbody tr") if tr.th.a.text == "Nguyễn Thị Hoà"
    )
    assert row.th.a["href"] == reverse(
        "people:card",
        args=[seeded.campaign.pk, Resident.objects.get(full_name="Nguyễn Thị Hoà").pk],
    )
    assert "2000" in row.get_text()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tieu-chi": "khong-co"}, "khong-co"),
        ({"don-vi": "999999"}, ""),
        ({"ngay": "2022-01-01"}, "12/04/2023"),
    ],
)
def test_a_bad_filter_shows_a_message_and_no_list(seeded: Seeded, params, message) -> None:  # type: ignore[no-untyped-def]
    client = _user(Role.MANAGER, seeded.campaign.place)
    soup = _soup(client.get(reverse("campaigns:people", args=[seeded.campaign.pk]), params))
    errors = " ".join(e.get_text() for e in soup.select(".errorlist"))
    assert errors.strip() and message in errors
    assert soup.select(".people-table") == []


def test_the_people_list_pages_by_fifty(seeded: Seeded) -> None:
    cao = seeded.villages["Thôn Cao Bằng"]
    ResidentFactory.create_batch(60, village=cao)
    client = _user(Role.MANAGER, seeded.campaign.place)
    url = reverse("campaigns:people", args=[seeded.campaign.pk])
    first = _soup(client.get(url, {"noi": cao.code}))
    assert len(first.select(".people-table tbody tr")) == 50
    following = first.select_one('.pagination a[rel="next"]')["href"]
    assert parse_qs(urlsplit(following).query)["noi"] == [cao.code]
    second = _soup(client.get(url + following))
    assert len(second.select(".people-table tbody tr")) == 64 - 50


def test_the_village_page_shows_ticks_and_filters(seeded: Seeded) -> None:
    cao = seeded.villages["Thôn Cao Bằng"]
    client = _user(Role.VILLAGE_HEAD, cao)
    url = reverse("campaigns:village", args=[seeded.campaign.pk, cao.code])
    soup = _soup(client.get(url, {"ngay": ON.isoformat()}))
    rows = {tr.th.a.get_text(): tr for tr in soup.select(".people-table tbody tr")}
    assert set(rows) == {"Nguyễn Thị Hoà", "Trần Văn Bình", "Lê Văn Cụ", "Phạm Thị Dung"}
    ticks = rows["Phạm Thị Dung"].select(".tick")
    assert [t["title"] for t in ticks] == ["01/06/2023", "01/06/2023"]

    not_yet = _soup(client.get(url, {"tieu-bieu": "0"}))
    assert [tr.th.a.get_text() for tr in not_yet.select(".people-table tbody tr")] == [
        "Phạm Thị Dung"
    ]
    missing = _soup(client.get(url, {"thieu": "bank_account", "nhom": "1"}))
    assert [tr.th.a.get_text() for tr in missing.select(".people-table tbody tr")] == [
        "Phạm Thị Dung"
    ]


def test_the_print_view_lists_those_not_yet_exemplary_20_to_a_page(seeded: Seeded) -> None:
    cao = seeded.villages["Thôn Cao Bằng"]
    ResidentFactory.create_batch(30, village=cao)
    client = _user(Role.VILLAGE_HEAD, cao)
    url = reverse("campaigns:village_print", args=[seeded.campaign.pk, cao.code])
    soup = _soup(client.get(url))
    tables = soup.select("table.print-sheet")
    assert [len(t.select("tbody tr")) for t in tables] == [20, 11]  # 30 new + Dung
    assert all(t.thead for t in tables)  # each printed page repeats the header
    names = [th.get_text() for th in soup.select("table.print-sheet tbody th")]
    assert "Phạm Thị Dung" in names and "Nguyễn Thị Hoà" not in names
    dung = next(tr for tr in soup.select("table.print-sheet tbody tr") if "Dung" in tr.th.text)
    assert len(dung.select(".print-box")) == 4  # 6 criteria, 2 done
    everyone = _soup(client.get(url, {"tieu-bieu": ""}))
    assert len(everyone.select("table.print-sheet tbody tr")) == 34


def test_the_dashboard_query_count_is_fixed(seeded: Seeded, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = _user(Role.MANAGER, seeded.campaign.place)
    _dashboard(client, seeded.campaign)  # warm the session
    with django_assert_max_num_queries(24):
        _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))
    ResidentFactory.create_batch(20, village=seeded.villages["Thôn Tân Tiến"])
    with django_assert_max_num_queries(24):
        _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))


def test_the_people_list_query_count_does_not_grow_with_the_page(
    seeded: Seeded, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    ResidentFactory.create_batch(40, village=seeded.villages["Thôn Tân Tiến"])
    client = _user(Role.MANAGER, seeded.campaign.place)
    url = reverse("campaigns:people", args=[seeded.campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        _soup(client.get(url, {"tieu-bieu": "0", "nhom": "1"}))
    with django_assert_max_num_queries(16):
        _soup(client.get(url, {"giup": "1", "don-vi": str(seeded.units["police"].pk)}))


def test_the_teams_leaderboard_is_shown(seeded: Seeded) -> None:
    from congdanso.partners.teams import team_create

    cao = seeded.villages["Thôn Cao Bằng"]
    team_create(commune=seeded.campaign.place, name="Tổ CNSCĐ Cao Bằng", villages=[cao])
    client = _user(Role.MANAGER, seeded.campaign.place)

    soup = _soup(_dashboard(client, seeded.campaign, ngay=ON.isoformat()))

    row = soup.select_one("#h-teams").find_parent("section").select_one("tbody tr")
    cells = [td.get_text(strip=True) for td in row.find_all("td")]
    assert row.th.get_text(strip=True) == "Tổ CNSCĐ Cao Bằng"
    assert cells[:2] == ["Thôn Cao Bằng", "3 / 400"]
