"""The bot's conversation: linking, commands, buttons.

Private by default: every update first goes through :func:`gate`, which asks the API
which chat is linked. The linked chat gets everything; any other chat can only
``/start`` (which links it when no chat is linked yet) or ``/link CODE``, and is told
the bot is private otherwise — no event titles, no commands.

Short multi-step dialogs (``/create`` without text, ``/edit``) keep their state in
``chat_data["pending"]``; any command ends them.

Callback data (at most 64 bytes):

=====================  ===========================================
``sv:<key>``/``cx:<key>``  save / cancel a proposed event
``ld:<id>``/``lx:<id>``    done / delete from the /list message
``et:<id>``/``ew:<id>``    edit title / time; ``ec`` cancels editing
``tz:<zone>``              set the time zone
``rs:<rem>:<ev>:<10|60|tm>``  snooze a reminder
``rd:<rem>:<ev>``          mark a reminder's event done
=====================  ===========================================
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from nudge.telegram_bot.api_client import (
    ApiError,
    ApiUnavailable,
    Config,
    Event,
    NudgeApi,
    Proposal,
)
from nudge.telegram_bot.format import (
    esc,
    event_when,
    format_when,
    list_keyboard,
    render_event_list,
    zone,
)
from nudge.telegram_bot.texts import COMMANDS, Lang, lang_of, t

log = logging.getLogger("nudge.telegram.bot")

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]

LIST_LIMIT = 10
MAX_PROPOSALS = 20
COMMON_ZONES = (
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "Asia/Almaty",
    "UTC",
)
_EDIT_TITLE_WORDS = {"title", "name", "название", "имя"}
_EDIT_TIME_WORDS = {"time", "when", "время", "когда"}


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


def _lang(update: Update) -> Lang:
    user = update.effective_user
    return lang_of(user.language_code if user else None)


def _config(context: Context) -> Config:
    return cast(Config, context.chat_data["config"]) if context.chat_data else Config()


async def _reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    message = update.effective_message
    chat = update.effective_chat
    if message is not None and update.callback_query is None:
        return await message.reply_text(text, reply_markup=markup)
    if chat is not None:
        return await chat.send_message(text, reply_markup=markup)
    return None


# --------------------------------------------------------------------------- gate


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
    lang = _lang(update)
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
    await _reply(update, text)


# --------------------------------------------------------------------------- linking


async def start(update: Update, context: Context) -> None:
    lang = _lang(update)
    chat = update.effective_chat
    assert chat is not None
    config = _config(context)
    if config.telegram_chat_id == str(chat.id):
        await _reply(update, t(lang, "already_linked"))
        return
    code = context.args[0] if context.args else None  # deep link: t.me/bot?start=CODE
    await _link(update, context, code, refused_text=t(lang, "private"))


async def link(update: Update, context: Context) -> None:
    lang = _lang(update)
    chat = update.effective_chat
    assert chat is not None
    if _config(context).telegram_chat_id == str(chat.id):
        await _reply(update, t(lang, "already_linked"))
        return
    if not context.args:
        await _reply(update, t(lang, "link_usage"))
        return
    await _link(update, context, context.args[0], refused_text=t(lang, "link_bad_code"))


async def _link(update: Update, context: Context, code: str | None, refused_text: str) -> None:
    lang = _lang(update)
    chat = update.effective_chat
    assert chat is not None
    try:
        await state_of(context).api.link_telegram(chat.id, code)
    except ApiError as exc:
        if exc.status in (403, 422):
            await _reply(update, refused_text)
            return
        raise
    log.info("Telegram chat %s linked", chat.id)
    await _reply(update, t(lang, "linked"))


# --------------------------------------------------------------------------- helpers


async def _friendly_errors(update: Update, context: Context, call: Handler) -> None:
    lang = _lang(update)
    try:
        await call(update, context)
    except ApiUnavailable as exc:
        log.warning("API unavailable: %s", exc)
        await _reply(update, t(lang, "api_unavailable"))
    except ApiError as exc:
        log.info("API refused: %s", exc)
        await _reply(update, t(lang, "api_error", detail=esc(exc.detail)))


def friendly(call: Handler) -> Handler:
    """Turn API failures into a message instead of a silent log line."""

    async def wrapper(update: Update, context: Context) -> None:
        await _friendly_errors(update, context, call)

    wrapper.__name__ = call.__name__
    wrapper.__doc__ = call.__doc__
    return wrapper


def _now(context: Context) -> datetime:
    return state_of(context).now()


async def _event_id(update: Update, context: Context, usage_key: str) -> int | None:
    lang = _lang(update)
    if not context.args:
        await _reply(update, t(lang, usage_key))
        return None
    raw = context.args[0].lstrip("#")
    if not raw.isdigit() or len(raw) > 18:
        await _reply(update, t(lang, "bad_id", value=esc(context.args[0])))
        return None
    return int(raw)


async def _load_event(update: Update, context: Context, event_id: int) -> Event | None:
    try:
        return await state_of(context).api.get_event(event_id)
    except ApiError as exc:
        if exc.status == 404:
            await _reply(update, t(_lang(update), "not_found", id=event_id))
            return None
        raise


def _when(context: Context, event: Event, lang: Lang) -> str:
    return event_when(event, zone(_config(context).timezone), lang, _now(context))


def _pending(context: Context) -> tuple[Any, ...] | None:
    assert context.chat_data is not None
    return cast("tuple[Any, ...] | None", context.chat_data.get("pending"))


def _set_pending(context: Context, value: tuple[Any, ...] | None) -> None:
    assert context.chat_data is not None
    if value is None:
        context.chat_data.pop("pending", None)
    else:
        context.chat_data["pending"] = value


# --------------------------------------------------------------------------- help etc.


async def help_command(update: Update, context: Context) -> None:
    await _reply(update, t(_lang(update), "help"))


async def cancel(update: Update, context: Context) -> None:
    lang = _lang(update)
    if _pending(context) is None:
        await _reply(update, t(lang, "nothing_to_cancel"))
        return
    _set_pending(context, None)
    await _reply(update, t(lang, "cancelled"))


async def unknown_command(update: Update, context: Context) -> None:
    await _reply(update, t(_lang(update), "unknown_command"))


@friendly
async def text_message(update: Update, context: Context) -> None:
    """Plain text: the next step of a dialog, or a hint."""
    lang = _lang(update)
    message = update.message
    assert message is not None and message.text is not None
    text = message.text.strip()
    pending = _pending(context)
    if pending is None:
        await _reply(update, t(lang, "plain_text"))
        return
    step = pending[0]
    if step == "create_title":
        if not 1 <= len(text) <= 500:
            await _reply(update, t(lang, "bad_title"))
            return
        _set_pending(context, ("create_when", text))
        await _reply(update, t(lang, "create_ask_when", title=esc(text)))
    elif step == "create_when":
        title = str(pending[1])
        proposal = await _parse_when(update, context, text)
        if proposal is not None:
            _set_pending(context, None)
            await _propose(update, context, proposal.model_copy(update={"title": title}))
    elif step == "edit_title":
        if not 1 <= len(text) <= 500:
            await _reply(update, t(lang, "bad_title"))
            return
        _set_pending(context, None)
        await _apply_edit(update, context, int(pending[1]), title=text)
    elif step == "edit_time":
        event = await _load_event(update, context, int(pending[1]))
        if event is None:
            _set_pending(context, None)
            return
        proposal = await _parse_when(update, context, text)
        if proposal is not None:
            _set_pending(context, None)
            await _apply_time_edit(update, context, event.id, proposal)
    else:  # pragma: no cover - unknown state from an older version
        _set_pending(context, None)


# --------------------------------------------------------------------------- create


async def _parse(update: Update, context: Context, text: str, shown: str) -> Proposal | None:
    """``POST /parse``; None (and a friendly message) when no date or time is found."""
    try:
        return await state_of(context).api.parse(text)
    except ApiError as exc:
        if exc.status == 422:
            await _reply(update, t(_lang(update), "unparseable", text=esc(shown)))
            return None
        raise


async def _parse_when(update: Update, context: Context, when: str) -> Proposal | None:
    """Parse a bare date/time ("tomorrow 10:00") behind a neutral placeholder title."""
    placeholder = t(_lang(update), "when_placeholder")
    return await _parse(update, context, f"{placeholder} {when}", shown=when)


async def _propose(update: Update, context: Context, proposal: Proposal) -> None:
    lang = _lang(update)
    assert context.chat_data is not None
    proposals: dict[str, Proposal] = context.chat_data.setdefault("proposals", {})
    while len(proposals) >= MAX_PROPOSALS:
        proposals.pop(next(iter(proposals)))
    key = secrets.token_hex(4)
    proposals[key] = proposal
    when = format_when(
        proposal.start_time,
        zone(_config(context).timezone),
        lang,
        _now(context),
        proposal.all_day,
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "btn_save"), callback_data=f"sv:{key}"),
                InlineKeyboardButton(t(lang, "btn_cancel"), callback_data=f"cx:{key}"),
            ]
        ]
    )
    await _reply(update, t(lang, "create_confirm", title=esc(proposal.title), when=when), markup)


@friendly
async def create(update: Update, context: Context) -> None:
    lang = _lang(update)
    message = update.message
    assert message is not None and message.text is not None
    parts = message.text.split(maxsplit=1)
    text = parts[1].strip() if len(parts) > 1 else ""
    if not text:
        _set_pending(context, ("create_title",))
        await _reply(update, t(lang, "create_ask_title"))
        return
    proposal = await _parse(update, context, text, shown=text)
    if proposal is not None:
        await _propose(update, context, proposal)


async def _take_proposal(context: Context, key: str) -> Proposal | None:
    proposals = (context.chat_data or {}).get("proposals", {})
    return cast("Proposal | None", proposals.pop(key, None))


# --------------------------------------------------------------------------- list


async def _list_view(context: Context, lang: Lang) -> tuple[str, InlineKeyboardMarkup | None]:
    state = state_of(context)
    now = _now(context)
    events = await state.api.upcoming(now, limit=LIST_LIMIT)
    tz = zone(_config(context).timezone)
    return render_event_list(events, tz, lang, now), list_keyboard(events, lang)


@friendly
async def list_command(update: Update, context: Context) -> None:
    text, markup = await _list_view(context, _lang(update))
    await _reply(update, text, markup)


# --------------------------------------------------------------------------- done/delete


async def _done(update: Update, context: Context, event_id: int) -> str | None:
    """Mark done; the text to show, or None when the event does not exist (told)."""
    lang = _lang(update)
    event = await _load_event(update, context, event_id)
    if event is None:
        return None
    if event.is_completed:
        return t(lang, "already_done", title=esc(event.title))
    after = await state_of(context).api.done_event(event_id)
    if not after.is_completed and after.rrule:
        return t(lang, "done_next", title=esc(event.title), when=_when(context, after, lang))
    return t(lang, "done", title=esc(event.title))


async def _delete(update: Update, context: Context, event_id: int) -> str | None:
    event = await _load_event(update, context, event_id)
    if event is None:
        return None
    try:
        await state_of(context).api.delete_event(event_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
    return t(_lang(update), "deleted", title=esc(event.title))


@friendly
async def done_command(update: Update, context: Context) -> None:
    event_id = await _event_id(update, context, "usage_done")
    if event_id is not None and (text := await _done(update, context, event_id)):
        await _reply(update, text)


@friendly
async def delete_command(update: Update, context: Context) -> None:
    event_id = await _event_id(update, context, "usage_delete")
    if event_id is not None and (text := await _delete(update, context, event_id)):
        await _reply(update, text)


# --------------------------------------------------------------------------- edit


def _edit_menu(lang: Lang, event_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "btn_edit_title"), callback_data=f"et:{event_id}"),
                InlineKeyboardButton(t(lang, "btn_edit_time"), callback_data=f"ew:{event_id}"),
                InlineKeyboardButton(t(lang, "btn_cancel"), callback_data="ec"),
            ]
        ]
    )


async def _apply_edit(update: Update, context: Context, event_id: int, **changes: Any) -> None:
    lang = _lang(update)
    try:
        event = await state_of(context).api.patch_event(event_id, **changes)
    except ApiError as exc:
        if exc.status == 404:
            await _reply(update, t(lang, "not_found", id=event_id))
            return
        raise
    await _reply(
        update,
        t(lang, "edited", id=event.id, title=esc(event.title), when=_when(context, event, lang)),
    )


async def _apply_time_edit(
    update: Update, context: Context, event_id: int, proposal: Proposal
) -> None:
    await _apply_edit(
        update,
        context,
        event_id,
        start_time=proposal.start_time.isoformat(),
        all_day=proposal.all_day,
    )


@friendly
async def edit_command(update: Update, context: Context) -> None:
    """``/edit ID`` shows buttons; ``/edit ID title …`` and ``/edit ID time …`` act at once."""
    lang = _lang(update)
    event_id = await _event_id(update, context, "usage_edit")
    if event_id is None:
        return
    event = await _load_event(update, context, event_id)
    if event is None:
        return
    message = update.message
    assert message is not None and message.text is not None
    rest = message.text.split(maxsplit=2)[2:]  # after "/edit ID"
    if rest:
        field_word, _, value = rest[0].partition(" ")
        value = value.strip()
        if field_word.lower() in _EDIT_TITLE_WORDS and value:
            if len(value) > 500:
                await _reply(update, t(lang, "bad_title"))
                return
            await _apply_edit(update, context, event_id, title=value)
            return
        if field_word.lower() in _EDIT_TIME_WORDS and value:
            proposal = await _parse_when(update, context, value)
            if proposal is not None:
                await _apply_time_edit(update, context, event_id, proposal)
            return
    text = t(
        lang, "edit_menu", id=event.id, title=esc(event.title), when=_when(context, event, lang)
    )
    await _reply(update, text, _edit_menu(lang, event.id))


# --------------------------------------------------------------------------- settings


def _settings_markup(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(("• " if name == current else "") + name, callback_data=f"tz:{name}")
        for name in COMMON_ZONES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def _set_timezone(update: Update, context: Context, name: str) -> str | None:
    lang = _lang(update)
    try:
        config = await state_of(context).api.patch_config(timezone=name)
    except ApiError as exc:
        if exc.status == 422:
            await _reply(update, t(lang, "bad_timezone", tz=esc(name)))
            return None
        raise
    assert context.chat_data is not None
    context.chat_data["config"] = config
    return t(lang, "settings_saved", tz=esc(config.timezone))


@friendly
async def settings_command(update: Update, context: Context) -> None:
    lang = _lang(update)
    if context.args:
        text = await _set_timezone(update, context, context.args[0])
        if text:
            await _reply(update, text)
        return
    current = _config(context).timezone
    await _reply(update, t(lang, "settings", tz=esc(current)), _settings_markup(current))


# --------------------------------------------------------------------------- buttons


async def _edit_message(
    query_message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    try:
        await query_message.edit_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def _answer(update: Update, text: str | None = None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.answer(text[:200] if text else None)
    except BadRequest as exc:  # too old; the action itself has been done
        log.info("callback answer failed: %s", exc)


def _strip_html(text: str) -> str:
    return (
        re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


@friendly
async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    message = query.message if isinstance(query.message, Message) else None
    kind, _, rest = data.partition(":")
    handler = _BUTTONS.get(kind)
    if handler is None or message is None:
        await _answer(update, t(_lang(update), "expired"))
        return
    await handler(update, context, message, rest)


async def _button_save(update: Update, context: Context, message: Message, key: str) -> None:
    lang = _lang(update)
    proposal = await _take_proposal(context, key)
    if proposal is None:
        await _answer(update, t(lang, "expired"))
        await _edit_message(message, message.text_html + "\n\n" + esc(t(lang, "expired")))
        return
    event = await state_of(context).api.create_event(
        {
            "title": proposal.title,
            "start_time": proposal.start_time.isoformat(),
            "timezone": proposal.timezone,
            "all_day": proposal.all_day,
        }
    )
    text = t(lang, "saved", id=event.id, title=esc(event.title), when=_when(context, event, lang))
    await _answer(update, _strip_html(text.split("\n", 1)[0]))
    await _edit_message(message, text)


async def _button_cancel(update: Update, context: Context, message: Message, key: str) -> None:
    lang = _lang(update)
    await _take_proposal(context, key)
    await _answer(update, t(lang, "not_saved"))
    await _edit_message(
        message, message.text_html.rsplit("\n\n", 1)[0] + "\n\n" + t(lang, "not_saved")
    )


async def _refresh_list(update: Update, context: Context, message: Message) -> None:
    text, markup = await _list_view(context, _lang(update))
    await _edit_message(message, text, markup)


async def _button_list_done(update: Update, context: Context, message: Message, raw: str) -> None:
    text = await _done(update, context, int(raw))
    await _answer(update, _strip_html(text) if text else None)
    await _refresh_list(update, context, message)


async def _button_list_delete(update: Update, context: Context, message: Message, raw: str) -> None:
    text = await _delete(update, context, int(raw))
    await _answer(update, _strip_html(text) if text else None)
    await _refresh_list(update, context, message)


async def _button_edit_title(update: Update, context: Context, message: Message, raw: str) -> None:
    lang = _lang(update)
    _set_pending(context, ("edit_title", int(raw)))
    await _answer(update)
    await _edit_message(message, message.text_html)
    await _reply(update, t(lang, "edit_ask_title", id=int(raw)))


async def _button_edit_time(update: Update, context: Context, message: Message, raw: str) -> None:
    lang = _lang(update)
    _set_pending(context, ("edit_time", int(raw)))
    await _answer(update)
    await _edit_message(message, message.text_html)
    await _reply(update, t(lang, "edit_ask_time", id=int(raw)))


async def _button_edit_cancel(update: Update, context: Context, message: Message, _: str) -> None:
    _set_pending(context, None)
    await _answer(update, t(_lang(update), "cancelled"))
    await _edit_message(message, message.text_html)


async def _button_timezone(update: Update, context: Context, message: Message, name: str) -> None:
    text = await _set_timezone(update, context, name)
    await _answer(update, _strip_html(text) if text else None)
    if text:
        await _edit_message(message, text)


async def _button_snooze(update: Update, context: Context, message: Message, raw: str) -> None:
    lang = _lang(update)
    reminder_id, _event_id, how = raw.split(":")
    api = state_of(context).api
    tz = zone(_config(context).timezone)
    now = _now(context)
    try:
        if how == "tm":
            tomorrow = now.astimezone(tz).date() + timedelta(days=1)
            until = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0, tzinfo=tz)
            snoozed = await api.snooze(int(reminder_id), until=until)
        else:
            snoozed = await api.snooze(int(reminder_id), minutes=int(how))
    except ApiError as exc:
        if exc.status != 404:
            raise
        await _answer(update, t(lang, "reminder_gone"))
        await _edit_message(message, message.text_html + "\n\n" + t(lang, "reminder_gone"))
        return
    when = format_when(snoozed.remind_at, tz, lang, now)
    await _answer(update, t(lang, "snoozed_short", when=when))
    await _edit_message(message, message.text_html + "\n\n" + t(lang, "snoozed", when=when))


async def _button_reminder_done(
    update: Update, context: Context, message: Message, raw: str
) -> None:
    lang = _lang(update)
    _, event_id = raw.split(":")
    try:
        await state_of(context).api.done_event(int(event_id))
    except ApiError as exc:
        if exc.status != 404:
            raise
        await _answer(update, t(lang, "reminder_gone"))
        await _edit_message(message, message.text_html + "\n\n" + t(lang, "reminder_gone"))
        return
    await _answer(update, t(lang, "reminder_done"))
    await _edit_message(message, message.text_html + "\n\n" + t(lang, "reminder_done"))


ButtonHandler = Callable[[Update, Context, Message, str], Awaitable[None]]
_BUTTONS: dict[str, ButtonHandler] = {
    "sv": _button_save,
    "cx": _button_cancel,
    "ld": _button_list_done,
    "lx": _button_list_delete,
    "et": _button_edit_title,
    "ew": _button_edit_time,
    "ec": _button_edit_cancel,
    "tz": _button_timezone,
    "rs": _button_snooze,
    "rd": _button_reminder_done,
}


# --------------------------------------------------------------------------- wiring


async def on_error(update: object, context: Context) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        with contextlib.suppress(TelegramError):
            await update.effective_chat.send_message(t(_lang(update), "api_unavailable"))


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
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .build()
    )
    state = add_handlers(application, api)
    return application, state
