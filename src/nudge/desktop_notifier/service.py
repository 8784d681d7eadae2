"""``nudge desktop-notifier``: the WebSocket server and the queue consumer in one process.

:func:`main` is what the CLI calls. It runs uvicorn (``websockets-sansio`` protocol,
keepalive pings, frame size limit) and :class:`DesktopNotifier` on one event loop and
stops cleanly on SIGTERM/SIGINT: consuming stops first (deliveries in flight wait for
their acks and settle), then the device exchange is left, then the sockets close.
Tuning comes from ``NUDGE_DESKTOP_*`` (:class:`NotifierOptions`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Generator

import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from nudge.config import Settings, SettingsError, load_from_env
from nudge.desktop_notifier.consumer import DesktopNotifier, NotifierOptions
from nudge.desktop_notifier.server import create_app
from nudge.store.db import make_session_factory

log = logging.getLogger("nudge.desktop")


def make_notifier_engine(database_url: str) -> AsyncEngine:
    """The notifier's pool, without ``pool_pre_ping``.

    A pre-ping is three round trips (BEGIN, ``;``, ROLLBACK) per checkout, i.e. per
    claim and per ``sent`` write: most of the database time of a burst. Without it a
    connection that died (PostgreSQL restarted) fails its next statement instead;
    SQLAlchemy then invalidates the pool, the handler raises, its message is
    rejected and the row, still ``queued``/``delivering``, is published again by
    the sweeper — the path any database error takes.
    """
    return create_async_engine(database_url, pool_size=20, pool_pre_ping=False)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: :func:`serve` owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def load_options() -> NotifierOptions:
    try:
        return load_from_env(NotifierOptions)
    except SettingsError as exc:
        print(f"nudge: bad setting {exc}", file=sys.stderr)
        raise SystemExit(2) from None


async def serve(
    settings: Settings,
    options: NotifierOptions | None = None,
    *,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[DesktopNotifier], None] | None = None,
) -> None:
    """Run until ``stop`` is set (or SIGTERM/SIGINT when running in the main thread)."""
    options = options or NotifierOptions()
    stop = stop or asyncio.Event()
    engine = make_notifier_engine(settings.database_url)
    notifier = DesktopNotifier(settings, make_session_factory(engine), options)
    config = uvicorn.Config(
        create_app(settings, notifier),
        host=settings.ws_host,
        port=settings.ws_port,
        ws="websockets-sansio",
        ws_max_size=options.max_frame,
        # Reminder frames are small; compressing each one costs CPU and saves little.
        ws_per_message_deflate=False,
        ws_ping_interval=options.ping_interval,
        ws_ping_timeout=options.ping_timeout,
        lifespan="off",
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    server = _Server(config)
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
    try:
        await notifier.start()
        server_task = asyncio.create_task(server.serve())
        while not server.started:
            if server_task.done():
                server_task.result()  # e.g. the port is taken
                raise RuntimeError("the WebSocket server stopped while starting")
            await asyncio.sleep(0.02)
        log.info(
            "desktop notifier %s listening on ws://%s:%d/ws",
            notifier.instance_id,
            settings.ws_host,
            settings.ws_port,
        )
        if on_ready is not None:
            on_ready(notifier)
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({stopped, server_task}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        log.info("desktop notifier stopping")
        await notifier.stop()
        server.should_exit = True
        await server_task
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        with contextlib.suppress(Exception):
            await notifier.stop()
        await engine.dispose()
    log.info("desktop notifier stopped")


def main(settings: Settings) -> None:
    """Entry point of ``nudge desktop-notifier``."""
    options = load_options()
    asyncio.run(serve(settings, options))
