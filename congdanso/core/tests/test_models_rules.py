"""The sharding rule, checked on every model: a table holding resident data carries the
commune (one abstract base model, `places.models.CommuneOwned`), and each of its unique
constraints includes it — what a deployment sharded by commune (Citus) needs, where a unique
constraint must contain the distribution column."""

import pytest
from django.apps import apps
from django.db import models

from congdanso.people.models import Resident
from congdanso.places.models import CommuneOwned


def _holds_resident_data(model: type[models.Model]) -> bool:
    """The resident itself, anything pointing at a resident, anything with encrypted columns
    (an import's rejected rows hold CCCDs and phones)."""
    if model is Resident or getattr(model, "encrypted_columns", None):
        return True
    return any(
        isinstance(field, models.ForeignKey) and field.related_model is Resident
        for field in model._meta.get_fields()
    )


MODELS = sorted(
    (m for m in apps.get_models() if m.__module__.startswith("congdanso.")),
    key=lambda m: m._meta.label,
)
RESIDENT_DATA = [m for m in MODELS if _holds_resident_data(m)]


def test_the_models_holding_resident_data_are_these() -> None:
    # A new one must come through here: it carries the commune and its constraints include it.
    assert {m._meta.label for m in RESIDENT_DATA} == {
        "people.Resident",
        "people.DataIssue",
        "people.ImportRun",
        "people.ImportJob",
        "campaigns.Achievement",
        "outreach.Turn",
        "outreach.Newcomer",
        "privacy.PrivacyNotice",
    }


@pytest.mark.parametrize("model", RESIDENT_DATA, ids=lambda m: m._meta.label)
def test_a_model_holding_resident_data_carries_the_commune(model: type[models.Model]) -> None:
    assert issubclass(model, CommuneOwned)
    field = model._meta.get_field("commune")
    assert field.related_model._meta.label == "places.Place"
    assert not field.null


@pytest.mark.parametrize("model", RESIDENT_DATA, ids=lambda m: m._meta.label)
def test_every_unique_constraint_of_resident_data_includes_the_commune(
    model: type[models.Model],
) -> None:
    constraints = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    assert [c.name for c in constraints if "commune" not in c.fields] == []
    assert [f for f in model._meta.unique_together if "commune" not in f] == []
    unique_fields = [f.name for f in model._meta.local_fields if f.unique and not f.primary_key]
    assert unique_fields == []


@pytest.mark.parametrize("model", RESIDENT_DATA, ids=lambda m: m._meta.label)
def test_every_index_of_resident_data_starts_with_the_commune(model: type[models.Model]) -> None:
    starts = [index.fields[0].lstrip("-") for index in model._meta.indexes]
    # the commune first, or a lookup by the resident, whose row already names the commune
    assert [s for s in starts if s not in ("commune", "resident")] == []
