"""Publishing reminders with a delay, through the backend the broker supports."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from nudge.bus.backend import DelayBackend
from nudge.bus.metrics import PUBLISHED
from nudge.bus.native import DEFAULT_HOP_LATENCY, NativeDelayBackend
from nudge.bus.plugin import DELAYED_EXCHANGE_ARGUMENTS, DELAYED_EXCHANGE_TYPE, PluginDelayBackend
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology
from nudge.config import Settings

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 15.0
# Unconfirmed publishes in flight at once in publish_many. Kept small on purpose: a
# message's delay is fixed when it gets a slot, and its TTL starts only when the
# broker has it, so a deep pipeline makes the last of a batch arrive late by the
# time the whole batch takes to send (measured: p50 lateness 700 ms at 512, 14 ms at 8).
MAX_IN_FLIGHT = 8


class _ExpectedProbeClose(logging.Filter):
    """aiormq logs the broker's refusal of the probe as an error with a traceback; on a
    broker without the plugin that refusal is the expected answer, not a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return DELAYED_EXCHANGE_TYPE not in text and "reader exited abnormally" not in text


async def broker_has_delay_plugin(amqp_url: str, topology: Topology) -> bool:
    """Whether the broker knows the ``x-delayed-message`` exchange type.

    An unknown exchange type makes RabbitMQ close the whole connection, so the probe
    uses a throwaway connection of its own and a throwaway auto-delete exchange.
    """
    connection = await aio_pika.connect(amqp_url)
    aiormq_log = logging.getLogger("aiormq.connection")
    quiet = _ExpectedProbeClose()
    aiormq_log.addFilter(quiet)
    try:
        channel = await connection.channel()
        probe = topology.plugin_probe
        try:
            await channel.declare_exchange(
                probe,
                type=DELAYED_EXCHANGE_TYPE,
                auto_delete=True,
                arguments=dict(DELAYED_EXCHANGE_ARGUMENTS),
            )
        except aio_pika.exceptions.AMQPError as exc:
            log.debug("delay plugin probe refused: %s", exc)
            return False
        await channel.exchange_delete(probe)
        return True
    finally:
        await connection.close()
        aiormq_log.removeFilter(quiet)


class ReminderPublisher:
    """Publishes reminder messages with publisher confirms on one robust connection."""

    def __init__(
        self, connection: AbstractRobustConnection, channel: AbstractChannel, backend: DelayBackend
    ) -> None:
        self._connection = connection
        self._channel = channel
        self._backend = backend
        self._exchanges: dict[str, AbstractExchange] = {}
        self._in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    @property
    def backend_name(self) -> str:
        return self._backend.name

    @property
    def backend(self) -> DelayBackend:
        return self._backend

    @property
    def is_open(self) -> bool:
        return not self._connection.is_closed and not self._channel.is_closed

    async def _exchange(self, name: str) -> AbstractExchange:
        exchange = self._exchanges.get(name)
        if exchange is None:
            exchange = await self._channel.get_exchange(name, ensure=False)
            self._exchanges[name] = exchange
        return exchange

    async def publish(self, message: ReminderMessage, delay: timedelta) -> None:
        """Publish ``message`` to arrive after ``delay``; returns once the broker confirmed.

        Raises on a negative confirm, an unroutable message (native backend), a
        timeout or a lost connection: then the message may not be in the broker.
        """
        async with self._in_flight:
            await self._send(message, delay)

    async def publish_due(self, message: ReminderMessage) -> None:
        """Publish ``message`` to arrive at its ``remind_at`` (now when that has passed)."""
        async with self._in_flight:
            # The delay is measured only once a publish slot is ours: a message that
            # waited behind a thousand others must not arrive that much later.
            await self._send(message, message.remind_at - datetime.now(UTC))

    async def _send(self, message: ReminderMessage, delay: timedelta) -> None:
        out = self._backend.outgoing(message, delay)
        exchange = await self._exchange(out.exchange)
        await exchange.publish(
            out.message, out.routing_key, mandatory=out.mandatory, timeout=PUBLISH_TIMEOUT
        )
        PUBLISHED.labels(self._backend.name).inc()

    async def publish_many(self, messages: Sequence[ReminderMessage]) -> list[BaseException | None]:
        """Publish each to arrive at its ``remind_at``, confirms pipelined.

        Returns one entry per message: None when confirmed, else the error.
        """
        results = await asyncio.gather(
            *(self.publish_due(m) for m in messages), return_exceptions=True
        )
        return [r if isinstance(r, BaseException) else None for r in results]

    async def close(self) -> None:
        await self._connection.close()


async def open_publisher(
    settings: Settings,
    *,
    hop_latency: timedelta = DEFAULT_HOP_LATENCY,
) -> ReminderPublisher:
    """Connect, choose the delay backend per ``NUDGE_DELAY_BACKEND`` and declare the topology."""
    topology = Topology.from_settings(settings)
    choice = settings.delay_backend
    if choice == "auto":
        choice = (
            "plugin" if await broker_has_delay_plugin(settings.amqp_url, topology) else "native"
        )
    backend: DelayBackend
    if choice == "plugin":
        backend = PluginDelayBackend(topology)
    else:
        backend = NativeDelayBackend(topology, hop_latency=hop_latency)
    connection = await aio_pika.connect_robust(settings.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        await backend.declare(channel)
    except BaseException:
        await connection.close()
        raise
    log.info(
        "reminder publisher ready: delay backend %s (NUDGE_DELAY_BACKEND=%s)",
        backend.name,
        settings.delay_backend,
    )
    return ReminderPublisher(connection, channel, backend)
