"""Desktop notifier benchmark (real PostgreSQL, RabbitMQ native delay backend, WebSockets).

The notifier runs as a child process (``nudge.desktop_notifier.service.main``); the
real dispatcher runs in this process and publishes ``pending`` rows; a ``websockets``
client in this process receives and acks every frame.

(a) 1,000 reminders spread over 60 s → lateness = client receipt − remind_at,
    p50 / p99 / max;
(b) 10,000 reminders due at one instant to one client → time from that instant until
    the client has received and acked all, and until the ledger shows all ``sent``;
(c) resident memory (RSS) of the notifier process with 100 idle connected clients.

Targets: p99 ≤ 100 ms; 10k ≤ 5 s; ≤ 150 MB. Writes bench/results/desktop.json.
Uses its own database and topology prefix and removes both at the end.

    .venv/bin/python bench/desktop.py [--quick] [--burst-only]

``--burst-only`` runs the two 10k bursts alone and prints them (no results file):
a quick check while tuning the notifier.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from nudge.bus.publisher import open_publisher
from nudge.bus.schema import ReminderMessage
from nudge.bus.topology import Topology, delete_topology
from nudge.config import Settings
from nudge.dispatcher.service import DispatcherOptions, run_dispatcher
from nudge.dispatcher.wakeup import DispatcherWakeup
from nudge.store.db import SessionFactory, drop_database, make_engine, make_session_factory
from nudge.store.migrate import migrate
from nudge.store.models import Channel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import insert_reminders

RESULTS = Path(__file__).resolve().parent / "results"
PG_ROOT = os.environ.get("NUDGE_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
AMQP_URL = os.environ.get("NUDGE_BENCH_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
DEVICE = "bench-device"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def reset(sf: SessionFactory) -> None:
    async with sf() as s, s.begin():
        await s.execute(text("TRUNCATE reminder, event RESTART IDENTITY CASCADE"))
        await s.execute(text("UPDATE user_config SET desktop_device_id = :d"), {"d": DEVICE})
        await s.execute(
            text("INSERT INTO event (id, title, start_time) VALUES (1, 'bench', now())")
        )


async def count_sent(sf: SessionFactory) -> int:
    async with sf() as s:
        return int(await s.scalar(text("SELECT count(*) FROM reminder WHERE status = 'sent'")) or 0)


class Client:
    """Receives reminder frames, acks each at once, records (lateness, receipt time)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.received: dict[int, tuple[float, float]] = {}
        self.last_ack_at = 0.0
        self.changed = asyncio.Event()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                now = time.time()
                frame = json.loads(raw)
                rid = frame["reminder_id"]
                await self.ws.send(json.dumps({"type": "ack", "reminder_id": rid}))
                self.last_ack_at = time.time()
                remind_at = datetime.fromisoformat(frame["remind_at"]).timestamp()
                self.received.setdefault(rid, (now - remind_at, now))
                self.changed.set()

    async def wait_count(self, n: int, within: float) -> None:
        deadline = time.monotonic() + within
        while len(self.received) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"received {len(self.received)} of {n}")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)

    async def close(self) -> None:
        await self.ws.close()
        await self.task


def start_notifier(settings: Settings) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "NUDGE_DATABASE_URL": settings.database_url,
        "NUDGE_AMQP_URL": settings.amqp_url,
        "NUDGE_TOPOLOGY_PREFIX": settings.topology_prefix,
        "NUDGE_WS_PORT": str(settings.ws_port),
        "NUDGE_LOG_LEVEL": "WARNING",
    }
    code = (
        "from nudge.config import load_settings; "
        "from nudge.desktop_notifier.service import main; main(load_settings())"
    )
    return subprocess.Popen([sys.executable, "-c", code], env=env)


async def wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as http:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the notifier did not start")
            await asyncio.sleep(0.1)


async def claimed_at(sf: SessionFactory) -> dict[int, tuple[float, float]]:
    """reminder id → (remind_at, claimed_at) as Unix times."""
    async with sf() as s:
        rows = await s.execute(
            text(
                "SELECT id, extract(epoch FROM remind_at), extract(epoch FROM claimed_at) "
                "FROM reminder"
            )
        )
        return {int(r[0]): (float(r[1]), float(r[2])) for r in rows}


