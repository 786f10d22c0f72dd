"""The person card: one read model for the site's card page and the API's `GET
/residents/{id}` — who the resident is (numbers masked), the campaign's criteria with the
date each was reached, whether they are exemplary (the campaign's rule), their history,
turns and open data issues, and what the user may do there (record, show a number).

A volunteer on a weak 3G phone waits on it: a handful of queries, every one filtered by the
resident's commune (the shard key).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.campaigns.selectors import achievement_history, campaign_communes, campaign_rules
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.partners.models import Unit
from congdanso.partners.selectors import campaign_units
from congdanso.people.models import DataIssue, Resident
from congdanso.scope.access import (
    PERSON_ROLES,
    Access,
    can_record,
    can_reveal,
    can_withdraw,
    places_visible,
    units_of,
)
from congdanso.vn import vietnam_today

#: Turns listed on a person card.
TURNS_SHOWN = 50


#: Sessions offered in a chooser, and past sessions listed.
SESSIONS_SHOWN = 30


def criterion_label(criterion: Criterion) -> str:
    """The criterion's name in the active language (the Vietnamese name is the reference)."""
    language = translation.get_language() or "vi"
    if language.startswith("en") and criterion.name_en:
        return criterion.name_en
    return criterion.name


def criterion_short_label(criterion: Criterion) -> str:
    """The criterion's short name in the active language (for a button), else its name."""
    language = translation.get_language() or "vi"
    if language.startswith("en") and criterion.short_name_en:
        return criterion.short_name_en
    return criterion.short_name or criterion_label(criterion)


def criteria_reached(
    campaign: Campaign, resident_ids: Sequence[int]
) -> dict[int, dict[int, dt.date]]:
    """{resident: {criterion: date}} of the campaign's criteria in force, in one query."""
    reached: dict[int, dict[int, dt.date]] = defaultdict(dict)
    if not resident_ids:
        return reached
    rows = (
        Achievement.objects.filter(
            commune_id__in=campaign_communes(campaign),
            resident_id__in=resident_ids,
            criterion__in=campaign.rules.values("criterion_id"),
            withdrawn_at__isnull=True,
        )
        .order_by()
        .values_list("resident_id", "criterion_id", "achieved_on")
    )
    for resident_id, criterion_id, achieved_on in rows:
        reached[resident_id][criterion_id] = achieved_on
    return reached


@dataclass(frozen=True)
class CriterionState:
    criterion: Criterion
    achieved_on: dt.date | None
    #: Whether the campaign counts this criterion towards an exemplary citizen.
    exemplary: bool = False
    #: The achievement in force, on a person card (the API's withdraw takes its id).
    achievement_id: int | None = None

    @property
    def label(self) -> str:
        return criterion_label(self.criterion)

    @property
    def done(self) -> bool:
        return self.achieved_on is not None

    @property
    def button(self) -> str:
        """The one-tap button: "VNeID mức 2 — xong" ("VNeID level 2 — done")."""
        return gettext("%(name)s — done") % {"name": criterion_short_label(self.criterion)}


def recording_unit(access: Access, campaign: Campaign) -> Unit | None:
    """The unit a unit member records through: their unit that pledged in the campaign
    (None for the other roles, who record in their own name)."""
    mine = units_of(access)
    if not mine:
        return None
    return Unit.objects.filter(pk__in=mine, pledges__campaign=campaign).order_by("pk").first()


def units_to_record_through(access: Access, campaign: Campaign) -> list[Unit]:
    """Units a user may name when recording: a unit member only their own, others any unit
    working in the campaign."""
    units = campaign_units(campaign)
    mine = units_of(access)
    if mine and not access.is_admin:
        return [u for u in units if u.pk in mine]
    return units


def sessions_to_record_in(access: Access, campaign: Campaign) -> list[SupportSession]:
    """Recent and today's sessions the user may name when recording, newest first."""
    today = vietnam_today()
    return list(
        SupportSession.objects.filter(
            campaign=campaign,
            date__lte=today,
            place__in=places_visible(access, roles=PERSON_ROLES),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("place")
        .order_by("-date", "-id")[:SESSIONS_SHOWN]
    )


@dataclass(frozen=True)
class PersonCard:
    resident: Resident
    birth: str  # the full date for who may reveal, else the year
    village: str
    cccd_masked: str
    phone_masked: str
    states: tuple[CriterionState, ...]
    exemplary: bool | None  # None without a campaign
    history: tuple[Achievement, ...]
    turns: tuple[Turn, ...]
    issues: tuple[DataIssue, ...]
    may_record: bool
    may_reveal: bool
    #: The achievements in force the user may withdraw (a manager: all; else their own).
    withdrawable: frozenset[int] = frozenset()

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.states if s.done)


def person_card(access: Access, campaign: Campaign | None, resident: Resident) -> PersonCard:
    """Everything the card shows about a resident in a campaign — the read model of the
    site's card page and of the API's `GET /residents/{id}`. Without a campaign (the API, when
    none the caller sees covers the resident) there are no criteria and `exemplary` is None."""
    history = tuple(achievement_history(resident))
    in_force = {a.criterion_id: a for a in history if a.withdrawn_at is None}
    states: tuple[CriterionState, ...] = ()
    exemplary = None
    if campaign is not None:
        rules = campaign_rules(campaign)
        states = tuple(
            CriterionState(
                c,
                in_force[c.pk].achieved_on if c.pk in in_force else None,
                exemplary=c.pk in rules.exemplary_ids,
                achievement_id=in_force[c.pk].pk if c.pk in in_force else None,
            )
            for c in rules.criteria
        )
        exemplary = rules.is_exemplary(in_force)
    may_reveal = can_reveal(access, resident)
    if resident.birth_date is None:
        birth = ""
    elif may_reveal:
        birth = _birth_shown(resident.birth_date, resident.birth_date_precision)
    else:
        birth = str(resident.birth_date.year)
    turns = tuple(
        resident.turns.filter(commune_id=resident.commune_id)
        .select_related("session__place", "criterion", "unit")
        .order_by("-session__date", "-id")[:TURNS_SHOWN]
    )
    issues = tuple(
        DataIssue.objects.filter(
            commune_id=resident.commune_id, resident=resident, resolved_at__isnull=True
        ).order_by("created_at", "id")
    )
    return PersonCard(
        resident=resident,
        birth=birth,
        village=resident.village.name if resident.village else "",
        cccd_masked=resident.cccd_masked,
        phone_masked=resident.phone_masked,
        states=states,
        exemplary=exemplary,
        history=history,
        turns=turns,
        issues=issues,
        may_record=campaign is not None and can_record(access, campaign, resident),
        withdrawable=frozenset(
            a.pk for a in in_force.values() if can_withdraw(access, resident, a.recorded_by_id)
        ),
        may_reveal=may_reveal,
    )


def _birth_shown(day: dt.date, precision: str) -> str:
    """The birth date as a Vietnamese reader writes it, as precise as it is known."""
    if precision == "year":
        return f"{day:%Y}"
    if precision == "month":
        return f"{day:%m/%Y}"
    return f"{day:%d/%m/%Y}"
