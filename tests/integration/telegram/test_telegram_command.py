"""``nudge telegram`` as a user runs it: one clear line without a token; with one, the
bot starts against the Bot API and serves its metrics."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import httpx

from nudge.config import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.integration.telegram.telegram_support import ApiServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_without_a_token_it_says_so_in_one_line() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "nudge",
        "telegram",
        env={**os.environ, "NUDGE_TELEGRAM_TOKEN": "", "NUDGE_TELEGRAM_METRICS_PORT": "0"},
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert (
        stderr.decode()
        .strip()
        .splitlines()[-1]
        .startswith("nudge telegram: NUDGE_TELEGRAM_TOKEN is not set")
    )


async def test_runs_and_serves_its_metrics(
    fake_tg: FakeTelegram, tg_settings: Settings, api_server: ApiServer
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "NUDGE_DATABASE_URL": tg_settings.database_url,
        "NUDGE_AMQP_URL": tg_settings.amqp_url,
        "NUDGE_TOPOLOGY_PREFIX": tg_settings.topology_prefix,
        "NUDGE_TELEGRAM_TOKEN": fake_tg.token,
        "NUDGE_TELEGRAM_API_URL": fake_tg.base_url,
        "NUDGE_API_URL": api_server.url,
        "NUDGE_TELEGRAM_METRICS_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nudge", "telegram", env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        await fake_tg.wait_until(
            lambda: bool(fake_tg.calls_of("getUpdates")), 60, "the bot to poll"
        )
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert "nudge_reminders_delivered" in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