async def spread(
    sf: SessionFactory, wakeup: DispatcherWakeup, client: Client, count: int, seconds: float
) -> dict[str, Any]:
    await reset(sf)
    client.received.clear()
    t0 = datetime.now(UTC) + timedelta(seconds=3)
    step = seconds / count
    await insert_reminders(sf, [t0 + timedelta(seconds=i * step) for i in range(count)])
    wakeup.wake()  # what the API does after writing reminders
    await client.wait_count(count, seconds + 60)
    lateness = [late for late, _ in client.received.values()]
    claims = await claimed_at(sf)
    # The notifier's own share: from its claim in the ledger to the client's receipt.
    own = [at - claims[rid][1] for rid, (_, at) in client.received.items()]
    return {
        "notifier_claim_to_client_ms": {
            "p50": round(statistics.median(own) * 1000, 2),
            "p99": round(pct(own, 99) * 1000, 2),
            "max": round(max(own) * 1000, 2),
        },
        "reminders": count,
        "over_seconds": seconds,
        "p50_ms": round(statistics.median(lateness) * 1000, 2),
        "p99_ms": round(pct(lateness, 99) * 1000, 2),
        "max_ms": round(max(lateness) * 1000, 2),
        "min_ms": round(min(lateness) * 1000, 2),
    }


async def burst(
    sf: SessionFactory, wakeup: DispatcherWakeup, client: Client, count: int
) -> dict[str, Any]:
    await reset(sf)
    client.received.clear()
    due = datetime.now(UTC) + timedelta(seconds=8)
    await insert_reminders(sf, [due] * count)
    wakeup.wake()
    await client.wait_count(count, 120)
    all_acked = client.last_ack_at - due.timestamp()
    deadline = time.monotonic() + 120
    while await count_sent(sf) < count:
        if time.monotonic() > deadline:
            raise TimeoutError("not all sent in the ledger")
        await asyncio.sleep(0.02)
    all_sent = time.time() - due.timestamp()
    first = min(at for _, at in client.received.values()) - due.timestamp()
    return {
        "reminders": count,
        "first_received_s": round(first, 3),
        "all_received_and_acked_s": round(all_acked, 3),
        "all_sent_in_ledger_s": round(all_sent, 3),
    }


async def burst_direct(
    sf: SessionFactory, settings: Settings, client: Client, count: int
) -> dict[str, Any]:
    """The notifier alone: ``count`` queued reminders published with no delay at once."""
    await reset(sf)
    client.received.clear()
    due = datetime.now(UTC)
    async with sf() as s, s.begin():
        rows = await s.execute(
            text(
                "INSERT INTO reminder (event_id, remind_at, occurrence_start, "
                "notification_type, status, queued_at) "
                "SELECT 1, :due, :due, 'desktop', 'queued', now() FROM generate_series(1, :n) "
                "RETURNING id"
            ),
            {"due": due, "n": count},
        )
        ids = [int(r[0]) for r in rows]
    messages = [
        ReminderMessage(
            reminder_id=rid,
            version=1,
            event_id=1,
            event_title="bench",
            event_start=due,
            remind_at=due,
            target_type=Channel.DESKTOP,
            desktop_device_id=DEVICE,
        )
        for rid in ids
    ]
    publisher = await open_publisher(settings)
    try:
        started = time.time()
        errors = [e for e in await publisher.publish_many(messages) if e is not None]
        published = time.time() - started
    finally:
        await publisher.close()
    assert not errors, errors[:3]
    await client.wait_count(count, 120)
    all_acked = client.last_ack_at - started
    deadline = time.monotonic() + 120
    while await count_sent(sf) < count:
        if time.monotonic() > deadline:
            raise TimeoutError("not all sent in the ledger")
        await asyncio.sleep(0.02)
    return {
        "reminders": count,
        "publish_s": round(published, 3),
        "all_received_and_acked_s": round(all_acked, 3),
        "all_sent_in_ledger_s": round(time.time() - started, 3),
    }


