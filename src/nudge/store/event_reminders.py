"""Keeping an event's reminder rows in step with the event.

Every write to an event goes through :func:`rewrite_reminders` in the same transaction:
the event's live reminders are cancelled and the reminder points of its next
occurrence are written as new ``pending`` rows carrying the event's new version. The
insert fires ``NOTIFY`` (a trigger, migration 0003) so a dispatcher in another process
wakes at commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nudge.domain.recurrence import next_occurrence
from nudge.domain.reminder_points import (
    ReminderPoint,
    reminder_points,
    specs_from_json,
    upcoming_points,
)
from nudge.store.models import LIVE_STATUSES, Channel, Event, Reminder, ReminderStatus, UserConfig


def linked_channels(config: UserConfig) -> set[str]:
    channels: set[str] = set()
    if config.desktop_device_id:
        channels.add(Channel.DESKTOP.value)
    if config.telegram_chat_id:
        channels.add(Channel.TELEGRAM.value)
    return channels


async def cancel_live_reminders(
    session: AsyncSession, event_id: int, *, through: datetime | None = None
) -> None:
    """Cancel the event's reminders that could still reach the user (all of them, or
    those of occurrences up to ``through``)."""
    statement = (
        update(Reminder)
        .where(Reminder.event_id == event_id, Reminder.status.in_(LIVE_STATUSES))
        .values(status=ReminderStatus.CANCELLED.value)
    )
    if through is not None:
        statement = statement.where(Reminder.occurrence_start <= through)
    await session.execute(statement)


async def insert_points(
    session: AsyncSession, event: Event, points: Iterable[ReminderPoint]
) -> int:
    rows = [
        {
            "event_id": event.id,
            "remind_at": p.remind_at,
            "notification_type": p.channel,
            "occurrence_start": p.occurrence_start,
            "offset_minutes": p.offset_minutes,
            "version": event.version,
        }
        for p in points
    ]
    if not rows:
        return 0
    # A concurrent materializer may have written the same point for this version.
    await session.execute(insert(Reminder).values(rows).on_conflict_do_nothing())
    return len(rows)


def _specs(event: Event, config: UserConfig) -> list[dict[str, object]]:
    return list(event.reminders if event.reminders is not None else config.default_reminders)


async def rewrite_reminders(
    session: AsyncSession, event: Event, config: UserConfig, now: datetime, *, new: bool = False
) -> datetime | None:
    """Replace the event's live reminders by those of its next occurrence (a ``new``
    event has none to cancel); returns the earliest new reminder time."""
    if not new:
        await cancel_live_reminders(session, event.id)
    event.materialized_through = None
    if event.is_completed:
        return None
    points = upcoming_points(
        event.start_time,
        event.timezone,
        event.rrule,
        specs_from_json(_specs(event, config)),
        linked_channels(config),
        now,
        all_day=event.all_day,
    )
    await insert_points(session, event, points)
    if event.rrule:
        event.materialized_through = max(
            (p.occurrence_start for p in points),
            default=next_occurrence(event.start_time, event.timezone, event.rrule, now),
        )
    return min((p.remind_at for p in points), default=None)


async def advance_recurring(
    session: AsyncSession, event: Event, config: UserConfig, now: datetime
) -> datetime | None:
    """Finish the current occurrence of a recurring event and write the reminders of
    the one after it; returns that next occurrence (None when the series has ended)."""
    current = event.materialized_through or next_occurrence(
        event.start_time, event.timezone, event.rrule, now
    )
    if current is None:
        return None
    await cancel_live_reminders(session, event.id, through=current)
    following = next_occurrence(event.start_time, event.timezone, event.rrule, current)
    await write_occurrence(session, event, config, following, now)
    return following


async def write_occurrence(
    session: AsyncSession,
    event: Event,
    config: UserConfig,
    occurrence: datetime | None,
    now: datetime,
) -> int:
    """Write the still-due reminders of one occurrence of a recurring event and record
    it as the latest materialized one (None: the series has ended)."""
    event.materialized_through = occurrence
    if occurrence is None:
        return 0
    points = reminder_points(
        occurrence,
        specs_from_json(_specs(event, config)),
        linked_channels(config),
        now,
        all_day=event.all_day,
    )
    return await insert_points(session, event, points)
