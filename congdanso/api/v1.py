"""Endpoints of `/api/v1`. Each declares its access rule in `x-access` (OpenAPI extension),
which the permission-matrix test reads: a new endpoint without one fails that test."""

import datetime as dt
import functools
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth
from ninja.throttling import AuthRateThrottle
from pydantic import ValidationError as PydanticValidationError

from congdanso.accounts.models import Role, User
from congdanso.api import schemas as s
from congdanso.api.auth import TokenAuth
from congdanso.api.writes import (
    OPERATIONS,
    Forbidden,
    batch_lookups,
    batch_lookups_forget,
    batch_residents_read,
)
from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.audit import audit_context, client_ip
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.core.hooks import residents_changing
from congdanso.core.idempotency import write_once, writes_known
from congdanso.outreach.selectors import session_list
from congdanso.people.models import Resident
from congdanso.people.searching import Throttled, search_allow, search_record
from congdanso.people.selectors import SearchInvalid, resident_search, search_query_parse
from congdanso.people.services import resident_reveal
from congdanso.progress.indicators import campaign_indicators
from congdanso.scope.access import (
    PERSON_ROLES,
    Access,
    access_for,
    campaign_get_for,
    campaigns_visible,
    can_reveal,
    indicator_place_for,
    place_get_for,
    resident_get_for,
    residents_visible,
)
from congdanso.scope.cards import person_card as resident_card

api = NinjaAPI(
    title="congdanso API",
    version="1",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[AuthRateThrottle("600/m")],
    docs_url=None,  # the interactive docs load scripts from a CDN; the schema is enough
)

SEARCH_LIMIT = 50

# The errors each kind of operation may answer, declared so the schema documents them (and
# schemathesis checks every status against it): 400 a refusal or unreadable JSON, 401 no valid
# token, 403 a role that may see but not do, 404 outside the caller's scope, 422 bad fields,
# 429 too many requests.
_COMMON = (400, 401, 422, 429)
READ_ERRORS: dict[int, Any] = dict.fromkeys(_COMMON, s.ErrorOut)
SCOPED_ERRORS: dict[int, Any] = dict.fromkeys((*_COMMON, 404), s.ErrorOut)
WRITE_ERRORS: dict[int, Any] = dict.fromkeys((*_COMMON, 403, 404), s.ErrorOut)


def _error_body(code: str, message: Message) -> dict[str, Any]:
    return {"code": code, "message": message.render("vi"), "message_en": message.render("en")}


def _status_of(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, Throttled):
        return 429
    return 422 if isinstance(error, SearchInvalid) else 400


def _error(
    request: HttpRequest, status: int, code: str, message: Message, **extra: Any
) -> HttpResponse:
    return api.create_response(request, _error_body(code, message) | extra, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return _error(request, _status_of(error), error.code, error.message)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthorized",
        Message(_("Sign in first: send a valid API token (Authorization: Bearer …).")),
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
        for e in error.errors
    ]
    return _error(
        request, 422, "invalid", Message(_("Some fields are missing or wrong.")), errors=errors
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 429:
        message = Message(_("Too many requests; wait a moment and try again."))
        return _error(request, 429, "throttled", message)
    if error.status_code == 400 and str(error).startswith("Cannot parse request body"):
        return _error(
            request, 400, "invalid_json", Message(_("The request body is not valid JSON."))
        )
    return _error(request, error.status_code, "error", Message(str(error)))


def _access(request: HttpRequest) -> tuple[Access, User]:
    user = request.auth  # type: ignore[attr-defined]
    return access_for(user), user


def _campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "place_code": campaign.place.code,
        "place_name": campaign.place.name,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "target_exemplary": campaign.target_exemplary,
        "cohort_min_age": campaign.cohort_min_age,
        "cohort_max_age": campaign.cohort_max_age,
        "cohort_target": float(campaign.cohort_target),
        "criteria": campaign_rules(campaign).as_json(),
    }


def _resident_out(resident: Resident) -> dict[str, Any]:
    return {
        "id": resident.pk,
        "full_name": resident.full_name,
        "village": resident.village.name if resident.village else "",
        "birth_year": resident.birth_date.year if resident.birth_date else None,
        "gender": resident.gender,
        "cccd_masked": resident.cccd_masked,
        "phone_masked": resident.phone_masked,
        "status": resident.status,
    }


