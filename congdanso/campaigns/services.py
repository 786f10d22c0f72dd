"""Writes for the campaigns and their criteria: the built-in catalog, a campaign's period,
targets and cohort, its criteria and which of them make a citizen exemplary. A change of the
rules reaches the figures kept about them through `core.hooks` (the tallies are computed
again); achievements are written by `campaigns.achievements`."""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.catalog import BUILTIN, SHORT_NAMES
from congdanso.campaigns.models import (
    Campaign,
    CampaignCriterion,
    Criterion,
)
from congdanso.campaigns.targets import campaign_targets_sync
from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import campaign_period_check, campaign_rules_changed
from congdanso.core.models import AuditAction
from congdanso.core.parsing import text_clean
from congdanso.places.models import LOCAL_KINDS, Place


def criteria_builtin_ensure() -> None:
    """The catalog criteria exist (the migration seeds them; a flushed test database or a
    restored partial dump may have lost them)."""
    if Criterion.objects.filter(is_builtin=True).count() == len(BUILTIN):
        return
    for position, (code, name, name_en, help_text) in enumerate(BUILTIN, 1):
        short_name, short_name_en = SHORT_NAMES[code]
        Criterion.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "short_name": short_name,
                "short_name_en": short_name_en,
                "help_text": help_text,
                "is_builtin": True,
                "position": position,
            },
        )


def criterion_create(*, code: str, name: str, name_en: str = "", help_text: str = "") -> Criterion:
    """A criterion a campaign adds to the catalog."""
    code = code.strip().lower()
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        raise DomainError(
            Message(
                _("A criterion code is lower-case letters, digits and _ only: %(code)s"),
                code=code,
            ),
            code="criterion_code_invalid",
        )
    if Criterion.objects.filter(code=code).exists():
        raise DomainError(
            Message(_("A criterion with the code %(code)s exists already."), code=code),
            code="criterion_exists",
        )
    criterion = Criterion.objects.create(
        code=code,
        name=text_clean(name, field=_("Name"), max_length=200),
        name_en=text_clean(name_en, field=_("Name in English"), max_length=200),
        help_text=text_clean(help_text, field=_("Help text"), max_length=300),
    )
    audit_record(action=AuditAction.CREATE, obj=criterion, after={"code": code})
    return criterion


