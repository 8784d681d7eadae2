"""The dispatcher process: horizon loop + sweeper (+ materializing recurring events).

``run_dispatcher`` runs embedded in ``nudge api`` and alone as ``nudge dispatcher``
(:func:`serve_dispatcher`); several may run at once. It wakes at once when
reminders are written (the in-process :class:`DispatcherWakeup` and PostgreSQL
``LISTEN nudge_reminders``), otherwise sleeps until the next pending reminder enters
the horizon or the next sweep is due; there is no busy polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from nudge.bus.native import DEFAULT_HOP_LATENCY
from nudge.bus.publisher import ReminderPublisher, open_publisher
from nudge.config import Settings
from nudge.dispatcher.loop import DEFAULT_BATCH_SIZE, dispatch_pass
from nudge.dispatcher.materialize import materialize_due
from nudge.dispatcher.sweeper import DEFAULT_GRACE, sweep
from nudge.dispatcher.wakeup import DispatcherWakeup, NotifyListener
from nudge.store.db import SessionFactory, make_engine, make_session_factory
from nudge.store.ledger import DEFAULT_LEASE

log = logging.getLogger("nudge.dispatcher")

# When something is due but another dispatcher holds it, look again this soon.
BUSY_RETRY = 0.05
# Without a LISTEN connection, look at the table at least this often.
UNLISTENED_SLEEP = 5.0


@dataclass(frozen=True)
class DispatcherOptions:
    horizon: timedelta = timedelta(hours=1)
    batch_size: int = DEFAULT_BATCH_SIZE
    sweep_interval: timedelta = timedelta(seconds=15)
    grace: timedelta = DEFAULT_GRACE
    lease: timedelta = DEFAULT_LEASE
    # Safety net: never sleep longer than this, even with nothing pending.
    max_sleep: timedelta = timedelta(minutes=5)
    retry_delay: timedelta = timedelta(seconds=2)
    hop_latency: timedelta = DEFAULT_HOP_LATENCY
    # Recurring events: advance once the stored occurrence starts before now + this.
    materialize_ahead: timedelta = timedelta(0)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> DispatcherOptions:
        return replace(cls(horizon=settings.dispatch_horizon), **overrides)


async def _open_publisher(
    settings: Settings, options: DispatcherOptions, stop: asyncio.Event
) -> ReminderPublisher | None:
    while not stop.is_set():
        try:
            return await open_publisher(settings, hop_latency=options.hop_latency)
        except Exception as exc:
            log.warning("cannot reach RabbitMQ (%s); retrying", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), options.retry_delay.total_seconds())
    return None


async def _wake_on_stop(stop: asyncio.Event, wakeup: DispatcherWakeup) -> None:
    await stop.wait()
    wakeup.wake()


async def run_dispatcher(
    settings: Settings,
    session_factory: SessionFactory,
    wakeup: DispatcherWakeup,
    stop: asyncio.Event,
    *,
    options: DispatcherOptions | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run until ``stop`` is set. ``on_ready(backend_name)`` is called once connected."""
    opts = options or DispatcherOptions.from_settings(settings)
    publisher = await _open_publisher(settings, opts, stop)
    if publisher is None:
        return
    if on_ready is not None:
        on_ready(publisher.backend_name)
    listener = NotifyListener(settings.database_url, wakeup)
    stopper = asyncio.create_task(_wake_on_stop(stop, wakeup))
    log.info("dispatcher running (horizon %s, backend %s)", opts.horizon, publisher.backend_name)
    next_sweep = 0.0
    try:
        while not stop.is_set():
            wakeup.clear()
            listening = await listener.ensure()
            timeout = opts.max_sleep.total_seconds()
            if not listening:
                timeout = min(timeout, UNLISTENED_SLEEP)
            try:
                if time.monotonic() >= next_sweep:
                    await sweep(session_factory, publisher, grace=opts.grace, lease=opts.lease)
                    await materialize_due(session_factory, ahead=opts.materialize_ahead)
                    next_sweep = time.monotonic() + opts.sweep_interval.total_seconds()
                result = await dispatch_pass(
                    session_factory, publisher, opts.horizon, opts.batch_size
                )
                if result.next_pending_at is not None:
                    enters = result.next_pending_at - opts.horizon - datetime.now(UTC)
                    seconds = enters.total_seconds()
                    timeout = min(timeout, seconds + 0.001 if seconds > 0 else BUSY_RETRY)
                timeout = min(timeout, max(0.0, next_sweep - time.monotonic()))
            except Exception as exc:
                log.warning("dispatcher pass failed (%s); retrying", exc, exc_info=True)
                timeout = opts.retry_delay.total_seconds()
            if not stop.is_set():
                await wakeup.wait(timeout)
    finally:
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopper
        await listener.close()
        await publisher.close()
        log.info("dispatcher stopped")


async def serve_dispatcher(settings: Settings, options: DispatcherOptions | None = None) -> None:
    """``nudge dispatcher``: a standalone dispatcher until SIGINT/SIGTERM."""
    engine = make_engine(settings.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_dispatcher(
            settings, make_session_factory(engine), DispatcherWakeup(), stop, options=options
        )
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await engine.dispose()
