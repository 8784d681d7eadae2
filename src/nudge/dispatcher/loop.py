"""The horizon pass: publish the pending reminders that are due within the horizon.

PostgreSQL is the source of truth; RabbitMQ only ever holds reminders due within
the horizon. One pass takes batches of ``pending`` rows with ``remind_at <= now +
horizon`` (``FOR UPDATE SKIP LOCKED``, so several dispatchers never take the same
row), marks them ``queued`` and commits, and only then publishes each with delay
``remind_at − now`` and publisher confirms. Committing first means a notifier that
receives a zero-delay message at once always finds the row ``queued``; a crash
between commit and publish leaves ``queued`` rows that the sweeper publishes again.
A failed publish puts its rows back to ``pending`` for the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text

from nudge.bus.publisher import ReminderPublisher
from nudge.bus.schema import ReminderMessage
from nudge.store.db import SessionFactory
from nudge.store.ledger import LATE_AFTER, MESSAGE_COLUMNS, ClaimedReminder

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500

_TAKE_DUE = text(
    f"""
    WITH due AS (
        SELECT r.id FROM reminder AS r
        JOIN user_config AS u ON u.id = r.user_id
        WHERE r.status = 'pending'
          AND r.remind_at <= now() + CAST(:horizon AS interval)
          AND r.remind_at >= now() - u.catchup_window_minutes * interval '1 minute'
        ORDER BY r.remind_at
        LIMIT :batch
        FOR UPDATE OF r SKIP LOCKED
    )
    UPDATE reminder AS r SET status = 'queued', queued_at = now()
    FROM due, event AS e, user_config AS u
    WHERE r.id = due.id AND e.id = r.event_id AND u.id = r.user_id
    RETURNING {MESSAGE_COLUMNS}
    """
)

_BACK_TO_PENDING = text(
    """
    UPDATE reminder SET status = 'pending', queued_at = NULL
    WHERE id = :id AND version = :version AND status = 'queued'
    """
)

_NEXT_PENDING = text("SELECT min(remind_at) FROM reminder WHERE status = 'pending'")


class PublishFailed(Exception):
    """Some messages of a pass could not be published; their rows are pending again."""


@dataclass(frozen=True)
class PassResult:
    published: int
    next_pending_at: datetime | None


async def take_due(
    session_factory: SessionFactory, horizon: timedelta, batch_size: int
) -> list[ReminderMessage]:
    """Mark up to ``batch_size`` due pending reminders queued (committed) → messages."""
    async with session_factory() as session, session.begin():
        rows = (
            await session.execute(
                _TAKE_DUE, {"horizon": horizon, "batch": batch_size, "late_after": LATE_AFTER}
            )
        ).mappings()
        messages = [ClaimedReminder.from_row(row).to_message() for row in rows]
    messages.sort(key=lambda m: m.remind_at)
    return messages


async def back_to_pending(
    session_factory: SessionFactory, messages: Sequence[ReminderMessage]
) -> None:
    async with session_factory() as session, session.begin():
        for m in messages:
            await session.execute(_BACK_TO_PENDING, {"id": m.reminder_id, "version": m.version})


async def next_pending_at(session_factory: SessionFactory) -> datetime | None:
    async with session_factory() as session:
        value: datetime | None = (await session.execute(_NEXT_PENDING)).scalar_one()
        return value


async def publish_or_restore(
    session_factory: SessionFactory,
    publisher: ReminderPublisher,
    messages: Sequence[ReminderMessage],
) -> None:
    results = await publisher.publish_many(messages)
    failed = [m for m, error in zip(messages, results, strict=True) if error is not None]
    if failed:
        first = next(e for e in results if e is not None)
        log.warning("%d of %d publishes failed: %r", len(failed), len(messages), first)
        try:
            await back_to_pending(session_factory, failed)
        except Exception:  # the sweeper republishes them once overdue
            log.exception("could not put unpublished reminders back to pending")
        raise PublishFailed(f"{len(failed)} publishes failed: {first!r}") from first


async def dispatch_pass(
    session_factory: SessionFactory,
    publisher: ReminderPublisher,
    horizon: timedelta,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> PassResult:
    """Publish every pending reminder within the horizon; then report the next one."""
    published = 0
    while True:
        messages = await take_due(session_factory, horizon, batch_size)
        if messages:
            await publish_or_restore(session_factory, publisher, messages)
            published += len(messages)
        if len(messages) < batch_size:
            break
    if published:
        log.debug("published %d reminders", published)
    return PassResult(published, await next_pending_at(session_factory))