def _criteria_by_code(codes: Sequence[str]) -> list[Criterion]:
    criteria_builtin_ensure()
    wanted = [c.strip() for c in codes if c.strip()]
    found = {c.code: c for c in Criterion.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        known = ", ".join(Criterion.objects.values_list("code", flat=True))
        raise DomainError(
            Message(
                _("Unknown criterion: %(codes)s. Known criteria: %(known)s"),
                codes=", ".join(unknown),
                known=known,
            ),
            code="criterion_unknown",
        )
    duplicates = sorted({c for c in wanted if wanted.count(c) > 1})
    if duplicates:
        raise DomainError(
            Message(_("A criterion is listed twice: %(codes)s"), codes=", ".join(duplicates)),
            code="criterion_repeated",
        )
    return [found[c] for c in wanted]


def _cohort_target(value: Decimal | float | str) -> Decimal:
    try:
        share = Decimal(str(value).strip().rstrip("%").replace(",", "."))
    except InvalidOperation:
        share = Decimal(-1)
    if isinstance(value, str) and value.strip().endswith("%"):
        share /= 100
    if not 0 < share <= 1:
        raise DomainError(
            Message(
                _("The cohort target is a share between 0 and 1 (e.g. 0.5 for 50%%): %(value)s"),
                value=value,
            ),
            code="cohort_target_invalid",
        )
    return share.quantize(Decimal("0.0001"))


def _name_checked(name: str) -> str:
    name = text_clean(name, field=_("Name"), max_length=200)
    if not name:
        raise DomainError(_("The campaign needs a name."), code="campaign_name_missing")
    return name


def _period_check(start_date: dt.date, end_date: dt.date) -> None:
    if end_date < start_date:
        raise DomainError(
            Message(
                _("The end date %(end)s is before the start date %(start)s."),
                end=end_date.strftime("%d/%m/%Y"),
                start=start_date.strftime("%d/%m/%Y"),
            ),
            code="campaign_dates_invalid",
        )


def _cohort_ages_checked(cohort_ages: tuple[int, int]) -> tuple[int, int]:
    low, high = cohort_ages
    if not 0 <= low <= high <= 130:
        raise DomainError(
            Message(
                _("Cohort ages must be two ages, youngest first (e.g. 16-50): %(low)s-%(high)s"),
                low=low,
                high=high,
            ),
            code="cohort_ages_invalid",
        )
    return low, high


def _target_check(target_exemplary: int) -> None:
    if target_exemplary < 1:
        raise DomainError(
            _("The target of exemplary citizens must be a positive number."),
            code="target_invalid",
        )


def _rules_checked(
    criteria: Sequence[str], exemplary: Sequence[str] | None
) -> tuple[list[Criterion], set[str]]:
    """The tracked criteria in order and the codes of those that make a citizen exemplary;
    `exemplary` None means every tracked criterion."""
    chosen = _criteria_by_code(criteria)
    if not chosen:
        raise DomainError(_("A campaign tracks at least one criterion."), code="criteria_missing")
    exemplary_codes = [c.code for c in chosen] if exemplary is None else list(exemplary)
    exemplary_set = {c.code for c in _criteria_by_code(exemplary_codes)}
    outside = sorted(exemplary_set - {c.code for c in chosen})
    if outside:
        raise DomainError(
            Message(
                _("Exemplary criteria must be among the campaign's criteria: %(codes)s"),
                codes=", ".join(outside),
            ),
            code="exemplary_not_tracked",
        )
    if not exemplary_set:
        raise DomainError(
            _("At least one criterion must make a citizen exemplary."), code="exemplary_missing"
        )
    return chosen, exemplary_set


@transaction.atomic
def campaign_create(
    *,
    place: Place,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    criteria: Sequence[str],
    exemplary: Sequence[str] | None = None,
    target_exemplary: int,
    cohort_ages: tuple[int, int] = (16, 50),
    cohort_target: Decimal | float | str = Decimal("0.5"),
) -> Campaign:
    """A campaign with its criteria; `exemplary` defaults to every criterion."""
    name = _name_checked(name)
    if place.kind in LOCAL_KINDS:
        raise DomainError(
            Message(
                _("A campaign runs in a commune or a higher place, not in %(place)s."),
                place=place.name,
            ),
            code="campaign_place_invalid",
        )
    _period_check(start_date, end_date)
    low, high = _cohort_ages_checked(cohort_ages)
    _target_check(target_exemplary)
    chosen, exemplary_set = _rules_checked(criteria, exemplary)
    campaign = Campaign.objects.create(
        place=place,
        name=name,
        start_date=start_date,
        end_date=end_date,
        target_exemplary=target_exemplary,
        cohort_min_age=low,
        cohort_max_age=high,
        cohort_target=_cohort_target(cohort_target),
    )
    CampaignCriterion.objects.bulk_create(
        CampaignCriterion(
            campaign=campaign,
            criterion=criterion,
            is_exemplary=criterion.code in exemplary_set,
            position=position,
        )
        for position, criterion in enumerate(chosen)
    )
    audit_record(
        action=AuditAction.CREATE,
        obj=campaign,
        commune_id=place.pk,
        after={
            "name": name,
            "place": place.code,
            "start_date": start_date.isoformat(),
            "end_date": end_date.isoformat(),
            "criteria": ",".join(c.code for c in chosen),
            "exemplary": ",".join(sorted(exemplary_set)),
            "target_exemplary": target_exemplary,
            "cohort": f"{low}-{high} {campaign.cohort_target}",
        },
    )
    campaign_targets_sync(campaign)
    # What residents achieved before the campaign counts in it (2024 counts 2023's work).
    campaign_rules_changed(campaign)
    return campaign


def _campaign_data(campaign: Campaign) -> dict[str, object]:
    return {
        "name": campaign.name,
        "start_date": campaign.start_date.isoformat(),
        "end_date": campaign.end_date.isoformat(),
        "target_exemplary": campaign.target_exemplary,
        "cohort": f"{campaign.cohort_min_age}-{campaign.cohort_max_age} {campaign.cohort_target}",
    }


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    target_exemplary: int,
    cohort_ages: tuple[int, int],
    cohort_target: Decimal | float | str,
) -> Campaign:
    """Change a campaign's name, period and targets. The period and the cohort decide who
    counts and from when, so changing them recomputes the campaign's tallies."""
    name = _name_checked(name)
    _period_check(start_date, end_date)
    low, high = _cohort_ages_checked(cohort_ages)
    _target_check(target_exemplary)
    share = _cohort_target(cohort_target)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    # the apps that hold dated things in the campaign may refuse (outreach: its sessions)
    campaign_period_check(locked, start_date, end_date)
    before = _campaign_data(locked)
    rules_changed = (locked.start_date, locked.end_date, locked.cohort_min_age,
                     locked.cohort_max_age) != (start_date, end_date, low, high)  # fmt: skip
    locked.name = name
    locked.start_date = start_date
    locked.end_date = end_date
    locked.target_exemplary = target_exemplary
    locked.cohort_min_age = low
    locked.cohort_max_age = high
    locked.cohort_target = share
    locked.save(
        update_fields=[
            "name",
            "start_date",
            "end_date",
            "target_exemplary",
            "cohort_min_age",
            "cohort_max_age",
            "cohort_target",
        ]
    )
    after = _campaign_data(locked)
    campaign_targets_sync(locked)
    if after != before:
        audit_record(
            action=AuditAction.UPDATE,
            obj=locked,
            commune_id=locked.place_id,
            before=before,
            after=after,
        )
    if rules_changed:
        # The start dates the R/Q/C rows and the end date the cohort's birth range.
        campaign_rules_changed(locked)
    return locked


