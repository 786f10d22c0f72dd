"""Importing the lists partners hand over: who reached a criterion, and when.

The police's list of VNeID level-2 activations, a bank's list of new accounts: each row is
matched to a resident of the campaign's communes (by CCCD, else phone, else name and birth
date — see `matching`) and recorded as an achievement of the criterion, source "import".

The contract is the resident import's: one transaction, so a fatal error writes nothing;
idempotent like `achievement_record` (the same fact twice changes nothing, an earlier date
replaces a later one, a later or equal date changes nothing) but in bulk, a few queries per
thousand rows; lossless, so a row that cannot be recorded comes back in
`AchievementImportResult.rejected_rows` with its original cells and the reason.
"""

from congdanso.campaigns.importing.arguments import (
    campaign_criterion_get,
    campaign_unit_get,
)
from congdanso.campaigns.importing.dates import DateUnreadable, parse_achievement_date
from congdanso.campaigns.importing.pipeline import AchievementImportResult, import_achievements
from congdanso.people.importing.errors import ImportFailed

__all__ = [
    "AchievementImportResult",
    "DateUnreadable",
    "ImportFailed",
    "campaign_criterion_get",
    "campaign_unit_get",
    "import_achievements",
    "parse_achievement_date",
]
