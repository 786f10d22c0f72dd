import datetime as dt

import pytest

from congdanso.campaigns.services import campaign_create
from congdanso.core.errors import DomainError
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
