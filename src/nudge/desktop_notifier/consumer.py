"""Delivering desktop reminders: queue → ledger claim → WebSocket push → ack → ledger.

A message from ``q.notification.desktop`` is handled as follows (DESIGN.md,
"Delivery"):

1. **claim** it in the ledger (``queued``/due ``pending`` → ``delivering``). No row:
   the event was edited, deleted or finished, or the reminder is taken → drop.
   One exception: the row is ``delivering`` at the same version under a claim that
   is younger than the lease. That is what a notifier killed between claim and ack
   leaves behind, and its unacked message comes back here (``redelivered``); the
   handler waits until that claim's lease (``ack_timeout`` + a margin) has run out
   and claims it again, so the reminder is delivered after the restart instead of
   two minutes later by the sweeper.
2. **push**: to every connection of the device on this instance; and through the
   device exchange (:mod:`nudge.desktop_notifier.router`) to the connections on the
   other instances.
3. **settle**: ``sent`` on the first ack; ``waiting`` when no instance holds the
   device or no ack came within ``ack_timeout``. The AMQP message is acked only after
   this ledger write (or, when another instance holds the device, after the broker
   confirmed the hand-over; that instance then settles).

On every connect the device's ``waiting`` reminders are pushed, oldest first, each
claimed first (``waiting`` → ``delivering``, one conditional UPDATE) so that two
connections or instances never push the same one twice; ``late`` is set by the
ledger where remind_at is more than a minute past.

A client can see a reminder twice only when its ack was lost; it drops repeats by
``reminder_id``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import Channel as AmqpChannel
from faststream.rabbit import RabbitBroker
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text

from nudge.bus.consumer import make_broker, reminder_queue
from nudge.bus.schema import ReminderMessage
from nudge.config import Settings
from nudge.desktop_notifier.batch import Batcher
from nudge.desktop_notifier.hub import Connection, Hub, PendingAck
from nudge.desktop_notifier.metrics import ACKS, LATENESS, PUSHES, REDELIVERIES, WAITING
from nudge.desktop_notifier.router import DeviceRouter
from nudge.store import ledger
from nudge.store.db import SessionFactory
from nudge.store.models import Channel

log = logging.getLogger("nudge.desktop")

# Metric children used per message, looked up once.
_REDELIVERED_AMQP = REDELIVERIES.labels("amqp_redelivered")
_ACKED_ON_TIME = ACKS.labels("on_time")
_PUSHED = {source: PUSHES.labels(source) for source in ("queue", "waiting", "forwarded")}

LEASE_MARGIN = timedelta(seconds=5)
# Waiting reminders read per round when a device connects.
FLUSH_BATCH = 1000


class NotifierOptions(BaseSettings):
    """Tuning of the desktop notifier, from ``NUDGE_DESKTOP_*``."""

    model_config = SettingsConfigDict(env_prefix="NUDGE_DESKTOP_", extra="ignore")

    # Seconds a pushed reminder may go unacked before it becomes ``waiting``.
    ack_timeout: float = Field(default=10.0, gt=0, le=300)
    # WebSocket heartbeats (uvicorn's ws_ping_interval / ws_ping_timeout), seconds.
    ping_interval: float = Field(default=20.0, gt=0)
    ping_timeout: float = Field(default=20.0, gt=0)
    # Largest client frame in bytes; bigger ones close the connection with 1009.
    max_frame: int = Field(default=64 * 1024, ge=1024)
    # Unacked AMQP messages handled at once.
    prefetch: int = Field(default=128, ge=1, le=10_000)
    # Name of this instance's queue on the device exchange; random when empty.
    instance_id: str = ""

    @property
    def lease(self) -> timedelta:
        """How long a claim of this notifier protects a reminder from other claimers."""
        return timedelta(seconds=self.ack_timeout) + LEASE_MARGIN


class Outcome(StrEnum):
    SENT = "sent"
    WAITING = "waiting"
    FORWARDED = "forwarded"
    SETTLED_ELSEWHERE = "settled_elsewhere"


_CLAIM_WAITING = text(
    f"""
    UPDATE reminder AS r
    SET status = 'delivering', claimed_at = now(), attempts = r.attempts + 1
    FROM event AS e, user_config AS u
    WHERE r.id = :id AND r.version = :version AND r.status = 'waiting'
      AND e.id = r.event_id AND u.id = r.user_id
    RETURNING {ledger.MESSAGE_COLUMNS}
    """
)

_CLAIM_STATE = text(
    """
    SELECT status, version, claimed_at, now() AS now FROM reminder WHERE id = :id
    """
)

_REGISTERED_DEVICE = text("SELECT desktop_device_id FROM user_config WHERE id = 1")


async def claim_waiting(
    session_factory: SessionFactory, reminder_id: int, version: int
) -> ledger.ClaimedReminder | None:
    """``waiting`` → ``delivering`` for a push on connect; None when someone else took it."""
    async with session_factory() as session, session.begin():
        row = (
            (
                await session.execute(
                    _CLAIM_WAITING,
                    {"id": reminder_id, "version": version, "late_after": ledger.LATE_AFTER},
                )
            )
            .mappings()
            .first()
        )
    return None if row is None else ledger.ClaimedReminder.from_row(row)


async def registered_device(session_factory: SessionFactory) -> str | None:
    async with session_factory() as session:
        value = (await session.execute(_REGISTERED_DEVICE)).scalar_one_or_none()
    return None if value is None else str(value)


class DesktopNotifier:
    """The hub, the queue consumer and the device router of one notifier instance."""

    def __init__(
        self,
        settings: Settings,
        session_factory: SessionFactory,
        options: NotifierOptions | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or NotifierOptions()
        self.db = session_factory
        self.hub = Hub()
        self.instance_id = self.options.instance_id or uuid.uuid4().hex[:12]
        self.router = DeviceRouter(settings, self.instance_id, self._on_forwarded, self._on_flush)
        self.broker: RabbitBroker = make_broker(
            settings,
            graceful_timeout=self.options.ack_timeout + 5,
            log_level=logging.DEBUG,
        )
        # Claims and ``sent`` writes of concurrent handlers, one UPDATE per batch.
        self._claims: Batcher[tuple[int, int], ledger.ClaimedReminder | None] = Batcher(
            self._claim_batch
        )
        self._sent: Batcher[tuple[int, int], bool] = Batcher(self._mark_sent_batch)
        self._subscribe()
        self._bound: set[str] = set()
        self._bind_locks: dict[str, asyncio.Lock] = {}
        self._flushing: set[str] = set()
        self._flush_again: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------

    def _subscribe(self) -> None:
        subscriber = self.broker.subscriber(
            reminder_queue(self.settings, Channel.DESKTOP),
            ack_policy=AckPolicy.REJECT_ON_ERROR,
            channel=AmqpChannel(prefetch_count=self.options.prefetch),
        )

        context = self.broker.context

        # The AMQP message comes from the context directly: a ``RabbitMessage``
        # parameter would be resolved by fast_depends in a worker thread per message.
        async def on_reminder(body: ReminderMessage) -> None:
            message = context.get_local("message")
            redelivered = message is not None and bool(message.raw_message.redelivered)
            await self.handle(body, redelivered=redelivered)

        subscriber(on_reminder)

    async def start(self) -> None:
        await self.router.start()
        await self.broker.start()
        log.info(
            "desktop notifier %s consuming %s",
            self.instance_id,
            reminder_queue(self.settings, Channel.DESKTOP).name,
        )

    async def stop(self) -> None:
        """Stop consuming (in-flight deliveries finish), then leave the device exchange."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        await self.broker.stop()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.options.ack_timeout + 5)
        await self.router.close()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("desktop notifier task failed", exc_info=task.exception())

    # -- connections -------------------------------------------------------------

    async def registered_device(self) -> str | None:
        return await registered_device(self.db)

    async def connected(self, connection: Connection) -> None:
        self.hub.add(connection)
        log.info("device %s connected (connection %d)", connection.device_id, connection.id)
        await self._sync_binding(connection.device_id)
        self.schedule_flush(connection.device_id)

    async def disconnected(self, connection: Connection) -> None:
        if self.hub.remove(connection):
            try:
                await self._sync_binding(connection.device_id)
            except Exception as exc:
                log.warning("cannot unbind device %s: %s", connection.device_id, exc)
        log.info("device %s disconnected (connection %d)", connection.device_id, connection.id)

    async def _sync_binding(self, device: str) -> None:
        lock = self._bind_locks.setdefault(device, asyncio.Lock())
        async with lock:
            wanted = self.hub.has(device)
            if wanted and device not in self._bound:
                await self.router.bind(device)
                self._bound.add(device)
            elif not wanted and device in self._bound:
                self._bound.discard(device)
                await self.router.unbind(device)

    async def on_ack(self, device: str, reminder_id: int) -> None:
        late_version = self.hub.ack(device, reminder_id)
        if late_version is None:
            return
        # The wait gave up already (reminder now ``waiting``): the client has it after all.
        if await ledger.mark_sent(self.db, reminder_id, late_version):
            ACKS.labels("late").inc()
            log.info("reminder %d acked late by %s", reminder_id, device)

    # -- the queue ---------------------------------------------------------------

    async def handle(
        self, message: ReminderMessage, *, redelivered: bool = False
    ) -> Outcome | None:
        """One message from ``q.notification.desktop``; returns after the ledger write."""
        if redelivered:
            _REDELIVERED_AMQP.inc()
        claimed = await self._claims.submit((message.reminder_id, message.version))
        if claimed is None:
            claimed = await self._reclaim_orphan(message)
            if claimed is None:
                log.debug(
                    "reminder %d v%d: stale or taken, dropped", message.reminder_id, message.version
                )
                return None
        return await self.deliver(claimed.to_message())

    async def _claim_batch(
        self, keys: list[tuple[int, int]]
    ) -> list[ledger.ClaimedReminder | None]:
        claimed = await ledger.claim_many(self.db, keys, self.options.lease)
        # A reminder requested twice in one batch goes to its first requester only.
        out: list[ledger.ClaimedReminder | None] = []
        for reminder_id, version in keys:
            item = claimed.pop(reminder_id, None)
            out.append(item if item is not None and item.version == version else None)
        return out

    async def _mark_sent_batch(self, keys: list[tuple[int, int]]) -> list[bool]:
        done = await ledger.mark_sent_many(self.db, keys)
        out: list[bool] = []
        for key in keys:
            out.append(key in done)
            done.discard(key)
        return out

    async def _reclaim_orphan(self, message: ReminderMessage) -> ledger.ClaimedReminder | None:
        """Wait out a young claim on the same version (a notifier died after claiming),
        then claim again. None when the row is stale or settled meanwhile."""
        deadline = time.monotonic() + self.options.lease.total_seconds() + 2
        while not self._stopping.is_set():
            async with self.db() as session:
                row = (
                    (await session.execute(_CLAIM_STATE, {"id": message.reminder_id}))
                    .mappings()
                    .first()
                )
            if (
                row is None
                or row["status"] != "delivering"
                or row["version"] != message.version
                or row["claimed_at"] is None
            ):
                return None
            expires: timedelta = row["claimed_at"] + self.options.lease - row["now"]
            pause = max(0.05, expires.total_seconds() + 0.05)
            if time.monotonic() + pause > deadline:
                return None
            try:
                await asyncio.wait_for(self._stopping.wait(), pause)
                return None
            except TimeoutError:
                pass
            claimed = await ledger.claim(
                self.db, message.reminder_id, message.version, self.options.lease
            )
            if claimed is not None:
                REDELIVERIES.labels("orphan_reclaimed").inc()
                log.info("reminder %d: took over an expired claim", message.reminder_id)
                return claimed
        return None

    async def deliver(self, message: ReminderMessage) -> Outcome:
        """Push a claimed reminder and settle it (or hand it to the instance holding
        the device)."""
        device = message.desktop_device_id
        if device is None:
            return await self._mark_waiting(message, "offline", device)
        pending = await self.hub.send(message, device)
        local = pending.sent_to > 0
        if local:
            self._pushed(message, "queue")
        try:
            routed = await self.router.forward(message, device, pushed_here=local)
        except Exception:
            if not local:
                raise  # the message is rejected; the sweeper publishes it again
            log.warning(
                "cannot forward reminder %d to other instances", message.reminder_id, exc_info=True
            )
            routed = False
        if local:
            return await self._settle(message, device, pending)
        if routed:
            return Outcome.FORWARDED
        return await self._mark_waiting(message, "offline", device)

    async def _settle(self, message: ReminderMessage, device: str, pending: PendingAck) -> Outcome:
        if await pending.wait(self.options.ack_timeout):
            if await self._sent.submit((message.reminder_id, message.version)):
                _ACKED_ON_TIME.inc()
                return Outcome.SENT
            return Outcome.SETTLED_ELSEWHERE
        reason = "no_ack" if self.hub.has(device) else "offline"
        return await self._mark_waiting(message, reason, device)

    async def _mark_waiting(
        self, message: ReminderMessage, reason: str, device: str | None
    ) -> Outcome:
        if not await ledger.mark_waiting(self.db, message.reminder_id, message.version):
            return Outcome.SETTLED_ELSEWHERE
        WAITING.labels(reason).inc()
        log.info("reminder %d is waiting (%s)", message.reminder_id, reason)
        if reason == "offline" and device is not None:
            # A connect whose flush read the table before this commit would miss it.
            if self.hub.has(device):
                self.schedule_flush(device)
            try:
                await self.router.request_flush(device)
            except Exception as exc:
                log.warning("cannot ask other instances to flush %s: %s", device, exc)
        return Outcome.WAITING

    def _pushed(self, message: ReminderMessage, source: str) -> None:
        _PUSHED[source].inc()
        LATENESS.observe(max(0.0, (datetime.now(UTC) - message.remind_at).total_seconds()))

    # -- from other instances ------------------------------------------------------

    async def _on_forwarded(self, message: ReminderMessage) -> None:
        device = message.desktop_device_id
        if device is None:
            return
        pending = await self.hub.send(message, device)
        if pending.sent_to == 0:
            await pending.wait(0)
            await self._mark_waiting(message, "offline", device)
            return
        self._pushed(message, "forwarded")
        await self._settle(message, device, pending)

    async def _on_flush(self, device: str) -> None:
        if self.hub.has(device):
            self.schedule_flush(device)

    # -- waiting reminders on connect ------------------------------------------------

    def schedule_flush(self, device: str) -> None:
        """Push ``device``'s waiting reminders (coalesced: one flush per device at a time)."""
        if device in self._flushing:
            self._flush_again.add(device)
            return
        self._flushing.add(device)
        self._spawn(self._flush_loop(device))

    async def _flush_loop(self, device: str) -> None:
        try:
            while True:
                self._flush_again.discard(device)
                await self._flush(device)
                if device not in self._flush_again:
                    return
        finally:
            self._flushing.discard(device)

    async def _flush(self, device: str) -> None:
        seen: set[int] = set()
        settles: list[asyncio.Task[Outcome]] = []
        while self.hub.has(device):
            rows = await ledger.waiting_reminders(self.db, Channel.DESKTOP, limit=FLUSH_BATCH)
            fresh = [r for r in rows if r.reminder_id not in seen]
            if not fresh:
                break
            for row in fresh:
                seen.add(row.reminder_id)
                if row.desktop_device_id != device or not self.hub.has(device):
                    continue
                claimed = await claim_waiting(self.db, row.reminder_id, row.version)
                if claimed is None:
                    continue
                message = claimed.to_message()
                pending = await self.hub.send(message, device)
                REDELIVERIES.labels("waiting_pushed").inc()
                if pending.sent_to:
                    self._pushed(message, "waiting")
                settles.append(asyncio.create_task(self._settle(message, device, pending)))
            if len(rows) < FLUSH_BATCH:
                break
        if settles:
            await asyncio.gather(*settles)
            log.info("pushed %d waiting reminder(s) to %s", len(settles), device)
