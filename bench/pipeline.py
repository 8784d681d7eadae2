"""Reminder pipeline benchmark (real PostgreSQL + RabbitMQ, native delay backend).

(a) 1,000 reminders spread over 60 s (the first due 3 s after insert) → lateness
    (consumer receipt − remind_at) p50 / p99 / max;
(b) 10,000 reminders due at the same instant → time from that instant until all
    are consumed (received, claimed and marked sent in the ledger). They are due
    45 s after insert so that the dispatcher has published them all first, as in
    deployment, where a reminder is published when it enters the 1-hour horizon;
    the dispatcher's publish rate is reported as a figure of its own. Also run
    without PostgreSQL and the consumer helper (``b_burst_cascade_only``): what the
    broker's TTL/dead-letter cascade alone takes to let such a burst out;
(c) one dispatcher pass publishing 1,000 due reminders with 1,000,000 pending rows
    in the table vs with 1,000.

As deployed, the dispatcher runs in this process and the consumer (the consumer
helper + ledger claim + mark_sent, like ``nudge desktop-notifier``/``nudge
telegram``) in a child process of its own (``--consumer``); receipt times are taken
in the child. Both use ``time.time()`` on the same machine.

Targets: p50 ≤ 20 ms, p99 ≤ 100 ms; burst ≤ 5 s; (c) ratio ≤ 2.
Writes bench/results/pipeline.json and bench/results/pipeline_lateness.png.
Uses its own database and topology prefix and removes both at the end.

    .venv/bin/python bench/pipeline.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
from prometheus_client import REGISTRY
from sqlalchemy import text

from nudge.bus.consumer import DEFAULT_PREFETCH, make_broker, subscribe_reminders
from nudge.bus.publisher import open_publisher
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import NATIVE_LEVELS, Topology, delete_topology
from nudge.config import Settings
from nudge.dispatcher.loop import dispatch_pass
from nudge.dispatcher.service import DispatcherOptions, run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store import ledger
from nudge.store.db import SessionFactory, drop_database, make_engine, make_session_factory
from nudge.store.migrate import migrate
from nudge.store.models import Channel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import insert_reminders

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


def read_and_remove(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(path.read_text())
    path.unlink()
    return result


class ConsumerProcess:
    """The notifier side, in a process of its own as deployed (``nudge desktop-notifier``
    / ``nudge telegram`` never share a process with the dispatcher): the consumer
    helper + ledger claim + mark_sent; receipt times are taken there.

    Talks over the child's stdin/stdout: ``expect N PATH`` → ``ok``; once N reminders
    are settled the child writes its timings to PATH and prints ``done``.
    """

    def __init__(self, settings: Settings, prefetch: int) -> None:
        self.settings, self.prefetch = settings, prefetch
        self.proc: asyncio.subprocess.Process | None = None

    async def _line(self, want: str, within: float) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + within
        while True:
            raw = await asyncio.wait_for(
                self.proc.stdout.readline(), max(0.001, deadline - time.monotonic())
            )
            if not raw:
                raise RuntimeError("the consumer process exited")
            line = raw.decode().strip()
            if line.split(" ", 1)[0] == want:
                return line

    async def _send(self, line: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def start(self) -> None:
        s = self.settings
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--consumer",
            s.database_url,
            s.amqp_url,
            s.topology_prefix,
            str(self.prefetch),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        await self._line("ready", 30)

    async def expect(self, count: int, path: Path) -> None:
        await self._send(f"expect {count} {path}")
        await self._line("ok", 10)

    async def wait_done(self, path: Path, within: float) -> dict[str, Any]:
        await self._line("done", within)
        return read_and_remove(path)

    async def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(Exception):
            await self._send("quit")
        try:
            await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def consumer_main(database_url: str, amqp_url: str, prefix: str, prefetch: int) -> None:
    """The child side of :class:`ConsumerProcess`."""
    settings = Settings(
        database_url=database_url,
        amqp_url=amqp_url,
        topology_prefix=prefix,
        delay_backend="native",
    )
    engine = make_engine(settings.database_url)
    sf = make_session_factory(engine)
    received: dict[int, float] = {}
    settled: dict[int, float] = {}
    remind_at: dict[int, float] = {}
    state: dict[str, Any] = {"expected": None, "path": None, "in_flight": 0, "max_in_flight": 0}

    def finish_if_done() -> None:
        if state["expected"] is not None and len(settled) >= state["expected"]:
            Path(state["path"]).write_text(
                json.dumps(
                    {
                        "received": received,
                        "settled": settled,
                        "remind_at": remind_at,
                        "max_in_flight": state["max_in_flight"],
                    }
                )
            )
            state["expected"] = None
            print("done", flush=True)

    async def handle(message: ReminderMessage) -> None:
        now = time.time()
        state["in_flight"] += 1
        state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
        try:
            received.setdefault(message.reminder_id, now)
            remind_at[message.reminder_id] = message.remind_at.timestamp()
            claimed = await ledger.claim(sf, message.reminder_id, message.version)
            if claimed is not None:
                await ledger.mark_sent(sf, claimed.reminder_id, claimed.version)
                settled[message.reminder_id] = time.time()
        finally:
            state["in_flight"] -= 1
        finish_if_done()

    broker = make_broker(settings, logger=None)
    subscribe_reminders(broker, settings, Channel.DESKTOP, handle, prefetch=prefetch)
    await broker.start()
    print("ready", flush=True)
    try:
        while True:
            line = (await asyncio.to_thread(sys.stdin.readline)).split()
            if not line or line[0] == "quit":
                break
            if line[0] == "expect":
                received.clear()
                settled.clear()
                remind_at.clear()
                state.update(expected=int(line[1]), path=line[2], max_in_flight=0)
                print("ok", flush=True)
    finally:
        await broker.stop()
        await engine.dispose()


def published_total() -> float:
    value = REGISTRY.get_sample_value("nudge_reminders_published_total", {"backend": "native"})
    return value or 0.0


async def run_with_dispatcher(
    settings: Settings,
    sf: SessionFactory,
    consumer: ConsumerProcess,
    count: int,
    within: float,
) -> tuple[dict[str, Any], dict[str, float]]:
    """Run a dispatcher (in this process) until the consumer process has settled
    ``count`` reminders; also times the dispatcher's publishing of them."""
    path = RESULTS / f".consumer-{uuid.uuid4().hex[:8]}.json"
    await consumer.expect(count, path)
    wakeup, stop = DispatcherWakeup(), asyncio.Event()
    before = published_total()
    started = time.time()
    task = asyncio.create_task(
        run_dispatcher(
            settings,
            sf,
            wakeup,
            stop,
            options=DispatcherOptions.from_settings(settings, batch_size=1000),
        )
    )

    async def publishing_done() -> float:
        while True:  # the publisher's counter, sampled every 10 ms
            if published_total() - before >= count:
                return time.time()
            await asyncio.sleep(0.01)

    timer = asyncio.create_task(publishing_done())
    try:
        result = await consumer.wait_done(path, within)
        published_at = await asyncio.wait_for(timer, 5)
    finally:
        timer.cancel()
        stop.set()
        await task
    elapsed = published_at - started
    publishing = {
        "started": started,
        "all_published": published_at,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed, 1),
    }
    return result, publishing


