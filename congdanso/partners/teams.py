"""Community digital technology teams (Tổ công nghệ số cộng đồng): a unit of the kind
`digital_team` of a commune, with its village (or villages) and its members. Sessions and
turns are credited to a team as to any unit; how a team stands against its villages' targets
is read in `progress.teams`."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.models import AuditAction
from congdanso.core.parsing import text_clean
from congdanso.partners.models import TeamMember, Unit, UnitKind
from congdanso.partners.services import unit_get_or_create
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.vn import InvalidPhone, normalize_phone


def _villages_checked(commune: Place, villages: Iterable[Place]) -> list[Place]:
    chosen = list(villages)
    if not chosen:
        raise DomainError(
            _("A community digital technology team works in at least one village."),
            code="team_villages_missing",
        )
    outside = [v.name for v in chosen if v.kind not in LOCAL_KINDS or v.commune_id != commune.pk]
    if outside:
        raise DomainError(
            Message(
                _("Not a village of %(commune)s: %(names)s"),
                commune=commune.name,
                names=", ".join(outside),
            ),
            code="team_village_outside",
        )
    return chosen


@transaction.atomic
def team_create(*, commune: Place, name: str, villages: Iterable[Place]) -> Unit:
    """A community digital technology team of the commune, working in the villages."""
    chosen = _villages_checked(commune, villages)
    team, created = unit_get_or_create(place=commune, name=name, kind=UnitKind.DIGITAL_TEAM)
    if not created and team.kind != UnitKind.DIGITAL_TEAM:
        raise DomainError(
            Message(_("A unit named %(name)s exists already."), name=team.name),
            code="unit_exists",
        )
    team.villages.set(chosen)
    audit_record(
        action=AuditAction.UPDATE,
        obj=team,
        commune_id=commune.pk,
        after={"villages": ",".join(v.code for v in chosen)},
    )
    return team


@transaction.atomic
def team_villages_set(*, team: Unit, villages: Iterable[Place]) -> Unit:
    """The villages the team works in, changed (at least one, all of its commune)."""
    if team.kind != UnitKind.DIGITAL_TEAM:
        raise DomainError(
            Message(_("%(name)s is not a community digital technology team."), name=team.name),
            code="unit_not_a_team",
        )
    commune = team.place
    chosen = _villages_checked(commune, villages)
    before = sorted(v.code for v in team.villages.all())
    team.villages.set(chosen)
    audit_record(
        action=AuditAction.UPDATE,
        obj=team,
        commune_id=commune.pk,
        before={"villages": ",".join(before)},
        after={"villages": ",".join(sorted(v.code for v in chosen))},
    )
    return team


@transaction.atomic
def team_member_add(
    *,
    team: Unit,
    full_name: str,
    role: str = "",
    organisation: str = "",
    phone: str = "",
    user: object | None = None,
) -> TeamMember:
    """A member of the team: who, their role in it, the organisation they come from."""
    full_name = text_clean(full_name, field=_("Full name"), max_length=200)
    if not full_name:
        raise DomainError(_("The member needs a name."), code="member_name_missing")
    number = ""
    if phone.strip():
        try:
            number = normalize_phone(phone)
        except InvalidPhone as error:
            raise DomainError(
                Message(_("Not a phone number: %(phone)s"), phone=phone), code="phone_invalid"
            ) from error
    member = TeamMember.objects.create(
        unit=team,
        full_name=full_name,
        role=text_clean(role, field=_("Role"), max_length=100),
        organisation=text_clean(organisation, field=_("Comes from"), max_length=200),
        phone=number,
        user=user,  # type: ignore[misc]
    )
    audit_record(
        action=AuditAction.CREATE,
        obj=member,
        commune_id=team.place.commune_id,
        after={"team": team.pk, "name": full_name, "role": member.role},
    )
    return member


@transaction.atomic
def team_member_remove(*, member: TeamMember) -> None:
    audit_record(
        action=AuditAction.DELETE,
        obj=member,
        commune_id=member.unit.place.commune_id,
        before={"team": member.unit_id, "name": member.full_name},
    )
    member.delete()
