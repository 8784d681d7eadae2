"""Request and response bodies of the REST API (see docs/api.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from nudge.store.models import DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX

MAX_OFFSET_MINUTES = 40_320  # four weeks
# PostgreSQL stores text without NUL bytes; refusing them here keeps them a 422.
_NO_NUL = r"^[^\x00]*$"


_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?\s*")


def _text_only(value: object) -> object:
    # pydantic would read a number (or a numeric string, as query values are) as a
    # Unix timestamp; the schema promises an ISO 8601 date-time.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be an ISO 8601 date-time such as 2026-12-01T15:00:00")
    return value


def _check_year(value: datetime) -> datetime:
    if not 1900 <= value.year <= 2200:
        raise ValueError("must be between the years 1900 and 2200")
    return value


Timestamp = Annotated[datetime, BeforeValidator(_text_only), AfterValidator(_check_year)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX, pattern=_NO_NUL),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX, pattern=_NO_NUL)]
Location = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=LOCATION_MAX, pattern=_NO_NUL)
]
ZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_NO_NUL)]
RRuleText = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=_NO_NUL)]
ChannelName = Literal["desktop", "telegram"]
Language = Literal["en", "ru"]


class Strict(BaseModel):
    """Request bodies: unknown fields refused; numbers and booleans must be JSON numbers
    and booleans (no ``true`` read as 1, no ``"yes"`` read as true), as the schema says."""

    model_config = ConfigDict(extra="forbid")


class ReminderRule(Strict):
    offset_minutes: StrictInt = Field(
        ge=0, le=MAX_OFFSET_MINUTES, description="minutes before the start"
    )
    channels: list[ChannelName] = Field(min_length=1, max_length=2)

    @field_validator("channels")
    @classmethod
    def _unique(cls, value: list[ChannelName]) -> list[ChannelName]:
        return list(dict.fromkeys(value))


ReminderRules = Annotated[list[ReminderRule], Field(max_length=10)]


class EventFields(Strict):
    """Every writable field; all optional, so PATCH can send any subset."""

    title: Title | None = None
    description: Description | None = None
    start_time: Timestamp | None = None
    end_time: Timestamp | None = None
    location: Location | None = None
    timezone: ZoneName | None = None
    all_day: StrictBool | None = None
    rrule: RRuleText | None = None
    reminders: ReminderRules | None = None


class EventIn(EventFields):
    """POST and PUT: a whole event."""

    title: Title
    description: Description = ""
    start_time: Timestamp
    all_day: StrictBool = False

    @model_validator(mode="after")
    def _end_after_start(self) -> EventIn:
        # Only comparable when both carry (or both lack) an offset; the route checks
        # the mixed case after reading naive times in the right zone.
        end, start = self.end_time, self.start_time
        if end is not None and (end.tzinfo is None) == (start.tzinfo is None) and end < start:
            raise ValueError("end_time: must not be before start_time")
        return self


class EventOut(BaseModel):
    id: int
    title: str
    description: str
    start_time: datetime
    end_time: datetime | None
    location: str | None
    timezone: str
    all_day: bool
    rrule: str | None
    reminders: list[ReminderRule] | None
    is_completed: bool
    version: int
    created_at: datetime
    updated_at: datetime
    next_reminder_at: datetime | None = None


class OccurrenceOut(EventOut):
    occurrence_start: datetime
    occurrence_end: datetime | None


class EventPage(BaseModel):
    items: list[OccurrenceOut] | list[EventOut]
    next_cursor: str | None


class ReminderOut(BaseModel):
    id: int
    event_id: int
    remind_at: datetime
    occurrence_start: datetime
    offset_minutes: int | None
    notification_type: ChannelName
    status: str
    is_sent: bool
    version: int
    sent_at: datetime | None
    attempts: int
    last_error: str | None


class SnoozeIn(Strict):
    minutes: StrictInt | None = Field(default=None, ge=1, le=MAX_OFFSET_MINUTES)
    until: Timestamp | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SnoozeIn:
        if (self.minutes is None) == (self.until is None):
            raise ValueError("minutes: give either minutes or until")
        return self


class ConfigOut(BaseModel):
    telegram_chat_id: str | None
    desktop_device_id: str | None
    timezone: str
    default_reminders: list[ReminderRule]
    catchup_window_minutes: int
    telegram_language: Language | None
    telegram_linked: bool
    desktop_registered: bool


class ConfigPatch(Strict):
    timezone: ZoneName | None = None
    default_reminders: ReminderRules | None = None
    catchup_window_minutes: StrictInt | None = Field(default=None, ge=0, le=525_600)
    telegram_language: Language | None = None


class TelegramLinkIn(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] | None = None


class LinkCodeOut(BaseModel):
    code: str
    expires_at: datetime


class ParseIn(Strict):
    text: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=_NO_NUL),
    ]


class ParseOut(BaseModel):
    title: str
    start_time: datetime
    timezone: str
    all_day: bool


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    detail: str
    errors: list[ErrorItem] = []
