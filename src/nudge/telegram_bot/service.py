"""``nudge telegram``: the bot (long polling) and the reminder consumer in one process.

Settings: ``NUDGE_TELEGRAM_TOKEN`` (required), ``NUDGE_TELEGRAM_API_URL`` (the Bot API
base URL, python-telegram-bot's ``base_url``; the token is appended), ``NUDGE_API_URL``
and ``NUDGE_API_TOKEN`` (the REST API), ``NUDGE_AMQP_URL`` and
``NUDGE_TOPOLOGY_PREFIX`` (the queue), ``NUDGE_DATABASE_URL`` (the delivery ledger).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from prometheus_client import start_http_server
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from nudge.bus.consumer import make_broker, subscribe_reminders
from nudge.config import Settings
from nudge.store import ledger
from nudge.store.db import make_engine, make_session_factory
from nudge.store.models import Channel
from nudge.telegram_bot.api_client import NudgeApi
from nudge.telegram_bot.consumer import ReminderConsumer
from nudge.telegram_bot.handlers import build_application, register_commands
from nudge.telegram_bot.sender import RateLimiter, SendPolicy, TelegramSender

log = logging.getLogger("nudge.telegram")


class TelegramConfigError(Exception):
    """The Telegram service cannot start with these settings."""


@dataclass(frozen=True)
class TelegramOptions:
    lease: timedelta = ledger.DEFAULT_LEASE  # how long a claim holds before the sweeper retries
    max_attempts: int = ledger.DEFAULT_MAX_ATTEMPTS
    poll_timeout: float = 10.0  # getUpdates long-poll seconds
    per_second: int = 30
    per_chat_interval: float = 1.0
    send_policy: SendPolicy = field(default_factory=SendPolicy)
    retry_delay: float = 2.0  # between start-up attempts while Telegram or RabbitMQ is down


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _start_bot(
    application: Application[Any, Any, Any, Any, Any, Any],
    options: TelegramOptions,
    stop: asyncio.Event,
) -> bool:
    """getMe, setMyCommands, start polling; retried while the Bot API is unreachable."""
    while not stop.is_set():
        try:
            await application.initialize()
            await register_commands(application)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(
                timeout=int(options.poll_timeout),
                allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
            )
        except TelegramError as exc:
            log.warning("cannot start the bot (%s); retrying", exc)
            with contextlib.suppress(Exception):
                await _stop_bot(application)
            await _sleep_or_stop(stop, options.retry_delay)
            continue
        me = application.bot.bot
        log.info("bot @%s is polling %s", me.username, application.bot.base_url.rsplit("/", 1)[0])
        return True
    return False


async def _stop_bot(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def run_telegram(
    settings: Settings, stop: asyncio.Event, *, options: TelegramOptions | None = None
) -> None:
    """Run the bot and the reminder consumer until ``stop`` is set."""
    if not settings.telegram_token:
        raise TelegramConfigError(
            "NUDGE_TELEGRAM_TOKEN is not set: the Telegram service needs the bot's token"
        )
    opts = options or TelegramOptions()
    engine = make_engine(settings.database_url, pool_size=5)
    api = NudgeApi(settings.api_url, settings.api_token)
    application, state = build_application(settings.telegram_token, settings.telegram_api_url, api)
    sender = TelegramSender(
        application.bot,
        RateLimiter(opts.per_second, opts.per_chat_interval),
        opts.send_policy,
    )
    consumer = ReminderConsumer(
        make_session_factory(engine),
        sender,
        api,
        state.language,
        lease=opts.lease,
        max_attempts=opts.max_attempts,
    )
    broker = make_broker(settings)
    subscribe_reminders(broker, settings, Channel.TELEGRAM, consumer.handle)
    bot_started = broker_started = False
    try:
        bot_started = await _start_bot(application, opts, stop)
        while bot_started and not stop.is_set():
            try:
                await broker.start()
            except Exception as exc:
                log.warning("cannot reach RabbitMQ (%s); retrying", exc)
                await _sleep_or_stop(stop, opts.retry_delay)
                continue
            broker_started = True
            log.info("consuming %s", settings.topology_prefix + "q.notification.telegram")
            break
        await stop.wait()
    finally:
        if broker_started:
            await broker.stop()
        if bot_started:
            await _stop_bot(application)
        await api.aclose()
        await engine.dispose()
        log.info("telegram service stopped")


async def serve_telegram(settings: Settings, options: TelegramOptions | None = None) -> None:
    """``nudge telegram``: run until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_telegram(settings, stop, options=options)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def main(settings: Settings) -> int:
    """Entry point for the CLI: a clear one-line error instead of a traceback."""
    if settings.telegram_metrics_port:
        # Delivered, stale-dropped and lateness metrics of this process, for Prometheus.
        start_http_server(settings.telegram_metrics_port, addr=settings.api_host)
    try:
        asyncio.run(serve_telegram(settings))
    except TelegramConfigError as exc:
        print(f"nudge telegram: {exc}", file=sys.stderr)
        return 2
    return 0