async def idle_memory(
    url: str, process: subprocess.Popen[bytes], port: int, n: int
) -> dict[str, Any]:
    proc = psutil.Process(process.pid)
    before = proc.memory_info().rss
    clients = [await connect(f"{url}?device_id={DEVICE}") for _ in range(n)]
    async with httpx.AsyncClient() as http:
        health = (await http.get(f"http://127.0.0.1:{port}/healthz")).json()
    await asyncio.sleep(2)  # let the process settle before reading its RSS
    after = proc.memory_info().rss
    for ws in clients:
        await ws.close()
    return {
        "idle_clients": n,
        "connections_reported": health["connections"],
        "rss_mb_before": round(before / 2**20, 1),
        "rss_mb_with_clients": round(after / 2**20, 1),
    }


async def main(quick: bool, burst_only: bool = False) -> None:
    run = uuid.uuid4().hex[:8]
    settings = Settings(
        database_url=f"{PG_ROOT}/nudge_bench_desktop_{run}",
        amqp_url=AMQP_URL,
        topology_prefix=f"bench-desktop-{run}.",
        delay_backend="native",
        ws_port=free_port(),
    )
    await migrate(settings.database_url)
    engine = make_engine(settings.database_url, pool_size=10)
    sf = make_session_factory(engine)
    await reset(sf)
    stop, wakeup = asyncio.Event(), DispatcherWakeup()
    dispatcher = asyncio.create_task(
        run_dispatcher(
            settings,
            sf,
            wakeup,
            stop,
            options=DispatcherOptions.from_settings(settings, batch_size=1000),
        )
    )
    process = start_notifier(settings)
    url = f"ws://127.0.0.1:{settings.ws_port}/ws"
    figures: dict[str, Any] = {}
    try:
        await wait_healthy(settings.ws_port, process)
        client = Client(await connect(f"{url}?device_id={DEVICE}", max_size=None))
        n_spread, seconds, n_burst = (200, 10.0, 2000) if quick else (1000, 60.0, 10_000)
        if burst_only:
            n_burst = 10_000
            figures["burst"] = await burst(sf, wakeup, client, n_burst)
            print("burst", figures["burst"], flush=True)
            figures["burst_notifier_only"] = await burst_direct(sf, settings, client, n_burst)
            print("burst_notifier_only", figures["burst_notifier_only"], flush=True)
            await client.close()
            return
        figures["lateness"] = await spread(sf, wakeup, client, n_spread, seconds)
        print("lateness", figures["lateness"], flush=True)
        figures["burst"] = await burst(sf, wakeup, client, n_burst)
        print("burst", figures["burst"], flush=True)
        figures["burst_notifier_only"] = await burst_direct(sf, settings, client, n_burst)
        print("burst_notifier_only", figures["burst_notifier_only"], flush=True)
        await client.close()
        figures["memory"] = await idle_memory(url, process, settings.ws_port, 100)
        print("memory", figures["memory"], flush=True)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
            code = -9
        stop.set()
        await dispatcher
        await engine.dispose()
        await delete_topology(settings.amqp_url, Topology.from_settings(settings))
        await drop_database(settings.database_url)
    figures["notifier_exit_code"] = code
    figures["targets"] = {"p99_ms": 100, "burst_s": 5, "rss_mb": 150}
    figures["met"] = {
        "p99": figures["lateness"]["p99_ms"] <= 100,
        "burst_end_to_end": figures["burst"]["all_received_and_acked_s"] <= 5,
        "burst_notifier_only": figures["burst_notifier_only"]["all_received_and_acked_s"] <= 5,
        "memory": figures["memory"]["rss_mb_with_clients"] <= 150,
    }
    figures["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "quick": quick,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / ("desktop_quick.json" if quick else "desktop.json")
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"written to {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a quick check")
    parser.add_argument(
        "--burst-only", action="store_true", help="only the 10k bursts, printed, not written"
    )
    args = parser.parse_args()
    asyncio.run(main(args.quick, args.burst_only))
