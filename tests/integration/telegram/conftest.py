"""Fixtures for the Telegram service tests.

The real python-telegram-bot talks to the fake Bot API (``tests/fakes``); the real
REST API runs in-process under uvicorn on a free port (the bot reaches it with httpx
over HTTP, like in production); a real dispatcher publishes to the real RabbitMQ; the
bot's consumer claims through the real ledger in PostgreSQL.

Every test gets its own topology prefix and deletes its exchanges and queues after.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn

from nudge.bus.topology import Topology, delete_topology
from nudge.config import Settings
from nudge.dispatcher.service import DispatcherOptions, run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store.db import SessionFactory
from nudge.telegram_bot.sender import SendPolicy
from nudge.telegram_bot.service import TelegramOptions, run_telegram
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.integration.telegram.telegram_support import ApiServer, RunningBot

_numbers = itertools.count(1)

# Short timings so that retries and lease expiry happen within a test.
FAST_SEND = SendPolicy(network_attempts=3, backoff_initial=0.1, backoff_max=0.5)
TEST_LEASE = timedelta(seconds=3)


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
async def fake_tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def tg_base_settings(settings: Settings, db: SessionFactory) -> AsyncIterator[Settings]:
    prefix = f"{settings.topology_prefix}tg{next(_numbers)}."
    own = settings.model_copy(update={"topology_prefix": prefix, "embedded_dispatcher": False})
    yield own
    await delete_topology(own.amqp_url, Topology(prefix))


@pytest.fixture
async def api_server(tg_base_settings: Settings) -> AsyncIterator[ApiServer]:
    """The REST API over HTTP on a free port, in this event loop."""
    from nudge.api.app import create_app  # imported late: the sender tests need no API

    app = create_app(tg_base_settings)
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = _QuietServer(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(15):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        yield ApiServer(url, client, app.state.wakeup)
    server.should_exit = True
    await task


@pytest.fixture
async def dispatcher(
    tg_base_settings: Settings, db: SessionFactory, api_server: ApiServer
) -> AsyncIterator[DispatcherWakeup]:
    """A dispatcher woken by the in-process API, sweeping often with a short lease. Its
    short horizon keeps reminders due later (a snooze) in PostgreSQL, where a test can
    move them."""
    options = DispatcherOptions.from_settings(
        tg_base_settings,
        horizon=timedelta(seconds=30),
        sweep_interval=timedelta(seconds=1),
        grace=timedelta(seconds=2),
        lease=TEST_LEASE,
    )
    stop = asyncio.Event()
    ready = asyncio.Event()
    task = asyncio.create_task(
        run_dispatcher(
            tg_base_settings,
            db,
            api_server.wakeup,
            stop,
            options=options,
            on_ready=lambda _backend: ready.set(),
        )
    )
    await asyncio.wait_for(ready.wait(), 30)
    yield api_server.wakeup
    stop.set()
    await asyncio.wait_for(task, 30)


@pytest.fixture
def tg_settings(
    tg_base_settings: Settings, fake_tg: FakeTelegram, api_server: ApiServer
) -> Settings:
    return tg_base_settings.model_copy(
        update={
            "telegram_token": fake_tg.token,
            "telegram_api_url": fake_tg.base_url,
            "api_url": api_server.url,
        }
    )


BotFactory = Callable[..., Awaitable[RunningBot]]


@pytest.fixture
async def start_bot(tg_settings: Settings, fake_tg: FakeTelegram) -> AsyncIterator[BotFactory]:
    """Start ``run_telegram`` in this event loop; waits until it long-polls."""
    bots: list[RunningBot] = []

    async def start(**overrides: Any) -> RunningBot:
        options = TelegramOptions(
            poll_timeout=2,
            lease=TEST_LEASE,
            per_chat_interval=0.2,
            send_policy=FAST_SEND,
            retry_delay=0.2,
            **overrides,
        )
        polls_before = len(fake_tg.calls_of("getUpdates"))
        stop = asyncio.Event()
        task = asyncio.create_task(run_telegram(tg_settings, stop, options=options))
        bot = RunningBot(stop, task)
        bots.append(bot)

        def polling() -> bool:
            if task.done():
                task.result()
            return len(fake_tg.calls_of("getUpdates")) > polls_before

        await fake_tg.wait_until(polling, 20, "the bot to start polling")
        return bot

    yield start
    for bot in bots:
        if not bot.task.done():
            await bot.halt()
        else:
            bot.task.result()


@pytest.fixture
async def bot(start_bot: BotFactory, dispatcher: DispatcherWakeup) -> RunningBot:
    return await start_bot()


@pytest.fixture
async def owner(fake_tg: FakeTelegram, bot: RunningBot) -> FakeUser:
    """The first user, who linked the bot with /start (English)."""
    user = fake_tg.user(1001, language_code="en")
    user.send("/start")
    await user.expect_message("linked")
    return user
