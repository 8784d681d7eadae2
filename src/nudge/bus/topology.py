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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nudge.config import Settings
from nudge.store.models import Channel

EXCHANGE_NAME = "delayed_reminders_exchange"
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

    def delay_level(self, level: int) -> str:
        """Name of the native cascade's exchange and queue for ``level``."""
        return f"{self.prefix}nudge.delay.{level:02d}"

    def exchanges(self, levels: int) -> list[str]:
        """Every exchange name, for cleanup (``levels``: native cascade depth)."""
        return [self.exchange, *(self.delay_level(level) for level in range(levels))]

    def queues(self, levels: int) -> list[str]:
        """Every queue name, for cleanup (``levels``: native cascade depth)."""
        return [
            *(self.queue(channel) for channel in Channel),
            *(self.delay_level(level) for level in range(levels)),
        ]
