"""Turning a validated request body into event column values: time zones, naive
times, all-day dates and recurrence rules, each error naming its field."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from nudge.api.errors import InvalidInput
from nudge.domain.recurrence import InvalidRecurrence, normalize_rrule
from nudge.domain.timezones import UnknownTimezone, as_aware, get_zone

REQUIRED = ("title", "start_time")


def zone_name(value: str, field: str = "timezone") -> str:
    try:
        get_zone(value)
    except UnknownTimezone as exc:
        raise InvalidInput(field, str(exc)) from None
    return value


def aware_in(value: datetime, zone: str) -> datetime:
    """Naive request times are wall-clock times in ``zone``."""
    return as_aware(value, zone)


def _local_midnight(value: datetime, zone: str) -> datetime:
    local = value.astimezone(get_zone(zone))
    return as_aware(datetime.combine(local.date(), time()), zone)


def event_values(fields: dict[str, Any], user_zone: str) -> dict[str, Any]:
    """Column values for an event from a complete set of fields (``model_dump()`` of a
    body, merged with the stored event for a PATCH).

    Naive times are read in the event's own zone when the body names one, else in the
    user's zone: "15:00" in an event placed in Europe/Berlin means 15:00 in Berlin.
    """
    for name in REQUIRED:
        if fields.get(name) is None:
            raise InvalidInput(name, "is required")
    zone = zone_name(fields.get("timezone") or user_zone)
    start = aware_in(fields["start_time"], zone)
    end = fields.get("end_time")
    end = aware_in(end, zone) if end is not None else None
    all_day = bool(fields.get("all_day"))
    if all_day:
        start = _local_midnight(start, zone)
        end = _local_midnight(end, zone) if end is not None else None
    if end is not None and end < start:
        raise InvalidInput("end_time", "must not be before start_time")
    rule = fields.get("rrule")
    if rule is not None:
        try:
            rule = normalize_rrule(rule, start, zone)
        except InvalidRecurrence as exc:
            raise InvalidInput("rrule", str(exc)) from None
    return {
        "title": fields["title"],
        "description": fields.get("description") or "",
        "start_time": start,
        "end_time": end,
        "location": fields.get("location") or None,
        "timezone": zone,
        "all_day": all_day,
        "rrule": rule,
        "reminders": fields.get("reminders"),
    }
