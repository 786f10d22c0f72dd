"""Importing a commune's resident list: read → find header → clean → match and write.

The contract (see `import_residents`): one transaction, so a fatal error writes nothing;
idempotent, so importing the same file again changes nothing; lossless, so a row that cannot
be imported comes back in `ImportResult.rejected` with its original cells and the reason,
and a wrong field is kept in a data issue with its original text.
"""

from congdanso.people.importing.errors import ImportFailed
from congdanso.people.importing.pipeline import ImportResult, import_residents

__all__ = ["ImportFailed", "ImportResult", "import_residents"]
