"""The delivery ledger: claim once, settle, stale and taken claims refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from nudge.store import ledger
from nudge.store.db import SessionFactory
from nudge.store.models import Channel, Reminder, ReminderStatus
from tests.integration.pipeline.conftest import EventFactory


async def row(db: SessionFactory, reminder_id: int) -> Reminder:
    async with db() as session:
        return (
            await session.execute(select(Reminder).where(Reminder.id == reminder_id))
        ).scalar_one()


async def test_claim_once_then_sent(db: SessionFactory, make_event: EventFactory) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    event, [r] = await make_event(
        start=start, status=ReminderStatus.QUEUED, location="Main St 1", timezone="Asia/Tokyo"
    )
    claimed = await ledger.claim(db, r.id, r.version)
    assert claimed is not None
    assert claimed.event_title == "Dentist" and claimed.event_location == "Main St 1"
    assert claimed.event_start == start and claimed.event_start.utcoffset() == timedelta(hours=9)
    assert claimed.desktop_device_id == "dev-1" and claimed.telegram_chat_id == "42"
    assert claimed.channel is Channel.DESKTOP and claimed.attempts == 1 and not claimed.late
    message = claimed.to_message()
    assert message.reminder_id == r.id and message.event_id == event.id

    assert await ledger.claim(db, r.id, r.version) is None  # taken, lease running
    assert await ledger.mark_sent(db, r.id, r.version)
    stored = await row(db, r.id)
    assert stored.status == "sent" and stored.is_sent and stored.sent_at is not None
    assert await ledger.claim(db, r.id, r.version) is None  # settled
    assert not await ledger.mark_sent(db, r.id, r.version)


async def test_stale_versions_and_cancelled_rows_are_refused(
    db: SessionFactory, make_event: EventFactory
) -> None:
    _, [r] = await make_event(status=ReminderStatus.QUEUED)
    assert await ledger.claim(db, r.id, r.version + 1) is None
    async with db() as session, session.begin():
        await session.execute(update(Reminder).values(status="cancelled"))
    assert await ledger.claim(db, r.id, r.version) is None


async def test_pending_is_claimable_only_once_due(
    db: SessionFactory, make_event: EventFactory
) -> None:
    now = datetime.now(UTC)
    _, [later] = await make_event(remind_at=now + timedelta(minutes=5))
    _, [due] = await make_event(remind_at=now - timedelta(minutes=3))
    assert await ledger.claim(db, later.id, later.version) is None
    claimed = await ledger.claim(db, due.id, due.version)
    assert claimed is not None and claimed.late  # more than a minute after remind_at


async def test_expired_lease_can_be_claimed_again(
    db: SessionFactory, make_event: EventFactory
) -> None:
    _, [r] = await make_event(status=ReminderStatus.QUEUED, remind_at=datetime.now(UTC))
    assert await ledger.claim(db, r.id, r.version) is not None
    assert await ledger.claim(db, r.id, r.version, lease=timedelta(hours=1)) is None
    async with db() as session, session.begin():
        await session.execute(
            update(Reminder).values(claimed_at=datetime.now(UTC) - timedelta(minutes=10))
        )
    again = await ledger.claim(db, r.id, r.version, lease=timedelta(minutes=5))
    assert again is not None and again.attempts == 2


async def test_release_retries_then_fails(db: SessionFactory, make_event: EventFactory) -> None:
    _, [r] = await make_event(status=ReminderStatus.QUEUED, remind_at=datetime.now(UTC))
    assert await ledger.claim(db, r.id, r.version) is not None
    assert await ledger.release(db, r.id, r.version, "timeout", max_attempts=2) is (
        ReminderStatus.QUEUED
    )
    assert await ledger.claim(db, r.id, r.version) is not None
    assert await ledger.release(db, r.id, r.version, "timeout again", max_attempts=2) is (
        ReminderStatus.FAILED
    )
    stored = await row(db, r.id)
    assert stored.status == "failed" and stored.last_error == "timeout again"
    assert await ledger.release(db, r.id, r.version, "x") is None


async def test_waiting_then_sent_or_failed(db: SessionFactory, make_event: EventFactory) -> None:
    _, [a, b] = await make_event(
        status=ReminderStatus.QUEUED, offsets=(0, 5), remind_at=datetime.now(UTC)
    )
    for r in (a, b):
        assert await ledger.claim(db, r.id, r.version) is not None
        assert await ledger.mark_waiting(db, r.id, r.version)
    waiting = await ledger.waiting_reminders(db, Channel.DESKTOP)
    assert sorted(w.reminder_id for w in waiting) == [a.id, b.id]
    assert await ledger.waiting_reminders(db, Channel.TELEGRAM) == []
    assert await ledger.mark_sent(db, a.id, a.version)
    assert await ledger.mark_failed(db, b.id, b.version, "device unknown")
    assert (await row(db, b.id)).last_error == "device unknown"
    assert await ledger.waiting_reminders(db) == []
