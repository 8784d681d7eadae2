"""The ``nudge`` command: one sub-command per process, plus ``up`` to run them all."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable

from nudge.config import Settings, SettingsError, load_settings

log = logging.getLogger("nudge")


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def cmd_migrate(settings: Settings) -> None:
    from nudge.store.migrate import migrate

    asyncio.run(migrate(settings.database_url))
    log.info("database is at the newest revision")


def cmd_api(settings: Settings) -> None:
    import uvicorn

    from nudge.api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_level=settings.log_level.lower(),
        lifespan="on",
    )


def cmd_dispatcher(settings: Settings) -> None:
    from nudge.dispatcher.service import serve_dispatcher

    asyncio.run(serve_dispatcher(settings))


def cmd_desktop_notifier(settings: Settings) -> None:
    from nudge.desktop_notifier.service import main as serve_notifier

    serve_notifier(settings)


def cmd_telegram(settings: Settings) -> None:
    from nudge.telegram_bot.service import main as serve_telegram

    sys.exit(serve_telegram(settings))


def cmd_up(settings: Settings) -> None:
    from nudge.supervisor import run_all

    cmd_migrate(settings)
    sys.exit(run_all(settings))


COMMANDS: dict[str, tuple[str, Callable[[Settings], None]]] = {
    "api": ("run the REST API (with the dispatcher inside, by default)", cmd_api),
    "migrate": ("create the database if needed and apply migrations", cmd_migrate),
    "dispatcher": ("run the dispatcher alone (several may run at once)", cmd_dispatcher),
    "desktop-notifier": ("run the desktop notifier (WebSocket server)", cmd_desktop_notifier),
    "telegram": ("run the Telegram bot and its reminder sender", cmd_telegram),
    "up": ("migrate, then run every service and restart any that dies", cmd_up),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="nudge", description="personal events and reminders")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        sub.add_parser(name, help=help_text)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"nudge: bad setting {exc}", file=sys.stderr)
        sys.exit(2)
    _configure_logging(settings)
    COMMANDS[args.command][1](settings)
