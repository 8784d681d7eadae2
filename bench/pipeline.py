"""Reminder pipeline benchmark (real PostgreSQL + RabbitMQ, native delay backend).

(a) 1,000 reminders spread over 60 s → lateness (consumer receipt − remind_at)
    p50 / p99 / max;
(b) 10,000 reminders due at the same instant → time from that instant until all
    are consumed (received, claimed and marked sent in the ledger);
(c) one dispatcher pass publishing 1,000 due reminders with 1,000,000 pending rows
    in the table vs with 1,000.

Targets: p50 ≤ 20 ms, p99 ≤ 100 ms; burst ≤ 5 s; (c) ratio ≤ 2.
Writes bench/results/pipeline.json and bench/results/pipeline_lateness.png.
Uses its own database and topology prefix and removes both at the end.

    .venv/bin/python bench/pipeline.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
from sqlalchemy import text

from nudge.bus.consumer import make_broker, subscribe_reminders
from nudge.bus.native import NATIVE_LEVELS
from nudge.bus.publisher import open_publisher
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology
from nudge.config import Settings
from nudge.dispatcher.loop import dispatch_pass
from nudge.dispatcher.service import DispatcherOptions, run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store import ledger
from nudge.store.db import SessionFactory, drop_database, make_engine, make_session_factory
from nudge.store.migrate import migrate
from nudge.store.models import Channel

RESULTS = Path(__file__).resolve().parent / "results"
PG_ROOT = os.environ.get("NUDGE_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
AMQP_URL = os.environ.get("NUDGE_BENCH_AMQP", "amqp://guest:guest@127.0.0.1:5672/")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def reset(sf: SessionFactory) -> None:
    async with sf() as s, s.begin():
        await s.execute(text("TRUNCATE reminder, event RESTART IDENTITY CASCADE"))
        await s.execute(
            text("UPDATE user_config SET desktop_device_id = 'bench', telegram_chat_id = '1'")
        )
        await s.execute(
            text("INSERT INTO event (id, title, start_time) VALUES (1, 'bench', now())")
        )


async def insert_reminders(sf: SessionFactory, times: list[datetime]) -> None:
    async with sf() as s, s.begin():
        await s.execute(
            text(
                "INSERT INTO reminder (event_id, remind_at, occurrence_start, notification_type) "
                "SELECT 1, t, t, 'desktop' FROM unnest(CAST(:times AS timestamptz[])) AS t"
            ),
            {"times": times},
        )


class Consumer:
    def __init__(self, settings: Settings, sf: SessionFactory) -> None:
        self.settings, self.sf = settings, sf
        self.received: dict[int, float] = {}
        self.settled: dict[int, float] = {}
        self.remind_at: dict[int, float] = {}
        self.expected = 0
        self.done = asyncio.Event()
        self.broker = make_broker(settings, logger=None)

    async def handle(self, message: ReminderMessage) -> None:
        now = time.time()
        self.received.setdefault(message.reminder_id, now)
        self.remind_at[message.reminder_id] = message.remind_at.timestamp()
        claimed = await ledger.claim(self.sf, message.reminder_id, message.version)
        if claimed is not None:
            await ledger.mark_sent(self.sf, claimed.reminder_id, claimed.version)
            self.settled[message.reminder_id] = time.time()
        if len(self.settled) >= self.expected:
            self.done.set()

    def reset(self, expected: int) -> None:
        self.received.clear()
        self.settled.clear()
        self.remind_at.clear()
        self.expected = expected
        self.done.clear()

    async def start(self) -> None:
        subscribe_reminders(self.broker, self.settings, Channel.DESKTOP, self.handle, prefetch=256)
        await self.broker.start()


async def with_dispatcher(
    settings: Settings, sf: SessionFactory, consumer: Consumer, within: float
) -> None:
    wakeup, stop = DispatcherWakeup(), asyncio.Event()
    task = asyncio.create_task(
        run_dispatcher(
            settings,
            sf,
            wakeup,
            stop,
            options=DispatcherOptions.from_settings(settings, batch_size=1000),
        )
    )
    try:
        await asyncio.wait_for(consumer.done.wait(), within)
    finally:
        stop.set()
        await task


async def spread(
    settings: Settings, sf: SessionFactory, consumer: Consumer, count: int, over: float
) -> dict[str, Any]:
    await reset(sf)
    start = datetime.now(UTC) + timedelta(seconds=3)
    times = [start + timedelta(seconds=over * i / count) for i in range(count)]
    await insert_reminders(sf, times)
    consumer.reset(count)
    await with_dispatcher(settings, sf, consumer, over + 60)
    lateness = [(consumer.received[i] - consumer.remind_at[i]) * 1000 for i in consumer.received]
    return {
        "reminders": count,
        "spread_s": over,
        "lateness_ms": {
            "p50": round(pct(lateness, 50), 2),
            "p99": round(pct(lateness, 99), 2),
            "max": round(max(lateness), 2),
            "min": round(min(lateness), 2),
            "mean": round(statistics.fmean(lateness), 2),
        },
        "targets": {"p50_ms": 20, "p99_ms": 100},
        "_samples": lateness,
    }


async def burst(
    settings: Settings, sf: SessionFactory, consumer: Consumer, count: int
) -> dict[str, Any]:
    await reset(sf)
    due = datetime.now(UTC) + timedelta(seconds=8)
    await insert_reminders(sf, [due] * count)
    consumer.reset(count)
    await with_dispatcher(settings, sf, consumer, 120)
    due_ts = due.timestamp()
    return {
        "reminders": count,
        "all_received_after_due_s": round(max(consumer.received.values()) - due_ts, 3),
        "all_consumed_after_due_s": round(max(consumer.settled.values()) - due_ts, 3),
        "first_received_after_due_ms": round((min(consumer.received.values()) - due_ts) * 1000, 1),
        "target_s": 5,
    }


async def one_pass(settings: Settings, sf: SessionFactory, background: int, due: int) -> float:
    """Seconds for one dispatch pass taking ``due`` rows among ``background`` others."""
    await reset(sf)
    async with sf() as s, s.begin():
        await s.execute(
            text(
                "INSERT INTO reminder (event_id, remind_at, occurrence_start, notification_type) "
                "SELECT 1, now() + interval '2 days' + g * interval '1 second', now(), 'desktop' "
                "FROM generate_series(1, :n) AS g"
            ),
            {"n": background},
        )
    await insert_reminders(sf, [datetime.now(UTC) + timedelta(minutes=30)] * due)
    engine = sf.kw["bind"]
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE reminder"))
    publisher = await open_publisher(settings)
    try:
        started = time.perf_counter()
        result = await dispatch_pass(sf, publisher, timedelta(hours=1), batch_size=500)
        elapsed = time.perf_counter() - started
    finally:
        await publisher.close()
    assert result.published == due, result
    # The published messages sit in the cascade for 30 minutes: purge them.
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await connection.channel()
        topo = Topology(settings.topology_prefix)
        for level in range(NATIVE_LEVELS):
            await (await channel.get_queue(topo.delay_level(level))).purge()
    finally:
        await connection.close()
    return elapsed


async def scale(settings: Settings, sf: SessionFactory, big: int) -> dict[str, Any]:
    small_s = min([await one_pass(settings, sf, 0, 1000) for _ in range(2)])
    big_s = await one_pass(settings, sf, big - 1000, 1000)
    return {
        "due_per_pass": 1000,
        "pass_with_1000_pending_s": round(small_s, 4),
        f"pass_with_{big}_pending_s": round(big_s, 4),
        "ratio": round(big_s / small_s, 3),
        "target_ratio": 2,
    }


async def delete_topology(settings: Settings) -> None:
    topo = Topology(settings.topology_prefix)
    connection = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await connection.channel()
        for queue in topo.queues(NATIVE_LEVELS):
            await channel.queue_delete(queue)
        for exchange in topo.exchanges(NATIVE_LEVELS):
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()


def histogram(samples: list[float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.hist(samples, bins=60, color="#3b7dd8")
    ax.axvline(pct(samples, 50), color="black", linestyle="--", label="p50")
    ax.axvline(pct(samples, 99), color="red", linestyle="--", label="p99")
    ax.set_xlabel("lateness: consumer receipt − remind_at (ms)")
    ax.set_ylabel("reminders")
    ax.set_title(f"nudge native delay backend: {len(samples)} reminders over 60 s")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


async def main(quick: bool) -> None:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        database_url=f"{PG_ROOT}/nudge_bench_{run}",
        amqp_url=AMQP_URL,
        topology_prefix=f"bench-{run}.",
        delay_backend="native",
    )
    await migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    sf = make_session_factory(engine)
    consumer = Consumer(settings, sf)
    try:
        publisher = await open_publisher(settings)  # declares the topology
        await publisher.close()
        await consumer.start()
        a = await spread(settings, sf, consumer, 200 if quick else 1000, 10 if quick else 60)
        print("(a)", a["lateness_ms"], flush=True)
        b = await burst(settings, sf, consumer, 1000 if quick else 10_000)
        print("(b)", {k: v for k, v in b.items()}, flush=True)
        await consumer.broker.stop()
        c = await scale(settings, sf, 20_000 if quick else 1_000_000)
        print("(c)", c, flush=True)
    finally:
        await engine.dispose()
        await delete_topology(settings)
        await drop_database(settings.database_url)
    samples = a.pop("_samples")
    RESULTS.mkdir(parents=True, exist_ok=True)
    histogram(samples, RESULTS / "pipeline_lateness.png")
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "broker": "RabbitMQ 3.10 (local, single node), native TTL/dead-letter cascade",
        "quick": quick,
        "a_spread": a,
        "b_burst": b,
        "c_scale": c,
    }
    (RESULTS / "pipeline.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    asyncio.run(main(parser.parse_args().quick))
