"""API benchmark: with 100,000 events and 1,000,000 reminders stored, the latency of
creating events, of a one-week window query and of a search, and creates per second,
from one API process. Targets on a 2-core machine: window p99 <= 50 ms, >= 500 creates/s.

    .venv/bin/python bench/api.py          (writes bench/results/api.json)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PG_ROOT, free_port, post_json_loop, served, summary_ms, write_result

from nudge.bus.topology import Topology, delete_topology
from nudge.store.db import drop_database
from nudge.store.migrate import migrate

WRITERS = 16  # concurrent keep-alive connections for the creates/s figure
EVENTS = 100_000
REMINDERS = 1_000_000
DATABASE_URL = f"{PG_ROOT}/nudge_bench_api"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
TOPOLOGY_PREFIX = "bench-api."


async def seed(dsn: str) -> None:
    """Events spread over two years around now; ten reminders per event, mostly sent."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            """
            UPDATE user_config SET desktop_device_id = 'bench', telegram_chat_id = '1';
            INSERT INTO event (title, description, start_time, timezone, version)
            SELECT 'event ' || i || ' ' || md5(i::text),
                   'notes ' || md5((i * 7)::text),
                   now() - interval '365 days' + (i * interval '315 seconds'),
                   'Europe/Berlin', 1
            FROM generate_series(1, $1::int) AS i;
            INSERT INTO reminder (event_id, remind_at, notification_type, occurrence_start,
                                  offset_minutes, status, is_sent, version)
            SELECT e.id, e.start_time - (k * interval '15 minutes'),
                   CASE WHEN k % 2 = 0 THEN 'desktop' ELSE 'telegram' END,
                   e.start_time, k * 15,
                   CASE WHEN e.start_time < now() THEN 'sent' ELSE 'pending' END,
                   e.start_time < now(), 1
            FROM event e, generate_series(1, $2::int) AS k;
            ANALYZE;
            """.replace("$1::int", str(EVENTS)).replace("$2::int", str(REMINDERS // EVENTS))
        )
    finally:
        await conn.close()


async def timed(client: httpx.AsyncClient, method: str, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def event_body(i: int) -> dict[str, object]:
    start = datetime.now(UTC) + timedelta(days=30, minutes=i)
    return {"title": f"bench {i}", "start_time": start.isoformat()}


async def measure(base: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for i in range(50):  # warm-up: connection pool, plan cache
            await timed(client, "POST", "/events", json=event_body(i))
            await timed(client, "GET", "/events", params={"q": "md5", "limit": 20})
        creates = [await timed(client, "POST", "/events", json=event_body(i)) for i in range(300)]
        week_start = datetime.now(UTC) + timedelta(days=10)
        windows = []
        for i in range(300):
            start = week_start + timedelta(hours=i)
            params = {
                "from": start.isoformat(),
                "to": (start + timedelta(days=7)).isoformat(),
                "limit": 100,
            }
            windows.append(await timed(client, "GET", "/events", params=params))
        searches = [
            await timed(client, "GET", "/events", params={"q": f"event {i * 37}", "limit": 20})
            for i in range(300)
        ]

        def bodies(offset: int) -> Iterator[bytes]:
            for i in itertools.count(offset):
                yield json.dumps(event_body(i)).encode()

        port = int(base.rsplit(":", 1)[1])
        stop_at = time.perf_counter() + 10
        counts = await asyncio.gather(
            *(post_json_loop(port, "/events", bodies(10_000 * w), stop_at) for w in range(WRITERS))
        )
    return {
        "events": EVENTS,
        "reminders": REMINDERS,
        "post_events": summary_ms(creates),
        "get_events_week_window": summary_ms(windows),
        "get_events_search": summary_ms(searches),
        f"creates_per_second_{WRITERS}_connections": round(sum(counts) / 10, 1),
        "targets": {"window_p99_ms": 50, "creates_per_second": 500},
    }


def main() -> None:
    asyncio.run(drop_database(DATABASE_URL))
    asyncio.run(migrate(DATABASE_URL))
    dsn = DATABASE_URL.replace("postgresql+asyncpg", "postgresql")
    started = time.perf_counter()
    asyncio.run(seed(dsn))
    print(
        f"seeded {EVENTS} events and {REMINDERS} reminders in {time.perf_counter() - started:.1f} s"
    )
    port = free_port()
    env = {
        "NUDGE_DATABASE_URL": DATABASE_URL,
        "NUDGE_API_PORT": str(port),
        "NUDGE_LOG_LEVEL": "WARNING",
        "NUDGE_TOPOLOGY_PREFIX": TOPOLOGY_PREFIX,
        "NUDGE_EMBEDDED_DISPATCHER": os.environ.get("BENCH_DISPATCHER", "true"),
    }
    base = f"http://127.0.0.1:{port}"
    try:
        with served("api", env, f"{base}/healthz"):
            figures = asyncio.run(measure(base))
        figures["measured_at"] = datetime.now(UTC).isoformat()
        write_result("api", figures)
    finally:
        asyncio.run(drop_database(DATABASE_URL))
        asyncio.run(delete_topology(AMQP_URL, Topology(TOPOLOGY_PREFIX)))


if __name__ == "__main__":
    main()
