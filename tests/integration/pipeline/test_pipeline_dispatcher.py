"""End to end through the native backend: PostgreSQL → dispatcher → cascade → queue."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text, update

from nudge.store.db import SessionFactory
from nudge.store.models import Channel, Event, Reminder, ReminderStatus
from tests.integration.pipeline.conftest import DispatcherFactory, EventFactory, NotifierFactory

# Bounded waits: a generous deadline, never a sleep standing in for an event.
SOON = 30.0


async def statuses(db: SessionFactory) -> dict[int, str]:
    async with db() as session:
        rows = (await session.execute(select(Reminder.id, Reminder.status))).all()
    return {rid: status for rid, status in rows}


async def wait_status(db: SessionFactory, reminder_id: int, status: str) -> None:
    """Poll the row (there is no event to await for a database change), bounded."""
    deadline = time.monotonic() + SOON
    while (current := (await statuses(db)).get(reminder_id)) != status:
        if time.monotonic() > deadline:
            raise TimeoutError(f"reminder {reminder_id} is {current}, not {status}")
        await asyncio.sleep(0.05)


async def test_reminder_arrives_at_its_time(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    n = await notifier()
    d = await dispatcher()
    assert d.backend == ["native"]
    remind_at = datetime.now(UTC) + timedelta(seconds=2)
    event, [desk, tele] = await make_event(
        remind_at=remind_at,
        channels=(Channel.DESKTOP, Channel.TELEGRAM),
        location="Main St 1",
    )
    d.wakeup.wake()
    await n.wait_for(lambda: len(n.sent) == 2, SOON)
    assert n.sent_ids() == [desk.id, tele.id]
    for delivery in n.deliveries:
        m = delivery.message
        # Not before its time (the cascade aims a few ms early per hop at most).
        assert delivery.received_at >= remind_at.timestamp() - 0.1
        assert m.remind_at == remind_at and m.event_title == "Dentist"
        assert m.event_location == "Main St 1" and not m.late
        assert m.event_start.utcoffset() is not None and m.event_id == event.id
    by_channel = {m.target_type: m for m in n.sent}
    assert by_channel[Channel.TELEGRAM].telegram_chat_id == "42"
    assert by_channel[Channel.DESKTOP].desktop_device_id == "dev-1"
    assert set((await statuses(db)).values()) == {"sent"}


async def test_edit_before_it_fires_delivers_only_the_new_reminder(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    n = await notifier()
    d = await dispatcher()
    event, [old] = await make_event(remind_at=datetime.now(UTC) + timedelta(seconds=1))
    d.wakeup.wake()
    await wait_status(db, old.id, "queued")  # its message is in the cascade now
    # What the API does on an edit: cancel the live reminders, bump the version,
    # write the new ones.
    async with db() as session, session.begin():
        await session.execute(update(Reminder).values(status="cancelled"))
        await session.execute(update(Event).values(version=Event.version + 1, title="Moved"))
        new = Reminder(
            event_id=event.id,
            remind_at=datetime.now(UTC) + timedelta(seconds=2),
            occurrence_start=event.start_time,
            offset_minutes=5,
            notification_type="desktop",
            version=2,
        )
        session.add(new)
    d.wakeup.wake()
    await n.wait_for(lambda: len(n.deliveries) == 2, SOON)
    assert n.sent_ids() == [new.id]
    assert n.sent[0].event_title == "Moved"
    stale = [x.message.reminder_id for x in n.deliveries if not x.claimed]
    assert stale == [old.id]
    assert (await statuses(db)) == {old.id: "cancelled", new.id: "sent"}


async def test_deleted_or_finished_event_delivers_nothing(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    n = await notifier()
    d = await dispatcher()
    soon = datetime.now(UTC) + timedelta(seconds=1)
    deleted, [r1] = await make_event(remind_at=soon)
    done, [r2] = await make_event(remind_at=soon)
    d.wakeup.wake()
    await wait_status(db, r1.id, "queued")
    await wait_status(db, r2.id, "queued")
    async with db() as session, session.begin():
        await session.execute(delete(Event).where(Event.id == deleted.id))
        await session.execute(update(Event).where(Event.id == done.id).values(is_completed=True))
        await session.execute(
            update(Reminder).where(Reminder.event_id == done.id).values(status="cancelled")
        )
    await n.wait_for(lambda: len(n.deliveries) == 2, SOON)
    assert n.sent == []
    assert await statuses(db) == {r2.id: "cancelled"}


async def test_reminder_beyond_the_horizon_stays_in_postgres_until_it_enters(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    n = await notifier()
    # Default horizon (1 hour): a 2-hour reminder is not published.
    d = await dispatcher()
    _, [far] = await make_event(remind_at=datetime.now(UTC) + timedelta(hours=2))
    _, [near] = await make_event(remind_at=datetime.now(UTC) + timedelta(milliseconds=500))
    d.wakeup.wake()
    await n.wait_for(lambda: len(n.sent) == 1, SOON)
    assert n.sent_ids() == [near.id]
    assert (await statuses(db))[far.id] == "pending"
    await d.halt()

    # A short horizon, no wake-up at all: the dispatcher sleeps until the reminder
    # enters the horizon and publishes it then.
    async with db() as session, session.begin():
        await session.execute(
            update(Reminder)
            .where(Reminder.id == far.id)
            .values(remind_at=datetime.now(UTC) + timedelta(seconds=4))
        )
    await dispatcher(horizon=timedelta(seconds=2), sweep_interval=timedelta(hours=1))
    assert (await statuses(db))[far.id] == "pending"
    await n.wait_for(lambda: len(n.sent) == 2, SOON)
    assert n.sent_ids() == sorted([near.id, far.id])


async def test_notify_wakes_a_dispatcher_in_another_process(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    """Inserting reminder rows notifies (a trigger); without it this dispatcher, never
    woken in-process, would sleep for an hour."""
    n = await notifier()
    await dispatcher(max_sleep=timedelta(hours=1), sweep_interval=timedelta(hours=1))
    _, [r] = await make_event(remind_at=datetime.now(UTC))
    await n.wait_for(lambda: len(n.sent) == 1, SOON)
    assert n.sent_ids() == [r.id]


async def test_two_dispatchers_publish_each_reminder_once(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    n = await notifier()
    now = datetime.now(UTC)
    ids: list[int] = []
    for i in range(40):
        _, rs = await make_event(
            remind_at=now + timedelta(milliseconds=25 * i),
            offsets=(0, 5, 10),
            channels=(Channel.DESKTOP, Channel.TELEGRAM),
        )
        ids += [r.id for r in rs]
    first = await dispatcher(batch_size=7)
    second = await dispatcher(batch_size=7)
    first.wakeup.wake()
    second.wakeup.wake()
    await n.wait_for(lambda: len(n.sent) == len(ids), SOON)
    received = sorted(x.message.reminder_id for x in n.deliveries)
    assert received == sorted(ids)  # every message exactly once: no duplicates at all


async def test_catch_up_delivers_late_within_the_window_and_misses_older(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    """Reminders that came due while nothing ran (pending, and queued whose message
    was lost): within the catch-up window they arrive flagged late, older → missed."""
    async with db() as session, session.begin():
        await session.execute(text("UPDATE user_config SET catchup_window_minutes = 60"))
    now = datetime.now(UTC)
    _, [late_pending] = await make_event(remind_at=now - timedelta(minutes=10))
    _, [late_queued] = await make_event(
        remind_at=now - timedelta(minutes=20), status=ReminderStatus.QUEUED
    )
    _, [too_old] = await make_event(remind_at=now - timedelta(minutes=90))
    _, [too_old_queued] = await make_event(
        remind_at=now - timedelta(hours=5), status=ReminderStatus.QUEUED
    )
    n = await notifier()
    await dispatcher()
    await n.wait_for(lambda: len(n.sent) == 2, SOON)
    assert n.sent_ids() == sorted([late_pending.id, late_queued.id])
    assert all(m.late for m in n.sent)
    final = await statuses(db)
    assert final[too_old.id] == final[too_old_queued.id] == "missed"


async def test_sweeper_republishes_lost_and_abandoned_reminders(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    now = datetime.now(UTC)
    # Queued, but its message never reached the broker (crash before publish).
    _, [lost] = await make_event(remind_at=now - timedelta(seconds=5), status=ReminderStatus.QUEUED)
    # Claimed by a notifier that died before settling it.
    _, [abandoned] = await make_event(
        remind_at=now - timedelta(seconds=5), status=ReminderStatus.DELIVERING
    )
    async with db() as session, session.begin():
        await session.execute(
            update(Reminder)
            .where(Reminder.id == abandoned.id)
            .values(claimed_at=now - timedelta(seconds=10), attempts=1)
        )
    _, [fresh] = await make_event(remind_at=now + timedelta(hours=2), status=ReminderStatus.QUEUED)
    n = await notifier(lease=timedelta(seconds=3))
    await dispatcher(grace=timedelta(seconds=1), lease=timedelta(seconds=3))
    await n.wait_for(lambda: len(n.sent) == 2, SOON)
    assert n.sent_ids() == sorted([lost.id, abandoned.id])
    assert (await statuses(db))[fresh.id] == "queued"  # not overdue: left alone


async def test_recurring_event_materializes_the_next_occurrence_in_wall_clock_time(
    db: SessionFactory, make_event: EventFactory
) -> None:
    from zoneinfo import ZoneInfo

    from nudge.dispatcher.materialize import materialize_due

    berlin = ZoneInfo("Europe/Berlin")
    # A daily 09:00 Berlin event whose stored occurrence (yesterday's) has passed.
    today = datetime.now(berlin).replace(hour=9, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=3)
    await make_event(start=first, rrule="FREQ=DAILY", offsets=(15,), status=ReminderStatus.SENT)
    async with db() as session, session.begin():
        await session.execute(
            update(Event).values(
                materialized_through=first,
                reminders=[{"offset_minutes": 15, "channels": ["desktop", "telegram"]}],
            )
        )
    written = await materialize_due(db)
    assert written == 2
    assert await materialize_due(db) == 0  # idempotent until that occurrence passes
    async with db() as session:
        pending = (
            (await session.execute(select(Reminder).where(Reminder.status == "pending")))
            .scalars()
            .all()
        )
        stored = (await session.execute(select(Event))).scalar_one()
    nxt = stored.materialized_through
    assert nxt is not None and nxt > datetime.now(UTC)
    local = nxt.astimezone(berlin)
    assert (local.hour, local.minute) == (9, 0)  # wall clock kept, whatever the DST offset
    assert {r.notification_type for r in pending} == {"desktop", "telegram"}
    for r in pending:
        assert r.occurrence_start == nxt
        assert r.remind_at == nxt - timedelta(minutes=15)
