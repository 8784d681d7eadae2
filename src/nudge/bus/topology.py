"""Names of the RabbitMQ objects nudge uses (DESIGN.md, Messaging).

Every exchange and queue name carries ``NUDGE_TOPOLOGY_PREFIX`` (empty by default),
so test sessions on a shared broker stay isolated and can delete what they made.
Routing keys are not prefixed: they only matter inside the prefixed exchanges.

- ``delayed_reminders_exchange``: where reminders are published. With the ``plugin``
  backend it is an ``x-delayed-message`` exchange (``x-delayed-type: direct``); with
  the ``native`` backend it is a ``topic`` exchange that receives both undelayed
  messages (``reminder.desktop``) and the last hop of the delay cascade
  (``0.1.….reminder.desktop``). The two backends therefore cannot share one prefix on
  one broker: switching a deployment between them means deleting that exchange.
- ``q.notification.desktop`` / ``q.notification.telegram``: durable quorum queues.
- ``nudge.delay.NN``: the native backend's cascade (see :mod:`nudge.bus.native`).
- ``nudge.desktop.devices``: the desktop notifiers' device router
  (:mod:`nudge.desktop_notifier.router`).
- ``nudge.delay-plugin-probe``: declared for a moment to learn whether the broker has
  the delayed-message plugin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aio_pika

from nudge.config import Settings
from nudge.store.models import Channel

EXCHANGE_NAME = "delayed_reminders_exchange"
DEVICE_EXCHANGE_NAME = "nudge.desktop.devices"
PLUGIN_PROBE_NAME = "nudge.delay-plugin-probe"
# Depth of the native cascade, here so cleanup knows every level (nudge.bus.native).
NATIVE_LEVELS = 32
QUEUE_NAMES = {
    Channel.DESKTOP: "q.notification.desktop",
    Channel.TELEGRAM: "q.notification.telegram",
}
# The notification queues' arguments; publisher and consumers declare them alike.
NOTIFICATION_QUEUE_ARGUMENTS: dict[str, Any] = {"x-queue-type": "quorum"}


def routing_key(channel: Channel | str) -> str:
    return f"reminder.{Channel(channel).value}"


@dataclass(frozen=True)
class Topology:
    prefix: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Topology:
        return cls(prefix=settings.topology_prefix)

    @property
    def exchange(self) -> str:
        return f"{self.prefix}{EXCHANGE_NAME}"

    def queue(self, channel: Channel | str) -> str:
        return f"{self.prefix}{QUEUE_NAMES[Channel(channel)]}"

    @property
    def device_exchange(self) -> str:
        return f"{self.prefix}{DEVICE_EXCHANGE_NAME}"

    @property
    def plugin_probe(self) -> str:
        return f"{self.prefix}{PLUGIN_PROBE_NAME}"

    def delay_level(self, level: int) -> str:
        """Name of the native cascade's exchange and queue for ``level``."""
        return f"{self.prefix}nudge.delay.{level:02d}"

    def exchanges(self, levels: int = NATIVE_LEVELS) -> list[str]:
        """Every exchange name, for cleanup (``levels``: native cascade depth)."""
        return [
            self.exchange,
            self.device_exchange,
            self.plugin_probe,
            *(self.delay_level(level) for level in range(levels)),
        ]

    def queues(self, levels: int = NATIVE_LEVELS) -> list[str]:
        """Every durable queue name, for cleanup (``levels``: native cascade depth)."""
        return [
            *(self.queue(channel) for channel in Channel),
            *(self.delay_level(level) for level in range(levels)),
        ]


async def delete_topology(amqp_url: str, topology: Topology) -> None:
    """Delete every exchange and queue of ``topology``'s prefix (test sessions, the
    benchmarks); deleting one that does not exist is not an error."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for queue in topology.queues():
            await channel.queue_delete(queue)
        for exchange in topology.exchanges():
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()
