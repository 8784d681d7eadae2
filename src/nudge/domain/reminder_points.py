"""Which reminders an event needs: one point per (offset, channel) for an occurrence."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nudge.domain.recurrence import occurrences_between
from nudge.domain.timezones import as_aware, get_zone

__all__ = [
    "CHANNELS",
    "ReminderPoint",
    "ReminderSpec",
    "reminder_points",
    "specs_from_json",
    "upcoming_points",
]

CHANNELS = ("desktop", "telegram")
# An all-day event has no start time to count back from; like calendar apps, its
# reminders count back from 09:00 local time on the day (offset 0 = 09:00 that day).
ALL_DAY_ANCHOR = time(9, 0)
# occurrences_between needs an upper bound; the search stops at the first hits anyway.
_END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReminderSpec:
    """Remind `offset_minutes` before the start (0 = at the start) on these channels."""

    offset_minutes: int
    channels: tuple[str, ...]


@dataclass(frozen=True)
class ReminderPoint:
    remind_at: datetime
    channel: str
    offset_minutes: int
    occurrence_start: datetime


def specs_from_json(raw: Sequence[Mapping[str, Any]]) -> list[ReminderSpec]:
    """`[{"offset_minutes": 15, "channels": ["desktop"]}]` -> specs (input already validated)."""
    return [
        ReminderSpec(offset_minutes=int(item["offset_minutes"]), channels=tuple(item["channels"]))
        for item in raw
    ]


def reminder_anchor(occurrence_start: datetime, all_day: bool) -> datetime:
    """The moment offsets count back from: the start, or 09:00 on an all-day event's day
    (wall-clock, so a DST change that day does not move it)."""
    if not all_day:
        return occurrence_start
    local = occurrence_start.replace(tzinfo=None)
    zone = occurrence_start.tzinfo
    anchor = datetime.combine(local.date(), ALL_DAY_ANCHOR)
    if isinstance(zone, ZoneInfo):
        return as_aware(anchor, zone.key)
    return anchor.replace(tzinfo=zone)


def reminder_points(
    occurrence_start: datetime,
    specs: Sequence[ReminderSpec],
    linked_channels: Collection[str],
    now: datetime,
    *,
    all_day: bool = False,
) -> list[ReminderPoint]:
    """The reminder points of one occurrence that are still due.

    One point per (spec, channel) for the linked channels only; the same channel at the
    same moment twice (overlapping specs) gives one point. Points before `now` are
    skipped, a point exactly at `now` is kept. Sorted by remind_at, then channel.
    `remind_at` is in occurrence_start's time zone.
    """
    now_utc = now.astimezone(UTC)
    start_utc = reminder_anchor(occurrence_start, all_day).astimezone(UTC)
    points: dict[tuple[datetime, str], ReminderPoint] = {}
    for spec in specs:
        # Offsets are elapsed minutes, so subtract in UTC: wall-clock arithmetic on a
        # zoned datetime would be an hour off across a DST change.
        remind_utc = start_utc - timedelta(minutes=spec.offset_minutes)
        if remind_utc < now_utc:
            continue
        remind_at = remind_utc.astimezone(occurrence_start.tzinfo)
        for channel in spec.channels:
            if channel in linked_channels and (remind_utc, channel) not in points:
                points[(remind_utc, channel)] = ReminderPoint(
                    remind_at=remind_at,
                    channel=channel,
                    offset_minutes=spec.offset_minutes,
                    occurrence_start=occurrence_start,
                )
    return [points[key] for key in sorted(points)]


def upcoming_points(
    start: datetime,
    zone_name: str,
    rule: str | None,
    specs: Sequence[ReminderSpec],
    linked_channels: Collection[str],
    now: datetime,
    *,
    occurrences: int = 1,
    all_day: bool = False,
) -> list[ReminderPoint]:
    """The still-due reminder points of the event's next occurrence(s), sorted.

    One-off event (`rule` None): the points of that event that are not in the past
    (none once the event's reminders have all passed).

    Recurring event: the next `occurrences` occurrences are those starting at or after
    `now`. An occurrence that has not started yet counts even when some or all of its
    reminders are already past (it starts in 5 minutes, the reminder was 15 minutes
    before): it is still "the next occurrence", and only its remaining points are
    returned - possibly none. So an empty list does NOT mean the series has ended; the
    caller should look again once that occurrence has started (or ask for
    `occurrences=2`). Occurrences that already started are never included.
    """
    zone = get_zone(zone_name)
    if not rule or not rule.strip():
        starts = [as_aware(start, zone_name).astimezone(zone)]
    else:
        starts = occurrences_between(
            start, zone_name, rule, now, _END_OF_TIME, limit=max(occurrences, 0)
        )
    points = [
        point
        for occurrence_start in starts
        for point in reminder_points(occurrence_start, specs, linked_channels, now, all_day=all_day)
    ]
    return sorted(points, key=lambda point: (point.remind_at.astimezone(UTC), point.channel))
