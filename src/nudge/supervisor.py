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

RESTART_DELAY_S = 2.0


@dataclass
class Child:
    command: str
    process: subprocess.Popen[bytes] | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "nudge", self.command])
        log.info("started %s (pid %d)", self.command, self.process.pid)


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
            assert child.process is not None
            code = child.process.poll()
            if code is not None and not stopping:
                log.warning("%s exited with %d; restarting", child.command, code)
                time.sleep(RESTART_DELAY_S)
                child.restarts += 1
                child.start()
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
