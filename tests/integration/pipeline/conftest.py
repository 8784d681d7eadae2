"""Fixtures for the reminder pipeline tests (real PostgreSQL and RabbitMQ).

Every test gets its own topology prefix under the session's one, and deletes the
exchanges and queues it declared afterwards, so messages of one test can never
reach the next (reminder ids restart at 1 in every test).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from nudge.bus.consumer import make_broker, subscribe_reminders
from nudge.bus.publisher import ReminderPublisher, open_publisher
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology, delete_topology
from nudge.config import Settings
from nudge.dispatcher.service import DispatcherOptions, run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store import ledger
from nudge.store.db import SessionFactory
from nudge.store.models import Channel, Event, Reminder, ReminderStatus

_test_numbers = itertools.count(1)


@pytest.fixture
async def pipe_settings(settings: Settings) -> AsyncIterator[Settings]:
    """The session's settings with a topology prefix of this test's own."""
    prefix = f"{settings.topology_prefix}t{next(_test_numbers)}."
    own = settings.model_copy(update={"topology_prefix": prefix})
    yield own
    await delete_topology(own.amqp_url, Topology(prefix))


@pytest.fixture
async def publisher(pipe_settings: Settings) -> AsyncIterator[ReminderPublisher]:
    pub = await open_publisher(pipe_settings)
    yield pub
    await pub.close()


@dataclass
class EventFactory:
    session_factory: SessionFactory

    async def __call__(
        self,
        *,
        title: str = "Dentist",
        start: datetime | None = None,
        offsets: tuple[int, ...] = (0,),
        channels: tuple[Channel, ...] = (Channel.DESKTOP,),
        remind_at: datetime | None = None,
        status: ReminderStatus = ReminderStatus.PENDING,
        timezone: str = "Europe/Berlin",
        rrule: str | None = None,
        **event_fields: Any,
    ) -> tuple[Event, list[Reminder]]:
        """An event and its reminders; ``remind_at`` overrides start − offset."""
        start = start or datetime.now(UTC) + timedelta(hours=1)
        async with self.session_factory() as session, session.begin():
            event = Event(
                title=title,
                start_time=start,
                timezone=timezone,
                rrule=rrule,
                description=event_fields.pop("description", "desc"),
                **event_fields,
            )
            session.add(event)
            await session.flush()
            reminders = [
                Reminder(
                    event_id=event.id,
                    remind_at=remind_at or start - timedelta(minutes=offset),
                    occurrence_start=start,
                    offset_minutes=offset,
                    notification_type=channel.value,
                    status=status.value,
                    version=event.version if event.version else 1,
                )
                for offset in offsets
                for channel in channels
            ]
            session.add_all(reminders)
        return event, reminders


@pytest.fixture
async def make_event(db: SessionFactory) -> EventFactory:
    async with db() as session, session.begin():
        from sqlalchemy import text

        await session.execute(
            text("UPDATE user_config SET telegram_chat_id = '42', desktop_device_id = 'dev-1'")
        )
    return EventFactory(db)


@dataclass
class Delivery:
    message: ReminderMessage
    received_at: float  # time.time()
    claimed: bool


@dataclass
class Notifier:
    """A minimal notifier: the consumer helper + claim + mark_sent, recording all."""

    deliveries: list[Delivery] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def sent(self) -> list[ReminderMessage]:
        return [d.message for d in self.deliveries if d.claimed]

    def sent_ids(self) -> list[int]:
        return sorted(m.reminder_id for m in self.sent)

    async def wait_for(self, predicate: Callable[[], bool], within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; deliveries: {self.deliveries}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


NotifierFactory = Callable[..., Awaitable[Notifier]]


@pytest.fixture
async def notifier(pipe_settings: Settings, db: SessionFactory) -> AsyncIterator[NotifierFactory]:
    brokers: list[RabbitBroker] = []

    async def start(
        channels: tuple[Channel, ...] = (Channel.DESKTOP, Channel.TELEGRAM),
        lease: timedelta = ledger.DEFAULT_LEASE,
    ) -> Notifier:
        notifier = Notifier()
        broker = make_broker(pipe_settings)

        async def handle(message: ReminderMessage) -> None:
            received = time.time()
            claimed = await ledger.claim(db, message.reminder_id, message.version, lease)
            if claimed is not None:
                await ledger.mark_sent(db, claimed.reminder_id, claimed.version)
            notifier.deliveries.append(Delivery(message, received, claimed is not None))
            notifier.changed.set()

        for channel in channels:
            subscribe_reminders(broker, pipe_settings, channel, handle)
        await broker.start()
        brokers.append(broker)
        return notifier

    yield start
    for broker in brokers:
        await broker.stop()


@dataclass
class RunningDispatcher:
    wakeup: DispatcherWakeup
    stop: asyncio.Event
    task: asyncio.Task[None]
    backend: list[str]

    async def halt(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


DispatcherFactory = Callable[..., Awaitable[RunningDispatcher]]


@pytest.fixture
async def dispatcher(
    pipe_settings: Settings, db: SessionFactory
) -> AsyncIterator[DispatcherFactory]:
    """Start in-process dispatchers (``run_dispatcher`` tasks); stopped at the end."""
    running: list[RunningDispatcher] = []

    async def start(**overrides: Any) -> RunningDispatcher:
        options = DispatcherOptions.from_settings(pipe_settings, **overrides)
        backend: list[str] = []
        ready = asyncio.Event()

        def on_ready(name: str) -> None:
            backend.append(name)
            ready.set()

        wakeup, stop = DispatcherWakeup(), asyncio.Event()
        task = asyncio.create_task(
            run_dispatcher(pipe_settings, db, wakeup, stop, options=options, on_ready=on_ready)
        )
        handle = RunningDispatcher(wakeup, stop, task, backend)
        running.append(handle)
        await asyncio.wait_for(ready.wait(), 30)
        return handle

    yield start
    for handle in running:
        if not handle.task.done():
            await handle.halt()
        else:
            handle.task.result()  # surfaces a crash of the dispatcher
