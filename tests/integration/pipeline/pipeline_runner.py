"""Processes for the fault tests, run as ``python -m pipeline_runner …`` so a test can
kill -9 them. Settings come from the ``NUDGE_*`` environment.

- ``dispatcher [--grace S] [--lease S] [--sweep S] [--batch N]``: a dispatcher;
  prints ``ready <backend>`` once connected.
- ``stuck-notifier``: a notifier that claims each reminder, prints ``claimed <id>``
  and then hangs before settling it (the window a crash can hit).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import timedelta

from nudge.bus.consumer import make_broker, subscribe_reminders
from nudge.bus.schema import ReminderMessage
from nudge.config import load_settings
from nudge.dispatcher.service import DispatcherOptions, run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store import ledger
from nudge.store.db import make_engine, make_session_factory
from nudge.store.models import Channel


async def dispatcher(args: argparse.Namespace) -> None:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    options = DispatcherOptions.from_settings(
        settings,
        grace=timedelta(seconds=args.grace),
        lease=timedelta(seconds=args.lease),
        sweep_interval=timedelta(seconds=args.sweep),
        batch_size=args.batch,
    )
    try:
        await run_dispatcher(
            settings,
            make_session_factory(engine),
            DispatcherWakeup(),
            stop,
            options=options,
            on_ready=lambda backend: print("ready", backend, flush=True),
        )
    finally:
        await engine.dispose()


async def stuck_notifier(args: argparse.Namespace) -> None:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    hang = asyncio.Event()

    async def handle(message: ReminderMessage) -> None:
        claimed = await ledger.claim(
            session_factory, message.reminder_id, message.version, timedelta(seconds=args.lease)
        )
        if claimed is not None:
            print("claimed", claimed.reminder_id, flush=True)
            await hang.wait()  # never settles, never acks

    broker = make_broker(settings)
    subscribe_reminders(broker, settings, Channel.DESKTOP, handle)
    await broker.start()
    print("ready", flush=True)
    await hang.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["dispatcher", "stuck-notifier"])
    parser.add_argument("--grace", type=float, default=30)
    parser.add_argument("--lease", type=float, default=120)
    parser.add_argument("--sweep", type=float, default=15)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(dispatcher(args) if args.role == "dispatcher" else stuck_notifier(args))


if __name__ == "__main__":
    main()
