"""Wiring the bot: its handlers, commands menu, error handler and application."""

from __future__ import annotations

import contextlib
import logging
from typing import Any, cast

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from nudge.telegram_bot.access import gate, link, start
from nudge.telegram_bot.api_client import NudgeApi
from nudge.telegram_bot.buttons import button
from nudge.telegram_bot.chat import BotState, Context, lang_for
from nudge.telegram_bot.commands import (
    cancel,
    create,
    delete_command,
    done_command,
    edit_command,
    help_command,
    list_command,
    settings_command,
    text_message,
    unknown_command,
)
from nudge.telegram_bot.texts import COMMANDS, Lang, t

log = logging.getLogger("nudge.telegram.bot")

# wiring


async def on_error(update: object, context: Context) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        with contextlib.suppress(TelegramError):
            await update.effective_chat.send_message(t(lang_for(update), "api_unavailable"))


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """``setMyCommands`` in English (the default) and Russian."""
    for lang, code in (("en", None), ("ru", "ru")):
        commands = [BotCommand(name, t(cast(Lang, lang), key)) for name, key in COMMANDS]
        try:
            await application.bot.set_my_commands(commands, language_code=code)
        except TelegramError as exc:
            log.warning("could not register the bot's commands (%s): %s", lang, exc)


def add_handlers(application: Application[Any, Any, Any, Any, Any, Any], api: NudgeApi) -> BotState:
    state = BotState(api=api)
    application.bot_data["nudge"] = state
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("link", link))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("cancel", cancel))
    application.add_handler(CommandHandler("create", create))
    application.add_handler(CommandHandler("list", list_command))
    application.add_handler(CommandHandler("edit", edit_command))
    application.add_handler(CommandHandler("delete", delete_command))
    application.add_handler(CommandHandler("done", done_command))
    application.add_handler(CommandHandler("settings", settings_command))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text_message))
    application.add_error_handler(on_error)
    return state


def build_application(
    token: str, base_url: str, api: NudgeApi
) -> tuple[Application[Any, Any, Any, Any, Any, Any], BotState]:
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .build()
    )
    state = add_handlers(application, api)
    return application, state
