"""Scale-out: reaching a device that is connected to another notifier instance.

Every notifier instance declares, on a connection of its own, an exclusive
auto-delete queue ``<prefix>nudge.desktop.instance.<instance id>`` and binds it to
the durable direct exchange ``<prefix>nudge.desktop.devices`` with routing key =
device id for each device that has at least one WebSocket connection on this
instance (bound on the first connection, unbound after the last). So the exchange's
bindings are the live map "device → instances holding it", kept by the broker, and
an instance that dies takes its queue and bindings with it.

The instance that consumed a reminder from ``q.notification.desktop`` (and claimed
it) publishes it to that exchange with routing key = device id:

- ``mandatory=True`` when the device has no connection on the consuming instance: a
  returned (unroutable) message means no instance holds the device → ``waiting``;
  a routed one is pushed and settled (``sent``/``waiting``) by the instance(s) that
  receive it.
- when the device *is* connected locally, the consuming instance pushes itself and
  still publishes (not mandatory) so connections of the same device on other
  instances receive it too; the ``x-nudge-pushed-by`` header names the publisher,
  which skips its own copy. These copies are coalesced: the copies made while the
  previous publish awaits its confirm go out as one message (``x-nudge-kind:
  reminders``, a JSON array), so a burst to one device costs one publish per batch,
  not per reminder.

Messages on the device exchange are transient (an instance queue dies with its
instance): a reminder lost with a crashed instance stays ``delivering`` in the
ledger and is recovered when its lease expires (the dispatcher's sweeper publishes
it again). A ``flush`` message (``x-nudge-kind: flush``) asks the instances holding
a device to push its ``waiting`` reminders; it closes the race between "no instance
holds the device, mark waiting" and a connect whose own flush read the table before
that write committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aio_pika
from aio_pika import ExchangeType
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from pydantic import TypeAdapter

from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology
from nudge.config import Settings
from nudge.desktop_notifier.batch import Batcher
from nudge.desktop_notifier.metrics import FORWARDED

log = logging.getLogger("nudge.desktop.router")

INSTANCE_QUEUE = "nudge.desktop.instance"
PUSHED_BY = "x-nudge-pushed-by"
KIND = "x-nudge-kind"
PUBLISH_TIMEOUT = 15.0
PREFETCH = 256

_REMINDER_LIST = TypeAdapter(list[ReminderMessage])

ForwardHandler = Callable[[ReminderMessage], Awaitable[None]]
FlushHandler = Callable[[str], Awaitable[None]]


def device_exchange_name(settings: Settings) -> str:
    return Topology.from_settings(settings).device_exchange


class DeviceRouter:
    def __init__(
        self,
        settings: Settings,
        instance_id: str,
        on_reminder: ForwardHandler,
        on_flush: FlushHandler,
    ) -> None:
        self._settings = settings
        self.instance_id = instance_id
        self._on_reminder = on_reminder
        self._on_flush = on_flush
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._queue: AbstractQueue | None = None
        self._copies: Batcher[tuple[ReminderMessage, str], bool] = Batcher(self._publish_copies)

    @property
    def queue_name(self) -> str:
        return f"{self._settings.topology_prefix}{INSTANCE_QUEUE}.{self.instance_id}"

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self._settings.amqp_url)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        await channel.set_qos(prefetch_count=PREFETCH)
        self._channel = channel
        self._exchange = await channel.declare_exchange(
            device_exchange_name(self._settings), ExchangeType.DIRECT, durable=True
        )
        self._queue = await channel.declare_queue(self.queue_name, exclusive=True, auto_delete=True)
        await self._queue.consume(self._on_message)
        log.info("device router ready: queue %s", self.queue_name)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def bind(self, device_id: str) -> None:
        assert self._queue is not None and self._exchange is not None
        await self._queue.bind(self._exchange, routing_key=device_id)

    async def unbind(self, device_id: str) -> None:
        if self._queue is None or self._exchange is None or self._channel is None:
            return
        if self._channel.is_closed:
            return
        await self._queue.unbind(self._exchange, routing_key=device_id)

    async def forward(self, message: ReminderMessage, device_id: str, *, pushed_here: bool) -> bool:
        """Publish ``message`` to the instances holding ``device_id``.

        ``pushed_here=False``: mandatory; returns False when no instance holds the
        device. ``pushed_here=True``: this instance pushed already; returns True.
        """
        assert self._exchange is not None
        if pushed_here:
            return await self._copies.submit((message, device_id))
        outgoing = aio_pika.Message(
            body=message.to_body(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
            headers={KIND: "reminder"},
        )
        try:
            await self._exchange.publish(
                outgoing, device_id, mandatory=True, timeout=PUBLISH_TIMEOUT
            )
        except aio_pika.exceptions.PublishError:
            FORWARDED.labels("unroutable").inc()
            return False
        FORWARDED.labels("routed").inc()
        return True

    async def _publish_copies(self, items: list[tuple[ReminderMessage, str]]) -> list[bool]:
        """Copies of reminders pushed here, one message per device (not mandatory)."""
        assert self._exchange is not None
        by_device: dict[str, list[bytes]] = {}
        for message, device_id in items:
            by_device.setdefault(device_id, []).append(message.to_body())
        for device_id, bodies in by_device.items():
            outgoing = aio_pika.Message(
                body=b"[" + b",".join(bodies) + b"]",
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
                headers={KIND: "reminders", PUSHED_BY: self.instance_id},
            )
            await self._exchange.publish(
                outgoing, device_id, mandatory=False, timeout=PUBLISH_TIMEOUT
            )
        return [True] * len(items)

    async def request_flush(self, device_id: str) -> None:
        """Ask every instance holding ``device_id`` (this one included) to push its
        ``waiting`` reminders."""
        assert self._exchange is not None
        outgoing = aio_pika.Message(
            body=b"",
            delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
            headers={KIND: "flush"},
        )
        await self._exchange.publish(outgoing, device_id, mandatory=False, timeout=PUBLISH_TIMEOUT)

    async def _on_message(self, incoming: AbstractIncomingMessage) -> None:
        async with incoming.process(ignore_processed=True, requeue=False):
            headers = incoming.headers or {}
            kind = headers.get(KIND)
            if kind == "flush":
                await self._on_flush(str(incoming.routing_key))
                return
            if headers.get(PUSHED_BY) == self.instance_id:
                return
            try:
                if kind == "reminders":
                    messages = _REMINDER_LIST.validate_json(incoming.body)
                else:
                    messages = [ReminderMessage.from_body(incoming.body)]
            except ValueError:
                log.warning("dropping a malformed message on %s", self.queue_name)
                return
            await asyncio.gather(*(self._on_reminder(m) for m in messages))
