"""Fixtures for the desktop notifier tests: real PostgreSQL, RabbitMQ and WebSockets.

Each test gets a topology prefix of its own (deleted afterwards), a registered
device ``dev-1``, notifiers run in-process (``serve``) or as child processes, and
WebSocket clients from the ``websockets`` package. Helpers live in ``dn_support``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from websockets.asyncio.client import connect

from nudge.bus.publisher import ReminderPublisher, open_publisher
from nudge.bus.topology import Topology, delete_topology
from nudge.config import Settings
from nudge.desktop_notifier.consumer import DesktopNotifier, NotifierOptions
from nudge.desktop_notifier.service import serve
from nudge.store.db import SessionFactory
from tests.integration.desktop_notifier.dn_support import (
    DEVICE,
    FAST,
    ChildFactory,
    ChildNotifier,
    Client,
    ClientFactory,
    NotifierFactory,
    Reminders,
    RunningNotifier,
    free_port,
)

_numbers = itertools.count(1)


@pytest.fixture
async def dn_settings(settings: Settings, db: SessionFactory) -> AsyncIterator[Settings]:
    """Session settings with this test's own topology prefix and WebSocket port, and
    ``dev-1`` registered as the desktop device."""
    own = settings.model_copy(
        update={
            "topology_prefix": f"{settings.topology_prefix}dn{next(_numbers)}.",
            "ws_port": free_port(),
        }
    )
    async with db() as session, session.begin():
        await session.execute(text("UPDATE user_config SET desktop_device_id = :d"), {"d": DEVICE})
    yield own
    await delete_topology(own.amqp_url, Topology.from_settings(own))


@pytest.fixture
async def publisher(dn_settings: Settings) -> AsyncIterator[ReminderPublisher]:
    pub = await open_publisher(dn_settings)
    yield pub
    await pub.close()


@pytest.fixture
def reminders(db: SessionFactory, publisher: ReminderPublisher) -> Reminders:
    return Reminders(db, publisher)


@pytest.fixture
async def notifier(dn_settings: Settings) -> AsyncIterator[NotifierFactory]:
    """Start in-process notifiers (``serve``); each on a port of its own after the first."""
    running: list[RunningNotifier] = []

    async def start(
        settings_update: dict[str, Any] | None = None, **overrides: Any
    ) -> RunningNotifier:
        update = dict(settings_update or {})
        if running:
            update["ws_port"] = free_port()
        own = dn_settings.model_copy(update=update)
        options = NotifierOptions(**(FAST | overrides))
        stop = asyncio.Event()
        ready: asyncio.Future[DesktopNotifier] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(serve(own, options, stop=stop, on_ready=ready.set_result))
        done, _ = await asyncio.wait({task, ready}, timeout=30, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()
        handle = RunningNotifier(own, await ready, stop, task)
        running.append(handle)
        return handle

    yield start
    for handle in running:
        if not handle.task.done():
            await handle.stop()
        else:
            handle.task.result()


@pytest.fixture
async def child_notifier(dn_settings: Settings) -> AsyncIterator[ChildFactory]:
    children: list[ChildNotifier] = []

    def make(**options: Any) -> ChildNotifier:
        own = dn_settings
        if children:
            own = dn_settings.model_copy(update={"ws_port": free_port()})
        env = {
            "NUDGE_DATABASE_URL": own.database_url,
            "NUDGE_AMQP_URL": own.amqp_url,
            "NUDGE_TOPOLOGY_PREFIX": own.topology_prefix,
            "NUDGE_WS_HOST": "127.0.0.1",
            "NUDGE_WS_PORT": str(own.ws_port),
            "NUDGE_DELAY_BACKEND": own.delay_backend,
            "NUDGE_API_TOKEN": own.api_token or "",
            "NUDGE_LOG_LEVEL": "INFO",
        }
        for key, value in (FAST | options).items():
            env[f"NUDGE_DESKTOP_{key.upper()}"] = str(value)
        child = ChildNotifier(own, env)
        children.append(child)
        return child

    yield make
    for child in children:
        if child.process is not None and child.process.poll() is None:
            child.terminate()


@pytest.fixture
async def client() -> AsyncIterator[ClientFactory]:
    clients: list[Client] = []

    async def open_client(
        url: str,
        device: str | None = DEVICE,
        *,
        token: str | None = None,
        auto_ack: bool = True,
        headers: dict[str, str] | None = None,
        read: bool = True,
    ) -> Client:
        query = f"?device_id={device}" if device is not None else ""
        if token is not None:
            query += ("&" if query else "?") + f"token={token}"
        ws = await connect(url + query, additional_headers=headers, max_size=None)
        c = Client(ws, auto_ack=auto_ack)
        if read:
            c.start()
        clients.append(c)
        return c

    yield open_client
    for c in clients:
        with contextlib.suppress(Exception):
            await c.close()
