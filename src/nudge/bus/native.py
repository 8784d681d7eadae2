"""Delay backend ``native``: a TTL + dead-letter cascade, no plugin needed.

The technique NServiceBus and Kombu ≥ 5.5 use, written for nudge. There are
``levels`` levels; level ``L`` is a topic exchange and a quorum queue of the same
name (``nudge.delay.NN``) whose messages live exactly ``2^L`` milliseconds
(``x-message-ttl``) and are then dead-lettered, at least once, to level ``L-1``'s
exchange (level 0's go to ``delayed_reminders_exchange``). A message's routing key
is its delay in milliseconds as ``levels`` binary digits, most significant first,
followed by the real routing key: ``0.….1.0.1.reminder.desktop``. Each level's
exchange routes by its own digit: ``1`` → into its queue (wait ``2^L`` ms), ``0`` →
straight on to the next level's exchange. So a message waits exactly the sum of the
levels whose digit is 1 = its delay, and visits only ``popcount(delay)`` queues.
``delayed_reminders_exchange`` (topic) binds the notification queues with
``#.reminder.<channel>``, which matches both an undelayed ``reminder.desktop`` and
the cascade's final ``<digits>.reminder.desktop``.

Quorum queues expire messages only at their head, which is exact here because all
messages of one level have the same TTL. ``x-overflow: reject-publish`` is required
for ``x-dead-letter-strategy: at-least-once`` (a message is removed from a level
only once the next one has confirmed it), so nothing is lost when the broker
restarts mid-cascade; quorum queues keep their contents on disk (and replicate them
on a cluster).

Unit and depth: the unit is one millisecond, so no rounding to seconds happens;
32 levels cover 2^32−1 ms ≈ 49.7 days, above the largest allowed dispatch horizon
(40 days) with margin, as the dispatcher only publishes reminders within the
horizon (1 hour by default = 22 binary digits, so the upper levels are just
exchange-to-exchange hops). Each queue hop costs the broker about 1–2 ms; the
backend subtracts ``hop_latency`` per hop from the delay so messages arrive on time
instead of ``popcount × hop`` late.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel

from nudge.bus.backend import Outgoing, amqp_message, delay_ms
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import NATIVE_LEVELS, NOTIFICATION_QUEUE_ARGUMENTS, Topology, routing_key
from nudge.store.models import Channel

DEFAULT_HOP_LATENCY = timedelta(milliseconds=1.5)


def level_queue_arguments(level: int, dead_letter_exchange: str) -> dict[str, Any]:
    return {
        "x-queue-type": "quorum",
        "x-message-ttl": 2**level,
        "x-dead-letter-exchange": dead_letter_exchange,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def digit_pattern(level: int, digit: str, levels: int) -> str:
    """Topic pattern matching routing keys whose digit for ``level`` is ``digit``."""
    return ".".join(["*"] * (levels - 1 - level) + [digit, "#"])


def cascade_routing_key(ms: int, key: str, levels: int) -> str:
    return ".".join(format(ms, f"0{levels}b")) + "." + key


def compensate(ms: int, hop_ms: float) -> int:
    """The delay to publish so that ``ms`` plus the hops' own latency ends on time."""
    if hop_ms <= 0 or ms <= 0:
        return ms
    effective = ms
    for _ in range(4):  # converges in one or two rounds: popcount changes little
        effective = max(0, ms - round(hop_ms * effective.bit_count()))
    return effective


class NativeDelayBackend:
    name = "native"

    def __init__(
        self,
        topology: Topology,
        levels: int = NATIVE_LEVELS,
        hop_latency: timedelta = DEFAULT_HOP_LATENCY,
    ) -> None:
        if not 1 <= levels <= 32:
            raise ValueError("levels must be between 1 and 32")
        self.topology = topology
        self.levels = levels
        self.max_delay_ms = 2**levels - 1
        self.hop_ms = hop_latency.total_seconds() * 1000

    async def declare(self, channel: AbstractChannel) -> None:
        topo = self.topology
        entry = await channel.declare_exchange(topo.exchange, ExchangeType.TOPIC, durable=True)
        for ch in Channel:
            queue = await channel.declare_queue(
                topo.queue(ch), durable=True, arguments=dict(NOTIFICATION_QUEUE_ARGUMENTS)
            )
            await queue.bind(entry, f"#.{routing_key(ch)}")
        exchanges = [
            await channel.declare_exchange(
                topo.delay_level(level), ExchangeType.TOPIC, durable=True
            )
            for level in range(self.levels)
        ]
        for level, exchange in enumerate(exchanges):
            next_hop = exchanges[level - 1] if level > 0 else entry
            queue = await channel.declare_queue(
                topo.delay_level(level),
                durable=True,
                arguments=level_queue_arguments(level, next_hop.name),
            )
            await queue.bind(exchange, digit_pattern(level, "1", self.levels))
            await next_hop.bind(exchange, digit_pattern(level, "0", self.levels))

    def outgoing(self, message: ReminderMessage, delay: timedelta) -> Outgoing:
        key = routing_key(message.target_type)
        ms = compensate(min(delay_ms(delay), self.max_delay_ms), self.hop_ms)
        if ms == 0:
            return Outgoing(self.topology.exchange, key, amqp_message(message), mandatory=True)
        return Outgoing(
            exchange=self.topology.delay_level(self.levels - 1),
            routing_key=cascade_routing_key(ms, key, self.levels),
            message=amqp_message(message),
            mandatory=True,
        )