def by_id(values: dict[str, float]) -> dict[int, float]:
    return {int(k): v for k, v in values.items()}


async def spread(
    settings: Settings, sf: SessionFactory, consumer: ConsumerProcess, count: int, over: float
) -> dict[str, Any]:
    await reset(sf)
    start = datetime.now(UTC) + timedelta(seconds=3)
    times = [start + timedelta(seconds=over * i / count) for i in range(count)]
    await insert_reminders(sf, times)
    result, publishing = await run_with_dispatcher(settings, sf, consumer, count, over + 60)
    received, remind_at = by_id(result["received"]), by_id(result["remind_at"])
    lateness = [(received[i] - remind_at[i]) * 1000 for i in received]
    return {
        "reminders": count,
        "spread_s": over,
        "first_due_after_insert_s": 3,
        "dispatcher_publish": {k: publishing[k] for k in ("seconds", "per_second")},
        "lateness_ms": {
            "p50": round(pct(lateness, 50), 2),
            "p99": round(pct(lateness, 99), 2),
            "max": round(max(lateness), 2),
            "min": round(min(lateness), 2),
            "mean": round(statistics.fmean(lateness), 2),
        },
        "targets": {"p50_ms": 20, "p99_ms": 100},
        "consumer_max_in_flight": result["max_in_flight"],
        "_samples": lateness,
    }


