"""Who may see and do what: the one choke point for scope.

Every page, command and API endpoint gets its querysets from here (or from selectors that take
an `Access`), never by testing roles itself. The rules:

- A grant covers its place's subtree. A superuser is a system administrator everywhere.
- **System administrator**: everything, including revealing personal data.
- **Campaign manager**: the residents, campaigns, sessions and reports of their places; may
  set up campaigns there, record and withdraw achievements, and reveal personal data (audited).
- **Unit member**: finds and helps residents of the places of the campaigns where their unit
  has a pledge, within their grant's place; records turns and achievements there; sees
  personal data masked only.
- **Village head**: the residents of their village; records achievements for them; masked.
- **Viewer** (district, province): aggregates only — indicators and reports, never a resident.

Something outside the user's scope does not exist for them: selectors raise `NotFound` (404),
never a "forbidden" that would confirm it exists.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.accounts.models import Role, RoleGrant
from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaigns_around
from congdanso.core.errors import Message, NotFound
from congdanso.partners.models import Pledge
from congdanso.people.models import Resident
from congdanso.places.models import COMMUNE_LEVEL_KINDS, LOCAL_KINDS, Place

#: Roles that see residents one by one.
PERSON_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.UNIT_MEMBER, Role.VILLAGE_HEAD})
#: Roles that may show a CCCD or phone in full (an audited action).
REVEAL_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
#: Roles that record achievements and turns.
RECORD_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.UNIT_MEMBER, Role.VILLAGE_HEAD})
#: Roles that set a campaign up (targets, units, pledges, schedule, imports).
MANAGE_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
#: Roles that add a person to the list by hand (a scanned card that matched nobody).
ADD_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.UNIT_MEMBER})


@dataclass(frozen=True)
class Grant:
    role: str
    place_id: int
    path: str
    unit_id: int | None


@dataclass(frozen=True)
class Access:
    user_id: int | None
    is_admin: bool
    grants: tuple[Grant, ...]

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants) | (
            {Role.ADMIN} if self.is_admin else frozenset()
        )

    def paths(self, roles: frozenset[str] | set[str]) -> list[str]:
        return [g.path for g in self.grants if g.role in roles]

    def covers(self, place: Place, roles: frozenset[str] | set[str]) -> bool:
        """Whether a grant of one of these roles covers the place."""
        return self.is_admin or any(place.path.startswith(p) for p in self.paths(roles))

    def overlaps(self, place: Place, roles: frozenset[str] | set[str]) -> bool:
        """Whether the place covers, or is covered by, a grant of these roles (a district
        campaign is visible to a commune manager, for their commune)."""
        return self.is_admin or any(
            place.path.startswith(p) or p.startswith(place.path) for p in self.paths(roles)
        )


ANONYMOUS = Access(user_id=None, is_admin=False, grants=())
ALL_ROLES = frozenset(Role.values)


def access_for(user: Any) -> Access:
    """The user's access (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_congdanso_access", None)
    if cached is not None:
        return cached
    grants = tuple(
        Grant(role=g.role, place_id=g.place_id, path=g.place.path, unit_id=g.unit_id)
        for g in RoleGrant.objects.filter(user=user).select_related("place")
    )
    access = Access(
        user_id=user.pk,
        is_admin=bool(user.is_superuser) or any(g.role == Role.ADMIN for g in grants),
        grants=grants,
    )
    user._congdanso_access = access
    return access


