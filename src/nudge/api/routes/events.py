"""Events: create, read, list and search, replace, patch, delete, finish."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from nudge.api.deps import NowDep, SessionDep, WakeDep
from nudge.api.errors import InvalidInput, NotFound
from nudge.api.event_input import aware_in, event_values
from nudge.api.schemas import (
    EventFields,
    EventIn,
    EventOut,
    EventPage,
    OccurrenceOut,
    Timestamp,
)
from nudge.store.event_reminders import (
    advance_recurring,
    cancel_live_reminders,
    rewrite_reminders,
)
from nudge.store.listing import (
    DEFAULT_WINDOW,
    BadCursor,
    Filters,
    Occurrence,
    decode_cursor,
    list_events,
    list_window,
)
from nudge.store.models import Event
from nudge.store.queries import load_config, load_event, next_reminder_times

router = APIRouter(tags=["events"])

EventId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _local(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone))


def _out(event: Event, next_at: datetime | None) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "description": event.description,
        "start_time": _local(event.start_time, event.timezone),
        "end_time": _local(event.end_time, event.timezone) if event.end_time else None,
        "location": event.location,
        "timezone": event.timezone,
        "all_day": event.all_day,
        "rrule": event.rrule,
        "reminders": event.reminders,
        "is_completed": event.is_completed,
        "version": event.version,
        "created_at": event.created_at,
        "updated_at": event.updated_at,
        "next_reminder_at": next_at,
    }


async def _event_out(session: AsyncSession, event: Event) -> EventOut:
    next_at = (await next_reminder_times(session, [event.id])).get(event.id)
    return EventOut.model_validate(_out(event, next_at))


async def _existing(session: AsyncSession, event_id: int) -> Event:
    event = await load_event(session, event_id, for_update=True)
    if event is None:
        raise NotFound(f"event {event_id} not found")
    return event


def _fields_of(event: Event) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EventFields.model_fields}


async def _save(session: AsyncSession, event: Event, values: dict[str, Any], now: datetime) -> None:
    config = await load_config(session)
    for name, value in values.items():
        setattr(event, name, value)
    event.version += 1
    event.updated_at = now
    await rewrite_reminders(session, event, config, now)


@router.post("/events", status_code=201)
async def create_event(body: EventIn, session: SessionDep, wake: WakeDep, now: NowDep) -> EventOut:
    async with session.begin():
        config = await load_config(session)
        event = Event(**event_values(body.model_dump(), config.timezone), version=1)
        event.created_at = event.updated_at = now
        session.add(event)
        await session.flush()
        next_at = await rewrite_reminders(session, event, config, now, new=True)
    wake()
    # The reminders were written just now: no need to read them back.
    return EventOut.model_validate(_out(event, next_at))


@router.get("/events/{event_id}")
async def get_event(event_id: EventId, session: SessionDep) -> EventOut:
    event = await load_event(session, event_id)
    if event is None:
        raise NotFound(f"event {event_id} not found")
    return await _event_out(session, event)


@router.put("/events/{event_id}")
async def replace_event(
    event_id: EventId, body: EventIn, session: SessionDep, wake: WakeDep, now: NowDep
) -> EventOut:
    async with session.begin():
        event = await _existing(session, event_id)
        config = await load_config(session)
        await _save(session, event, event_values(body.model_dump(), config.timezone), now)
    wake()
    return await _event_out(session, event)


@router.patch("/events/{event_id}")
async def patch_event(
    event_id: EventId, body: EventFields, session: SessionDep, wake: WakeDep, now: NowDep
) -> EventOut:
    async with session.begin():
        event = await _existing(session, event_id)
        config = await load_config(session)
        changes = body.model_dump(exclude_unset=True)
        merged = _fields_of(event) | changes
        if "timezone" in changes and "start_time" not in changes:
            # Moving an event to another zone keeps its wall-clock time.
            merged["start_time"] = _local(event.start_time, event.timezone).replace(tzinfo=None)
            if event.end_time is not None and "end_time" not in changes:
                merged["end_time"] = _local(event.end_time, event.timezone).replace(tzinfo=None)
        await _save(session, event, event_values(merged, config.timezone), now)
    wake()
    return await _event_out(session, event)


@router.delete("/events/{event_id}", status_code=204)
async def delete_event(event_id: EventId, session: SessionDep) -> Response:
    async with session.begin():
        event = await _existing(session, event_id)
        # Reminder rows go with the event; a message already in RabbitMQ finds no
        # row to claim and is dropped.
        await session.delete(event)
    return Response(status_code=204)


@router.post("/events/{event_id}/done")
async def finish_event(
    event_id: EventId,
    session: SessionDep,
    wake: WakeDep,
    now: NowDep,
    series: Annotated[
        bool, Query(description="finish every occurrence of a recurring event")
    ] = False,
) -> EventOut:
    async with session.begin():
        event = await _existing(session, event_id)
        if not event.is_completed:
            event.updated_at = now
            if event.rrule and not series:
                config = await load_config(session)
                if await advance_recurring(session, event, config, now) is None:
                    event.is_completed = True
            else:
                event.is_completed = True
                event.version += 1
                await cancel_live_reminders(session, event.id)
    wake()
    return await _event_out(session, event)


@router.get("/events")
async def search_events(
    session: SessionDep,
    now: NowDep,
    q: Annotated[
        str | None, Query(max_length=200, description="search title and description")
    ] = None,
    from_: Annotated[Timestamp | None, Query(alias="from")] = None,
    to: Annotated[Timestamp | None, Query()] = None,
    completed: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> EventPage:
    if q is not None and "\x00" in q:
        raise InvalidInput("q", "must not contain NUL characters")
    try:
        position = decode_cursor(cursor) if cursor else None
    except BadCursor as exc:
        raise InvalidInput("cursor", str(exc)) from None
    filters = Filters(q=q or None, completed=completed)
    if from_ is None and to is None:
        events, next_cursor = await list_events(session, filters, limit, position)
        times = await next_reminder_times(session, [e.id for e in events])
        return EventPage(
            items=[EventOut.model_validate(_out(e, times.get(e.id))) for e in events],
            next_cursor=next_cursor,
        )
    zone = (await load_config(session)).timezone
    start = aware_in(from_, zone) if from_ is not None else now
    end = aware_in(to, zone) if to is not None else start + DEFAULT_WINDOW
    if end <= start:
        raise InvalidInput("to", "must be after from")
    occurrences, next_cursor = await list_window(session, filters, start, end, limit, position)
    times = await next_reminder_times(session, list({o.event.id for o in occurrences}))
    return EventPage(
        items=[_occurrence_out(o, times.get(o.event.id)) for o in occurrences],
        next_cursor=next_cursor,
    )


def _occurrence_out(occurrence: Occurrence, next_at: datetime | None) -> OccurrenceOut:
    zone = occurrence.event.timezone
    end = occurrence.end
    return OccurrenceOut.model_validate(
        _out(occurrence.event, next_at)
        | {
            "occurrence_start": _local(occurrence.start, zone),
            "occurrence_end": _local(end, zone) if end else None,
        }
    )
