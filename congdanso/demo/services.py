"""The demo commune: xã Ea Yông (huyện Krông Pắc, Đắk Lắk) as in the 2023 reference case.

Deterministic from its seed and idempotent: the resident list is generated as the Excel file
a commune would have and loaded through the same import code users run, so a second run
finds every row unchanged. Then the 2023 campaign with its partners and a simulated year of
support sessions (`congdanso.demo.campaign`, `congdanso.demo.simulation`), built once.
"""

import datetime as dt
import os
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from congdanso.accounts.models import Role
from congdanso.accounts.services import role_grant
from congdanso.campaigns.models import Campaign
from congdanso.core.files import FOLDER_MODE, write_private
from congdanso.demo.campaign import (
    DemoCampaignResult,
    demo_campaign_load,
    demo_current_campaign_load,
)
from congdanso.demo.synthetic.files import write_xlsx
from congdanso.demo.synthetic.residents import EA_YONG_SCHOOL, EA_YONG_TODAY, EA_YONG_VILLAGES
from congdanso.demo.synthetic.rows import generate_rows
from congdanso.partners.models import Unit
from congdanso.people.importing import ImportResult, import_residents
from congdanso.people.models import Resident
from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import (
    commune_get_or_create,
    district_get_or_create,
    places_load_official,
    village_get_or_create,
)
from congdanso.vn import vietnam_today
from congdanso.vn.today import VIETNAM_TZ

DEMO_COMMUNE_CODE = "66-krong-pac-ea-yong"
DEMO_RESIDENTS = 12_000
DEMO_SEED = 2023
#: When the demo's list of residents was registered: the morning the campaign was launched.
LIST_REGISTERED = dt.datetime.combine(EA_YONG_TODAY, dt.time(8), tzinfo=VIETNAM_TZ)
DEMO_PASSWORD_DEFAULT = "congdanso-2023"  # noqa: S105 - the documented demo log-in


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str | None  # None when the account existed already (password left as it was)
    role: str


@dataclass(frozen=True)
class DemoResult:
    commune: Place
    imported: ImportResult
    logins: tuple[DemoLogin, ...]
    campaign: DemoCampaignResult
    current: Campaign  # this year's campaign (field mode works today)


@transaction.atomic
def demo_commune_get_or_create() -> Place:
    province = Place.objects.filter(code="66", kind=PlaceKind.PROVINCE).first()
    if province is None:
        places_load_official()
        province = Place.objects.get(code="66", kind=PlaceKind.PROVINCE)
    district, _created = district_get_or_create(province=province, name="Huyện Krông Pắc")
    commune, _created = commune_get_or_create(
        parent=district, name="Xã Ea Yông", code=DEMO_COMMUNE_CODE
    )
    for name in EA_YONG_VILLAGES:
        village_get_or_create(commune=commune, name=name)
    village_get_or_create(commune=commune, name=EA_YONG_SCHOOL, kind=PlaceKind.SCHOOL)
    return commune


#: The demo's users, one per role of the reference case: (username, role, where, unit key).
DEMO_USERS = (
    ("thuky", Role.MANAGER, "commune", None),  # the steering committee's secretary
    ("congan", Role.UNIT_MEMBER, "commune", "Công an xã Ea Yông"),  # a volunteer, police
    ("truongthon", Role.VILLAGE_HEAD, "Thôn Cao Bằng", None),
    ("huyen", Role.VIEWER, "district", None),  # the district's steering committee
)


def demo_logins_ensure(commune: Place) -> tuple[DemoLogin, ...]:
    """The administrator and one user per role; existing accounts are left as they are."""
    password = os.environ.get("CONGDANSO_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    user_model = get_user_model()
    logins = []
    if user_model.objects.filter(username="admin").exists():
        logins.append(DemoLogin("admin", None, "superuser"))
    else:
        user_model.objects.create_superuser("admin", "", password)
        logins.append(DemoLogin("admin", password, "superuser"))
    places = {"commune": commune, "district": commune.parent or commune}
    for username, role, where, unit_name in DEMO_USERS:
        label = str(Role(role).label)
        if user_model.objects.filter(username=username).exists():
            logins.append(DemoLogin(username, None, label))
            continue
        place = places.get(where) or Place.objects.get(parent=commune, name=where)
        unit = Unit.objects.get(place=commune, name=unit_name) if unit_name else None
        user = user_model.objects.create_user(username, "", password)
        role_grant(user=user, role=role, place=place, unit=unit)
        logins.append(DemoLogin(username, password, label))
    return tuple(logins)


def demo_load(*, residents: int = DEMO_RESIDENTS, seed: int = DEMO_SEED) -> DemoResult:
    commune = demo_commune_get_or_create()
    folder = settings.DATA_DIR / "demo"
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    path = folder / f"ea-yong-residents-{seed}-{residents}.xlsx"
    if not path.exists():
        rows = generate_rows(residents, seed=seed, today=EA_YONG_TODAY)
        write_private(path, lambda partial: write_xlsx(partial, rows))
    started = timezone.now()
    imported = import_residents(path, commune=commune, today=EA_YONG_TODAY)
    # The list the commune had when the campaign began: its residents were registered then
    # (so that "--registered-by" re-makes a 2023 report as it was; residents added later, in
    # the app, keep their own date)
    Resident.objects.filter(commune=commune, created_at__gte=started).update(
        created_at=LIST_REGISTERED
    )
    # The campaign's numbers are for the full demo commune and shrink with a smaller one.
    scale = residents / DEMO_RESIDENTS
    campaign = demo_campaign_load(commune=commune, scale=scale, seed=seed)
    current = demo_current_campaign_load(commune=commune, scale=scale, today=vietnam_today())
    return DemoResult(
        commune=commune,
        imported=imported,
        logins=demo_logins_ensure(commune),
        campaign=campaign,
        current=current,
    )
