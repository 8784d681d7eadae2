"""Subscribing a notifier to its notification queue with faststream.

Usage in a notifier service::

    broker = make_broker(settings)
    subscribe_reminders(broker, settings, Channel.TELEGRAM, handle)
    await broker.start()

``handle(message)`` claims the reminder in the ledger (:mod:`nudge.store.ledger`),
delivers it and settles it. The message is acknowledged only after ``handle``
returns, i.e. after the ledger write. If ``handle`` raises, the message is rejected
(dropped, not requeued, so a broken database cannot make it spin); the row is still
``queued``/``delivering`` and the dispatcher's sweeper publishes it again later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import Channel as AmqpChannel
from faststream.rabbit import QueueType, RabbitBroker, RabbitQueue

from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology
from nudge.config import Settings
from nudge.store.models import Channel

ReminderHandler = Callable[[ReminderMessage], Awaitable[None]]
DEFAULT_PREFETCH = 32


def make_broker(settings: Settings, **kwargs: Any) -> RabbitBroker:
    return RabbitBroker(settings.amqp_url, **kwargs)


def reminder_queue(settings: Settings, channel: Channel) -> RabbitQueue:
    """The notification queue, declared exactly as the publisher declares it."""
    return RabbitQueue(
        Topology.from_settings(settings).queue(channel),
        queue_type=QueueType.QUORUM,
        durable=True,
    )


def subscribe_reminders(
    broker: RabbitBroker,
    settings: Settings,
    channel: Channel,
    handler: ReminderHandler,
    *,
    prefetch: int = DEFAULT_PREFETCH,
) -> Any:
    """Register ``handler`` for the channel's queue; returns the faststream subscriber."""

    async def on_reminder(body: ReminderMessage) -> None:
        await handler(body)

    subscriber = broker.subscriber(
        reminder_queue(settings, channel),
        ack_policy=AckPolicy.REJECT_ON_ERROR,
        channel=AmqpChannel(prefetch_count=prefetch),
    )
    return subscriber(on_reminder)
