"""The campaigns' writes: the catalog, a criterion of a campaign's own, a campaign's terms and
criteria, each refusal with its code and its message (changes after creation:
`test_services_setup.py`)."""

import datetime as dt
from decimal import Decimal

import pytest

from congdanso.campaigns.catalog import BUILTIN, SHORT_NAMES
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.campaigns.services import campaign_create, criteria_builtin_ensure, criterion_create
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db


def test_campaign_exemplary_defaults_to_all_criteria(ea_yong: Place) -> None:
    campaign = campaign_create(
        place=ea_yong,
        name="Năm 2024",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 12, 31),
        criteria=["vneid_level2", "bank_account"],
        target_exemplary=500,
    )
    assert sorted(
        campaign.rules.filter(is_exemplary=True).values_list("criterion__code", flat=True)
    ) == [
        "bank_account",
        "vneid_level2",
    ]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"criteria": ["vneid_level2", "nope"]}, "criterion_unknown"),
        ({"exemplary": ["bank_account"]}, "exemplary_not_tracked"),
        ({"end_date": dt.date(2022, 1, 1)}, "campaign_dates_invalid"),
        ({"cohort_ages": (50, 16)}, "cohort_ages_invalid"),
        ({"cohort_target": "1.5"}, "cohort_target_invalid"),
        ({"target_exemplary": 0}, "target_invalid"),
        ({"name": "  "}, "campaign_name_missing"),
    ],
)
def test_campaign_bad_input_is_refused_with_a_code(ea_yong: Place, changes, code) -> None:  # type: ignore[no-untyped-def]
    arguments = {
        "place": ea_yong,
        "name": "Năm 2024",
        "start_date": dt.date(2024, 1, 1),
        "end_date": dt.date(2024, 12, 31),
        "criteria": ["vneid_level2"],
        "target_exemplary": 500,
        **changes,
    }
    with pytest.raises(DomainError) as error:
        campaign_create(**arguments)
    assert error.value.code == code


def test_text_is_stored_nfc_and_too_long_text_is_refused_not_cut(ea_yong: Place) -> None:
    import unicodedata

    campaign = campaign_create(
        place=ea_yong,
        name=unicodedata.normalize("NFD", "  Công dân số   2024 "),
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 12, 31),
        criteria=["vneid_level2"],
        target_exemplary=5,
    )
    assert campaign.name == unicodedata.normalize("NFC", "Công dân số 2024")
    with pytest.raises(DomainError) as error:
        campaign_create(
            place=ea_yong,
            name="x" * 201,
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2024, 12, 31),
            criteria=["vneid_level2"],
            target_exemplary=5,
        )
    assert error.value.code == "text_too_long"


# --- the built-in catalog -------------------------------------------------------------------------


def _catalog_row(code: str) -> tuple[object, ...]:
    c = Criterion.objects.get(code=code)
    return (c.name, c.name_en, c.short_name, c.short_name_en, c.help_text, c.is_builtin, c.position)


def test_the_catalog_lost_in_part_is_written_again_as_shipped(db: None) -> None:
    Criterion.objects.filter(code="bank_account").delete()
    Criterion.objects.filter(code="vneid_level2").update(
        name="sửa", name_en="x", short_name="x", short_name_en="x", help_text="x", position=99
    )

    criteria_builtin_ensure()

    for position, (code, name, name_en, help_text) in enumerate(BUILTIN, 1):
        short_name, short_name_en = SHORT_NAMES[code]
        assert _catalog_row(code) == (
            name, name_en, short_name, short_name_en, help_text, True, position
        ), code  # fmt: skip


