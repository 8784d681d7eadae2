"""Delay backend ``plugin``: RabbitMQ's delayed-message exchange plugin (the plan).

``delayed_reminders_exchange`` is of type ``x-delayed-message`` with
``x-delayed-type: direct``; the delay goes in the ``x-delay`` header in milliseconds
(the plugin caps it at 2^32−1 ms). Publishes are not mandatory: the plugin answers
NO_ROUTE to mandatory publishes because routing happens only when the delay ends.
This backend runs in the Compose deployment (RabbitMQ 4.2 with the plugin); the
development broker has no plugin, so tests check its declarations and headers only.
"""

from __future__ import annotations

from datetime import timedelta

from aio_pika.abc import AbstractChannel

from nudge.bus.backend import Outgoing, amqp_message, delay_ms
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import NOTIFICATION_QUEUE_ARGUMENTS, Topology, routing_key
from nudge.store.models import Channel

DELAYED_EXCHANGE_TYPE = "x-delayed-message"
DELAYED_EXCHANGE_ARGUMENTS = {"x-delayed-type": "direct"}
MAX_DELAY_MS = 2**32 - 1


class PluginDelayBackend:
    name = "plugin"

    def __init__(self, topology: Topology) -> None:
        self.topology = topology

    async def declare(self, channel: AbstractChannel) -> None:
        exchange = await channel.declare_exchange(
            self.topology.exchange,
            type=DELAYED_EXCHANGE_TYPE,
            durable=True,
            arguments=dict(DELAYED_EXCHANGE_ARGUMENTS),
        )
        for ch in Channel:
            queue = await channel.declare_queue(
                self.topology.queue(ch), durable=True, arguments=dict(NOTIFICATION_QUEUE_ARGUMENTS)
            )
            await queue.bind(exchange, routing_key(ch))

    def outgoing(self, message: ReminderMessage, delay: timedelta) -> Outgoing:
        ms = min(delay_ms(delay), MAX_DELAY_MS)
        return Outgoing(
            exchange=self.topology.exchange,
            routing_key=routing_key(message.target_type),
            message=amqp_message(message, headers={"x-delay": ms}),
            mandatory=False,
        )