@api.get(
    "/campaigns",
    response={200: list[s.CampaignOut], **READ_ERRORS},
    openapi_extra={"x-access": "signed-in"},
)
def campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    access, _user = _access(request)
    return [_campaign_out(c) for c in campaigns_visible(access)]


@api.get(
    "/campaigns/{campaign_id}",
    response={200: s.CampaignOut, **SCOPED_ERRORS},
    openapi_extra={"x-access": "campaign"},
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    access, _user = _access(request)
    return _campaign_out(campaign_get_for(access, campaign_id))


@api.get(
    "/campaigns/{campaign_id}/indicators",
    response={200: dict[str, Any], **SCOPED_ERRORS},
    openapi_extra={"x-access": "campaign"},
)
def indicators(
    request: HttpRequest,
    campaign_id: int,
    place: str | None = None,
    date: dt.date | None = None,
) -> dict[str, Any]:
    """The indicator set (docs/indicators.md), as `congdanso indicators --json` prints it."""
    access, _user = _access(request)
    campaign = campaign_get_for(access, campaign_id)
    wanted = place_get_for(access, place) if place else None
    return campaign_indicators(
        campaign, place=indicator_place_for(access, campaign, wanted), on=date
    ).as_json()


@api.get(
    "/campaigns/{campaign_id}/sessions",
    response={200: list[s.SessionOut], **SCOPED_ERRORS},
    openapi_extra={"x-access": "campaign"},
)
def sessions(
    request: HttpRequest,
    campaign_id: int,
    date_from: dt.date | None = Query(None, alias="from"),  # noqa: B008 - ninja's idiom
    date_to: dt.date | None = Query(None, alias="to"),  # noqa: B008
) -> list[dict[str, Any]]:
    access, _user = _access(request)
    campaign = campaign_get_for(access, campaign_id)
    return [
        {
            "id": session.pk,
            "date": session.date,
            "place_code": session.place.code,
            "place_name": session.place.name,
            "status": session.status,
            "title": session.title,
            "units": [u.name for u in session.units.all()],
            "anonymous_turns": session.anonymous_turns,
        }
        for session in session_list(campaign=campaign, date_from=date_from, date_to=date_to)
        if access.overlaps(session.place, PERSON_ROLES)
        or access.covers(session.place, {Role.VIEWER})
    ]


def _search(request: HttpRequest, q: str, limit: int) -> list[dict[str, Any]]:
    access, user = _access(request)
    query = search_query_parse(q)
    search_allow(user_id=user.pk, query=query)
    limit = max(1, min(limit, SEARCH_LIMIT))
    found = list(
        resident_search(
            residents_visible(access).select_related("village"), query, limit=None
        ).order_by("name_key", "id")[:limit]
    )
    search_record(user=user, query=query, found=[(r.pk, r.commune_id) for r in found])
    return [_resident_out(r) for r in found]


@api.get(
    "/residents",
    response={200: list[s.ResidentOut], **READ_ERRORS},
    openapi_extra={"x-access": "search"},
)
def residents(request: HttpRequest, q: str = "", limit: int = 20) -> list[dict[str, Any]]:
    """Search: folded name fragments in any order ("hoa nguyen"), a whole CCCD or phone
    number, or exactly its last 4 digits; at most 100 characters and 10 words (422 beyond).
    A viewer finds nobody. Prefer `POST /residents/search`, which keeps the text out of
    URLs and logs. Searches count against the user's search rates (429 beyond); searches
    by number are audited."""
    return _search(request, q, limit)


@api.post(
    "/residents/search",
    response={200: list[s.ResidentOut], **READ_ERRORS},
    openapi_extra={"x-access": "search"},
)
def residents_search(request: HttpRequest, body: s.SearchIn) -> list[dict[str, Any]]:
    """The same search as `GET /residents?q=`, with the text in the body: a number searched
    for never lands in a URL, a proxy's log or a history."""
    return _search(request, body.q, body.limit)


@api.get(
    "/residents/{resident_id}",
    response={200: s.PersonCardOut, **SCOPED_ERRORS},
    openapi_extra={"x-access": "person"},
)
def person_card(
    request: HttpRequest, resident_id: int, campaign: int | None = None
) -> dict[str, Any]:
    """A person card: details (CCCD and phone masked), the campaign's criteria with the date
    each was reached, the history of achievements (withdrawn ones included), turns and open
    data issues — the site's card page's read model (`scope.cards.person_card`)."""
    access, _user = _access(request)
    resident = resident_get_for(access, resident_id)
    chosen = campaign_get_for(access, campaign) if campaign else _campaign_of(access, resident)
    card = resident_card(access, chosen, resident)
    return _resident_out(resident) | {
        "birth_date": resident.birth_date.isoformat()
        if card.may_reveal and resident.birth_date
        else None,
        "criteria": [
            {
                "code": state.criterion.code,
                "name": state.criterion.name,
                "exemplary": state.exemplary,
                "achieved_on": state.achieved_on,
                "achievement_id": state.achievement_id,
            }
            for state in card.states
        ],
        "exemplary": card.exemplary,
        "history": [
            {
                "id": a.pk,
                "criterion": a.criterion.code,
                "achieved_on": a.achieved_on.isoformat(),
                "source": a.source,
                "unit": a.unit.name if a.unit else None,
                "withdrawn": a.withdrawn_at is not None,
                "withdrawal_reason": a.withdrawal_reason,
            }
            for a in card.history
        ],
        "turns": [
            {
                "session_id": t.session_id,
                "date": t.session.date.isoformat(),
                "criterion": t.criterion.code if t.criterion else None,
                "service": t.service or None,
            }
            for t in card.turns
        ],
        "issues": [
            {"id": i.pk, "code": i.code, "field": i.field, "detail": i.detail} for i in card.issues
        ],
    }


def _campaign_of(access: Access, resident: Resident) -> Campaign | None:
    """The most recent campaign the caller sees that covers the resident."""
    for campaign in campaigns_visible(access).order_by("-start_date", "-id"):
        if resident.commune.path.startswith(campaign.place.path):
            return campaign
    return None


@api.post(
    "/residents/{resident_id}/reveal",
    response={200: s.RevealOut, **WRITE_ERRORS},
    openapi_extra={"x-access": "reveal"},
)
def reveal(request: HttpRequest, resident_id: int, body: s.RevealIn) -> dict[str, str]:
    """Show a CCCD or phone in full: for managers and administrators, with a reason, audited."""
    access, user = _access(request)
    resident = resident_get_for(access, resident_id)
    if not can_reveal(access, resident):
        raise Forbidden(_("Your role does not allow this here."))
    value = resident_reveal(
        resident=resident, field=body.field, reason=body.reason, revealed_by=user
    )
    return {"field": body.field, "value": value}


def _normalised(operation: str, data: dict[str, Any]) -> dict[str, Any]:
    """The write's data in the one form both its endpoint and the batch store and hash."""
    return s.OPERATION_DATA[operation](**data).model_dump(mode="json")


def _write(request: HttpRequest, operation: str, payload: dict[str, Any]) -> HttpResponse:
    access, user = _access(request)
    client_uuid = payload.pop("client_uuid")
    payload = _normalised(operation, payload)
    with audit_context(user=user, ip=client_ip(request), via="api"):
        answer = write_once(
            user_id=user.pk,
            client_uuid=client_uuid,
            operation=operation,
            payload=payload,
            apply=lambda: OPERATIONS[operation](access, user, payload),
        )
    body = {
        "client_uuid": str(client_uuid),
        "status": answer.status,
        "replayed": answer.replayed,
        "result": answer.body,
    }
    return api.create_response(request, body, status=answer.status)


@api.post(
    "/achievements",
    response={200: s.WriteOut, 201: s.WriteOut, **WRITE_ERRORS},
    openapi_extra={"x-access": "write"},
)
def achievement_create(request: HttpRequest, body: s.AchievementIn) -> HttpResponse:
    """Record that a resident reached a criterion (idempotent by `client_uuid`, and by fact:
    an earlier date replaces a later one)."""
    return _write(request, "achievement.record", body.dict())


@api.post(
    "/achievements/{achievement_id}/withdraw",
    response={200: s.WriteOut, **WRITE_ERRORS},
    openapi_extra={"x-access": "write"},
)
def achievement_withdraw(
    request: HttpRequest, achievement_id: int, body: s.WithdrawIn
) -> HttpResponse:
    return _write(request, "achievement.withdraw", body.dict() | {"achievement_id": achievement_id})


@api.post(
    "/sessions/{session_id}/turns",
    response={200: s.WriteOut, 201: s.WriteOut, **WRITE_ERRORS},
    openapi_extra={"x-access": "write"},
)
def turn_create(request: HttpRequest, session_id: int, body: s.TurnIn) -> HttpResponse:
    """One person helped with one thing; a criterion completed records the achievement."""
    return _write(request, "turn.record", body.dict() | {"session_id": session_id})


@api.post(
    "/sessions/{session_id}/anonymous-turns",
    response={200: s.WriteOut, **WRITE_ERRORS},
    openapi_extra={"x-access": "write"},
)
def anonymous_turns(
    request: HttpRequest, session_id: int, body: s.AnonymousTurnsIn
) -> HttpResponse:
    """+1 (or a correction) for people helped who are not in the registry."""
    return _write(request, "session.anonymous_turns", body.dict() | {"session_id": session_id})


@api.post(
    "/sessions/{session_id}/newcomers",
    response={201: s.WriteOut, **WRITE_ERRORS},
    openapi_extra={"x-access": "write"},
)
def newcomer_create(request: HttpRequest, session_id: int, body: s.NewcomerIn) -> HttpResponse:
    """+1 person not in the list, with what they told (name, birth year, phone, a card's
    number): it waits in the session's queue for a manager to add them to the list."""
    return _write(request, "session.newcomer", body.dict() | {"session_id": session_id})


@api.post(
    "/batch",
    response={200: s.BatchOut, **READ_ERRORS},
    openapi_extra={"x-access": "write"},
    # the site's offline outbox sends it with the signed-in session (CSRF-checked)
    auth=[TokenAuth(), django_auth],
)
def batch(request: HttpRequest, body: s.BatchIn) -> dict[str, Any]:
    """Up to 500 writes queued by a phone that was offline, applied in order, each at most
    once (by its `client_uuid`); one failing write does not stop the others. A token, or the
    site's signed-in session with its CSRF token (the field app's outbox)."""
    access, user = _access(request)
    with audit_context(user=user, ip=client_ip(request), via="api"), batch_lookups():
        named = batch_residents_read(access, (item.data.get("resident_id") for item in body.writes))
        # One transaction with the tallies kept across it once; each write still its own
        # savepoint, applied or refused alone (a server killed half-way commits none of them:
        # the phone sends them again)
        # the UUIDs already used, in one query; each one applied here joins them
        known = writes_known(user.pk, (item.client_uuid for item in body.writes))
        with residents_changing(residents=named, turns=True):
            results = [_batch_item(access, user, item, known) for item in body.writes]
    return {"results": results}


def _batch_item(
    access: Access, user: User, item: s.BatchItemIn, known: set[uuid.UUID]
) -> dict[str, Any]:
    """One queued write, applied once; its failure is reported, not raised."""
    try:
        payload = _normalised(item.operation, item.data)
    except PydanticValidationError as error:
        body = _error_body("invalid", Message(_("Some fields are missing or wrong.")))
        body["errors"] = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors()
        ]
        return {"client_uuid": item.client_uuid, "status": 422, "replayed": False, "result": body}
    try:
        answer = write_once(
            user_id=user.pk,
            client_uuid=item.client_uuid,
            operation=item.operation,
            payload=payload,
            apply=functools.partial(OPERATIONS[item.operation], access, user, payload),
            known=known,
        )
        known.add(item.client_uuid)
    except DomainError as error:
        batch_lookups_forget()
        return {
            "client_uuid": item.client_uuid,
            "status": _status_of(error),
            "replayed": False,
            "result": _error_body(error.code, error.message),
        }
    except (KeyError, TypeError, ValueError) as error:
        batch_lookups_forget()
        body = _error_body("invalid", Message(_("Some fields are missing or wrong.")))
        body["message_en"] += f" ({error})"
        return {"client_uuid": item.client_uuid, "status": 422, "replayed": False, "result": body}
    return {
        "client_uuid": item.client_uuid,
        "status": answer.status,
        "replayed": answer.replayed,
        "result": answer.body,
    }
