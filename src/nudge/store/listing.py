"""``GET /events``: plain listing, search, and time windows with recurring events
expanded into occurrences, all with keyset (cursor) pagination."""

from __future__ import annotations

import base64
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, String, and_, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from nudge.domain.recurrence import occurrences_between
from nudge.store.models import Event


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    q: str | None
    completed: bool | None


@dataclass(frozen=True)
class Occurrence:
    event: Event
    start: datetime

    @property
    def end(self) -> datetime | None:
        if self.event.end_time is None:
            return None
        return self.start + (self.event.end_time - self.event.start_time)


def encode_cursor(at: datetime, event_id: int) -> str:
    raw = json.dumps([at.isoformat(), event_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, event_id = json.loads(raw)
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None or not isinstance(event_id, int):
            raise ValueError
        return parsed, event_id
    except (ValueError, TypeError):
        raise BadCursor("is not a cursor this API handed out") from None


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(statement: Select[Event], filters: Filters) -> Select[Event]:
    if filters.q:
        # Rendered into the statement, not bound: with a bound pattern asyncpg's cached
        # statement soon gets PostgreSQL's generic plan, which cannot tell a rare word
        # from a common one and walks the start_time index instead of the trigram ones
        # (measured on 100,000 events: search p50 98 ms bound, 8 ms rendered).
        pattern = literal(_like(filters.q), String(), literal_execute=True)
        statement = statement.where(
            or_(Event.title.ilike(pattern), Event.description.ilike(pattern))
        )
    if filters.completed is not None:
        statement = statement.where(Event.is_completed.is_(filters.completed))
    return statement


async def list_events(
    session: AsyncSession, filters: Filters, limit: int, cursor: tuple[datetime, int] | None
) -> tuple[list[Event], str | None]:
    statement = _filtered(select(Event), filters).order_by(Event.start_time, Event.id)
    if cursor is not None:
        statement = statement.where(tuple_(Event.start_time, Event.id) > tuple_(*cursor))
    events = list((await session.execute(statement.limit(limit + 1))).scalars())
    if len(events) <= limit:
        return events, None
    last = events[limit - 1]
    return events[:limit], encode_cursor(last.start_time, last.id)


def _expand(
    event: Event, start: datetime, end: datetime, after: tuple[datetime, int] | None, limit: int
) -> Iterator[Occurrence]:
    for at in occurrences_between(
        event.start_time, event.timezone, event.rrule, start, end, limit=limit + 2
    ):
        if after is None or (at, event.id) > after:
            yield Occurrence(event, at)


async def list_window(
    session: AsyncSession,
    filters: Filters,
    start: datetime,
    end: datetime,
    limit: int,
    cursor: tuple[datetime, int] | None,
) -> tuple[list[Occurrence], str | None]:
    """Occurrences with ``start <= occurrence < end`` ordered by (start, event id)."""
    lower = max(start, cursor[0]) if cursor else start
    one_offs = _filtered(select(Event), filters).where(
        Event.rrule.is_(None), Event.start_time >= lower, Event.start_time < end
    )
    if cursor is not None:
        one_offs = one_offs.where(tuple_(Event.start_time, Event.id) > tuple_(*cursor))
    one_offs = one_offs.order_by(Event.start_time, Event.id).limit(limit + 1)
    recurring = _filtered(select(Event), filters).where(
        and_(Event.rrule.is_not(None), Event.start_time < end)
    )
    single = [Occurrence(e, e.start_time) for e in (await session.execute(one_offs)).scalars()]
    # Recurring events are few next to one-offs; expanding each in Python is cheap.
    expanded = [
        list(_expand(e, lower, end, cursor, limit))
        for e in (await session.execute(recurring)).scalars()
    ]
    merged = heapq.merge(single, *expanded, key=lambda o: (o.start, o.event.id))
    page = [o for _, o in zip(range(limit + 1), merged, strict=False)]
    if len(page) <= limit:
        return page, None
    last = page[limit - 1]
    return page[:limit], encode_cursor(last.start, last.event.id)


DEFAULT_WINDOW = timedelta(days=366)
