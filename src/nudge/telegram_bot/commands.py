"""The bot's commands: /help, /cancel, /create (one line or a short dialog), /list,
/done, /delete, /edit, /settings, and plain text answering a dialog.

Short multi-step dialogs keep their state in ``chat_data["pending"]``; any command
ends them."""

from __future__ import annotations

import secrets
from typing import Any, cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from nudge.telegram_bot.api_client import ApiError, Proposal
from nudge.telegram_bot.chat import (
    Context,
    chat_config,
    event_id_arg,
    friendly,
    lang_for,
    load_event,
    now_of,
    pending_dialog,
    reply,
    set_pending,
    state_of,
    when_text,
)
from nudge.telegram_bot.format import esc, format_when, list_keyboard, render_event_list, zone
from nudge.telegram_bot.texts import Lang, t

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


# help etc.


async def help_command(update: Update, context: Context) -> None:
    await reply(update, t(lang_for(update), "help"))


async def cancel(update: Update, context: Context) -> None:
    lang = lang_for(update)
    if pending_dialog(context) is None:
        await reply(update, t(lang, "nothing_to_cancel"))
        return
    set_pending(context, None)
    await reply(update, t(lang, "cancelled"))


async def unknown_command(update: Update, context: Context) -> None:
    await reply(update, t(lang_for(update), "unknown_command"))


@friendly
async def text_message(update: Update, context: Context) -> None:
    """Plain text: the next step of a dialog, or a hint."""
    lang = lang_for(update)
    message = update.message
    assert message is not None and message.text is not None
    text = message.text.strip()
    pending = pending_dialog(context)
    if pending is None:
        await reply(update, t(lang, "plain_text"))
        return
    step = pending[0]
    if step == "create_title":
        if not 1 <= len(text) <= 500:
            await reply(update, t(lang, "bad_title"))
            return
        set_pending(context, ("create_when", text))
        await reply(update, t(lang, "create_ask_when", title=esc(text)))
    elif step == "create_when":
        title = str(pending[1])
        proposal = await parse_when(update, context, text)
        if proposal is not None:
            set_pending(context, None)
            await propose(update, context, proposal.model_copy(update={"title": title}))
    elif step == "edit_title":
        if not 1 <= len(text) <= 500:
            await reply(update, t(lang, "bad_title"))
            return
        set_pending(context, None)
        await apply_edit(update, context, int(pending[1]), title=text)
    elif step == "edit_time":
        event = await load_event(update, context, int(pending[1]))
        if event is None:
            set_pending(context, None)
            return
        proposal = await parse_when(update, context, text)
        if proposal is not None:
            set_pending(context, None)
            await apply_time_edit(update, context, event.id, proposal)
    else:  # pragma: no cover - unknown state from an older version
        set_pending(context, None)


# create


async def parse_text(update: Update, context: Context, text: str, shown: str) -> Proposal | None:
    """``POST /parse``; None (and a friendly message) when no date or time is found."""
    try:
        return await state_of(context).api.parse(text)
    except ApiError as exc:
        if exc.status == 422:
            await reply(update, t(lang_for(update), "unparseable", text=esc(shown)))
            return None
        raise


async def parse_when(update: Update, context: Context, when: str) -> Proposal | None:
    """Parse a bare date/time ("tomorrow 10:00") behind a neutral placeholder title."""
    placeholder = t(lang_for(update), "when_placeholder")
    return await parse_text(update, context, f"{placeholder} {when}", shown=when)


