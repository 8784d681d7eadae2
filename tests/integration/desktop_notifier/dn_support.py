"""Helpers of the desktop notifier tests: clients, notifiers, reminders, waiting."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from nudge.bus.publisher import ReminderPublisher
from nudge.bus.schema import ReminderMessage
from nudge.config import Settings
from nudge.desktop_notifier.consumer import DesktopNotifier
from nudge.store.db import SessionFactory
from nudge.store.models import Channel, Event, Reminder, ReminderStatus

DEVICE = "dev-1"
WITHIN = 30.0
_numbers = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def eventually(
    predicate: Callable[[], Awaitable[bool]], within: float = WITHIN, what: str = "condition"
) -> None:
    deadline = time.monotonic() + within
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        await asyncio.sleep(0.05)


@dataclass
class Reminders:
    """Inserts events with one desktop reminder each and publishes their messages."""

    db: SessionFactory
    publisher: ReminderPublisher

    async def add(
        self,
        *,
        title: str = "Dentist",
        remind_at: datetime | None = None,
        status: ReminderStatus = ReminderStatus.QUEUED,
    ) -> ReminderMessage:
        remind_at = remind_at or datetime.now(UTC)
        start = remind_at + timedelta(minutes=15)
        async with self.db() as session, session.begin():
            event = Event(title=title, start_time=start, timezone="Europe/Berlin")
            session.add(event)
            await session.flush()
            reminder = Reminder(
                event_id=event.id,
                remind_at=remind_at,
                occurrence_start=start,
                offset_minutes=15,
                notification_type=Channel.DESKTOP.value,
                status=status.value,
                version=1,
            )
            session.add(reminder)
            await session.flush()
            return ReminderMessage(
                reminder_id=reminder.id,
                version=1,
                event_id=event.id,
                event_title=title,
                event_start=start,
                remind_at=remind_at,
                target_type=Channel.DESKTOP,
                desktop_device_id=DEVICE,
            )

    async def publish(self, message: ReminderMessage) -> None:
        await self.publisher.publish_due(message)

    async def add_and_publish(self, **kwargs: Any) -> ReminderMessage:
        message = await self.add(**kwargs)
        await self.publish(message)
        return message

    async def status(self, reminder_id: int) -> str:
        async with self.db() as session:
            value = await session.scalar(
                text("SELECT status FROM reminder WHERE id = :id"), {"id": reminder_id}
            )
        return str(value)

    async def wait_status(self, reminder_id: int, status: str, within: float = WITHIN) -> None:
        async def reached() -> bool:
            return await self.status(reminder_id) == status

        await eventually(reached, within, f"reminder {reminder_id} {status}")


# -- notifiers ---------------------------------------------------------------------------


@dataclass
class RunningNotifier:
    settings: Settings
    notifier: DesktopNotifier
    stop_event: asyncio.Event
    task: asyncio.Task[None]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.settings.ws_port}/ws"

    async def stop(self) -> None:
        self.stop_event.set()
        await asyncio.wait_for(self.task, 60)


NotifierFactory = Callable[..., Awaitable[RunningNotifier]]
FAST = {"ack_timeout": 2.0, "ping_interval": 5.0, "ping_timeout": 5.0}


@dataclass
class ChildNotifier:
    """``nudge desktop-notifier`` as a child process."""

    settings: Settings
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.settings.ws_port}/ws"

    def spawn(self) -> None:
        code = (
            "from nudge.config import load_settings; "
            "from nudge.desktop_notifier.service import main; main(load_settings())"
        )
        self.process = subprocess.Popen([sys.executable, "-c", code], env=os.environ | self.env)

    async def start(self) -> None:
        self.spawn()
        health = f"http://127.0.0.1:{self.settings.ws_port}/healthz"

        async def healthy() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"notifier exited with {self.process.returncode}")
            try:
                async with httpx.AsyncClient() as client:
                    return (await client.get(health, timeout=1)).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(healthy, 60, "notifier healthy")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def terminate(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


ChildFactory = Callable[..., ChildNotifier]


# -- clients -----------------------------------------------------------------------------


@dataclass
class Client:
    """A desktop client: collects reminder frames, acks them when ``auto_ack``."""

    ws: ClientConnection
    auto_ack: bool = True
    frames: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                self.frames.append(frame)
                if self.auto_ack and frame.get("type") == "reminder":
                    await self.ack(frame["reminder_id"])
                self.changed.set()
        self.changed.set()

    async def ack(self, reminder_id: int) -> None:
        await self.ws.send(json.dumps({"type": "ack", "reminder_id": reminder_id}))

    def ids(self) -> list[int]:
        return [f["reminder_id"] for f in self.frames if f.get("type") == "reminder"]

    async def wait_for(self, predicate: Callable[[], bool], within: float = WITHIN) -> None:
        deadline = time.monotonic() + within
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"condition not met; frames so far: {self.frames}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)

    async def wait_ids(self, count: int, within: float = WITHIN) -> list[int]:
        await self.wait_for(lambda: len(self.ids()) >= count, within)
        return self.ids()

    async def close(self) -> None:
        await self.ws.close()
        if self.reader is not None:
            await self.reader


ClientFactory = Callable[..., Awaitable[Client]]


async def close_code(ws: ClientConnection, within: float = WITHIN) -> tuple[int | None, str]:
    """Wait for the server to close ``ws``; its close code and reason."""
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(within):
            while True:
                await ws.recv()
    return ws.close_code, ws.close_reason or ""
