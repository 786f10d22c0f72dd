"""What an achievement import is told by name: the criterion and the partner unit."""

from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign, Criterion
from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.errors import Message
from congdanso.partners.models import Unit
from congdanso.partners.selectors import campaign_units
from congdanso.people.importing.errors import ImportFailed
from congdanso.vn import clean_name, fold


def _not_tracked(campaign: Campaign, code: str, criteria: tuple[Criterion, ...]) -> ImportFailed:
    return ImportFailed(
        Message(
            _(
                "The campaign %(campaign)s does not track the criterion %(code)s. Its criteria: "
                "%(codes)s"
            ),
            campaign=campaign.name,
            code=code,
            codes=", ".join(c.code for c in criteria) or "—",
        ),
        code="criterion_not_tracked",
    )


def campaign_criterion_get(*, campaign: Campaign, code: str) -> Criterion:
    """The criterion of that code among those the campaign tracks."""
    criteria = campaign_rules(campaign).criteria
    for criterion in criteria:
        if criterion.code == code.strip():
            return criterion
    raise _not_tracked(campaign, code.strip(), criteria)


def campaign_criterion_check(*, campaign: Campaign, criterion: Criterion) -> None:
    criteria = campaign_rules(campaign).criteria
    if criterion.pk not in {c.pk for c in criteria}:
        raise _not_tracked(campaign, criterion.code, criteria)


def campaign_unit_get(*, campaign: Campaign, name: str) -> Unit:
    """The unit of that name (compared folded) among `campaign_units`."""
    units = campaign_units(campaign)
    key = fold(clean_name(name))
    found = [u for u in units if u.name_key == key]
    if len(found) == 1:
        return found[0]
    if found:
        raise ImportFailed(
            Message(
                _("Several units are named %(name)s: %(units)s. Rename one of them first."),
                name=name,
                units=", ".join(f"{u.name} ({u.place.name})" for u in found),
            ),
            code="unit_ambiguous",
        )
    raise ImportFailed(
        Message(
            _("Unknown unit %(name)s. Units of %(place)s: %(known)s"),
            name=name,
            place=campaign.place.name,
            known=", ".join(u.name for u in units) or "—",
        ),
        code="unit_unknown",
    )
