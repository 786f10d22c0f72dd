import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congdanso.core.errors import DomainError
from congdanso.places.models import Place, PlaceKind
from congdanso.places.selectors import commune_get, place_subtree, villages_of
from congdanso.places.services import places_load_official, village_get_or_create


@pytest.mark.django_db
def test_official_list_holds_34_provinces_and_their_communes_with_clean_names() -> None:
    assert Place.objects.filter(kind=PlaceKind.PROVINCE).count() == 34
    communes = Place.objects.filter(
        kind__in=[PlaceKind.COMMUNE, PlaceKind.WARD, PlaceKind.SPECIAL_ZONE]
    )
    assert communes.count() > 3000
    assert not Place.objects.filter(name__contains="  ").exists()
    krong_pac = Place.objects.get(code="24490")
    assert krong_pac.name == "Xã Krông Pắc"
    assert krong_pac.path == "/66/24490/"
    assert krong_pac.commune == krong_pac


@pytest.mark.django_db
def test_loading_the_official_list_again_changes_nothing() -> None:
    result = places_load_official()
    assert result.created == 0
    assert result.updated == 0
    assert result.unchanged == Place.objects.filter(is_official=True).count()


@pytest.mark.parametrize(
    ("name", "kind", "stored"),
    [
        ("Buôn Ghamah", PlaceKind.EDE_VILLAGE, "Buôn Ghamah"),
        ("thôn  Tân Lập", PlaceKind.VILLAGE, "Thôn Tân Lập"),
        ("Tổ dân phố 3", PlaceKind.RESIDENTIAL_GROUP, "Tổ dân phố 3"),
        ("Trường Tiểu học Chu Văn An", PlaceKind.SCHOOL, "Trường Tiểu học Chu Văn An"),
        ("Cao Bằng", PlaceKind.VILLAGE, "Thôn Cao Bằng"),
    ],
)
@pytest.mark.django_db
def test_village_kind_is_inferred_from_the_name_prefix(
    ea_yong: Place, name: str, kind: str, stored: str
) -> None:
    village, _ = village_get_or_create(commune=ea_yong, name=name)
    assert village.kind == kind
    assert village.name == stored
    assert village.path.startswith(ea_yong.path)
    assert village.commune == ea_yong


@pytest.mark.django_db
def test_a_village_named_without_its_prefix_is_the_same_village(ea_yong: Place) -> None:
    ghamah = Place.objects.get(parent=ea_yong, name="Buôn Ghamah")
    found, created = village_get_or_create(commune=ea_yong, name="ghamah")
    assert (found, created) == (ghamah, False)


@pytest.mark.django_db
def test_a_village_cannot_hang_under_a_province() -> None:
    province = Place.objects.get(code="66")
    with pytest.raises(DomainError) as error:
        village_get_or_create(commune=province, name="Thôn A")
    assert error.value.code == "not_a_commune"
    assert not Place.objects.filter(parent=province, name="Thôn A").exists()


@pytest.mark.django_db
def test_a_subtree_is_one_query(ea_yong: Place, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    province = Place.objects.get(code="66")
    with django_assert_num_queries(1):
        names = [p.name for p in place_subtree(province)]
    assert "Thôn Cao Bằng" in names
    assert "Xã Krông Pắc" in names
    assert "Thành phố Hà Nội" not in names


@pytest.mark.django_db
def test_unknown_commune_code_suggests_communes_by_name() -> None:
    with pytest.raises(DomainError) as error:
        commune_get("krong pac")
    assert "24490" in str(error.value)


@pytest.mark.django_db
def test_add_village_command_creates_once_and_reports_the_existing_one(
    ea_yong: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("places", "add-village", "--commune", ea_yong.code, "Buôn Kniêr")
    call_command("places", "add-village", "--commune", ea_yong.code, "Kniêr")
    out = capsys.readouterr().out
    assert villages_of(ea_yong).filter(name="Buôn Kniêr").count() == 1
    assert "Buôn Kniêr" in out


@pytest.mark.django_db
def test_add_village_to_unknown_commune_exits_with_status_2() -> None:
    with pytest.raises(CommandError) as error:
        call_command("places", "add-village", "--commune", "99999", "Thôn A")
    assert error.value.returncode == 2
    assert "99999" in str(error.value)
