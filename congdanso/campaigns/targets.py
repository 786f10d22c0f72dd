"""Writes and reads of a campaign's targets (`Target`, `Milestone`).

A campaign has any number of targets. Two of them it has from its creation, with a role:
the exemplary-citizen count and the cohort share, kept in step with the campaign's own
fields (`target_exemplary`, `cohort_*`) that the older readers use; they are changed with
the campaign (`campaign_update`), never removed. The others are added and removed here.
A target's figures live in the tallies (measures G and H per target, see
progress/tallies.py), so adding one computes that target's tallies (not the campaign's
others); removing one removes them.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import (
    Campaign,
    Criterion,
    Milestone,
    PlaceTarget,
    Tally,
    TallyMeasure,
    Target,
    TargetKind,
    TargetRole,
)
from congdanso.campaigns.targets_names import COHORT_NAME, EXEMPLARY_NAME
from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.core.hooks import campaign_target_changed
from congdanso.core.models import AuditAction
from congdanso.core.parsing import text_clean
from congdanso.people.models import Segment
from congdanso.people.services import segments_parse
from congdanso.places.models import COMMUNE_LEVEL_KINDS, LOCAL_KINDS, Place


@dataclass(frozen=True)
class TargetTerms:
    """A target as its readers need it: the criteria resolved (none: the exemplary ones)."""

    pk: int
    name: str
    role: str
    kind: str
    count: int | None
    share: Decimal | None
    criteria: tuple[str, ...]
    min_age: int | None
    max_age: int | None
    deadline: dt.date
    milestones: tuple[tuple[dt.date, int | Decimal], ...]
    #: the parts set by hand: (place id, count or share)
    parts: tuple[tuple[int, int | Decimal], ...] = ()
    segment: str = ""  # only residents marked in this group ("": everyone)

    @property
    def segment_label(self) -> str:
        return str(Segment(self.segment).label) if self.segment else ""

    def part_of(self, place_id: int | None) -> int | Decimal | None:
        return next((value for pk, value in self.parts if pk == place_id), None)


def targets_of(campaign: Campaign) -> tuple[TargetTerms, ...]:
    """The campaign's targets in order (three queries whatever their number)."""
    targets = list(
        Target.objects.filter(campaign=campaign)
        .prefetch_related("criteria", "milestones", "parts")
        .order_by("position", "id")
    )
    return tuple(
        TargetTerms(
            pk=t.pk,
            name=t.name,
            role=t.role,
            kind=t.kind,
            count=t.count,
            share=t.share,
            criteria=tuple(sorted(c.code for c in t.criteria.all())),
            min_age=t.min_age,
            max_age=t.max_age,
            deadline=t.deadline or campaign.end_date,
            milestones=tuple(
                (m.date, m.count if t.kind == TargetKind.COUNT else m.share)  # type: ignore[misc]
                for m in sorted(t.milestones.all(), key=lambda m: m.date)
            ),
            parts=tuple(
                (p.place_id, p.count if t.kind == TargetKind.COUNT else p.share)  # type: ignore[misc]
                for p in t.parts.all()
            ),
            segment=t.segment,
        )
        for t in targets
    )


def target_get(*, campaign: Campaign, target_id: int | str) -> Target:
    found = None
    if str(target_id).strip().isdigit():
        found = Target.objects.filter(campaign=campaign, pk=int(str(target_id))).first()
    if found is None:
        raise NotFound(
            Message(_("The campaign has no target with the id %(id)s."), id=target_id),
            code="target_not_found",
        )
    return found


def target_list(*, campaign: Campaign) -> QuerySet[Target]:
    return Target.objects.filter(campaign=campaign).order_by("position", "id")


