"""Delivery through the desktop notifier: queue → claim → WebSocket → ack → ledger."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY
from sqlalchemy import text

from nudge.config import Settings
from nudge.dispatcher.service import DispatcherOptions, run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store.db import SessionFactory
from nudge.store.ledger import EARLY_TOLERANCE
from nudge.store.models import ReminderStatus
from tests.integration.desktop_notifier.dn_support import (
    DEVICE,
    ClientFactory,
    NotifierFactory,
    Reminders,
    eventually,
)


def stale_dropped() -> float:
    return REGISTRY.get_sample_value("nudge_reminders_stale_dropped_total") or 0.0


async def test_reminder_reaches_client_at_its_time_and_is_sent_after_ack(
    dn_settings: Settings,
    db: SessionFactory,
    reminders: Reminders,
    notifier: NotifierFactory,
    client: ClientFactory,
) -> None:
    """End to end through the real dispatcher: a pending row due in two seconds."""
    n = await notifier()
    c = await client(n.url, auto_ack=False)
    remind_at = datetime.now(UTC) + timedelta(seconds=2)
    message = await reminders.add(
        title="Dentist", remind_at=remind_at, status=ReminderStatus.PENDING
    )
    stop = asyncio.Event()
    dispatcher = asyncio.create_task(
        run_dispatcher(
            dn_settings,
            db,
            DispatcherWakeup(),
            stop,
            options=DispatcherOptions.from_settings(dn_settings),
        )
    )
    try:
        await c.wait_for(lambda: len(c.frames) == 1)
        received = datetime.now(UTC)
        frame = c.frames[0]
        assert frame["type"] == "reminder"
        assert frame["reminder_id"] == message.reminder_id
        assert frame["event_title"] == "Dentist"
        assert frame["desktop_device_id"] == DEVICE
        assert frame["late"] is False
        assert received >= remind_at - EARLY_TOLERANCE  # not before its time
        # Pushed but not acked: still delivering (the ack decides).
        assert await reminders.status(message.reminder_id) == "delivering"
        await c.ack(message.reminder_id)
        await reminders.wait_status(message.reminder_id, "sent")
        async with db() as session:
            is_sent = await session.scalar(
                text("SELECT is_sent FROM reminder WHERE id = :id"), {"id": message.reminder_id}
            )
        assert is_sent is True
    finally:
        stop.set()
        await asyncio.wait_for(dispatcher, 30)


async def test_unacked_reminder_becomes_waiting_and_is_pushed_again_on_reconnect(
    reminders: Reminders, notifier: NotifierFactory, client: ClientFactory
) -> None:
    n = await notifier(ack_timeout=1.0)
    silent = await client(n.url, auto_ack=False)
    message = await reminders.add_and_publish()
    await silent.wait_for(lambda: silent.ids() == [message.reminder_id])
    await reminders.wait_status(message.reminder_id, "waiting")
    await silent.close()
    again = await client(n.url)
    await again.wait_for(lambda: again.ids() == [message.reminder_id])
    await reminders.wait_status(message.reminder_id, "sent")


async def test_offline_device_gets_waiting_reminders_oldest_first_exactly_once(
    reminders: Reminders, notifier: NotifierFactory, client: ClientFactory
) -> None:
    n = await notifier()
    now = datetime.now(UTC)
    newer = await reminders.add_and_publish(title="newer", remind_at=now)
    older = await reminders.add_and_publish(title="older", remind_at=now - timedelta(minutes=5))
    await reminders.wait_status(newer.reminder_id, "waiting")
    await reminders.wait_status(older.reminder_id, "waiting")

    first = await client(n.url)
    await first.wait_for(lambda: len(first.ids()) == 2)
    assert first.ids() == [older.reminder_id, newer.reminder_id]
    late = {f["event_title"]: f["late"] for f in first.frames}
    assert late == {"older": True, "newer": False}
    await reminders.wait_status(older.reminder_id, "sent")
    await reminders.wait_status(newer.reminder_id, "sent")
    await first.close()

    # A later reconnect gets nothing again: the next frame it sees is a new reminder.
    second = await client(n.url)
    fresh = await reminders.add_and_publish(title="fresh")
    await second.wait_for(lambda: len(second.ids()) >= 1)
    await reminders.wait_status(fresh.reminder_id, "sent")
    assert second.ids() == [fresh.reminder_id]
    assert first.ids() == [older.reminder_id, newer.reminder_id]


async def test_every_connection_of_the_device_receives_it(
    reminders: Reminders, notifier: NotifierFactory, client: ClientFactory
) -> None:
    n = await notifier()
    acking = await client(n.url)
    silent = await client(n.url, auto_ack=False)
    await eventually(lambda: _true(n.notifier.hub.connection_count == 2), what="both connected")
    message = await reminders.add_and_publish()
    await acking.wait_for(lambda: acking.ids() == [message.reminder_id])
    await silent.wait_for(lambda: silent.ids() == [message.reminder_id])
    await reminders.wait_status(message.reminder_id, "sent")


async def _true(value: bool) -> bool:
    return value


async def test_stale_messages_never_reach_the_client(
    db: SessionFactory, reminders: Reminders, notifier: NotifierFactory, client: ClientFactory
) -> None:
    n = await notifier()
    c = await client(n.url)
    edited = await reminders.add(title="edited")
    deleted = await reminders.add(title="deleted")
    async with db() as session, session.begin():
        # What an edit does: the old reminder is cancelled, the event re-versioned,
        # and a new reminder row carries the new version.
        await session.execute(
            text("UPDATE reminder SET status = 'cancelled' WHERE id = :id"),
            {"id": edited.reminder_id},
        )
        await session.execute(
            text("UPDATE event SET version = version + 1 WHERE id = :id"),
            {"id": edited.event_id},
        )
        await session.execute(text("DELETE FROM event WHERE id = :id"), {"id": deleted.event_id})
    before = stale_dropped()
    await reminders.publish(edited)
    await reminders.publish(deleted)
    await eventually(lambda: _true(stale_dropped() >= before + 2), what="both dropped")

    fresh = await reminders.add_and_publish(title="fresh")
    await c.wait_for(lambda: len(c.ids()) >= 1)
    await reminders.wait_status(fresh.reminder_id, "sent")
    assert c.ids() == [fresh.reminder_id]
    assert await reminders.status(edited.reminder_id) == "cancelled"


async def test_late_ack_after_waiting_marks_it_sent(
    reminders: Reminders, notifier: NotifierFactory, client: ClientFactory
) -> None:
    n = await notifier(ack_timeout=0.5)
    slow = await client(n.url, auto_ack=False)
    message = await reminders.add_and_publish()
    await slow.wait_for(lambda: slow.ids() == [message.reminder_id])
    await reminders.wait_status(message.reminder_id, "waiting")
    await slow.ack(message.reminder_id)
    await reminders.wait_status(message.reminder_id, "sent")
