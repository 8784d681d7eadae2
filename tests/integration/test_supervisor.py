"""``nudge up``: every service as a child; a child that keeps dying is restarted with a
growing delay while the others carry on; SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys

import httpx
import psutil

from nudge.bus.topology import Topology, delete_topology
from nudge.config import Settings
from nudge.store.db import SessionFactory


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_up_runs_the_services_and_backs_off_a_crashing_one(
    settings: Settings, db: SessionFactory
) -> None:
    api_port = _free_port()
    topology = Topology(settings.topology_prefix + "up.")
    env = os.environ | {
        "NUDGE_DATABASE_URL": settings.database_url,
        "NUDGE_TOPOLOGY_PREFIX": topology.prefix,
        "NUDGE_API_PORT": str(api_port),
        "NUDGE_WS_PORT": str(_free_port()),
        "NUDGE_TELEGRAM_TOKEN": "",
        # The desktop notifier refuses this value at start, so it dies every time.
        "NUDGE_DESKTOP_ACK_TIMEOUT": "-1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "nudge", "up", env=env, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    log = ""
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    if (await client.get(f"http://127.0.0.1:{api_port}/healthz")).is_success:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.2)
            else:
                raise AssertionError("the API never came up")
        delays: list[float] = []
        while len(delays) < 3:
            line = (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
            log += line
            found = re.search(r"desktop-notifier exited with 2; restarting in (\d+) s", line)
            if found:
                delays.append(float(found.group(1)))
        assert delays == sorted(delays) and delays[-1] > delays[0]
        children = psutil.Process(process.pid).children()
        assert children, "the supervisor runs its services as child processes"
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
        await delete_topology(settings.amqp_url, topology)
    assert code == 0, log
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
