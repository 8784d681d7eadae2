"""Runs the Telegram service as its own process for the kill -9 test: settings from the
NUDGE_* environment, test timings (short lease, fast retries) from here."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from nudge.config import load_settings
from nudge.telegram_bot.sender import SendPolicy
from nudge.telegram_bot.service import TelegramOptions, serve_telegram

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    options = TelegramOptions(
        poll_timeout=2,
        lease=timedelta(seconds=3),
        per_chat_interval=0.2,
        send_policy=SendPolicy(network_attempts=3, backoff_initial=0.1, backoff_max=0.5),
        retry_delay=0.2,
    )
    asyncio.run(serve_telegram(load_settings(), options))