def campaign_targets_sync(campaign: Campaign) -> None:
    """The two targets with a role follow the campaign's fields (created if missing)."""
    terms: dict[str, dict[str, Any]] = {
        TargetRole.EXEMPLARY: {
            "name": EXEMPLARY_NAME,
            "kind": TargetKind.COUNT,
            "count": campaign.target_exemplary,
            "share": None,
            "min_age": None,
            "max_age": None,
            "position": 0,
        },
        TargetRole.COHORT: {
            "name": COHORT_NAME.format(low=campaign.cohort_min_age, high=campaign.cohort_max_age),
            "kind": TargetKind.SHARE,
            "count": None,
            "share": campaign.cohort_target,
            "min_age": campaign.cohort_min_age,
            "max_age": campaign.cohort_max_age,
            "position": 1,
        },
    }
    existing = {t.role: t for t in Target.objects.filter(campaign=campaign).exclude(role="")}
    for role, values in terms.items():
        target = existing.get(role)
        if target is None:
            Target.objects.create(campaign=campaign, role=role, **values)
            continue
        # The name is the commune's once edited; only the figures follow the campaign.
        changed = [k for k, v in values.items() if k not in ("name", "position")
                   and getattr(target, k) != v]  # fmt: skip
        for key in changed:
            setattr(target, key, values[key])
        if changed:
            target.save(update_fields=changed)


def _share_parsed(value: Decimal | float | str) -> Decimal:
    text = str(value).strip()
    try:
        share = Decimal(text.rstrip("%").replace(",", "."))
    except InvalidOperation:
        share = Decimal(-1)
    if text.endswith("%") or share > 1:
        share /= 100
    if not 0 < share <= 1:
        raise DomainError(
            Message(
                _("A target share is between 0 and 100%% (e.g. 80%% or 0.8): %(value)s"),
                value=value,
            ),
            code="target_share_invalid",
        )
    return share.quantize(Decimal("0.0001"))


def _amount(kind: str, value: object) -> Decimal:
    """A count (a whole number) or a share, as a Decimal."""
    if kind == TargetKind.COUNT:
        return Decimal(_count_parsed(value))
    return _share_parsed(value)  # type: ignore[arg-type]


def _count_parsed(value: object) -> int:
    text = str(value).strip().replace(".", "").replace(",", "")
    if not text.isdigit() or int(text) < 1:
        raise DomainError(
            Message(_("A target number is a positive whole number: %(value)s"), value=value),
            code="target_count_invalid",
        )
    return int(text)


def _date_in_campaign(campaign: Campaign, day: dt.date) -> dt.date:
    if not campaign.start_date <= day <= campaign.end_date:
        raise DomainError(
            Message(
                _("The date %(date)s is outside the campaign (%(start)s – %(end)s)."),
                date=day.strftime("%d/%m/%Y"),
                start=campaign.start_date.strftime("%d/%m/%Y"),
                end=campaign.end_date.strftime("%d/%m/%Y"),
            ),
            code="target_date_outside",
        )
    return day


@dataclass(frozen=True)
class _Checked:
    """A target's terms as typed, checked against the campaign (see `_terms_checked`)."""

    name: str
    kind: str
    amount: Decimal
    criteria: list[Criterion]
    ages: tuple[int, int] | None
    deadline: dt.date | None
    steps: list[tuple[dt.date, Decimal]]
    segment: str

    def values(self) -> dict[str, Any]:
        """The target's own columns."""
        count = self.kind == TargetKind.COUNT
        return {
            "name": self.name,
            "kind": self.kind,
            "count": int(self.amount) if count else None,
            "share": None if count else self.amount,
            "min_age": self.ages[0] if self.ages else None,
            "max_age": self.ages[1] if self.ages else None,
            "deadline": self.deadline,
            "segment": self.segment,
        }

    @classmethod
    def stored(cls, target: Target) -> "_Checked":
        """The terms a stored target holds."""
        count = target.kind == TargetKind.COUNT
        return cls(
            name=target.name,
            kind=target.kind,
            amount=Decimal((target.count if count else target.share) or 0),
            criteria=list(target.criteria.order_by("code")),
            ages=(
                (target.min_age, target.max_age)
                if target.min_age is not None and target.max_age is not None
                else None
            ),
            deadline=target.deadline,
            steps=[
                (m.date, Decimal((m.count if count else m.share) or 0))
                for m in target.milestones.order_by("date")
            ],
            segment=target.segment,
        )

    def counted(self) -> tuple[Any, ...]:
        """What decides the target's tallies (its name, amount and milestones do not)."""
        return (sorted(c.code for c in self.criteria), self.ages, self.deadline, self.segment)

    def audit(self, campaign: Campaign) -> dict[str, Any]:
        return {
            "campaign": campaign.pk,
            "name": self.name,
            "kind": self.kind,
            "value": str(self.amount),
            "criteria": ",".join(sorted(c.code for c in self.criteria)),
            "ages": f"{self.ages[0]}-{self.ages[1]}" if self.ages else "",
            "segment": self.segment,
            "deadline": self.deadline.isoformat() if self.deadline else "",
            "milestones": ",".join(f"{d.isoformat()}={s}" for d, s in self.steps),
        }


