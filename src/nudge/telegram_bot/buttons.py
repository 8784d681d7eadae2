"""Inline buttons: one handler per callback-data prefix.

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

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import Message, Update

from nudge.telegram_bot.api_client import ApiError
from nudge.telegram_bot.chat import (
    Context,
    answer,
    chat_config,
    edit_message,
    friendly,
    lang_for,
    now_of,
    reply,
    set_pending,
    state_of,
    strip_html,
    when_text,
)
from nudge.telegram_bot.commands import (
    delete_event,
    finish_event,
    list_view,
    set_timezone,
    take_proposal,
)
from nudge.telegram_bot.format import esc, format_when, zone
from nudge.telegram_bot.texts import t


@friendly
async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    message = query.message if isinstance(query.message, Message) else None
    kind, _, rest = data.partition(":")
    handler = BUTTONS.get(kind)
    if handler is None or message is None:
        await answer(update, t(lang_for(update), "expired"))
        return
    await handler(update, context, message, rest)


async def _button_save(update: Update, context: Context, message: Message, key: str) -> None:
    lang = lang_for(update)
    proposal = await take_proposal(context, key)
    if proposal is None:
        await answer(update, t(lang, "expired"))
        await edit_message(message, message.text_html + "\n\n" + esc(t(lang, "expired")))
        return
    event = await state_of(context).api.create_event(
        {
            "title": proposal.title,
            "start_time": proposal.start_time.isoformat(),
            "timezone": proposal.timezone,
            "all_day": proposal.all_day,
        }
    )
    text = t(
        lang, "saved", id=event.id, title=esc(event.title), when=when_text(context, event, lang)
    )
    await answer(update, strip_html(text.split("\n", 1)[0]))
    await edit_message(message, text)


async def _button_cancel(update: Update, context: Context, message: Message, key: str) -> None:
    lang = lang_for(update)
    await take_proposal(context, key)
    await answer(update, t(lang, "not_saved"))
    await edit_message(
        message, message.text_html.rsplit("\n\n", 1)[0] + "\n\n" + t(lang, "not_saved")
    )


async def _refresh_list(update: Update, context: Context, message: Message) -> None:
    text, markup = await list_view(context, lang_for(update))
    await edit_message(message, text, markup)


async def _button_list_done(update: Update, context: Context, message: Message, raw: str) -> None:
    text = await finish_event(update, context, int(raw))
    await answer(update, strip_html(text) if text else None)
    await _refresh_list(update, context, message)


async def _button_list_delete(update: Update, context: Context, message: Message, raw: str) -> None:
    text = await delete_event(update, context, int(raw))
    await answer(update, strip_html(text) if text else None)
    await _refresh_list(update, context, message)


async def _button_edit_title(update: Update, context: Context, message: Message, raw: str) -> None:
    lang = lang_for(update)
    set_pending(context, ("edit_title", int(raw)))
    await answer(update)
    await edit_message(message, message.text_html)
    await reply(update, t(lang, "edit_ask_title", id=int(raw)))


async def _button_edit_time(update: Update, context: Context, message: Message, raw: str) -> None:
    lang = lang_for(update)
    set_pending(context, ("edit_time", int(raw)))
    await answer(update)
    await edit_message(message, message.text_html)
    await reply(update, t(lang, "edit_ask_time", id=int(raw)))


async def _button_edit_cancel(update: Update, context: Context, message: Message, _: str) -> None:
    set_pending(context, None)
    await answer(update, t(lang_for(update), "cancelled"))
    await edit_message(message, message.text_html)


async def _button_timezone(update: Update, context: Context, message: Message, name: str) -> None:
    text = await set_timezone(update, context, name)
    await answer(update, strip_html(text) if text else None)
    if text:
        await edit_message(message, text)


async def _button_snooze(update: Update, context: Context, message: Message, raw: str) -> None:
    lang = lang_for(update)
    reminder_id, _event_id, how = raw.split(":")
    api = state_of(context).api
    tz = zone(chat_config(context).timezone)
    now = now_of(context)
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
        await answer(update, t(lang, "reminder_gone"))
        await edit_message(message, message.text_html + "\n\n" + t(lang, "reminder_gone"))
        return
    when = format_when(snoozed.remind_at, tz, lang, now)
    await answer(update, t(lang, "snoozed_short", when=when))
    await edit_message(message, message.text_html + "\n\n" + t(lang, "snoozed", when=when))


async def _button_reminder_done(
    update: Update, context: Context, message: Message, raw: str
) -> None:
    lang = lang_for(update)
    _, event_id = raw.split(":")
    try:
        await state_of(context).api.done_event(int(event_id))
    except ApiError as exc:
        if exc.status != 404:
            raise
        await answer(update, t(lang, "reminder_gone"))
        await edit_message(message, message.text_html + "\n\n" + t(lang, "reminder_gone"))
        return
    await answer(update, t(lang, "reminder_done"))
    await edit_message(message, message.text_html + "\n\n" + t(lang, "reminder_done"))


ButtonHandler = Callable[[Update, Context, Message, str], Awaitable[None]]
BUTTONS: dict[str, ButtonHandler] = {
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
