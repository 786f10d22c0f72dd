"""Reads of the resident registry."""

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from congdanso.core.crypto import decrypt
from congdanso.core.errors import DomainError, Message, ParserError
from congdanso.people import personal
from congdanso.people.models import DataIssue, Resident, ResidentStatus
from congdanso.places.models import Place
from congdanso.places.selectors import villages_of
from congdanso.vn import (
    CccdQr,
    VnValueError,
    fold,
    looks_like_cccd_qr,
    normalize_phone,
    parse_cccd,
    parse_cccd_qr,
)

_EXPORT_BATCH = 5000


@dataclass(frozen=True, slots=True)
class ExportRow:
    id: int
    full_name: str
    birth_date: dt.date | None
    birth_date_precision: str
    gender: str
    cccd: str | None
    phone: str
    village: str
    status: str
    issues: tuple[str, ...]


def resident_list(*, commune: Place) -> QuerySet[Resident]:
    return Resident.objects.filter(commune=commune)


def resident_export_rows(commune: Place) -> Iterator[ExportRow]:
    """Every resident of the commune with their open issue codes, streamed in id batches."""
    villages = dict(Place.objects.filter(parent=commune).values_list("id", "name"))
    last_id = 0
    fields = (
        "id",
        "full_name",
        "birth_date",
        "birth_date_precision",
        "gender",
        "cccd_encrypted",
        "phone_encrypted",
        "village_id",
        "status",
    )
    while True:
        batch = list(
            Resident.objects.filter(commune=commune, id__gt=last_id)
            .order_by("id")
            .values_list(*fields)[:_EXPORT_BATCH]
        )
        if not batch:
            return
        last_id = batch[-1][0]
        issues: dict[int, set[str]] = {}
        for resident_id, code in DataIssue.objects.filter(
            commune=commune,
            resolved_at__isnull=True,
            resident_id__gte=batch[0][0],
            resident_id__lte=last_id,
        ).values_list("resident_id", "code"):
            issues.setdefault(resident_id, set()).add(code)
        for rid, name, birth, precision, gender, cccd, phone, village_id, status in batch:
            yield ExportRow(
                id=rid,
                full_name=name,
                birth_date=birth,
                birth_date_precision=precision,
                gender=gender,
                cccd=decrypt(cccd, personal.CCCD) if cccd else None,
                phone=decrypt(phone, personal.PHONE) if phone else "",
                village=villages.get(village_id, "") if village_id else "",
                status=status,
                issues=tuple(sorted(issues.get(rid, ()))),
            )


#: The longest search text and the most name fragments a search takes (the form's box holds
#: 100 characters; a search is one indexed filter a fragment, so the count is bounded too).
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 10
#: The digits a search by the end of a number takes: exactly the last four.
SEARCH_LAST_DIGITS = 4
_NUMBER_NOISE = re.compile(r"[ .\-()+]")
#: What a scanner reads from a code that is not a card's: a web address, a bank's VietQR
#: (EMVCo, "000201…"), fields cut short — refused with the QR parser's own words.
_SCANNED_CODE = re.compile(r"(?:https?://|000201\d|[^|]*\|)", re.IGNORECASE)


class SearchKind(StrEnum):
    QR = "qr"  # the QR code of a CCCD card (scanned, or read by a scanner into the box)
    NAME = "name"
    CCCD = "cccd"  # a whole CCCD (12 digits)
    PHONE = "phone"  # a whole phone number
    LAST4 = "last4"  # exactly the last four digits of a CCCD or phone
    NONE = "none"  # other digits: finds nobody (nothing stored could match them)


@dataclass(frozen=True)
class SearchQuery:
    """What a search text asks for. Numbers are stored encrypted with keyed hashes of the
    whole number and of its last four digits (`people.personal`): a whole number or exactly
    its last four digits are looked up by those hashes; any other run of digits finds nobody,
    so that no search can tell more of a number than the four digits it was given."""

    text: str
    kind: SearchKind
    words: tuple[str, ...] = ()
    hmacs: tuple[tuple[str, str], ...] = ()  # (column, keyed hash) pairs, any of which match
    #: The last four digits of the number searched for (the user typed them): shown in clear
    #: next to the number they matched, so the volunteer can confirm it is the right person.
    last4: str = ""
    #: What a card's QR code says (its raw text, which holds an address, is not kept).
    card: CccdQr | None = None

    @property
    def by_number(self) -> bool:
        return self.kind not in (SearchKind.NAME, SearchKind.NONE)

    @property
    def whole_number(self) -> bool:
        return self.kind in (SearchKind.CCCD, SearchKind.PHONE, SearchKind.QR)


class SearchInvalid(DomainError):
    code = "search_invalid"


