"""Quick add: one line of English or Russian -> a title and a start time.

dateparser finds the date/time phrase (`search_dates`) and reads it (`DateDataParser`,
which also says whether a time of day was given); the rest of the line is the title.

Choices where a reminder app has to pick one reading:

* Everything is relative to `now` in the user's zone, and dates prefer the future:
  a bare weekday is the next one (the same weekday as today means next week's),
  "5 December" after 5 December is next year's.
* A bare time that has already passed today ("at 9" at 10:00) means tomorrow. A time
  with an explicit day ("today at 9") is kept as said, even when it is past.
* A date without a time of day ("tomorrow", "next monday", "in 3 days") is an
  all-day event at local midnight.
* "in 2 hours" / "через 30 минут" is elapsed time from now (right across a DST change),
  rounded down to the minute.
* "завтра созвон в 9" (day and time apart, the title between) is understood as one
  moment; when several unrelated phrases look like dates, the longest one wins.
* A bare hour is on the 24-hour clock: "в 2" / "at 2" is 02:00 ("в 2 часа дня", "at 2pm"
  say otherwise). English numeric dates are month first (dateparser's default), Russian
  ones day first.

No `warnings.catch_warnings` here: it is not thread-safe and the API calls this from a
worker thread; dateparser's DeprecationWarnings are filtered by module in pyproject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from dateparser.date import DateDataParser
from dateparser.search import search_dates

from nudge.domain.timezones import as_aware, get_zone

__all__ = ["ParsedEvent", "parse_event_text"]

_LANGUAGES = ["en", "ru"]
_MAX_TEXT = 500
# Words that introduce a date or time and stay behind when the phrase is cut out.
_PREPOSITIONS = frozenset({"at", "on", "in", "by", "@", "в", "во", "на", "к", "ко"})
_PUNCTUATION = " \t,.;:!?-–—"

# dateparser reads "в 9" as "in 9 ..." (or ignores it) and "at 9" as nothing useful,
# but "в 9:00" / "at 9:00" correctly; the same for "9 вечера", which it does not know.
_PART_OF_DAY_RU = re.compile(
    r"\b(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s+(?:час(?:а|ов)?\s+)?"
    r"(?P<part>утра|дня|вечера|ночи)\b",
    re.IGNORECASE,
)
# "в 2 часа" after в/к is a time of day, not a duration.
_HOUR_WORD_RU = re.compile(
    r"\b(?P<prep>в|во|к|ко)\s+(?P<hour>\d{1,2})\s+час(?:а|ов)?\b", re.IGNORECASE
)
_BARE_HOUR = re.compile(
    r"\b(?P<prep>в|во|к|ко|at|by)\s+(?P<hour>\d{1,2})"
    r"(?![\d:]|[.,]\d|\s*(?:am|pm|a\.m|p\.m|h\b|ч|час|мин|янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек))",
    re.IGNORECASE,
)
_NAMED_TIMES = {"полдень": "12:00", "полночь": "00:00"}
_NAMED_TIME = re.compile(r"\b(полдень|полночь)\b", re.IGNORECASE)

# A fragment that is only a time of day, e.g. "в 9:00", "at 3pm", "10:30", "noon".
_TIME_ONLY = re.compile(
    r"^(?:(?:at|в|во|к|by|@)\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon|midnight)$",
    re.IGNORECASE,
)
# Relative amounts of hours/minutes: computed as elapsed time from now.
_ELAPSED = re.compile(
    r"\b(?:in|через|спустя|after)\b.*\b(?:hours?|hrs?|minutes?|mins?|seconds?|secs?"
    r"|час\w*|минут\w*|секунд\w*)",
    re.IGNORECASE,
)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedEvent:
    title: str
    start_time: datetime
    all_day: bool


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def parse_event_text(text: str, zone_name: str, now: datetime) -> ParsedEvent | None:
    """Split one line into a title and a start time, or None when either is missing.

    `now` is aware; the result is aware in `zone_name` (UnknownTimezone for a bad zone).
    """
    zone = get_zone(zone_name)
    line = " ".join(text.split())[:_MAX_TEXT]
    if not line:
        return None
    prepared, restore = _prepare(line)
    local_now = now.astimezone(zone)
    base = local_now.replace(tzinfo=None, microsecond=0)
    settings = _settings(base, dmy=bool(_CYRILLIC.search(prepared)))
    spans = _find_spans(prepared, settings)
    chosen = _choose(spans, settings)
    if not chosen:
        return None
    phrase = " ".join(span.text for span in chosen)
    parsed = _read(phrase, settings)
    if parsed is None:
        return None
    moment, has_time = parsed
    title = _title(prepared, chosen, restore)
    if not title:
        return None
    if not has_time:
        start = as_aware(datetime.combine(moment.date(), datetime.min.time()), zone_name)
        return ParsedEvent(title=title, start_time=start, all_day=True)
    start = _timed(moment, phrase, base, local_now, zone_name)
    return ParsedEvent(title=title, start_time=start, all_day=False)


def _prepare(line: str) -> tuple[str, dict[str, str]]:
    """Rewrite time forms dateparser misreads; remember how to undo it for the title."""
    restore: dict[str, str] = {}

    def remember(original: str, replacement: str) -> str:
        restore[replacement] = original
        return replacement

    def part_of_day(match: re.Match[str]) -> str:
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        part = match["part"].lower()
        if part in ("дня", "вечера") and hour < 12:
            hour += 12
        elif part == "ночи" and hour == 12:
            hour = 0
        elif part == "ночи" and hour >= 9:
            hour += 12  # "11 ночи" is 23:00
        elif part == "утра" and hour == 12:
            hour = 0
        if hour > 23:
            return match[0]
        return remember(match[0], f"{hour}:{minute:02d}")

    def bare_hour(match: re.Match[str]) -> str:
        if int(match["hour"]) > 23:
            return match[0]
        return remember(match[0], f"{match['prep']} {int(match['hour'])}:00")

    def named(match: re.Match[str]) -> str:
        return remember(match[0], _NAMED_TIMES[match[0].lower()])

    line = _PART_OF_DAY_RU.sub(part_of_day, line)
    line = _HOUR_WORD_RU.sub(bare_hour, line)
    line = _NAMED_TIME.sub(named, line)
    line = _BARE_HOUR.sub(bare_hour, line)
    return line, restore


def _settings(base: datetime, *, dmy: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_TIME_AS_PERIOD": True,
    }
    if dmy:
        settings["DATE_ORDER"] = "DMY"  # 05.12 is the 5th of December in Russian
    return settings


def _find_spans(text: str, settings: dict[str, Any]) -> list[_Span]:
    found = search_dates(text, languages=_LANGUAGES, settings=settings) or []
    spans: list[_Span] = []
    cursor = 0
    for fragment, _ in found:
        index = text.find(fragment, cursor)
        if index < 0:
            continue
        span = _trim(_Span(index, index + len(fragment), fragment), settings)
        if span is not None:
            spans.append(span)
        cursor = index + len(fragment)
    return spans


def _trim(span: _Span, settings: dict[str, Any]) -> _Span | None:
    """Cut what is not part of the date from a fragment's ends.

    Prepositions at the end belong to the title ("в 10:00 в" офисе -> "в 10:00"); a number
    at the start that does not change the date does too ("911 tomorrow" -> "tomorrow").
    """
    words = span.text.split(" ")
    while words and words[-1].lower().strip(_PUNCTUATION) in _PREPOSITIONS:
        words.pop()
    start = span.start
    # Only numbers that cannot be a day of the month ("1 апреля" must keep its 1).
    while len(words) > 1 and words[0].isdigit() and int(words[0]) > 31:
        rest = " ".join(words[1:])
        if _read(rest, settings) != _read(" ".join(words), settings):
            break
        start += len(words[0]) + 1
        words = words[1:]
    text = " ".join(words).rstrip(_PUNCTUATION)
    if not text.strip():
        return None
    return _Span(start, start + len(text), text)


def _choose(spans: list[_Span], settings: dict[str, Any]) -> list[_Span]:
    """Pick the date/time phrase: a date plus a lone time elsewhere, else the longest."""
    times = [span for span in spans if _TIME_ONLY.match(span.text.strip())]
    dates = [span for span in spans if span not in times]
    if not dates:
        return times[:1]
    best = max(dates, key=lambda span: len(span.text))  # the first of the longest
    parsed = _read(best.text, settings)
    if times and parsed is not None and not parsed[1]:
        return sorted([best, times[0]], key=lambda span: span.start)
    return [best]


def _read(phrase: str, settings: dict[str, Any]) -> tuple[datetime, bool] | None:
    """The moment a phrase names, and whether it names a time of day."""
    # Parsers are cheap to build: dateparser caches its language data per process.
    parser = DateDataParser(languages=_LANGUAGES, settings=settings)
    data = parser.get_date_data(phrase)
    if data.date_obj is None:
        return None
    moment: datetime = data.date_obj
    # `parts` lists what the text gave; `period` is unreliable ("tomorrow 10:00" at 10:00
    # says "day").
    return moment.replace(tzinfo=None), "time" in (data.parts or ())


def _timed(
    moment: datetime, phrase: str, base: datetime, local_now: datetime, zone_name: str
) -> datetime:
    if _ELAPSED.search(phrase):
        elapsed = moment - base
        start = (local_now.astimezone(UTC) + elapsed).replace(second=0, microsecond=0)
        return start.astimezone(local_now.tzinfo)
    if _TIME_ONLY.match(phrase.strip()) and moment < base:
        moment += timedelta(days=1)  # "at 9" after 09:00 means tomorrow at 9
    return as_aware(moment, zone_name)


def _title(text: str, spans: list[_Span], restore: dict[str, str]) -> str:
    pieces: list[str] = []
    cursor = 0
    for span in spans:
        pieces.append(_strip_trailing_prepositions(text[cursor : span.start]))
        cursor = span.end
    pieces.append(text[cursor:])
    title = " ".join(piece.strip(_PUNCTUATION) for piece in pieces if piece.strip(_PUNCTUATION))
    for replacement, original in restore.items():
        title = title.replace(replacement, original)
    return " ".join(title.split()).strip(_PUNCTUATION)


def _strip_trailing_prepositions(piece: str) -> str:
    words = piece.rstrip(_PUNCTUATION).split()
    while words and words[-1].lower() in _PREPOSITIONS:
        words.pop()
    return " ".join(words)
