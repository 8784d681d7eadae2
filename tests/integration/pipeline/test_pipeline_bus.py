"""The bus on its own: backend choice, the native cascade, the plugin's messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aio_pika
import pytest

from nudge.bus.native import NativeDelayBackend, cascade_routing_key, compensate
from nudge.bus.plugin import PluginDelayBackend
from nudge.bus.publisher import broker_has_delay_plugin, open_publisher
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology
from nudge.config import Settings
from nudge.store.models import Channel
from tests.integration.pipeline.conftest import Notifier, NotifierFactory


def message(
    reminder_id: int, remind_at: datetime, channel: Channel = Channel.DESKTOP
) -> ReminderMessage:
    return ReminderMessage(
        reminder_id=reminder_id,
        version=1,
        event_id=1,
        event_title="t",
        event_start=remind_at,
        remind_at=remind_at,
        target_type=channel,
        desktop_device_id="dev-1",
    )


def test_message_body_matches_the_contract() -> None:
    at = datetime(2026, 12, 1, 14, 45, tzinfo=UTC)
    body = message(17, at, Channel.TELEGRAM).to_body()
    parsed = ReminderMessage.from_body(body)
    assert parsed.target_type is Channel.TELEGRAM
    import json

    raw = json.loads(body)
    assert raw["type"] == "reminder"
    assert raw["target_type"] == "telegram"
    assert raw["late"] is False
    assert raw["event_location"] is None
    assert set(raw) == {
        "type", "reminder_id", "version", "event_id", "event_title", "event_description",
        "event_start", "remind_at", "target_type", "telegram_chat_id", "desktop_device_id",
        "event_location", "late",
    }  # fmt: skip


def test_cascade_routing_key_spells_the_delay_in_binary() -> None:
    assert cascade_routing_key(5, "reminder.desktop", 4) == "0.1.0.1.reminder.desktop"
    assert compensate(0, 1.5) == 0
    assert compensate(1000, 0) == 1000
    # 1000 ms has six 1-digits; the hops' latency is taken off ahead of time.
    assert 985 <= compensate(1000, 1.5) < 1000


async def test_auto_falls_back_to_native_without_the_plugin(pipe_settings: Settings) -> None:
    topology = Topology(pipe_settings.topology_prefix)
    assert await broker_has_delay_plugin(pipe_settings.amqp_url, topology) is False
    pub = await open_publisher(pipe_settings.model_copy(update={"delay_backend": "auto"}))
    try:
        assert pub.backend_name == "native"
    finally:
        await pub.close()


async def test_plugin_backend_declaration_and_headers(pipe_settings: Settings) -> None:
    backend = PluginDelayBackend(Topology(pipe_settings.topology_prefix))
    at = datetime(2026, 12, 1, tzinfo=UTC)
    out = backend.outgoing(message(3, at), timedelta(seconds=2, milliseconds=345))
    assert out.exchange == f"{pipe_settings.topology_prefix}delayed_reminders_exchange"
    assert out.routing_key == "reminder.desktop"
    assert out.message.headers["x-delay"] == 2345
    assert out.mandatory is False
    assert backend.outgoing(message(3, at), timedelta(days=60)).message.headers["x-delay"] == (
        2**32 - 1
    )
    # This broker has no plugin: the declaration is refused, naming the exchange type.
    connection = await aio_pika.connect(pipe_settings.amqp_url)
    try:
        channel = await connection.channel()
        with pytest.raises(aio_pika.exceptions.AMQPError, match="x-delayed-message"):
            await backend.declare(channel)
    finally:
        await connection.close()


async def test_native_delay_is_exact_to_the_millisecond_scale(
    pipe_settings: Settings, notifier: NotifierFactory
) -> None:
    """Messages with different delays come out of the cascade in remind_at order,
    none before its time (minus the hop compensation), with sub-second delays kept."""
    pub = await open_publisher(pipe_settings)
    assert isinstance(pub.backend, NativeDelayBackend)
    n: Notifier = await notifier()
    try:
        now = datetime.now(UTC)
        delays_ms = [1700, 250, 1333, 0, 777]
        for i, ms in enumerate(delays_ms, start=1):
            await pub.publish_due(message(i, now + timedelta(milliseconds=ms)))
        await n.wait_for(lambda: len(n.deliveries) == len(delays_ms))
    finally:
        await pub.close()
    order = [d.message.reminder_id for d in sorted(n.deliveries, key=lambda d: d.received_at)]
    assert order == [4, 2, 5, 3, 1]
    for d in n.deliveries:
        assert d.received_at >= d.message.remind_at.timestamp() - 0.05