def _terms_checked(
    locked: Campaign,
    *,
    name: str,
    kind: str,
    value: int | Decimal | float | str,
    criteria: Sequence[str],
    ages: tuple[int, int] | None,
    deadline: dt.date | None,
    milestones: Sequence[tuple[dt.date, int | Decimal | float | str]],
    segment: str,
) -> _Checked:
    """The terms of a target of the (locked) campaign, or the DomainError saying what is
    wrong: a name, a count or a share, known criteria, ages youngest first, a deadline in
    the campaign, milestones rising before it."""
    name = text_clean(name, field=_("Name"), max_length=200)
    if not name:
        raise DomainError(_("The target needs a name."), code="target_name_missing")
    if kind not in TargetKind.values:
        raise DomainError(
            Message(_("A target is a count or a share, not %(kind)s."), kind=kind),
            code="target_kind_invalid",
        )
    amount = _amount(kind, value)
    wanted = [c.strip() for c in criteria if c.strip()]
    found = {c.code: c for c in Criterion.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise DomainError(
            Message(_("Unknown criterion: %(codes)s"), codes=", ".join(unknown)),
            code="criterion_unknown",
        )
    if ages is not None and not 0 <= ages[0] <= ages[1] <= 130:
        raise DomainError(
            Message(
                _("Ages are two ages, youngest first (e.g. 18-60): %(low)s-%(high)s"),
                low=ages[0],
                high=ages[1],
            ),
            code="target_ages_invalid",
        )
    segment = segments_parse([segment]) if segment else ""
    if deadline is not None:
        _date_in_campaign(locked, deadline)
    last = deadline or locked.end_date
    steps: list[tuple[dt.date, Decimal]] = []
    for day, step in sorted(milestones, key=lambda m: m[0]):
        if not locked.start_date <= day < last:
            raise DomainError(
                Message(
                    _(
                        "A milestone %(date)s must fall between the campaign start and the "
                        "target's deadline."
                    ),  # fmt: skip
                    date=day.strftime("%d/%m/%Y"),
                ),
                code="milestone_date_invalid",
            )
        steps.append((day, _amount(kind, step)))
    if [s for _d, s in steps] != sorted(s for _d, s in steps) or any(s > amount for _d, s in steps):
        raise DomainError(
            _("Milestones rise towards the target and never pass it."), code="milestones_invalid"
        )
    if len({d for d, _s in steps}) != len(steps):
        raise DomainError(_("Two milestones fall on the same date."), code="milestones_invalid")
    return _Checked(
        name=name,
        kind=kind,
        amount=amount,
        criteria=[found[c] for c in wanted],
        ages=ages,
        deadline=deadline,
        steps=steps,
        segment=segment,
    )


def _milestones_write(target: Target, checked: _Checked) -> None:
    count = checked.kind == TargetKind.COUNT
    Milestone.objects.bulk_create(
        Milestone(
            target=target,
            date=day,
            count=int(step) if count else None,
            share=None if count else step,
        )
        for day, step in checked.steps
    )


@transaction.atomic
def target_add(
    *,
    campaign: Campaign,
    name: str,
    kind: str,
    value: int | Decimal | float | str,
    criteria: Sequence[str] = (),
    ages: tuple[int, int] | None = None,
    deadline: dt.date | None = None,
    milestones: Sequence[tuple[dt.date, int | Decimal | float | str]] = (),
    segment: str = "",
) -> Target:
    """A target of the campaign's own: residents meeting every one of `criteria` (none: the
    exemplary criteria) among all residents or those aged `ages` on the deadline, as a count
    or a share (`kind`), by `deadline` (None: the campaign end), with milestones on the way."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    checked = _terms_checked(
        locked,
        name=name,
        kind=kind,
        value=value,
        criteria=criteria,
        ages=ages,
        deadline=deadline,
        milestones=milestones,
        segment=segment,
    )
    position = (Target.objects.filter(campaign=locked).order_by("-position").values_list(
        "position", flat=True).first() or 0) + 1  # fmt: skip
    target = Target.objects.create(campaign=locked, position=position, **checked.values())
    target.criteria.set(checked.criteria)
    _milestones_write(target, checked)
    audit_record(
        action=AuditAction.CREATE,
        obj=target,
        commune_id=locked.place_id,
        after=checked.audit(locked),
    )
    # Its figures are tallied per place: computed now for what residents have already done.
    campaign_target_changed(target)
    return target


@transaction.atomic
def target_update(
    *,
    target: Target,
    name: str,
    kind: str,
    value: int | Decimal | float | str,
    criteria: Sequence[str] = (),
    ages: tuple[int, int] | None = None,
    deadline: dt.date | None = None,
    milestones: Sequence[tuple[dt.date, int | Decimal | float | str]] = (),
    segment: str = "",
) -> Target:
    """Change a target of the campaign's own (the terms as for `target_add`). Its tallies are
    computed again when what it counts changed (criteria, ages, deadline, group); the parts
    set by hand for villages go when the target changes between a count and a share."""
    if target.role:
        raise DomainError(
            _("This target is the campaign's own: change it with the campaign's terms."),
            code="target_is_the_campaign_s",
        )
    locked = Campaign.objects.select_for_update().get(pk=target.campaign_id)
    target = Target.objects.select_for_update().get(pk=target.pk)
    checked = _terms_checked(
        locked,
        name=name,
        kind=kind,
        value=value,
        criteria=criteria,
        ages=ages,
        deadline=deadline,
        milestones=milestones,
        segment=segment,
    )
    stored = _Checked.stored(target)
    before = stored.audit(locked)
    if checked.kind != target.kind:
        PlaceTarget.objects.filter(target=target).delete()
    for field, value_ in checked.values().items():
        setattr(target, field, value_)
    target.save()
    target.criteria.set(checked.criteria)
    Milestone.objects.filter(target=target).delete()
    _milestones_write(target, checked)
    after = checked.audit(locked)
    audit_record(
        action=AuditAction.UPDATE,
        obj=target,
        commune_id=locked.place_id,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
    if checked.counted() != stored.counted():
        campaign_target_changed(target)
    return target


@transaction.atomic
def target_remove(*, target: Target) -> None:
    """Remove a target of the campaign's own (the two with a role go with the campaign)."""
    if target.role:
        raise DomainError(
            _("This target is the campaign's own: change it with the campaign's terms."),
            code="target_is_the_campaign_s",
        )
    campaign = Campaign.objects.select_for_update().get(pk=target.campaign_id)
    audit_record(
        action=AuditAction.DELETE,
        obj=target,
        commune_id=campaign.place_id,
        before={"campaign": campaign.pk, "name": target.name},
    )
    target_tallies_delete(target)
    target.delete()


def target_tallies_delete(target: Target) -> None:
    """Remove the tallies of a target that goes (its measures G and H)."""
    Tally.objects.filter(
        campaign_id=target.campaign_id,
        measure__in=[TallyMeasure.TARGET_POPULATION, TallyMeasure.TARGET_MET],
        item=target.pk,
    ).delete()


@transaction.atomic
def target_place_set(*, target: Target, place: Place, value: object | None) -> None:
    """Set by hand the target's part for a village (or a commune of a wider campaign), as a
    count or a share like the target; None: back to its share of the population."""
    campaign = Campaign.objects.select_related("place").get(pk=target.campaign_id)
    inside = place.path.startswith(campaign.place.path) and place.pk != campaign.place_id
    if not inside or place.kind not in LOCAL_KINDS | COMMUNE_LEVEL_KINDS:
        raise DomainError(
            Message(_("%(place)s is not a village or commune of the campaign."), place=place.name),
            code="target_place_invalid",
        )
    before = PlaceTarget.objects.filter(target=target, place=place).first()
    amount = None if value is None or str(value).strip() == "" else _amount(target.kind, value)
    if amount is None:
        if before is not None:
            before.delete()
    else:
        PlaceTarget.objects.update_or_create(
            target=target,
            place=place,
            defaults={
                "count": int(amount) if target.kind == TargetKind.COUNT else None,
                "share": amount if target.kind == TargetKind.SHARE else None,
            },
        )
    audit_record(
        action=AuditAction.UPDATE,
        obj=target,
        commune_id=place.commune_id or campaign.place_id,
        before={"place": place.code, "value": str(before.count or before.share) if before else ""},
        after={"place": place.code, "value": "" if amount is None else str(amount)},
    )