def _rules_data(campaign: Campaign) -> dict[str, object]:
    rules = list(campaign.rules.select_related("criterion").order_by("position", "id"))
    return {
        "criteria": ",".join(r.criterion.code for r in rules),
        "exemplary": ",".join(sorted(r.criterion.code for r in rules if r.is_exemplary)),
    }


@transaction.atomic
def campaign_criteria_set(
    *, campaign: Campaign, criteria: Sequence[str], exemplary: Sequence[str]
) -> Campaign:
    """The campaign tracks these criteria in this order; those in `exemplary` make a citizen
    exemplary. Adding, dropping or re-marking a criterion recomputes the tallies; a new
    order alone changes no figure."""
    chosen, exemplary_set = _rules_checked(criteria, exemplary)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = _rules_data(locked)
    current = {rule.criterion_id: rule for rule in locked.rules.all()}
    wanted = {criterion.pk for criterion in chosen}
    CampaignCriterion.objects.filter(campaign=locked).exclude(criterion_id__in=wanted).delete()
    for position, criterion in enumerate(chosen):
        is_exemplary = criterion.code in exemplary_set
        rule = current.get(criterion.pk)
        if rule is None:
            CampaignCriterion.objects.create(
                campaign=locked, criterion=criterion, is_exemplary=is_exemplary, position=position
            )
        elif (rule.position, rule.is_exemplary) != (position, is_exemplary):
            rule.position, rule.is_exemplary = position, is_exemplary
            rule.save(update_fields=["position", "is_exemplary"])
    after = _rules_data(locked)
    if after != before:
        audit_record(
            action=AuditAction.UPDATE,
            obj=locked,
            commune_id=locked.place_id,
            before=before,
            after=after,
        )
    tracked_before = {code for code in str(before["criteria"]).split(",") if code}
    if tracked_before != {c.code for c in chosen} or before["exemplary"] != after["exemplary"]:
        campaign_rules_changed(locked)
    return locked


@transaction.atomic
def campaign_criterion_add(
    *,
    campaign: Campaign,
    code: str,
    name: str,
    name_en: str = "",
    help_text: str = "",
    exemplary: bool = False,
) -> Criterion:
    """A criterion of the campaign's own: added to the catalog and tracked, last, by the
    campaign."""
    criterion = criterion_create(code=code, name=name, name_en=name_en, help_text=help_text)
    rules = _rules_data(campaign)
    codes = [c for c in str(rules["criteria"]).split(",") if c]
    chosen = [c for c in str(rules["exemplary"]).split(",") if c]
    campaign_criteria_set(
        campaign=campaign,
        criteria=[*codes, criterion.code],
        exemplary=[*chosen, criterion.code] if exemplary else chosen,
    )
    return criterion
