"""Fixtures shared by every app's tests."""

import pytest

from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import (
    commune_get_or_create,
    district_get_or_create,
    places_load_official,
    village_get_or_create,
)

EA_YONG_VILLAGES = ("Thôn Cao Bằng", "Thôn Tân Lập", "Buôn Ghamah", "Thôn Tân Tiến")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The official place list is loaded once per test database, not once per test."""
    with django_db_blocker.unblock():
        places_load_official()


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):  # type: ignore[no-untyped-def]
    """Pages render in tests without `collectstatic` having built the manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def ea_yong(db: None) -> Place:
    province = Place.objects.get(code="66", kind=PlaceKind.PROVINCE)
    district, _ = district_get_or_create(province=province, name="Huyện Krông Pắc")
    commune, _ = commune_get_or_create(parent=district, name="Xã Ea Yông", code="ea-yong")
    for name in EA_YONG_VILLAGES:
        village_get_or_create(commune=commune, name=name)
    return commune
