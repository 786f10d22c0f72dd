"""Request and response shapes of the API."""

import datetime as dt
import uuid
from typing import Any, Literal

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    errors: list[dict[str, Any]] | None = None


class CampaignOut(Schema):
    id: int
    name: str
    place_code: str
    place_name: str
    start_date: dt.date
    end_date: dt.date
    target_exemplary: int
    cohort_min_age: int
    cohort_max_age: int
    cohort_target: float
    criteria: list[dict[str, Any]]


class ResidentOut(Schema):
    id: int
    full_name: str
    village: str
    birth_year: int | None
    gender: str
    cccd_masked: str
    phone_masked: str
    status: str


class CriterionStatus(Schema):
    code: str
    name: str
    exemplary: bool
    achieved_on: dt.date | None
    achievement_id: int | None


class PersonCardOut(ResidentOut):
    birth_date: str | None = Field(None, description="Shown to roles that may see it.")
    criteria: list[CriterionStatus]
    exemplary: bool | None
    history: list[dict[str, Any]]
    turns: list[dict[str, Any]]
    issues: list[dict[str, Any]]


class SearchIn(Schema):
    q: str = Field(..., max_length=1000)  # the search says what is too long (422, message)
    limit: int = 20


class RevealIn(Schema):
    field: Literal["cccd", "phone"]
    reason: str = Field(..., min_length=1, max_length=500)


class RevealOut(Schema):
    field: str
    value: str


class AchievementData(Schema):
    resident_id: int
    criterion: str = Field(..., max_length=40)
    achieved_on: dt.date
    campaign_id: int
    unit_id: int | None = None
    session_id: int | None = None
    note: str = Field("", max_length=500)


class AchievementIn(AchievementData):
    client_uuid: uuid.UUID


class WithdrawIn(Schema):
    client_uuid: uuid.UUID
    reason: str = Field(..., min_length=1, max_length=500)


class WithdrawData(Schema):
    achievement_id: int
    reason: str = Field(..., min_length=1, max_length=500)


class TurnFields(Schema):
    resident_id: int
    criterion: str | None = Field(None, max_length=40)
    service: str | None = Field(None, max_length=20)
    unit_id: int | None = None


class TurnIn(TurnFields):
    client_uuid: uuid.UUID


class TurnData(TurnFields):
    session_id: int


class AnonymousTurnsFields(Schema):
    count: int = Field(1, ge=-100, le=100)


class AnonymousTurnsIn(AnonymousTurnsFields):
    client_uuid: uuid.UUID


class AnonymousTurnsData(AnonymousTurnsFields):
    session_id: int


class NewcomerFields(Schema):
    """+1 person not in the list, with what they told (each optional)."""

    full_name: str = Field("", max_length=200)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    phone: str = Field("", max_length=30)
    cccd: str = Field("", max_length=20)  # from a card scanned offline; never kept on a device


class NewcomerIn(NewcomerFields):
    client_uuid: uuid.UUID


class NewcomerData(NewcomerFields):
    session_id: int


#: The data of each queued operation, validated and written the way its own endpoint writes
#: it, so a write sent alone and then queued again has the same form (and is replayed).
OPERATION_DATA: dict[str, type[Schema]] = {
    "achievement.record": AchievementData,
    "achievement.withdraw": WithdrawData,
    "turn.record": TurnData,
    "session.anonymous_turns": AnonymousTurnsData,
    "session.newcomer": NewcomerData,
}


class WriteOut(Schema):
    client_uuid: uuid.UUID
    status: int
    replayed: bool
    result: dict[str, Any]


class BatchItemIn(Schema):
    client_uuid: uuid.UUID
    operation: Literal[
        "achievement.record",
        "achievement.withdraw",
        "turn.record",
        "session.anonymous_turns",
        "session.newcomer",
    ]
    data: dict[str, Any]


class BatchIn(Schema):
    writes: list[BatchItemIn] = Field(..., max_length=500)


class BatchItemOut(Schema):
    client_uuid: uuid.UUID
    status: int
    replayed: bool
    result: dict[str, Any]


class BatchOut(Schema):
    results: list[BatchItemOut]


class SessionOut(Schema):
    id: int
    date: dt.date
    place_code: str
    place_name: str
    status: str
    title: str
    units: list[str]
    anonymous_turns: int
