"""Faults: a dispatcher killed mid-burst, a broker restart with reminders inside the
cascade, a notifier killed between claim and settle. After each, every reminder is
delivered, none stale, none twice."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from nudge.config import Settings
from nudge.store.db import SessionFactory
from nudge.store.models import Channel, Reminder
from tests.integration.pipeline.conftest import DispatcherFactory, EventFactory, NotifierFactory

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
DEADLINE = 60.0


class Runner:
    """A ``pipeline_runner`` subprocess whose stdout lines can be awaited."""

    def __init__(self, settings: Settings, *args: str) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
            "NUDGE_DATABASE_URL": settings.database_url,
            "NUDGE_AMQP_URL": settings.amqp_url,
            "NUDGE_TOPOLOGY_PREFIX": settings.topology_prefix,
            "NUDGE_DELAY_BACKEND": settings.delay_backend,
            "NUDGE_LOG_LEVEL": "WARNING",
        }
        self.args = args
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pipeline_runner",
            *self.args,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
        )

    async def line(self, prefix: str) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        async with asyncio.timeout(DEADLINE):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    raise RuntimeError(f"runner {self.args} exited: {self.proc.returncode}")
                if raw.decode().startswith(prefix):
                    return raw.decode().strip()

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()  # SIGKILL: no cleanup at all
            await self.proc.wait()


@pytest.fixture
async def runners(pipe_settings: Settings) -> AsyncIterator[Callable[..., Runner]]:
    started: list[Runner] = []

    def make(*args: str) -> Runner:
        runner = Runner(pipe_settings, *args)
        started.append(runner)
        return runner

    yield make
    for runner in started:
        await runner.kill()


async def rows(db: SessionFactory) -> dict[int, tuple[str, int]]:
    async with db() as session:
        result = await session.execute(select(Reminder.id, Reminder.status, Reminder.attempts))
        return {rid: (status, attempts) for rid, status, attempts in result.all()}


async def wait_rows(
    db: SessionFactory, predicate: Callable[[dict[int, tuple[str, int]]], bool]
) -> None:
    deadline = time.monotonic() + DEADLINE
    while not predicate(current := await rows(db)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"rows never matched: {Counter(s for s, _ in current.values())}")
        await asyncio.sleep(0.01)


def assert_each_sent_once(sent: list[int], expected: list[int]) -> None:
    twice = [rid for rid, count in Counter(sent).items() if count > 1]
    assert twice == []
    assert sorted(sent) == sorted(expected)


async def make_burst(
    make_event: EventFactory, count: int, start_in: timedelta, spread: timedelta
) -> list[int]:
    now = datetime.now(UTC) + start_in
    ids: list[int] = []
    for i in range(count // 2):
        _, rs = await make_event(
            remind_at=now + spread * (i / (count // 2)),
            channels=(Channel.DESKTOP, Channel.TELEGRAM),
        )
        ids += [r.id for r in rs]
    return ids


async def test_dispatcher_killed_mid_burst_and_restarted(
    db: SessionFactory,
    make_event: EventFactory,
    notifier: NotifierFactory,
    runners: Callable[..., Runner],
) -> None:
    ids = await make_burst(make_event, 1000, timedelta(seconds=1), timedelta(seconds=2))
    n = await notifier()
    first = runners("dispatcher", "--batch", "50")
    await first.start()
    await first.line("ready")
    # Kill it as soon as it has taken some rows: mid-burst, between commits/publishes.
    await wait_rows(db, lambda r: any(s != "pending" for s, _ in r.values()))
    await first.kill()
    second = runners("dispatcher", "--batch", "50", "--grace", "1", "--sweep", "1")
    await second.start()
    await second.line("ready")
    await n.wait_for(lambda: len(n.sent) == len(ids), DEADLINE)
    assert_each_sent_once([m.reminder_id for m in n.sent], ids)
    assert {s for s, _ in (await rows(db)).values()} == {"sent"}


@contextmanager
def broker_outage() -> Iterator[Callable[[], None]]:
    """``stop()`` stops the shared broker's app; it is ALWAYS started again, and
    quickly: other engineers' tests share this broker."""
    stopped = False

    def stop() -> None:
        nonlocal stopped
        stopped = True
        subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, timeout=60)

    try:
        yield stop
    finally:
        if stopped:
            subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, timeout=120)
            subprocess.run(["rabbitmqctl", "-q", "await_startup"], check=True, timeout=120)


async def test_broker_restart_with_reminders_in_the_cascade(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
) -> None:
    ids = await make_burst(make_event, 60, timedelta(seconds=4), timedelta(seconds=3))
    n = await notifier()
    d = await dispatcher(grace=timedelta(seconds=2), sweep_interval=timedelta(seconds=1))
    d.wakeup.wake()
    await wait_rows(db, lambda r: all(s == "queued" for s, _ in r.values()))
    assert n.sent == []  # all of them are waiting inside the cascade
    with broker_outage() as stop:
        await asyncio.to_thread(stop)
    await n.wait_for(lambda: len(n.sent) == len(ids), DEADLINE)
    assert_each_sent_once([m.reminder_id for m in n.sent], ids)
    assert {s for s, _ in (await rows(db)).values()} == {"sent"}


async def test_notifier_killed_between_claim_and_settle(
    db: SessionFactory,
    make_event: EventFactory,
    dispatcher: DispatcherFactory,
    notifier: NotifierFactory,
    runners: Callable[..., Runner],
) -> None:
    stuck = runners("stuck-notifier", "--lease", "2")
    await stuck.start()
    await stuck.line("ready")
    _, [r] = await make_event(remind_at=datetime.now(UTC))
    d = await dispatcher(
        grace=timedelta(seconds=1), lease=timedelta(seconds=2), sweep_interval=timedelta(seconds=1)
    )
    d.wakeup.wake()
    assert await stuck.line("claimed") == f"claimed {r.id}"
    await stuck.kill()
    assert (await rows(db))[r.id][0] == "delivering"
    # The broker hands the unacked message to the next consumer; the sweeper
    # republishes it once the dead notifier's lease has expired.
    n = await notifier(channels=(Channel.DESKTOP,), lease=timedelta(seconds=2))
    await n.wait_for(lambda: len(n.sent) == 1, DEADLINE)
    assert_each_sent_once([m.reminder_id for m in n.sent], [r.id])
    assert (await rows(db))[r.id] == ("sent", 2)