async def burst(
    settings: Settings, sf: SessionFactory, consumer: ConsumerProcess, count: int, lead: float
) -> dict[str, Any]:
    """``count`` reminders due at one instant ``lead`` seconds ahead: long enough for
    the dispatcher to publish them all first, as it does in deployment (a reminder
    is published when it enters the 1-hour horizon, long before it is due)."""
    await reset(sf)
    due = datetime.now(UTC) + timedelta(seconds=lead)
    await insert_reminders(sf, [due] * count)
    result, publishing = await run_with_dispatcher(settings, sf, consumer, count, lead + 120)
    due_ts = due.timestamp()
    received = by_id(result["received"]).values()
    settled = by_id(result["settled"]).values()
    return {
        "reminders": count,
        "due_after_insert_s": lead,
        "dispatcher_publish": {
            "seconds": publishing["seconds"],
            "per_second": publishing["per_second"],
            "all_published_before_due_s": round(due_ts - publishing["all_published"], 3),
        },
        "first_received_after_due_ms": round((min(received) - due_ts) * 1000, 1),
        "all_received_after_due_s": round(max(received) - due_ts, 3),
        "all_consumed_after_due_s": round(max(settled) - due_ts, 3),
        "consumer_max_in_flight": result["max_in_flight"],
        "target_s": 5,
    }


async def burst_cascade_only(settings: Settings, count: int, lead: float) -> dict[str, Any]:
    """(b) without PostgreSQL and without the consumer helper: ``count`` messages due
    at one instant straight from the publisher, a plain aio-pika consumer (prefetch
    256, ack at once) on the notification queue. What the broker's cascade alone
    takes to let a burst out; run after the consumer process has stopped."""
    now = datetime.now(UTC)
    due = now + timedelta(seconds=lead)
    messages = [
        ReminderMessage(
            reminder_id=i,
            version=1,
            event_id=1,
            event_title="bench",
            event_start=due,
            remind_at=due,
            target_type=Channel.DESKTOP,
            desktop_device_id="bench",
        )
        for i in range(count)
    ]
    received: list[float] = []
    done = asyncio.Event()
    connection = await aio_pika.connect(settings.amqp_url)
    publisher = await open_publisher(settings)
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=256)
        queue = await channel.get_queue(Topology(settings.topology_prefix).queue(Channel.DESKTOP))

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            received.append(time.time())
            await message.ack()
            if len(received) >= count:
                done.set()

        await queue.consume(on_message)
        started = time.time()
        errors = [e for e in await publisher.publish_many(messages) if e is not None]
        published = time.time()
        await asyncio.wait_for(done.wait(), lead + 120)
    finally:
        await publisher.close()
        await connection.close()
    due_ts = due.timestamp()
    return {
        "reminders": count,
        "publish_errors": len(errors),
        "publish_per_second": round(count / (published - started), 1),
        "all_published_before_due_s": round(due_ts - published, 3),
        "first_received_after_due_ms": round((min(received) - due_ts) * 1000, 1),
        "all_received_after_due_s": round(max(received) - due_ts, 3),
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


async def main(quick: bool, prefetch: int) -> None:
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
    consumer = ConsumerProcess(settings, prefetch)
    try:
        publisher = await open_publisher(settings)  # declares the topology
        await publisher.close()
        await consumer.start()
        a = await spread(settings, sf, consumer, 200 if quick else 1000, 10 if quick else 60)
        print("(a)", {k: v for k, v in a.items() if k != "_samples"}, flush=True)
        b = await burst(settings, sf, consumer, 1000 if quick else 10_000, 10 if quick else 45)
        print("(b)", b, flush=True)
        await consumer.stop()
        b_raw = await burst_cascade_only(settings, 1000 if quick else 10_000, 10 if quick else 45)
        print("(b, cascade only)", b_raw, flush=True)
        c = await scale(settings, sf, 20_000 if quick else 1_000_000)
        print("(c)", c, flush=True)
    finally:
        await consumer.stop()
        await engine.dispose()
        await delete_topology(settings.amqp_url, Topology.from_settings(settings))
        await drop_database(settings.database_url)
    samples = a.pop("_samples")
    RESULTS.mkdir(parents=True, exist_ok=True)
    histogram(samples, RESULTS / "pipeline_lateness.png")
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "broker": "RabbitMQ 3.10 (local, single node), native TTL/dead-letter cascade",
        "layout": "dispatcher in the benchmark process, consumer (helper + ledger) in a "
        "process of its own, as deployed",
        "consumer_prefetch": prefetch,
        "quick": quick,
        "a_spread": a,
        "b_burst": b,
        "b_burst_cascade_only": b_raw,
        "c_scale": c,
    }
    (RESULTS / "pipeline.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a smoke test")
    parser.add_argument("--prefetch", type=int, default=DEFAULT_PREFETCH)
    parser.add_argument("--consumer", nargs=4, metavar=("DB", "AMQP", "PREFIX", "PREFETCH"))
    args = parser.parse_args()
    if args.consumer:
        db, amqp, prefix, fetch = args.consumer
        asyncio.run(consumer_main(db, amqp, prefix, int(fetch)))
    else:
        asyncio.run(main(args.quick, args.prefetch))