async def propose(update: Update, context: Context, proposal: Proposal) -> None:
    lang = lang_for(update)
    assert context.chat_data is not None
    proposals: dict[str, Proposal] = context.chat_data.setdefault("proposals", {})
    while len(proposals) >= MAX_PROPOSALS:
        proposals.pop(next(iter(proposals)))
    key = secrets.token_hex(4)
    proposals[key] = proposal
    when = format_when(
        proposal.start_time,
        zone(chat_config(context).timezone),
        lang,
        now_of(context),
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
    await reply(update, t(lang, "create_confirm", title=esc(proposal.title), when=when), markup)


@friendly
async def create(update: Update, context: Context) -> None:
    lang = lang_for(update)
    message = update.message
    assert message is not None and message.text is not None
    parts = message.text.split(maxsplit=1)
    text = parts[1].strip() if len(parts) > 1 else ""
    if not text:
        set_pending(context, ("create_title",))
        await reply(update, t(lang, "create_ask_title"))
        return
    proposal = await parse_text(update, context, text, shown=text)
    if proposal is not None:
        await propose(update, context, proposal)


async def take_proposal(context: Context, key: str) -> Proposal | None:
    proposals = (context.chat_data or {}).get("proposals", {})
    return cast("Proposal | None", proposals.pop(key, None))


# list


async def list_view(context: Context, lang: Lang) -> tuple[str, InlineKeyboardMarkup | None]:
    state = state_of(context)
    now = now_of(context)
    events = await state.api.upcoming(now, limit=LIST_LIMIT)
    tz = zone(chat_config(context).timezone)
    return render_event_list(events, tz, lang, now), list_keyboard(events, lang)


@friendly
async def list_command(update: Update, context: Context) -> None:
    text, markup = await list_view(context, lang_for(update))
    await reply(update, text, markup)


# done/delete


async def finish_event(update: Update, context: Context, event_id: int) -> str | None:
    """Mark done; the text to show, or None when the event does not exist (told)."""
    lang = lang_for(update)
    event = await load_event(update, context, event_id)
    if event is None:
        return None
    if event.is_completed:
        return t(lang, "already_done", title=esc(event.title))
    after = await state_of(context).api.done_event(event_id)
    if not after.is_completed and after.rrule:
        return t(lang, "done_next", title=esc(event.title), when=when_text(context, after, lang))
    return t(lang, "done", title=esc(event.title))


async def delete_event(update: Update, context: Context, event_id: int) -> str | None:
    event = await load_event(update, context, event_id)
    if event is None:
        return None
    try:
        await state_of(context).api.delete_event(event_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
    return t(lang_for(update), "deleted", title=esc(event.title))


@friendly
async def done_command(update: Update, context: Context) -> None:
    event_id = await event_id_arg(update, context, "usage_done")
    if event_id is not None and (text := await finish_event(update, context, event_id)):
        await reply(update, text)


@friendly
async def delete_command(update: Update, context: Context) -> None:
    event_id = await event_id_arg(update, context, "usage_delete")
    if event_id is not None and (text := await delete_event(update, context, event_id)):
        await reply(update, text)


# edit


def edit_menu(lang: Lang, event_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "btn_edit_title"), callback_data=f"et:{event_id}"),
                InlineKeyboardButton(t(lang, "btn_edit_time"), callback_data=f"ew:{event_id}"),
                InlineKeyboardButton(t(lang, "btn_cancel"), callback_data="ec"),
            ]
        ]
    )


async def apply_edit(update: Update, context: Context, event_id: int, **changes: Any) -> None:
    lang = lang_for(update)
    try:
        event = await state_of(context).api.patch_event(event_id, **changes)
    except ApiError as exc:
        if exc.status == 404:
            await reply(update, t(lang, "not_found", id=event_id))
            return
        raise
    await reply(
        update,
        t(
            lang,
            "edited",
            id=event.id,
            title=esc(event.title),
            when=when_text(context, event, lang),
        ),
    )


async def apply_time_edit(
    update: Update, context: Context, event_id: int, proposal: Proposal
) -> None:
    await apply_edit(
        update,
        context,
        event_id,
        start_time=proposal.start_time.isoformat(),
        all_day=proposal.all_day,
    )


@friendly
async def edit_command(update: Update, context: Context) -> None:
    """``/edit ID`` shows buttons; ``/edit ID title …`` and ``/edit ID time …`` act at once."""
    lang = lang_for(update)
    event_id = await event_id_arg(update, context, "usage_edit")
    if event_id is None:
        return
    event = await load_event(update, context, event_id)
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
                await reply(update, t(lang, "bad_title"))
                return
            await apply_edit(update, context, event_id, title=value)
            return
        if field_word.lower() in _EDIT_TIME_WORDS and value:
            proposal = await parse_when(update, context, value)
            if proposal is not None:
                await apply_time_edit(update, context, event_id, proposal)
            return
    text = t(
        lang, "edit_menu", id=event.id, title=esc(event.title), when=when_text(context, event, lang)
    )
    await reply(update, text, edit_menu(lang, event.id))


# settings


def settings_markup(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(("• " if name == current else "") + name, callback_data=f"tz:{name}")
        for name in COMMON_ZONES
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def set_timezone(update: Update, context: Context, name: str) -> str | None:
    lang = lang_for(update)
    try:
        config = await state_of(context).api.patch_config(timezone=name)
    except ApiError as exc:
        if exc.status == 422:
            await reply(update, t(lang, "bad_timezone", tz=esc(name)))
            return None
        raise
    assert context.chat_data is not None
    context.chat_data["config"] = config
    return t(lang, "settings_saved", tz=esc(config.timezone))


@friendly
async def settings_command(update: Update, context: Context) -> None:
    lang = lang_for(update)
    if context.args:
        text = await set_timezone(update, context, context.args[0])
        if text:
            await reply(update, text)
        return
    current = chat_config(context).timezone
    await reply(update, t(lang, "settings", tz=esc(current)), settings_markup(current))
