"""Every text the bot shows, in English and Russian, in one place.

The language is the Telegram user's ``language_code``: Russian for ``ru``/``ru-*``,
English for anything else. Texts are Telegram HTML: placeholders are filled with
values that the caller has already escaped (see :mod:`nudge.telegram_bot.format`),
never with raw user text.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "ru"]


def lang_of(language_code: str | None) -> Lang:
    """The bot's language for a Telegram ``language_code`` (English unless Russian)."""
    if language_code and language_code.lower().split("-")[0] == "ru":
        return "ru"
    return "en"


_TEXTS: dict[str, tuple[str, str]] = {
    # --- linking -------------------------------------------------------------------
    "private": (
        "🔒 This bot is private: it belongs to someone else's nudge.\n"
        "If it is yours, open the nudge app, take a link code in Settings → Telegram "
        "and send it here as <code>/link CODE</code>.",
        "🔒 Это личный бот, он подключён к чужому nudge.\n"
        "Если бот ваш, откройте приложение nudge, возьмите код в «Настройки → Telegram» "
        "и пришлите его сюда: <code>/link КОД</code>.",
    ),
    "linked": (
        "✅ This chat is now linked to nudge. Reminders will arrive here.\n/help lists what "
        "I can do.",
        "✅ Этот чат подключён к nudge. Напоминания будут приходить сюда.\n/help — что я умею.",
    ),
    "already_linked": (
        "This chat is already linked. /help lists what I can do.",
        "Этот чат уже подключён. /help — что я умею.",
    ),
    "link_usage": (
        "Send <code>/link CODE</code> with the code from the nudge app (Settings → Telegram).",
        "Пришлите <code>/link КОД</code> с кодом из приложения nudge («Настройки → Telegram»).",
    ),
    "link_bad_code": (
        "❌ That code is wrong or has expired. Take a new one in the nudge app and try again.",
        "❌ Код неверный или устарел. Возьмите новый в приложении nudge и попробуйте снова.",
    ),
    # --- general -------------------------------------------------------------------
    "help": (
        "<b>nudge</b> — your events and reminders.\n\n"
        "/create <i>text</i> — add an event, e.g. <code>/create dentist tomorrow 15:00</code>\n"
        "/create — add an event step by step\n"
        "/list — upcoming events\n"
        "/edit <i>ID</i> — change an event's title or time\n"
        "/done <i>ID</i> — mark an event done\n"
        "/delete <i>ID</i> — delete an event\n"
        "/settings — time zone\n"
        "/cancel — stop what we are doing\n"
        "/help — this text",
        "<b>nudge</b> — ваши события и напоминания.\n\n"
        "/create <i>текст</i> — новое событие, например "
        "<code>/create стоматолог завтра в 15:00</code>\n"
        "/create — новое событие по шагам\n"
        "/list — ближайшие события\n"
        "/edit <i>ID</i> — изменить название или время\n"
        "/done <i>ID</i> — отметить событие выполненным\n"
        "/delete <i>ID</i> — удалить событие\n"
        "/settings — часовой пояс\n"
        "/cancel — прервать текущее действие\n"
        "/help — эта справка",
    ),
    "unknown_command": (
        "I don't know that command. /help lists the ones I do.",
        "Такой команды нет. /help — список команд.",
    ),
    "plain_text": (
        "To add an event, send /create and a line like "
        "<code>/create call mom in 2 hours</code>. /help lists everything else.",
        "Чтобы добавить событие, пришлите /create и строку, например "
        "<code>/create позвонить маме через 2 часа</code>. /help — остальные команды.",
    ),
    "api_unavailable": (
        "⚠️ nudge is not reachable right now. Please try again in a minute.",
        "⚠️ nudge сейчас недоступен. Попробуйте через минуту.",
    ),
    "api_error": (
        "⚠️ That didn't work: {detail}",
        "⚠️ Не получилось: {detail}",
    ),
    "cancelled": ("Cancelled.", "Отменено."),
    "nothing_to_cancel": ("Nothing to cancel.", "Отменять нечего."),
    "expired": (
        "This is no longer current. Send the command again.",
        "Это уже неактуально. Отправьте команду ещё раз.",
    ),
    # --- ids -----------------------------------------------------------------------
    "usage_edit": (
        "Which event? Send <code>/edit ID</code>; /list shows the ids.",
        "Какое событие? Пришлите <code>/edit ID</code>; номера есть в /list.",
    ),
    "usage_delete": (
        "Which event? Send <code>/delete ID</code>; /list shows the ids.",
        "Какое событие? Пришлите <code>/delete ID</code>; номера есть в /list.",
    ),
    "usage_done": (
        "Which event? Send <code>/done ID</code>; /list shows the ids.",
        "Какое событие? Пришлите <code>/done ID</code>; номера есть в /list.",
    ),
    "bad_id": (
        "“{value}” is not an event id. Ids are numbers; /list shows them.",
        "«{value}» — не номер события. Номера — это числа, их показывает /list.",
    ),
    "not_found": (
        "There is no event #{id}. /list shows the upcoming ones.",
        "События #{id} нет. /list покажет ближайшие.",
    ),
    # --- create --------------------------------------------------------------------
    "create_ask_title": (
        "What is the event? Send its title (or /cancel).",
        "Что за событие? Пришлите название (или /cancel).",
    ),
    "create_ask_when": (
        "When is <b>{title}</b>? For example: <code>tomorrow 15:00</code>, "
        "<code>in 2 hours</code>, <code>5 May 9:30</code>.",
        "Когда <b>{title}</b>? Например: <code>завтра в 15:00</code>, "
        "<code>через 2 часа</code>, <code>5 мая 9:30</code>.",
    ),
    "create_confirm": (
        "New event:\n<b>{title}</b>\n🕒 {when}\n\nSave it?",
        "Новое событие:\n<b>{title}</b>\n🕒 {when}\n\nСохранить?",
    ),
    "unparseable": (
        "I couldn't find a date or time in “{text}”. Try something like "
        "<code>tomorrow 15:00</code> or <code>in 2 hours</code>.",
        "Не нашёл дату или время в «{text}». Попробуйте, например, "
        "<code>завтра в 15:00</code> или <code>через 2 часа</code>.",
    ),
    "saved": (
        "✅ Saved #{id}: <b>{title}</b>\n🕒 {when}",
        "✅ Сохранено #{id}: <b>{title}</b>\n🕒 {when}",
    ),
    "not_saved": ("Not saved.", "Не сохранено."),
    "btn_save": ("💾 Save", "💾 Сохранить"),
    "btn_cancel": ("✖️ Cancel", "✖️ Отмена"),
    # --- list ----------------------------------------------------------------------
    "list_header": ("<b>Upcoming events</b>", "<b>Ближайшие события</b>"),
    "list_empty": (
        "No upcoming events. Add one with /create.",
        "Ближайших событий нет. Добавьте новое через /create.",
    ),
    "list_item": ("#{id} <b>{title}</b>\n    🕒 {when}", "#{id} <b>{title}</b>\n    🕒 {when}"),
    "btn_list_done": ("✅ #{id}", "✅ #{id}"),
    "btn_list_delete": ("🗑 #{id}", "🗑 #{id}"),
    # --- done / delete -------------------------------------------------------------
    "done": ("✅ Done: <b>{title}</b>", "✅ Выполнено: <b>{title}</b>"),
    "done_next": (
        "✅ Done: <b>{title}</b>. Next time: {when}",
        "✅ Выполнено: <b>{title}</b>. Следующий раз: {when}",
    ),
    "deleted": ("🗑 Deleted: <b>{title}</b>", "🗑 Удалено: <b>{title}</b>"),
    "already_done": (
        "<b>{title}</b> is already done.",
        "<b>{title}</b> уже выполнено.",
    ),
    # --- edit ----------------------------------------------------------------------
    "edit_menu": (
        "Editing #{id} <b>{title}</b>\n🕒 {when}\n\nWhat do you want to change?",
        "Изменение #{id} <b>{title}</b>\n🕒 {when}\n\nЧто изменить?",
    ),
    "btn_edit_title": ("✏️ Title", "✏️ Название"),
    "btn_edit_time": ("🕒 Time", "🕒 Время"),
    "edit_ask_title": (
        "Send the new title for #{id} (or /cancel).",
        "Пришлите новое название для #{id} (или /cancel).",
    ),
    "edit_ask_time": (
        "Send the new time for #{id}, e.g. <code>tomorrow 10:00</code> (or /cancel).",
        "Пришлите новое время для #{id}, например <code>завтра в 10:00</code> (или /cancel).",
    ),
    "edited": (
        "✏️ Updated #{id}: <b>{title}</b>\n🕒 {when}",
        "✏️ Изменено #{id}: <b>{title}</b>\n🕒 {when}",
    ),
    "bad_title": (
        "The title must be 1 to 500 characters.",
        "Название должно быть от 1 до 500 символов.",
    ),
    # --- settings ------------------------------------------------------------------
    "settings": (
        "⚙️ Time zone: <b>{tz}</b>\n\nPick one below or send "
        "<code>/settings Area/City</code>, e.g. <code>/settings Europe/Berlin</code>.",
        "⚙️ Часовой пояс: <b>{tz}</b>\n\nВыберите ниже или пришлите "
        "<code>/settings Регион/Город</code>, например <code>/settings Europe/Moscow</code>.",
    ),
    "settings_saved": ("⚙️ Time zone set to <b>{tz}</b>.", "⚙️ Часовой пояс: <b>{tz}</b>."),
    "bad_timezone": (
        "“{tz}” is not a time zone I know. Use a name like <code>Europe/Moscow</code> or "
        "<code>America/New_York</code>.",
        "«{tz}» — неизвестный часовой пояс. Используйте название вроде "
        "<code>Europe/Moscow</code> или <code>America/New_York</code>.",
    ),
    # --- reminders -----------------------------------------------------------------
    "reminder": ("⏰ <b>{title}</b>\n🕒 {when}", "⏰ <b>{title}</b>\n🕒 {when}"),
    "reminder_late": ("⌛ late by {late}", "⌛ с опозданием на {late}"),
    "reminder_location": ("📍 {location}", "📍 {location}"),
    "btn_snooze_10": ("💤 10 min", "💤 10 мин"),
    "btn_snooze_60": ("💤 1 hour", "💤 1 час"),
    "btn_snooze_tomorrow": ("💤 Tomorrow 09:00", "💤 Завтра 09:00"),
    "btn_done": ("✅ Done", "✅ Готово"),
    "snoozed": ("💤 Snoozed until {when}", "💤 Отложено до {when}"),
    "snoozed_short": ("Snoozed until {when}", "Отложено до {when}"),
    "reminder_done": ("✅ Done", "✅ Выполнено"),
    "reminder_gone": (
        "This event no longer exists.",
        "Этого события больше нет.",
    ),
    # --- time words ----------------------------------------------------------------
    "today": ("today", "сегодня"),
    "tomorrow": ("tomorrow", "завтра"),
    "yesterday": ("yesterday", "вчера"),
    "all_day": ("all day", "весь день"),
    # A neutral title put before a bare time ("tomorrow 10:00") for POST /parse, which
    # needs a title; the user's own title could be mistaken for part of the date.
    "when_placeholder": ("event", "событие"),
    "minutes_short": ("{n} min", "{n} мин"),
    "hours_short": ("{n} h", "{n} ч"),
    "days_short": ("{n} d", "{n} д"),
    # --- bot commands (setMyCommands; plain text, no HTML) ---------------------------
    "cmd_create": ("Add an event", "Новое событие"),
    "cmd_list": ("Upcoming events", "Ближайшие события"),
    "cmd_edit": ("Change an event: /edit ID", "Изменить событие: /edit ID"),
    "cmd_done": ("Mark an event done: /done ID", "Отметить выполненным: /done ID"),
    "cmd_delete": ("Delete an event: /delete ID", "Удалить событие: /delete ID"),
    "cmd_settings": ("Time zone", "Часовой пояс"),
    "cmd_help": ("What this bot can do", "Что умеет бот"),
    "cmd_link": ("Link this chat with a code", "Подключить чат по коду"),
    "cmd_cancel": ("Stop the current action", "Прервать действие"),
}

# Command name → text key of its description, in the order Telegram's menu shows them.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("create", "cmd_create"),
    ("list", "cmd_list"),
    ("edit", "cmd_edit"),
    ("done", "cmd_done"),
    ("delete", "cmd_delete"),
    ("settings", "cmd_settings"),
    ("link", "cmd_link"),
    ("cancel", "cmd_cancel"),
    ("help", "cmd_help"),
)

MONTHS: dict[Lang, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}
WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
}


def t(lang: Lang, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` with ``values`` filled in (already escaped)."""
    en, ru = _TEXTS[key]
    template = ru if lang == "ru" else en
    return template.format(**values) if values else template


def keys() -> frozenset[str]:
    return frozenset(_TEXTS)
