"""The notifier's HTTP side: ``GET /healthz``, ``GET /metrics`` and the WebSocket ``/ws``.

``/ws?device_id=…[&token=…]`` (the token may also come as ``Authorization: Bearer``).
Refusals happen after the handshake so the client sees a close code and a reason:

- 4401: ``NUDGE_API_TOKEN`` is set and the token is missing or wrong;
- 4403: ``device_id`` is missing or is not the registered ``desktop_device_id``
  (read from ``user_config`` at connect time);
- 1003: a binary frame; 1008: a text frame that is not a JSON object or whose
  ``type`` is not ``ack`` (with an integer ``reminder_id``);
- 1009: a frame larger than ``NUDGE_DESKTOP_MAX_FRAME`` (uvicorn's ``ws_max_size``);
- 1011: no pong within ``NUDGE_DESKTOP_PING_TIMEOUT`` (uvicorn's keepalive pings).

Each of these closes that one connection only.
"""

from __future__ import annotations

import json
import logging
import secrets

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from nudge.config import Settings
from nudge.desktop_notifier.consumer import DesktopNotifier
from nudge.desktop_notifier.hub import Connection
from nudge.desktop_notifier.metrics import CLOSED_BY_SERVER, CONNECTS

log = logging.getLogger("nudge.desktop.ws")

CLOSE_UNSUPPORTED = 1003
CLOSE_POLICY = 1008
CLOSE_BAD_TOKEN = 4401
CLOSE_UNKNOWN_DEVICE = 4403


def _bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _token_ok(settings: Settings, given: str | None) -> bool:
    if settings.api_token is None:
        return True
    return given is not None and secrets.compare_digest(given.encode(), settings.api_token.encode())


def create_app(settings: Settings, notifier: DesktopNotifier) -> Starlette:
    async def healthz(_: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "instance": notifier.instance_id,
                "connections": notifier.hub.connection_count,
            }
        )

    async def metrics(request: Request) -> Response:
        if not _token_ok(settings, _bearer(request.headers.get("authorization"))):
            return JSONResponse({"detail": "missing or wrong token", "errors": []}, 401)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def ws(websocket: WebSocket) -> None:
        params = websocket.query_params
        given = params.get("token") or _bearer(websocket.headers.get("authorization"))
        if not _token_ok(settings, given):
            CONNECTS.labels("bad_token").inc()
            await websocket.accept()
            await websocket.close(CLOSE_BAD_TOKEN, "missing or wrong token")
            return
        device = params.get("device_id", "")
        registered = await notifier.registered_device()
        if not device or device != registered:
            CONNECTS.labels("unknown_device").inc()
            log.info("refused device %r (registered: %r)", device[:100], registered)
            await websocket.accept()
            await websocket.close(CLOSE_UNKNOWN_DEVICE, "unknown device")
            return
        await websocket.accept()
        CONNECTS.labels("accepted").inc()
        connection = Connection(websocket, device)
        await notifier.connected(connection)
        try:
            await _read_loop(websocket, notifier, connection)
        finally:
            await notifier.disconnected(connection)

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/metrics", metrics),
            WebSocketRoute("/ws", ws),
        ]
    )


async def _refuse(websocket: WebSocket, code: int, reason: str, label: str) -> None:
    CLOSED_BY_SERVER.labels(label).inc()
    log.info("closing a connection: %s", reason)
    try:
        await websocket.close(code, reason)
    except Exception as exc:  # the peer is gone already
        log.debug("close failed: %s", exc)


async def _read_loop(websocket: WebSocket, notifier: DesktopNotifier, conn: Connection) -> None:
    while True:
        try:
            frame = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if frame["type"] == "websocket.disconnect":
            return
        text = frame.get("text")
        if text is None:
            await _refuse(websocket, CLOSE_UNSUPPORTED, "binary frames are not accepted", "binary")
            return
        try:
            data = json.loads(text)
        except ValueError:
            await _refuse(websocket, CLOSE_POLICY, "frame is not JSON", "malformed_json")
            return
        reminder_id = data.get("reminder_id") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or data.get("type") != "ack"
            or not isinstance(reminder_id, int)
            or isinstance(reminder_id, bool)
        ):
            await _refuse(
                websocket,
                CLOSE_POLICY,
                'unknown frame; expected {"type": "ack", "reminder_id": <int>}',
                "unknown_frame",
            )
            return
        await notifier.on_ack(conn.device_id, reminder_id)