def test_a_whole_catalog_is_left_as_it_is(db: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    criterion_create(code="zalo_account", name="Tài khoản Zalo")  # not built in: not counted
    Criterion.objects.filter(code="vneid_level2").update(name="Định danh mức 2")

    with django_assert_num_queries(1):
        criteria_builtin_ensure()

    assert Criterion.objects.get(code="vneid_level2").name == "Định danh mức 2"


# --- a criterion of a campaign's own --------------------------------------------------------------


def test_a_new_criterion_is_stored_clean_and_audited(db: None) -> None:
    criterion = criterion_create(
        code="  Hoc_Ky_Nang_So2 ",
        name=" Học  kỹ năng số ",
        name_en=" Digital  skills ",
        help_text=" Đã học  một khoá ",
    )

    criterion.refresh_from_db()
    assert (criterion.code, criterion.name, criterion.name_en, criterion.help_text) == (
        "hoc_ky_nang_so2",
        "Học kỹ năng số",
        "Digital skills",
        "Đã học một khoá",
    )
    assert not criterion.is_builtin
    event = AuditEvent.objects.get(object_type="campaigns.criterion")
    assert (event.action, event.object_id) == ("create", str(criterion.pk))
    assert event.changes == {"code": [None, "hoc_ky_nang_so2"]}


def test_a_new_criterion_needs_no_english_name_nor_help(db: None) -> None:
    criterion = criterion_create(code="zalo_account", name="Tài khoản Zalo")

    criterion.refresh_from_db()
    assert (criterion.name, criterion.name_en, criterion.help_text) == ("Tài khoản Zalo", "", "")


@pytest.mark.parametrize("code", ["", "   ", "hoc-ky", "học", "hoc ky", "___", "x!"])
def test_a_criterion_code_of_other_characters_is_refused(db: None, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        criterion_create(code=code, name="Học kỹ năng số")

    assert refused.value.code == "criterion_code_invalid"
    assert refused.value.message.render("en") == (
        f"A criterion code is lower-case letters, digits and _ only: {code.strip().lower()}"
    )
    assert not Criterion.objects.filter(is_builtin=False).exists()


def test_a_criterion_code_in_use_is_refused_whatever_its_case(db: None) -> None:
    with pytest.raises(DomainError) as refused:
        criterion_create(code=" Bank_Account ", name="Tài khoản")

    assert refused.value.code == "criterion_exists"
    assert refused.value.message.render("en") == (
        "A criterion with the code bank_account exists already."
    )
    assert Criterion.objects.get(code="bank_account").name == "Tài khoản ngân hàng"


@pytest.mark.parametrize(
    ("field", "label", "limit"),
    [("name", "Name", 200), ("name_en", "Name in English", 200), ("help_text", "Help text", 300)],
)
def test_a_criterion_s_text_up_to_its_column_only(
    db: None, field: str, label: str, limit: int
) -> None:
    texts = {"name": "Học kỹ năng số"}

    criterion_create(code="fits", **(texts | {field: "x" * limit}))
    with pytest.raises(DomainError) as refused:
        criterion_create(code="too_long", **(texts | {field: "x" * (limit + 1)}))

    assert refused.value.code == "text_too_long"
    assert refused.value.message.render("en") == (
        f"{label} is too long: at most {limit} characters, {limit + 1} given."
    )
    assert getattr(Criterion.objects.get(code="fits"), field) == "x" * limit


# --- a campaign's terms ---------------------------------------------------------------------------


def _create(place: Place, **changes: object) -> Campaign:
    terms: dict[str, object] = {
        "place": place,
        "name": "Năm 2024",
        "start_date": dt.date(2024, 1, 1),
        "end_date": dt.date(2024, 12, 31),
        "criteria": ["vneid_level2"],
        "target_exemplary": 500,
    }
    return campaign_create(**(terms | changes))  # type: ignore[arg-type]


def _refusal(place: Place, **changes: object) -> tuple[str, str]:
    with pytest.raises(DomainError) as refused:
        _create(place, **changes)
    assert not Campaign.objects.exists()
    return refused.value.code, refused.value.message.render("en")


def test_a_campaign_is_created_with_its_rules_and_audited(ea_yong: Place) -> None:
    campaign = _create(
        ea_yong,
        criteria=["ehealth_book", " ", " vneid_level2 ", "bank_account"],
        exemplary=["bank_account", "ehealth_book"],
        target_exemplary=1,
        cohort_ages=(0, 130),
        cohort_target="40%",
    )

    campaign.refresh_from_db()
    assert (campaign.place, campaign.name, campaign.target_exemplary) == (ea_yong, "Năm 2024", 1)
    assert (campaign.start_date, campaign.end_date) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert (campaign.cohort_min_age, campaign.cohort_max_age) == (0, 130)
    assert campaign.cohort_target == Decimal("0.4")
    rules = campaign.rules.order_by("position")
    assert [(r.position, r.criterion.code, r.is_exemplary) for r in rules] == [
        (0, "ehealth_book", True),
        (1, "vneid_level2", False),
        (2, "bank_account", True),
    ]
    event = AuditEvent.objects.get(object_type="campaigns.campaign")
    assert (event.action, event.commune_id) == ("create", ea_yong.pk)
    assert {field: new for field, (_old, new) in event.changes.items()} == {
        "name": "Năm 2024",
        "place": "ea-yong",
        "start_date": "2024-01-01",
        "end_date": "2024-12-31",
        "criteria": "ehealth_book,vneid_level2,bank_account",
        "exemplary": "bank_account,ehealth_book",
        "target_exemplary": 1,
        "cohort": "0-130 0.4000",
    }


def test_a_campaign_s_cohort_defaults_to_half_of_ages_16_to_50(ea_yong: Place) -> None:
    campaign = _create(ea_yong)

    campaign.refresh_from_db()
    assert (campaign.cohort_min_age, campaign.cohort_max_age) == (16, 50)
    assert campaign.cohort_target == Decimal("0.5")


def test_a_campaign_of_one_day_and_a_cohort_of_one_age(ea_yong: Place) -> None:
    campaign = _create(
        ea_yong, end_date=dt.date(2024, 1, 1), cohort_ages=(130, 130), cohort_target=1
    )

    assert (campaign.start_date, campaign.end_date) == (dt.date(2024, 1, 1), dt.date(2024, 1, 1))
    assert (campaign.cohort_min_age, campaign.cohort_max_age) == (130, 130)
    assert campaign.cohort_target == Decimal("1")


def test_a_campaign_runs_in_a_commune_or_above_not_in_a_village(ea_yong: Place) -> None:
    village = ea_yong.children.get(name="Thôn Cao Bằng")

    assert _refusal(village) == (
        "campaign_place_invalid",
        "A campaign runs in a commune or a higher place, not in Thôn Cao Bằng.",
    )
    assert _create(ea_yong.parent).place == ea_yong.parent


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("50%", "0.5"),
        ("40 %", "0.4"),
        ("0,25", "0.25"),
        (" 0.75 ", "0.75"),
        (0.5, "0.5"),
        (Decimal("0.12344"), "0.1234"),
        ("1", "1"),
        ("100%", "1"),
    ],
)
def test_the_cohort_target_is_a_share_however_it_is_written(
    ea_yong: Place, given: object, stored: str
) -> None:
    campaign = _create(ea_yong, cohort_target=given)

    assert campaign.cohort_target == Decimal(stored)
    assert campaign.cohort_target.as_tuple().exponent == -4  # as the column holds it


