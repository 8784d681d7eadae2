"""Notifier processes that die, restart, stop, and run side by side."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.desktop_notifier.dn_support import (
    ChildFactory,
    ClientFactory,
    Reminders,
    eventually,
)


async def metric(port: int, name: str, labels: str = "") -> float:
    async with httpx.AsyncClient() as http:
        body = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    pattern = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + "$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.slow
async def test_kill_9_between_claim_and_ack_is_delivered_after_restart(
    child_notifier: ChildFactory, client: ClientFactory, reminders: Reminders
) -> None:
    child = child_notifier(ack_timeout=2.0)
    await child.start()
    silent = await client(child.url, auto_ack=False)
    message = await reminders.add_and_publish()
    await silent.wait_for(lambda: silent.ids() == [message.reminder_id])
    assert await reminders.status(message.reminder_id) == "delivering"  # claimed, not acked

    child.kill()
    await silent.wait_for(lambda: silent.reader is not None and silent.reader.done())
    assert await reminders.status(message.reminder_id) == "delivering"

    await child.start()  # same port, same queue; the unacked message comes back
    again = await client(child.url)
    await again.wait_for(lambda: again.ids() == [message.reminder_id], within=60)
    await reminders.wait_status(message.reminder_id, "sent")
    assert again.ids() == [message.reminder_id]
    assert (
        await metric(
            child.settings.ws_port, "nudge_desktop_redeliveries_total", 'kind="amqp_redelivered"'
        )
        >= 1
    )


@pytest.mark.slow
async def test_sigterm_stops_cleanly(
    child_notifier: ChildFactory, client: ClientFactory, reminders: Reminders
) -> None:
    child = child_notifier()
    await child.start()
    c = await client(child.url)
    message = await reminders.add_and_publish()
    await c.wait_for(lambda: c.ids() == [message.reminder_id])
    await reminders.wait_status(message.reminder_id, "sent")
    assert child.terminate() == 0
    await c.wait_for(lambda: c.reader is not None and c.reader.done())


@pytest.mark.slow
async def test_two_instances_reach_a_device_connected_to_either(
    child_notifier: ChildFactory, client: ClientFactory, reminders: Reminders
) -> None:
    """The device is on A only; B consumes about half the messages and hands them over."""
    a = child_notifier()
    b = child_notifier()
    await a.start()
    await b.start()
    c = await client(a.url)
    sent = [await reminders.add_and_publish(title=f"r{i}") for i in range(20)]
    ids = sorted(m.reminder_id for m in sent)
    await c.wait_for(lambda: len(c.ids()) >= len(ids))
    for m in sent:
        await reminders.wait_status(m.reminder_id, "sent")
    assert sorted(c.ids()) == ids  # each exactly once

    handed_over = await metric(
        b.settings.ws_port, "nudge_desktop_forwarded_total", 'outcome="routed"'
    )
    taken_over = await metric(
        a.settings.ws_port, "nudge_desktop_pushes_total", 'source="forwarded"'
    )
    assert handed_over >= 1
    assert taken_over == handed_over


@pytest.mark.slow
async def test_two_instances_device_offline_then_connects_to_the_other(
    child_notifier: ChildFactory, client: ClientFactory, reminders: Reminders
) -> None:
    a = child_notifier()
    b = child_notifier()
    await a.start()
    await b.start()
    sent = [await reminders.add_and_publish(title=f"r{i}") for i in range(6)]
    for m in sent:
        await reminders.wait_status(m.reminder_id, "waiting")
    c = await client(b.url)
    await c.wait_for(lambda: len(c.ids()) >= len(sent))
    for m in sent:
        await reminders.wait_status(m.reminder_id, "sent")
    assert sorted(c.ids()) == sorted(m.reminder_id for m in sent)

    async def no_connections_on_a() -> bool:
        async with httpx.AsyncClient() as http:
            health = await http.get(f"http://127.0.0.1:{a.settings.ws_port}/healthz")
        return bool(health.json()["connections"] == 0)

    await eventually(no_connections_on_a)
