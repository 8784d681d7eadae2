"""Reminders of an event, reminders by status, and snoozing."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from nudge.api.deps import NowDep, SessionDep, WakeDep
from nudge.api.errors import Conflict, InvalidInput, NotFound
from nudge.api.event_input import aware_in
from nudge.api.schemas import ErrorOut, ReminderOut, SnoozeIn
from nudge.store.models import Reminder, ReminderStatus
from nudge.store.queries import load_config, load_event

router = APIRouter(tags=["reminders"])

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/events/{event_id}/reminders")
async def event_reminders(event_id: RowId, session: SessionDep) -> list[ReminderOut]:
    if await load_event(session, event_id) is None:
        raise NotFound(f"event {event_id} not found")
    rows = await session.execute(
        select(Reminder)
        .where(Reminder.event_id == event_id)
        .order_by(Reminder.remind_at, Reminder.id)
    )
    return [ReminderOut.model_validate(r, from_attributes=True) for r in rows.scalars()]


@router.get("/reminders")
async def reminders_by_status(
    session: SessionDep,
    status: ReminderStatus = ReminderStatus.MISSED,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ReminderOut]:
    rows = await session.execute(
        select(Reminder)
        .where(Reminder.status == status.value)
        .order_by(Reminder.remind_at.desc(), Reminder.id.desc())
        .limit(limit)
    )
    return [ReminderOut.model_validate(r, from_attributes=True) for r in rows.scalars()]


@router.post(
    "/reminders/{reminder_id}/snooze",
    status_code=201,
    responses={409: {"model": ErrorOut, "description": "the event is finished"}},
)
async def snooze(
    reminder_id: RowId, body: SnoozeIn, session: SessionDep, wake: WakeDep, now: NowDep
) -> ReminderOut:
    async with session.begin():
        original = await session.get(Reminder, reminder_id)
        if original is None:
            raise NotFound(f"reminder {reminder_id} not found")
        event = await load_event(session, original.event_id, for_update=True)
        if event is None or event.is_completed:
            raise Conflict("the event is finished; there is nothing to snooze")
        if body.minutes is not None:
            at = now + timedelta(minutes=body.minutes)
        else:
            assert body.until is not None
            at = aware_in(body.until, (await load_config(session)).timezone)
            if at <= now:
                raise InvalidInput("until", "must be in the future")
        snoozed = Reminder(
            event_id=event.id,
            remind_at=at,
            notification_type=original.notification_type,
            occurrence_start=original.occurrence_start,
            offset_minutes=None,
            version=event.version,
            status=ReminderStatus.PENDING.value,
        )
        session.add(snoozed)
        await session.flush()
        await session.refresh(snoozed)
    wake()
    return ReminderOut.model_validate(snoozed, from_attributes=True)