def search_query_parse(text: str) -> SearchQuery:
    """The query a search text makes, or `SearchInvalid` when it is too long or has too many
    fragments (the same limits for the site's form and the API's `q`)."""
    term = (text or "").strip()
    if looks_like_cccd_qr(term) or _SCANNED_CODE.match(term):
        try:
            card = parse_cccd_qr(term)
        except VnValueError as error:
            raise SearchInvalid(ParserError(error), code=error.code) from error
        return SearchQuery(
            text="",  # never the card's text
            kind=SearchKind.QR,
            hmacs=(("cccd_hmac", personal.cccd_hmac(card.cccd)),),
            last4=card.last4,
            card=card,
        )
    if len(term) > SEARCH_MAX_LENGTH:
        raise SearchInvalid(
            Message(
                _("Type at most %(limit)d characters to search (%(length)d given)."),
                limit=SEARCH_MAX_LENGTH,
                length=len(term),
            ),
            code="search_too_long",
        )
    if not term:
        return SearchQuery(text="", kind=SearchKind.NONE)
    if not _NUMBER_NOISE.sub("", term).isdigit():
        words = tuple(dict.fromkeys(fold(term).split()))
        if len(words) > SEARCH_MAX_WORDS:
            raise SearchInvalid(
                Message(
                    _("Search with at most %(limit)d words (%(count)d given)."),
                    limit=SEARCH_MAX_WORDS,
                    count=len(words),
                ),
                code="search_too_many_words",
            )
        return SearchQuery(text=term, kind=SearchKind.NAME, words=words)
    hmacs: list[tuple[str, str]] = []
    kind = SearchKind.NONE
    digits = "".join(ch for ch in term if ch.isdigit())
    last4 = ""
    with contextlib.suppress(VnValueError):
        phone = normalize_phone(term)
        hmacs.append(("phone_hmac", personal.phone_hmac(phone)))
        kind, last4 = SearchKind.PHONE, phone[-SEARCH_LAST_DIGITS:]
    with contextlib.suppress(VnValueError):
        cccd = parse_cccd(term).number
        hmacs.append(("cccd_hmac", personal.cccd_hmac(cccd)))
        kind, last4 = SearchKind.CCCD, cccd[-SEARCH_LAST_DIGITS:]
    if not hmacs and len(digits) == SEARCH_LAST_DIGITS:
        cccd_last4, phone_last4 = personal.last4_hmacs(digits)
        hmacs = [("cccd_last4_hmac", cccd_last4), ("phone_last4_hmac", phone_last4)]
        kind, last4 = SearchKind.LAST4, digits
    return SearchQuery(text=term, kind=kind, hmacs=tuple(hmacs), last4=last4)


#: How well a name fragment fits a name: a whole syllable of it, the start of one, or only
#: somewhere inside one ("hoa" in Nguyễn Thị Hoa, Hoàng, Khoa).
WHOLE_SYLLABLE, SYLLABLE_START = 2, 1


def resident_search_ranked(
    queryset: QuerySet[Resident], query: SearchQuery, *, village_id: int | None = None
) -> QuerySet[Resident]:
    """`resident_search`, best first: by how many fragments are whole syllables of the name,
    then the start of one ("hoa nguyen" puts Nguyễn Thị Hoa before Hoàng… and Hoài…), then
    the residents of `village_id` (the session's village) before the others, then by name.
    Every match is ranked (a commune's few thousand at most), not only the first page."""
    found = resident_search(queryset, query, limit=None)
    if query.kind != SearchKind.NAME:
        return found.order_by("name_key", "id")  # a number: a person, or a few
    found = found.annotate(padded_key=Concat(Value(" "), F("name_key"), Value(" ")))
    rank: Combinable = Value(0)
    for word in query.words:
        rank = rank + Case(
            When(padded_key__contains=f" {word} ", then=Value(WHOLE_SYLLABLE)),
            When(padded_key__contains=f" {word}", then=Value(SYLLABLE_START)),
            default=Value(0),
        )
    found = found.annotate(search_rank=rank)
    order = ["-search_rank"]
    if village_id is not None:
        found = found.annotate(
            elsewhere=Case(When(village_id=village_id, then=Value(0)), default=Value(1))
        )
        order.append("elsewhere")
    return found.order_by(*order, "name_key", "id")


def resident_search(
    queryset: QuerySet[Resident], text: "str | SearchQuery", *, limit: int | None = 50
) -> QuerySet[Resident]:
    """Residents of `queryset` that `text` names: folded name fragments in any order
    ("hoa nguyen" finds Nguyễn Thị Hoà), or a CCCD or phone number — whole, in any spelling
    the importer reads ("0912 345 678", "+84912345678"), or exactly its last four digits
    (see `SearchQuery`). At most `limit` residents, None for all."""
    query = text if isinstance(text, SearchQuery) else search_query_parse(text)
    if query.kind == SearchKind.NAME:
        found = queryset
        for word in query.words:
            found = found.filter(name_key__contains=word)
    elif query.hmacs:
        match = Q(pk__in=[])
        for column, value in query.hmacs:
            match |= Q(**{column: value})
        found = queryset.filter(match)
    else:
        return queryset.none()
    return found if limit is None else found[:limit]


def villages_with_residents(commune: Place) -> QuerySet[Place]:
    """The commune's villages and sites, archived ones last, each with `living_residents`: how many
    residents live there now."""
    living = Q(
        village_residents__commune_id=commune.pk,  # the shard key, as on every resident query
        village_residents__status=ResidentStatus.LIVING,
    )
    return (
        villages_of(commune, include_archived=True)
        .annotate(living_residents=Count("village_residents", filter=living))
        .order_by(F("archived_at").asc(nulls_first=True), "kind", "name", "id")
    )


def living_residents_check(place: Place) -> None:
    """Refuse to archive a village or site where residents still live (they would be left in
    a village nobody sees). Registered as the places' archive check (core.hooks)."""
    living = Resident.objects.filter(
        commune_id=place.commune_id, village=place, status=ResidentStatus.LIVING
    ).count()
    if living:
        raise DomainError(
            Message(
                _(
                    "%(place)s still has %(count)d residents living there: it can be archived "
                    "only when none is left."
                ),
                place=place.name,
                count=living,
            ),
            code="place_has_residents",
        )


def card_namesakes(queryset: QuerySet[Resident], card: CccdQr) -> QuerySet[Resident]:
    """Residents without a CCCD whom a scanned card may be: the same folded name and birth
    date (as precise as the card gives it). Offered with "gắn số CCCD này", never matched
    silently."""
    found = queryset.filter(name_key=fold(card.full_name), cccd_hmac__isnull=True)
    if card.birth_date is not None:
        found = found.filter(birth_date=card.birth_date)
    return found.order_by("name_key", "id")