def _path_q(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def places_visible(access: Access, *, roles: frozenset[str] = ALL_ROLES) -> QuerySet[Place]:
    if access.is_admin:
        return Place.objects.all()
    return Place.objects.filter(_path_q(access.paths(roles), "path"))


def place_get_for(access: Access, code: str) -> Place:
    place = places_visible(access).filter(code=code.strip()).first()
    if place is None:
        raise NotFound(Message(_("No place has the code %(code)s."), code=code), code="not_found")
    return place


def residents_visible(access: Access) -> QuerySet[Resident]:
    """Residents the user may see one by one (none for a viewer)."""
    if access.is_admin:
        return Resident.objects.all()
    q = Q(pk__in=[])
    for grant in access.grants:
        if grant.role not in PERSON_ROLES:
            continue
        q |= Q(commune__path__startswith=grant.path) | Q(village__path__startswith=grant.path)
    return Resident.objects.filter(q)


def resident_get_for(access: Access, resident_id: int | str) -> Resident:
    resident = None
    if str(resident_id).isdigit():
        resident = (
            residents_visible(access)
            .select_related("village", "commune")
            .filter(pk=int(resident_id))
            .first()
        )
    if resident is None:
        raise NotFound(_("No such resident."), code="not_found")
    return resident


def campaigns_visible(access: Access) -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("place").filter(archived_at__isnull=True)
    if access.is_admin:
        return qs
    q = Q(pk__in=[])
    for path in access.paths(ALL_ROLES):
        q |= campaigns_around(path)
    return qs.filter(q)


def campaign_get_for(access: Access, campaign_id: int | str) -> Campaign:
    campaign = None
    if str(campaign_id).isdigit():
        campaign = campaigns_visible(access).filter(pk=int(campaign_id)).first()
    if campaign is None:
        raise NotFound(
            Message(_("No campaign has the id %(id)s."), id=campaign_id), code="not_found"
        )
    return campaign


def indicator_place_for(access: Access, campaign: Campaign, place: Place | None) -> Place:
    """The place whose indicators the user may read: the one asked for when their grants
    cover it, else (when none was asked) the campaign's place if covered, else their own
    place within the campaign. Anything else does not exist for them."""
    wanted = place or campaign.place
    if not wanted.path.startswith(campaign.place.path):
        raise NotFound(_("No such place in this campaign."), code="not_found")
    if access.covers(wanted, ALL_ROLES):
        return wanted
    if place is None:
        inside = [p for p in access.paths(ALL_ROLES) if p.startswith(campaign.place.path)]
        if inside:
            return Place.objects.get(path=sorted(inside)[0])
    raise NotFound(_("No such place in this campaign."), code="not_found")


def can_reveal(access: Access, resident: Resident) -> bool:
    return access.is_admin or any(
        resident.commune.path.startswith(p) for p in access.paths(REVEAL_ROLES)
    )


def can_withdraw(access: Access, resident: Resident, recorded_by_id: int | None) -> bool:
    """Whether the user may withdraw an achievement (or take back a tick) of this resident:
    a manager of the resident's commune, an administrator, or the user who recorded it."""
    if access.is_admin or any(
        resident.commune.path.startswith(p) for p in access.paths(MANAGE_ROLES)
    ):
        return True
    return access.user_id is not None and recorded_by_id == access.user_id


def can_manage(access: Access, campaign: Campaign) -> bool:
    return access.covers(campaign.place, MANAGE_ROLES)


#: Roles that read the reports sent up by the places below theirs and decide on them.
REVIEW_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.VIEWER})


def can_submit_report(access: Access, place: Place) -> bool:
    """Whether the user sends the place's report up: a manager of the place."""
    return access.covers(place, MANAGE_ROLES)


def can_review_report(access: Access, place: Place) -> bool:
    """Whether the user accepts or returns the place's report: a manager or viewer of a
    place above it (the district or province reading its communes), never the place's own."""
    return access.is_admin or any(
        place.path.startswith(g.path) and place.path != g.path
        for g in access.grants
        if g.role in REVIEW_ROLES
    )


def can_record(access: Access, campaign: Campaign, resident: Resident) -> bool:
    """Whether the user may record turns and achievements for this resident in the campaign."""
    if access.is_admin:
        return True
    resident_path = (resident.village or resident.commune).path
    if not resident.commune.path.startswith(campaign.place.path):
        return False
    for grant in access.grants:
        if grant.role not in RECORD_ROLES or not resident_path.startswith(grant.path):
            continue
        if grant.role != Role.UNIT_MEMBER:
            return True
        if (
            grant.unit_id is not None
            and Pledge.objects.filter(campaign=campaign, unit_id=grant.unit_id).exists()
        ):
            return True
    return False


def units_of(access: Access) -> list[int]:
    """The units the user works for (unit members)."""
    return [g.unit_id for g in access.grants if g.unit_id is not None]


def communes_managed(access: Access) -> QuerySet[Place]:
    """The communes the user manages (imports, the places page), by path. An administrator
    manages every commune: the list holds those in use (with villages or sites, or a
    campaign); `commune_managed_get` reaches any other by its code."""
    communes = places_visible(access, roles=MANAGE_ROLES).filter(kind__in=COMMUNE_LEVEL_KINDS)
    if access.is_admin:
        communes = communes.filter(
            Q(pk__in=Place.objects.filter(kind__in=LOCAL_KINDS).values("commune_id"))
            | Q(pk__in=Campaign.objects.values("place_id"))
        )
    return communes.order_by("path")


def commune_managed_get(access: Access, code: str) -> Place:
    """The commune of this code if the user manages it; otherwise it does not exist."""
    commune = (
        places_visible(access, roles=MANAGE_ROLES)
        .filter(code=code.strip(), kind__in=COMMUNE_LEVEL_KINDS)
        .first()
    )
    if commune is None:
        raise NotFound(Message(_("No commune has the code %(code)s."), code=code), code="not_found")
    return commune


def campaigns_managed(access: Access) -> QuerySet[Campaign]:
    """The campaigns the user sets up (imports of achievement lists included)."""
    return campaigns_visible(access).filter(place__in=places_visible(access, roles=MANAGE_ROLES))
