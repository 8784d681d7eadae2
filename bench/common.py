"""Helpers shared by the benchmarks: percentiles, result files, a served API."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from nudge.store.db import SessionFactory

RESULTS = Path(__file__).resolve().parent / "results"
PG_ROOT = os.environ.get("NUDGE_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
    }


def write_result(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"written to {path}")
    return path


async def post_json_loop(
    port: int, path: str, bodies: Iterator[bytes], stop_at: float, expect: int = 201
) -> int:
    """POST bodies over one keep-alive HTTP/1.1 connection until ``stop_at``; returns
    how many succeeded. A client this thin leaves the machine's two cores to the server
    under test (httpx costs about as much CPU per request as the API itself)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    try:
        while time.perf_counter() < stop_at:
            body = next(bodies)
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            if status != expect:
                raise RuntimeError(f"POST {path} answered {status}")
            done += 1
    finally:
        writer.close()
    return done


async def insert_reminders(sf: SessionFactory, times: list[datetime]) -> None:
    """Desktop reminders of event 1, due at ``times`` (the benchmarks' own rows)."""
    async with sf() as s, s.begin():
        await s.execute(
            text(
                "INSERT INTO reminder (event_id, remind_at, occurrence_start, notification_type) "
                "SELECT 1, t, t, 'desktop' FROM unnest(CAST(:times AS timestamptz[])) AS t"
            ),
            {"times": times},
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(command: str, env: dict[str, str], health_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``nudge <command>`` as a child process until the block ends."""
    process = subprocess.Popen([sys.executable, "-m", "nudge", command], env=os.environ | env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(health_url, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nudge {command} did not start")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
