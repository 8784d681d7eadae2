"""``nudge up``: every service as a child process, restarted when it dies.

Separate processes keep one service's crash (or a blocked event loop) from taking the
others down, exactly as they run under Docker Compose.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from nudge.config import Settings

log = logging.getLogger("nudge.up")

RESTART_DELAY_S = 1.0
MAX_RESTART_DELAY_S = 30.0
# A child that ran this long before dying is restarted at once, not after a backoff.
HEALTHY_AFTER_S = 60.0


@dataclass
class Child:
    command: str
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = field(default=RESTART_DELAY_S)
    next_start: float = 0.0

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "nudge", self.command])
        self.started_at = time.monotonic()
        log.info("started %s (pid %d)", self.command, self.process.pid)

    def died(self, code: int) -> None:
        """Schedule a restart, backing off while the child keeps dying at start."""
        if time.monotonic() - self.started_at > HEALTHY_AFTER_S:
            self.delay = RESTART_DELAY_S
        log.warning("%s exited with %d; restarting in %.0f s", self.command, code, self.delay)
        self.next_start = time.monotonic() + self.delay
        self.delay = min(self.delay * 2, MAX_RESTART_DELAY_S)
        self.process = None


def services(settings: Settings) -> list[str]:
    names = ["api", "desktop-notifier"]
    if settings.telegram_token:
        names.append("telegram")
    else:
        log.info("NUDGE_TELEGRAM_TOKEN is not set: the Telegram service stays off")
    return names


def run_all(settings: Settings) -> int:
    children = [Child(name) for name in services(settings)]
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        log.info("stopping on signal %d", signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        child.start()
    while not stopping:
        time.sleep(0.5)
        for child in children:
            if child.process is None:
                if time.monotonic() >= child.next_start and not stopping:
                    child.start()
                continue
            code = child.process.poll()
            if code is not None:
                child.died(code)
    for child in children:
        if child.process and child.process.poll() is None:
            child.process.terminate()
    for child in children:
        if child.process:
            try:
                child.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.process.kill()
    return 0
