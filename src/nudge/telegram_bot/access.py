"""Private by default: every update passes :func:`gate`, which asks the API which chat
is linked. The linked chat gets everything; any other chat can only ``/start`` (which
links it when no chat is linked yet) or ``/link CODE`` with a one-time code from the
desktop app, and is told the bot is private otherwise: no event titles, no commands."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from nudge.telegram_bot.api_client import ApiError, ApiUnavailable, Config
from nudge.telegram_bot.chat import BotState, Context, chat_config, lang_for, reply, state_of
from nudge.telegram_bot.texts import Lang, t

log = logging.getLogger("nudge.telegram.bot")

# gate


def _command_of(update: Update) -> str | None:
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return None
    word = message.text.split(maxsplit=1)[0][1:]
    return word.split("@", 1)[0].lower()


async def gate(update: Update, context: Context) -> None:
    """Runs before every handler (group -1): only the linked chat gets through."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop
    state = state_of(context)
    lang = lang_for(update)
    state.languages[str(chat.id)] = lang
    try:
        config = await state.api.get_config()
    except (ApiUnavailable, ApiError) as exc:
        log.warning("cannot read the config: %s", exc)
        await _refuse(update, t(lang, "api_unavailable"))
        raise ApplicationHandlerStop from None
    assert context.chat_data is not None
    context.chat_data["config"] = config
    command = _command_of(update)
    if command is not None and command not in ("cancel",):
        context.chat_data.pop("pending", None)  # any command ends a dialog
    if config.telegram_chat_id == str(chat.id):
        await _remember_language(state, config, lang)
        return
    if command in ("start", "link"):
        return  # their handlers link or refuse
    await _refuse(update, t(lang, "private"))
    raise ApplicationHandlerStop


async def _remember_language(state: BotState, config: Config, lang: Lang) -> None:
    """Stored, so reminders sent after a restart still speak the user's language."""
    if config.telegram_language == lang:
        return
    try:
        await state.api.patch_config(telegram_language=lang)
    except (ApiUnavailable, ApiError) as exc:
        log.warning("cannot store the chat's language: %s", exc)


async def _refuse(update: Update, text: str) -> None:
    query = update.callback_query
    if query is not None:
        # A short alert; the full text may not fit the 200 characters of an answer.
        await query.answer(text.split("\n", 1)[0], show_alert=True)
        return
    await reply(update, text)


# linking


async def start(update: Update, context: Context) -> None:
    lang = lang_for(update)
    chat = update.effective_chat
    assert chat is not None
    config = chat_config(context)
    if config.telegram_chat_id == str(chat.id):
        await reply(update, t(lang, "already_linked"))
        return
    code = context.args[0] if context.args else None  # deep link: t.me/bot?start=CODE
    await _link(update, context, code, refused_text=t(lang, "private"))


async def link(update: Update, context: Context) -> None:
    lang = lang_for(update)
    chat = update.effective_chat
    assert chat is not None
    if chat_config(context).telegram_chat_id == str(chat.id):
        await reply(update, t(lang, "already_linked"))
        return
    if not context.args:
        await reply(update, t(lang, "link_usage"))
        return
    await _link(update, context, context.args[0], refused_text=t(lang, "link_bad_code"))


async def _link(update: Update, context: Context, code: str | None, refused_text: str) -> None:
    lang = lang_for(update)
    chat = update.effective_chat
    assert chat is not None
    try:
        await state_of(context).api.link_telegram(chat.id, code)
    except ApiError as exc:
        if exc.status in (403, 422):
            await reply(update, refused_text)
            return
        raise
    log.info("Telegram chat %s linked", chat.id)
    await reply(update, t(lang, "linked"))
