"""Rendering events and reminders as Telegram HTML messages.

All user text goes through :func:`esc` (``<``, ``>`` and ``&`` become entities), so a
title like ``<b>*_[x]_*</b> & co`` arrives exactly as typed. Times are shown in the
user's time zone (``GET /config`` → ``timezone``).
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from nudge.bus.schema import ReminderMessage
from nudge.telegram_bot.api_client import Event
from nudge.telegram_bot.texts import MONTHS, WEEKDAYS, Lang, t

# Telegram's limit is 4096 characters of message text after entity parsing; a reminder
# is title (≤ 500) + location (≤ 500) + description, so the description is cut to fit.
MAX_DESCRIPTION = 2500
MAX_BUTTON_TITLE = 24


def esc(text: str) -> str:
    """Escape user text for parse_mode=HTML."""
    return html.escape(text, quote=False)


def zone(name: str | None) -> ZoneInfo:
    """The user's zone, UTC when the name is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def _day_name(day: date, today: date, lang: Lang) -> str:
    delta = (day - today).days
    if delta == 0:
        return t(lang, "today")
    if delta == 1:
        return t(lang, "tomorrow")
    if delta == -1:
        return t(lang, "yesterday")
    text = f"{WEEKDAYS[lang][day.weekday()]} {day.day} {MONTHS[lang][day.month - 1]}"
    if day.year != today.year:
        text += f" {day.year}"
    return text


def format_when(
    value: datetime, tz: ZoneInfo, lang: Lang, now: datetime, all_day: bool = False
) -> str:
    """``today 15:00``, ``tomorrow 09:30``, ``Tue 1 Dec 15:00`` (year when not this one),
    in zone ``tz``; all-day events show the day only."""
    local = value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
    day = _day_name(local.date(), now.astimezone(tz).date(), lang)
    if all_day:
        return f"{day}, {t(lang, 'all_day')}"
    return f"{day} {local:%H:%M}"


def format_duration(delta: timedelta, lang: Lang) -> str:
    """``3 min``, ``2 h 5 min``, ``1 d 4 h`` (at least one minute)."""
    minutes = max(1, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(t(lang, "days_short", n=days))
    if hours:
        parts.append(t(lang, "hours_short", n=hours))
    if mins and not days:
        parts.append(t(lang, "minutes_short", n=mins))
    return " ".join(parts) or t(lang, "minutes_short", n=0)


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_reminder(message: ReminderMessage, tz: ZoneInfo, lang: Lang, now: datetime) -> str:
    """The reminder as Telegram HTML: title, time, late-by, location, description."""
    lines = [
        t(
            lang,
            "reminder",
            title=esc(message.event_title),
            when=format_when(message.event_start, tz, lang, now),
        )
    ]
    if message.late:
        late = max(now - message.remind_at, timedelta(minutes=1))
        lines.append(t(lang, "reminder_late", late=format_duration(late, lang)))
    if message.event_location:
        lines.append(t(lang, "reminder_location", location=esc(message.event_location.strip())))
    if message.event_description.strip():
        lines.append("")
        lines.append(esc(_cut(message.event_description, MAX_DESCRIPTION)))
    return "\n".join(lines)


def reminder_keyboard(reminder_id: int, event_id: int, lang: Lang) -> InlineKeyboardMarkup:
    """Snooze 10 min / 1 hour / tomorrow 09:00, and Done.

    Callback data: ``rs:<reminder>:<event>:<10|60|tm>`` and ``rd:<reminder>:<event>``.
    """
    prefix = f"rs:{reminder_id}:{event_id}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "btn_snooze_10"), callback_data=f"{prefix}:10"),
                InlineKeyboardButton(t(lang, "btn_snooze_60"), callback_data=f"{prefix}:60"),
            ],
            [
                InlineKeyboardButton(t(lang, "btn_snooze_tomorrow"), callback_data=f"{prefix}:tm"),
                InlineKeyboardButton(
                    t(lang, "btn_done"), callback_data=f"rd:{reminder_id}:{event_id}"
                ),
            ],
        ]
    )


def event_when(event: Event, tz: ZoneInfo, lang: Lang, now: datetime) -> str:
    return format_when(event.when, tz, lang, now, event.all_day)


def render_event_list(events: list[Event], tz: ZoneInfo, lang: Lang, now: datetime) -> str:
    if not events:
        return t(lang, "list_empty")
    lines = [t(lang, "list_header"), ""]
    for event in events:
        lines.append(
            t(
                lang,
                "list_item",
                id=event.id,
                title=esc(_cut(event.title, 200)),
                when=event_when(event, tz, lang, now),
            )
        )
    return "\n".join(lines)


def list_keyboard(events: list[Event], lang: Lang) -> InlineKeyboardMarkup | None:
    """One row per event: Done and Delete (``ld:<id>``, ``lx:<id>``)."""
    if not events:
        return None
    seen: set[int] = set()
    rows = []
    for event in events:
        if event.id in seen:  # a recurring event may appear more than once
            continue
        seen.add(event.id)
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "btn_list_done", id=event.id), callback_data=f"ld:{event.id}"
                ),
                InlineKeyboardButton(
                    t(lang, "btn_list_delete", id=event.id), callback_data=f"lx:{event.id}"
                ),
            ]
        )
    return InlineKeyboardMarkup(rows)
