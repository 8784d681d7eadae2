"""How writers wake the dispatcher: an in-process signal and PostgreSQL NOTIFY.

The API, after committing reminder rows, calls :meth:`DispatcherWakeup.wake` (for
the dispatcher embedded in the same process) and sends ``NOTIFY nudge_reminders``
in the committing transaction (for dispatchers in other processes, which
:class:`NotifyListener` turns into the same wake-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# Migration 0003's trigger notifies this channel whenever reminder rows are inserted.
REMINDERS_CHANNEL = "nudge_reminders"


class DispatcherWakeup:
    """A level-triggered wake-up signal; ``wake`` is safe from any thread, and before
    the dispatcher has started (the wake-up is then kept for its first wait)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._early = False

    def _bind(self) -> asyncio.Event:
        if self._event is None:
            self._loop = asyncio.get_running_loop()
            self._event = asyncio.Event()
            if self._early:
                self._event.set()
        return self._event

    def wake(self) -> None:
        event, loop = self._event, self._loop
        if event is None or loop is None:
            self._early = True
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    def clear(self) -> None:
        """Forget wake-ups so far (the dispatcher calls this before each pass)."""
        self._bind().clear()

    async def wait(self, within: float | None) -> bool:
        """True when woken (now or since the last ``clear``), False on timeout."""
        event = self._bind()
        try:
            await asyncio.wait_for(event.wait(), within)
        except TimeoutError:
            return False
        return True


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class NotifyListener:
    """``LISTEN nudge_reminders`` on a dedicated asyncpg connection; each notification
    (and the loss of the connection) wakes the dispatcher."""

    def __init__(self, database_url: str, wakeup: DispatcherWakeup) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._wakeup = wakeup
        self._conn: asyncpg.Connection | None = None

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    def _on_notify(self, *_: object) -> None:
        self._wakeup.wake()

    def _on_lost(self, *_: object) -> None:
        log.warning("LISTEN connection lost; reconnecting on the next pass")
        self._wakeup.wake()

    async def ensure(self) -> bool:
        """Connect and LISTEN unless already listening; False when that failed."""
        if self.connected:
            return True
        await self.close()
        try:
            conn = await asyncpg.connect(self._dsn, timeout=10)
            conn.add_termination_listener(self._on_lost)
            await conn.add_listener(REMINDERS_CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("cannot LISTEN %s: %s", REMINDERS_CHANNEL, exc)
            return False
        self._conn = conn
        return True

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.remove_termination_listener(self._on_lost)
            with contextlib.suppress(Exception):
                await conn.close(timeout=5)
