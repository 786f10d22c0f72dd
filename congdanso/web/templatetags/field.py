"""Template filters of field mode."""

from django import template

from congdanso.campaigns.models import Criterion
from congdanso.scope.cards import criterion_label as _criterion_label

register = template.Library()


@register.filter
def criterion_label(criterion: Criterion | None) -> str:
    """The criterion's name in the active language."""
    return _criterion_label(criterion) if criterion is not None else ""
