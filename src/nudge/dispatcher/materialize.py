"""Recurring events: as occurrences pass, write the next occurrence's reminders.

A recurring event only ever has the reminders of one occurrence stored; the API
writes those of the next occurrence and records it in ``event.materialized_through``.
Once that occurrence has started, the dispatcher (each sweep) writes the reminders
of the following one, in the event's wall-clock zone (so 09:00 stays 09:00 across
DST), and moves ``materialized_through`` on. A daily event thus reminds every day
without storing infinite rows. Events are locked ``FOR UPDATE SKIP LOCKED`` and the
``uq_reminder_point`` index makes a second writer harmless, so several dispatchers
are safe. After an outage, occurrences that passed meanwhile are skipped (their
reminders would all be in the past), not written as missed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from nudge.domain.recurrence import next_occurrence
from nudge.store.db import SessionFactory
from nudge.store.event_reminders import write_occurrence
from nudge.store.models import Event, UserConfig

log = logging.getLogger(__name__)

BATCH = 200


async def materialize_due(
    session_factory: SessionFactory, *, ahead: timedelta = timedelta(0)
) -> int:
    """Advance every recurring event whose materialized occurrence starts before
    ``now + ahead``; returns how many reminder rows were written."""
    written = 0
    while True:
        now = datetime.now(UTC)
        async with session_factory() as session, session.begin():
            events = (
                (
                    await session.execute(
                        select(Event)
                        .where(
                            Event.rrule.is_not(None),
                            Event.is_completed.is_(False),
                            Event.materialized_through.is_not(None),
                            Event.materialized_through <= now + ahead,
                        )
                        .order_by(Event.materialized_through)
                        .limit(BATCH)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            if not events:
                return written
            config = (await session.execute(select(UserConfig))).scalar_one()
            for event in events:
                current = event.materialized_through
                assert current is not None and event.rrule is not None
                following = next_occurrence(
                    event.start_time, event.timezone, event.rrule, max(current, now)
                )
                written += await write_occurrence(session, event, config, following, now)
        if len(events) < BATCH:
            return written
