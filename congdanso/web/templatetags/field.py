"""Template filters of field mode."""

from django import template

from congdanso.campaigns.models import Criterion
from congdanso.scope.cards import criterion_label as _criterion_label
from congdanso.scope.cards import criterion_short_label as _criterion_short_label

register = template.Library()


@register.filter
def criterion_label(criterion: Criterion | None) -> str:
    """The criterion's name in the active language."""
    return _criterion_label(criterion) if criterion is not None else ""


@register.filter
def criterion_short_label(criterion: Criterion | None) -> str:
    """The criterion's short name (for a tick on a phone) in the active language."""
    return _criterion_short_label(criterion) if criterion is not None else ""
