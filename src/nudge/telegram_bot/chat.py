"""What every bot handler shares: the state kept in ``bot_data``, the chat's
language and config, replies, and turning API failures into friendly messages."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from nudge.telegram_bot.api_client import ApiError, ApiUnavailable, Config, Event, NudgeApi
from nudge.telegram_bot.format import esc, event_when, zone
from nudge.telegram_bot.texts import Lang, lang_of, t

log = logging.getLogger("nudge.telegram.bot")

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


@dataclass
class BotState:
    """What the handlers and the reminder consumer share (``bot_data["nudge"]``)."""

    api: NudgeApi
    # Last language seen per chat, so reminders come in the user's language.
    languages: dict[str, Lang] = field(default_factory=dict)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def language(self, chat_id: int | str) -> Lang | None:
        """None when the chat has not spoken since the bot started."""
        return self.languages.get(str(chat_id))


def state_of(context: Context) -> BotState:
    return cast(BotState, context.bot_data["nudge"])


def lang_for(update: Update) -> Lang:
    user = update.effective_user
    return lang_of(user.language_code if user else None)


def chat_config(context: Context) -> Config:
    return cast(Config, context.chat_data["config"]) if context.chat_data else Config()


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    message = update.effective_message
    chat = update.effective_chat
    if message is not None and update.callback_query is None:
        return await message.reply_text(text, reply_markup=markup)
    if chat is not None:
        return await chat.send_message(text, reply_markup=markup)
    return None


# helpers


async def _friendly_errors(update: Update, context: Context, call: Handler) -> None:
    lang = lang_for(update)
    try:
        await call(update, context)
    except ApiUnavailable as exc:
        log.warning("API unavailable: %s", exc)
        await reply(update, t(lang, "api_unavailable"))
    except ApiError as exc:
        log.info("API refused: %s", exc)
        await reply(update, t(lang, "api_error", detail=esc(exc.detail)))


def friendly(call: Handler) -> Handler:
    """Turn API failures into a message instead of a silent log line."""

    async def wrapper(update: Update, context: Context) -> None:
        await _friendly_errors(update, context, call)

    wrapper.__name__ = call.__name__
    wrapper.__doc__ = call.__doc__
    return wrapper


def now_of(context: Context) -> datetime:
    return state_of(context).now()


async def event_id_arg(update: Update, context: Context, usage_key: str) -> int | None:
    lang = lang_for(update)
    if not context.args:
        await reply(update, t(lang, usage_key))
        return None
    raw = context.args[0].lstrip("#")
    if not raw.isdigit() or len(raw) > 18:
        await reply(update, t(lang, "bad_id", value=esc(context.args[0])))
        return None
    return int(raw)


async def load_event(update: Update, context: Context, event_id: int) -> Event | None:
    try:
        return await state_of(context).api.get_event(event_id)
    except ApiError as exc:
        if exc.status == 404:
            await reply(update, t(lang_for(update), "not_found", id=event_id))
            return None
        raise


def when_text(context: Context, event: Event, lang: Lang) -> str:
    return event_when(event, zone(chat_config(context).timezone), lang, now_of(context))


def pending_dialog(context: Context) -> tuple[Any, ...] | None:
    assert context.chat_data is not None
    return cast("tuple[Any, ...] | None", context.chat_data.get("pending"))


def set_pending(context: Context, value: tuple[Any, ...] | None) -> None:
    assert context.chat_data is not None
    if value is None:
        context.chat_data.pop("pending", None)
    else:
        context.chat_data["pending"] = value


# buttons


async def edit_message(
    query_message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    try:
        await query_message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def answer(update: Update, text: str | None = None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.answer(text[:200] if text else None)
    except BadRequest as exc:  # too old; the action itself has been done
        log.info("callback answer failed: %s", exc)


def strip_html(text: str) -> str:
    return (
        re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )
