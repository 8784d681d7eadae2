"""The sweeper: repairs what a crash or an outage left behind.

- ``queued`` reminders overdue by more than ``grace`` (message lost, or the
  dispatcher died between commit and publish, or a notifier released them) and
  ``delivering`` ones whose claim lease expired (notifier died mid-delivery) are
  published again, at most once per ``grace`` each (``queued_at`` is the last
  publish). The claim accepts both states, so the next notifier takes them over.
- Catch-up: reminders that came due while nothing ran are still delivered, flagged
  ``late`` by the claim; those older than the user's catch-up window
  (``user_config.catchup_window_minutes``) become ``missed`` instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text

from nudge.bus.metrics import MISSED, SWEPT
from nudge.bus.publisher import ReminderPublisher
from nudge.dispatcher.loop import DEFAULT_BATCH_SIZE
from nudge.store.db import SessionFactory
from nudge.store.ledger import LATE_AFTER, MESSAGE_COLUMNS, ClaimedReminder

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(seconds=30)

_MARK_MISSED = text(
    """
    UPDATE reminder AS r
    SET status = 'missed', last_error = 'not delivered within the catch-up window'
    FROM user_config AS u
    WHERE u.id = r.user_id
      AND r.remind_at < now() - u.catchup_window_minutes * interval '1 minute'
      AND (r.status IN ('pending', 'queued')
           OR (r.status = 'delivering' AND r.claimed_at < now() - CAST(:lease AS interval)))
    RETURNING r.id
    """
)

_TAKE_STUCK = text(
    f"""
    WITH stuck AS (
        SELECT r.id,
               CASE WHEN r.status = 'queued' THEN 'queued_overdue' ELSE 'lease_expired' END
                   AS reason
        FROM reminder AS r
        WHERE ((r.status = 'queued' AND r.remind_at < now() - CAST(:grace AS interval))
               OR (r.status = 'delivering'
                   AND r.claimed_at < now() - CAST(:lease AS interval)))
          AND (r.queued_at IS NULL OR r.queued_at < now() - CAST(:grace AS interval))
        ORDER BY r.remind_at
        LIMIT :batch
        FOR UPDATE OF r SKIP LOCKED
    )
    UPDATE reminder AS r SET queued_at = now()
    FROM stuck, event AS e, user_config AS u
    WHERE r.id = stuck.id AND e.id = r.event_id AND u.id = r.user_id
    RETURNING {MESSAGE_COLUMNS}, stuck.reason
    """
)


@dataclass(frozen=True)
class SweepResult:
    republished: int
    missed: int
    failed: int


async def mark_missed(session_factory: SessionFactory, lease: timedelta) -> int:
    async with session_factory() as session, session.begin():
        count = len((await session.execute(_MARK_MISSED, {"lease": lease})).all())
    if count:
        MISSED.inc(count)
        log.warning("%d reminders are older than the catch-up window: marked missed", count)
    return count


async def sweep(
    session_factory: SessionFactory,
    publisher: ReminderPublisher,
    *,
    grace: timedelta = DEFAULT_GRACE,
    lease: timedelta,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> SweepResult:
    missed = await mark_missed(session_factory, lease)
    republished = failed = 0
    while True:
        async with session_factory() as session, session.begin():
            rows = list(
                (
                    await session.execute(
                        _TAKE_STUCK,
                        {
                            "grace": grace,
                            "lease": lease,
                            "batch": batch_size,
                            "late_after": LATE_AFTER,
                        },
                    )
                ).mappings()
            )
        if not rows:
            break
        messages = [ClaimedReminder.from_row(row).to_message() for row in rows]
        results = await publisher.publish_many(messages)
        for row, error in zip(rows, results, strict=True):
            if error is None:
                SWEPT.labels(row["reason"]).inc()
                republished += 1
            else:  # queued_at moved on: tried again after another grace period
                failed += 1
        if failed or len(rows) < batch_size:
            break
    if republished or failed:
        log.info("sweeper: %d republished, %d failed", republished, failed)
    return SweepResult(republished, missed, failed)