@pytest.mark.parametrize("given", ["0", "0%", "-0.5", "1.0001", "150%", "101%", "abc", "", "0.5X"])
def test_a_cohort_target_out_of_0_to_1_is_refused(ea_yong: Place, given: str) -> None:
    assert _refusal(ea_yong, cohort_target=given) == (
        "cohort_target_invalid",
        f"The cohort target is a share between 0 and 1 (e.g. 0.5 for 50%): {given}",
    )


@pytest.mark.parametrize(("low", "high"), [(-1, 50), (16, 131), (51, 50)])
def test_cohort_ages_out_of_order_or_range_are_refused(ea_yong: Place, low: int, high: int) -> None:
    assert _refusal(ea_yong, cohort_ages=(low, high)) == (
        "cohort_ages_invalid",
        f"Cohort ages must be two ages, youngest first (e.g. 16-50): {low}-{high}",
    )


def test_the_refusals_of_the_terms_say_what_is_wrong(ea_yong: Place) -> None:
    assert _refusal(ea_yong, end_date=dt.date(2023, 12, 31)) == (
        "campaign_dates_invalid",
        "The end date 31/12/2023 is before the start date 01/01/2024.",
    )
    assert _refusal(ea_yong, target_exemplary=0) == (
        "target_invalid",
        "The target of exemplary citizens must be a positive number.",
    )
    assert _refusal(ea_yong, name=" ") == ("campaign_name_missing", "The campaign needs a name.")
    assert _refusal(ea_yong, name="x" * 201)[1] == (
        "Name is too long: at most 200 characters, 201 given."
    )
    assert _create(ea_yong, name="x" * 200).name == "x" * 200


def test_the_refusals_of_the_criteria_say_what_is_wrong(ea_yong: Place) -> None:
    known = ", ".join(Criterion.objects.values_list("code", flat=True))

    assert _refusal(ea_yong, criteria=["nope", "vneid_level2", "nada"]) == (
        "criterion_unknown",
        f"Unknown criterion: nope, nada. Known criteria: {known}",
    )
    assert _refusal(
        ea_yong,
        criteria=["vneid_level2", "bank_account", "ehealth_book", "bank_account", "vneid_level2"],
    ) == ("criterion_repeated", "A criterion is listed twice: bank_account, vneid_level2")
    assert _refusal(ea_yong, criteria=[" "]) == (
        "criteria_missing",
        "A campaign tracks at least one criterion.",
    )
    assert _refusal(ea_yong, exemplary=[]) == (
        "exemplary_missing",
        "At least one criterion must make a citizen exemplary.",
    )
    assert _refusal(ea_yong, exemplary=["ehealth_book", "vneid_level2", "bank_account"]) == (
        "exemplary_not_tracked",
        "Exemplary criteria must be among the campaign's criteria: bank_account, ehealth_book",
    )
