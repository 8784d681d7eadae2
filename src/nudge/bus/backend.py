"""What the two delay backends have in common."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import aio_pika
from aio_pika.abc import AbstractChannel

from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology


@dataclass(frozen=True)
class Outgoing:
    """One AMQP publish: where to, with which routing key, and the message."""

    exchange: str
    routing_key: str
    message: aio_pika.Message
    mandatory: bool


def amqp_message(
    message: ReminderMessage, headers: dict[str, int] | None = None
) -> aio_pika.Message:
    return aio_pika.Message(
        body=message.to_body(),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=f"{message.reminder_id}:{message.version}",
        headers=dict(headers or {}),
    )


def delay_ms(delay: timedelta) -> int:
    """Whole milliseconds of ``delay``, rounded to the nearest, never negative."""
    return max(0, round(delay.total_seconds() * 1000))


class DelayBackend(Protocol):
    name: str
    topology: Topology

    async def declare(self, channel: AbstractChannel) -> None:
        """Declare this backend's exchanges, queues and bindings (idempotent)."""

    def outgoing(self, message: ReminderMessage, delay: timedelta) -> Outgoing:
        """The publish that delivers ``message`` to its queue after ``delay``."""
