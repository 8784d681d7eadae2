"""Who may connect, what a client may send, and dead connections."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from base64 import b64encode

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.integration.desktop_notifier.dn_support import (
    DEVICE,
    ClientFactory,
    NotifierFactory,
    Reminders,
    close_code,
    eventually,
)


async def _true(value: bool) -> bool:
    return value


async def test_unknown_or_missing_device_is_refused_with_4403(
    notifier: NotifierFactory, client: ClientFactory
) -> None:
    n = await notifier()
    stranger = await client(n.url, "someone-else", read=False)
    assert await close_code(stranger.ws) == (4403, "unknown device")
    anonymous = await client(n.url, None, read=False)
    assert (await close_code(anonymous.ws))[0] == 4403
    assert n.notifier.hub.connection_count == 0


async def test_token_is_required_when_configured(
    notifier: NotifierFactory, client: ClientFactory, reminders: Reminders
) -> None:
    n = await notifier(settings_update={"api_token": "s3cret"})
    missing = await client(n.url, read=False)
    assert await close_code(missing.ws) == (4401, "missing or wrong token")
    wrong = await client(n.url, token="nope", read=False)
    assert (await close_code(wrong.ws))[0] == 4401
    by_query = await client(n.url, token="s3cret")
    by_header = await client(n.url, headers={"Authorization": "Bearer s3cret"})
    message = await reminders.add_and_publish()
    await by_query.wait_for(lambda: by_query.ids() == [message.reminder_id])
    await by_header.wait_for(lambda: by_header.ids() == [message.reminder_id])
    async with httpx.AsyncClient() as http:
        base = f"http://127.0.0.1:{n.settings.ws_port}"
        assert (await http.get(f"{base}/metrics")).status_code == 401
        ok = await http.get(f"{base}/metrics", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert "nudge_desktop_connections" in ok.text


async def test_bad_frames_close_only_that_connection(
    notifier: NotifierFactory, client: ClientFactory, reminders: Reminders
) -> None:
    n = await notifier()
    good = await client(n.url)
    cases: list[tuple[str | bytes, int]] = [
        ("{not json", 1008),
        (json.dumps({"type": "hello"}), 1008),
        (json.dumps({"type": "ack", "reminder_id": "17"}), 1008),
        (json.dumps([1, 2]), 1008),
        (b"\x00\x01binary", 1003),
        ("x" * (10 * 1024 * 1024), 1009),  # a 10 MB frame
    ]
    for payload, expected in cases:
        bad = await client(n.url, read=False)
        with contextlib.suppress(ConnectionClosed):
            await bad.ws.send(payload)
        code, _ = await close_code(bad.ws)
        assert code == expected, (payload[:20], code)

    # The server and the well-behaved client carry on.
    message = await reminders.add_and_publish()
    await good.wait_for(lambda: good.ids() == [message.reminder_id])
    await reminders.wait_status(message.reminder_id, "sent")
    await eventually(lambda: _true(n.notifier.hub.connection_count == 1), what="one left")
    async with httpx.AsyncClient() as http:
        health = await http.get(f"http://127.0.0.1:{n.settings.ws_port}/healthz")
    assert health.json()["connections"] == 1


def _silent_websocket(port: int) -> socket.socket:
    """A WebSocket handshake by hand, then silence: it never answers a ping."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = b64encode(b"0123456789abcdef").decode()
    sock.sendall(
        (
            f"GET /ws?device_id={DEVICE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        assert chunk, "connection closed during the handshake"
        response += chunk
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock


async def test_heartbeat_drops_a_dead_connection(
    notifier: NotifierFactory, client: ClientFactory, reminders: Reminders
) -> None:
    n = await notifier(ping_interval=0.3, ping_timeout=0.3)
    alive = await client(n.url)
    sock = await asyncio.to_thread(_silent_websocket, n.settings.ws_port)
    try:
        await eventually(lambda: _true(n.notifier.hub.connection_count == 2), what="both in")
        await eventually(
            lambda: _true(n.notifier.hub.connection_count == 1), what="dead one dropped"
        )
    finally:
        sock.close()
    # The live client answered every ping and still receives.
    message = await reminders.add_and_publish()
    await alive.wait_for(lambda: alive.ids() == [message.reminder_id])


async def test_client_reconnecting_to_a_refusal_does_not_disturb_others(
    notifier: NotifierFactory, client: ClientFactory, reminders: Reminders
) -> None:
    """Many refused attempts in a row (a client with a stale device id retrying)."""
    n = await notifier()
    good = await client(n.url)
    for _ in range(20):
        async with connect(f"{n.url}?device_id=stale") as ws:
            assert (await close_code(ws))[0] == 4403
    message = await reminders.add_and_publish()
    await good.wait_for(lambda: good.ids() == [message.reminder_id])
