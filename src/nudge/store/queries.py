"""Reads and row-level helpers shared by the API routes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nudge.store.models import USER_ID, Event, Reminder, ReminderStatus, UserConfig


async def load_config(session: AsyncSession, *, for_update: bool = False) -> UserConfig:
    statement = select(UserConfig).where(UserConfig.id == USER_ID)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one()


async def load_event(
    session: AsyncSession, event_id: int, *, for_update: bool = False
) -> Event | None:
    statement = select(Event).where(Event.id == event_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def next_reminder_times(session: AsyncSession, event_ids: list[int]) -> dict[int, datetime]:
    if not event_ids:
        return {}
    rows = await session.execute(
        select(Reminder.event_id, func.min(Reminder.remind_at))
        .where(
            Reminder.event_id.in_(event_ids),
            Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.QUEUED)),
        )
        .group_by(Reminder.event_id)
    )
    return {event_id: at for event_id, at in rows}
