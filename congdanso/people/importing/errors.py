from congdanso.core.errors import DomainError


class ImportFailed(DomainError):
    """A fatal import error: nothing was written."""

    code = "import_failed"
