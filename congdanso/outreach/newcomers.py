"""People helped at a session who are not in the list ("+1 người không có trong danh sách").

A +1 counts a turn for somebody the list does not hold. What the person tells — a name, a
birth year, a phone, or the number on the card a volunteer scanned — is optional and, when
given, waits in the session's queue (`Newcomer`) so that a manager can add them to the list
later (`people.services.resident_add`, into the session's village or another one) or set the
entry aside. Numbers are read by the import's parsers and sealed like a resident's; the audit
log masks them.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import Actor, audit_record
from congdanso.core.crypto import decrypt, encrypt
from congdanso.core.errors import DomainError, Message, ParserError
from congdanso.core.models import AuditAction
from congdanso.core.parsing import text_clean
from congdanso.outreach.models import Newcomer, SupportSession
from congdanso.outreach.services import session_anonymous_turns_add
from congdanso.people.models import Resident
from congdanso.people.personal import key_version_of
from congdanso.people.services import resident_add
from congdanso.places.models import Place
from congdanso.vn import (
    VnValueError,
    clean_name,
    mask_phone,
    normalize_phone,
    parse_cccd,
    vietnam_today,
)


def _numbers(phone: str, cccd: str) -> tuple[str, str]:
    try:
        return (
            normalize_phone(phone) if phone.strip() else "",
            parse_cccd(cccd).number if cccd.strip() else "",
        )
    except VnValueError as error:
        raise DomainError(
            Message(_("%(value)s: %(reason)s"), value=error.value, reason=ParserError(error)),
            code=error.code,
        ) from error


def newcomer_add(
    *,
    session: SupportSession,
    full_name: str = "",
    birth_year: int | None = None,
    phone: str = "",
    cccd: str = "",
    recorded_by: Actor = None,
) -> Newcomer | None:
    """+1 person not in the list; what they told, when anything, goes to the queue."""
    name = clean_name(text_clean(full_name, field=_("Full name"), max_length=200))
    this_year = vietnam_today().year
    if birth_year is not None and not this_year - 120 <= birth_year <= this_year:
        raise DomainError(
            Message(_("%(year)s is not a birth year."), year=birth_year), code="birth_year_invalid"
        )
    phone, cccd = _numbers(phone, cccd)
    with transaction.atomic():
        session_anonymous_turns_add(session=session, count=1)
        if not (name or birth_year or phone or cccd):
            return None
        phone_token = encrypt(phone, Newcomer.encrypted_columns["phone_encrypted"]) if phone else ""
        cccd_token = encrypt(cccd, Newcomer.encrypted_columns["cccd_encrypted"]) if cccd else ""
        newcomer = Newcomer.objects.create(
            commune_id=session.place.commune_id,
            session=session,
            full_name=name,
            birth_year=birth_year,
            phone_encrypted=phone_token,
            cccd_encrypted=cccd_token,
            key_version=key_version_of(phone_token, cccd_token),
            recorded_by=recorded_by,  # type: ignore[misc]
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=newcomer,
            actor=recorded_by,
            after={"full_name": name, "birth_date": birth_year, "phone": phone, "cccd": cccd},
        )
        return newcomer


def newcomers_waiting(session: SupportSession) -> QuerySet[Newcomer]:
    return Newcomer.objects.filter(
        commune_id=session.place.commune_id, session=session, settled_at__isnull=True
    ).order_by("created_at", "id")


def newcomer_numbers(newcomer: Newcomer) -> dict[str, str]:
    """The newcomer's phone and CCCD in clear (for adding them to the list)."""
    columns = Newcomer.encrypted_columns
    return {
        "phone": decrypt(newcomer.phone_encrypted, columns["phone_encrypted"])
        if newcomer.phone_encrypted
        else "",
        "cccd": decrypt(newcomer.cccd_encrypted, columns["cccd_encrypted"])
        if newcomer.cccd_encrypted
        else "",
    }


def newcomer_phone_masked(newcomer: Newcomer) -> str:
    return mask_phone(newcomer_numbers(newcomer)["phone"]) if newcomer.phone_encrypted else ""


def newcomer_to_list(
    *,
    newcomer: Newcomer,
    village: Place,
    full_name: str = "",
    settled_by: Actor = None,
) -> Resident:
    """Add the newcomer to the list (in `village`, with the name as corrected by the manager
    when given) and close the entry."""
    numbers = newcomer_numbers(newcomer)
    with transaction.atomic():
        locked = Newcomer.objects.select_for_update().get(pk=newcomer.pk)
        if locked.settled_at is not None:
            raise DomainError(_("This newcomer was dealt with already."), code="newcomer_settled")
        resident = resident_add(
            village=village,
            full_name=full_name or locked.full_name,
            birth_date=str(locked.birth_year) if locked.birth_year else None,
            phone=numbers["phone"],
            cccd=numbers["cccd"],
            added_by=settled_by,
            source=f"newcomer #{locked.pk}, session #{locked.session_id}",
        )
        _settle(locked, settled_by, resident)
        return resident


def newcomer_dismiss(*, newcomer: Newcomer, settled_by: Actor = None) -> None:
    """Set the entry aside (the person is in the list already, or told too little)."""
    with transaction.atomic():
        locked = Newcomer.objects.select_for_update().get(pk=newcomer.pk)
        if locked.settled_at is not None:
            raise DomainError(_("This newcomer was dealt with already."), code="newcomer_settled")
        _settle(locked, settled_by, None)


def _settle(newcomer: Newcomer, settled_by: Actor, resident: Resident | None) -> None:
    newcomer.settled_at = timezone.now()
    newcomer.settled_by = settled_by  # type: ignore[assignment]
    newcomer.resident = resident
    newcomer.save(update_fields=["settled_at", "settled_by", "resident"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=newcomer,
        actor=settled_by,
        changes={"settled": [None, "added" if resident else "set aside"]},
    )
