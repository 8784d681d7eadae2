"""Helpers shared by the Telegram service tests (imported by name: the test directory
is importable)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import text

from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store.db import SessionFactory


@dataclass
class ApiServer:
    url: str
    client: httpx.AsyncClient
    wakeup: DispatcherWakeup


@dataclass
class RunningBot:
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def halt(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


async def set_link_code(db: SessionFactory, code: str, expires_in: timedelta) -> None:
    async with db() as session, session.begin():
        await session.execute(
            text(
                "UPDATE user_config SET telegram_link_code = :code, "
                "telegram_link_code_expires_at = now() + CAST(:ttl AS interval)"
            ),
            {"code": code, "ttl": expires_in},
        )
