"""The connections of this notifier instance, by device, and the acks they send.

:meth:`Hub.send` writes one reminder frame to every open connection of a device and
returns a :class:`PendingAck`; :meth:`PendingAck.wait` returns ``True`` once any of
those connections acked that ``reminder_id``, ``False`` after the timeout or as soon
as the device has no connection left on this instance. The hub does no I/O beyond
the sockets: the ledger writes are the caller's (:mod:`nudge.desktop_notifier.consumer`).

Acks that arrive after the wait gave up (``late acks``) are remembered for a while by
``(device, reminder_id) → version`` so the caller can still mark the reminder ``sent``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from nudge.bus.schema import ReminderMessage
from nudge.desktop_notifier.metrics import ACK_SECONDS, CONNECTIONS

log = logging.getLogger("nudge.desktop.hub")

# How many pushed (reminder_id → version) pairs per instance are kept for late acks.
RECENT_PUSHES = 10_000

_ids = itertools.count(1)


class Socket(Protocol):
    async def send_text(self, data: str) -> None: ...


@dataclass(eq=False)
class Connection:
    """One accepted WebSocket of a device."""

    socket: Socket
    device_id: str
    id: int = field(default_factory=lambda: next(_ids))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, frame: str) -> bool:
        try:
            async with self.lock:
                await self.socket.send_text(frame)
        except Exception as exc:  # the socket went away; the read loop removes it
            log.debug("send to connection %d failed: %s", self.id, exc)
            return False
        return True


class PendingAck:
    """The ack of one push, from any connection the frame was written to."""

    def __init__(self, hub: Hub, device_id: str, reminder_id: int, sent_to: int) -> None:
        self._hub = hub
        self.device_id = device_id
        self.reminder_id = reminder_id
        self.sent_to = sent_to
        self.pushed_at = time.monotonic()
        self._future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def resolve(self, acked: bool) -> None:
        if not self._future.done():
            self._future.set_result(acked)

    async def wait(self, seconds: float) -> bool:
        """True when acked within ``seconds``; False otherwise."""
        try:
            if self.sent_to == 0:
                return False
            try:
                return await asyncio.wait_for(asyncio.shield(self._future), seconds)
            except TimeoutError:
                return False
        finally:
            self._hub._forget(self)


ConnectionCallback = Callable[[str], Awaitable[None]]


class Hub:
    def __init__(self) -> None:
        self._connections: dict[str, set[Connection]] = {}
        self._pending: dict[tuple[str, int], list[PendingAck]] = {}
        self._recent: OrderedDict[tuple[str, int], int] = OrderedDict()

    # -- connections -----------------------------------------------------------

    def add(self, connection: Connection) -> bool:
        """Register ``connection``; True when it is its device's first one here."""
        conns = self._connections.setdefault(connection.device_id, set())
        first = not conns
        conns.add(connection)
        CONNECTIONS.inc()
        return first

    def remove(self, connection: Connection) -> bool:
        """Unregister ``connection``; True when its device has no connection left here.

        Pushes waiting for an ack from that device give up at once then.
        """
        conns = self._connections.get(connection.device_id)
        if conns is None or connection not in conns:
            return False
        conns.discard(connection)
        CONNECTIONS.dec()
        if conns:
            return False
        del self._connections[connection.device_id]
        for (device, _), pending in list(self._pending.items()):
            if device == connection.device_id:
                for p in pending:
                    p.resolve(False)
        return True

    def has(self, device_id: str) -> bool:
        return bool(self._connections.get(device_id))

    def connections(self, device_id: str) -> list[Connection]:
        return list(self._connections.get(device_id, ()))

    def devices(self) -> list[str]:
        return list(self._connections)

    @property
    def connection_count(self) -> int:
        return sum(len(c) for c in self._connections.values())

    # -- pushes and acks -------------------------------------------------------

    async def send(self, message: ReminderMessage, device_id: str) -> PendingAck:
        """Write ``message`` to every connection of ``device_id`` on this instance.

        ``sent_to`` of the result is how many connections took the frame (0: none).
        """
        key = (device_id, message.reminder_id)
        pending = PendingAck(self, device_id, message.reminder_id, 0)
        conns = self.connections(device_id)
        if not conns:
            return pending
        # Registered before writing: an ack can come back before send() returns.
        self._pending.setdefault(key, []).append(pending)
        self._remember(key, message.version)
        frame = message.model_dump_json()
        results = await asyncio.gather(*(c.send(frame) for c in conns))
        pending.sent_to = sum(results)
        if pending.sent_to == 0 or not self.has(device_id):
            pending.resolve(False)
        return pending

    def ack(self, device_id: str, reminder_id: int) -> int | None:
        """Record an ack. Returns the pushed version when no push waits for this ack any
        more (a late ack the caller should still settle), else None."""
        key = (device_id, reminder_id)
        waiting = self._pending.get(key)
        if waiting:
            for p in waiting:
                if not p._future.done():
                    ACK_SECONDS.observe(time.monotonic() - p.pushed_at)
                p.resolve(True)
            self._recent.pop(key, None)
            return None
        return self._recent.get(key)

    def _remember(self, key: tuple[str, int], version: int) -> None:
        self._recent[key] = version
        self._recent.move_to_end(key)
        while len(self._recent) > RECENT_PUSHES:
            self._recent.popitem(last=False)

    def _forget(self, pending: PendingAck) -> None:
        key = (pending.device_id, pending.reminder_id)
        waiting = self._pending.get(key)
        if waiting is None:
            return
        with contextlib.suppress(ValueError):
            waiting.remove(pending)
        if not waiting:
            del self._pending[key]
