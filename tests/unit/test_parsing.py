from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from nudge.domain.parsing import ParsedEvent, parse_event_text
from nudge.domain.timezones import UnknownTimezone

BERLIN = "Europe/Berlin"
# Friday, 27 November 2026, 10:00 in Berlin
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo(BERLIN))


def parse(text: str, now: datetime = NOW, zone: str = BERLIN) -> tuple[str, str, bool] | None:
    result = parse_event_text(text, zone, now)
    if result is None:
        return None
    assert isinstance(result, ParsedEvent)
    assert str(result.start_time.tzinfo) == zone
    return result.title, result.start_time.isoformat(), result.all_day


@pytest.mark.parametrize(
    ("text", "title", "start"),
    [
        ("dentist tomorrow 15:00", "dentist", "2026-11-28T15:00:00+01:00"),
        ("dentist tomorrow at 3pm", "dentist", "2026-11-28T15:00:00+01:00"),
        ("Call mom at 5pm tomorrow", "Call mom", "2026-11-28T17:00:00+01:00"),
        ("in 2 hours call mom", "call mom", "2026-11-27T12:00:00+01:00"),
        ("call mom in 2 hours", "call mom", "2026-11-27T12:00:00+01:00"),
        ("meeting on friday 10:00", "meeting", "2026-12-04T10:00:00+01:00"),
        ("Dentist 5 December 14:30", "Dentist", "2026-12-05T14:30:00+01:00"),
        ("party on 31 December at 20:00", "party", "2026-12-31T20:00:00+01:00"),
        ("tomorrow morning run", "run", "2026-11-28T09:00:00+01:00"),
        ("gym at 11", "gym", "2026-11-27T11:00:00+01:00"),
        # 09:00 has passed today: a bare time means the next 09:00
        ("gym at 9", "gym", "2026-11-28T09:00:00+01:00"),
        ("at 9 gym", "gym", "2026-11-28T09:00:00+01:00"),
        # with an explicit day it is taken as said
        ("gym today at 9", "gym", "2026-11-27T09:00:00+01:00"),
        ("завтра в 9 созвон с Аней", "созвон с Аней", "2026-11-28T09:00:00+01:00"),
        ("стоматолог завтра в 15:00", "стоматолог", "2026-11-28T15:00:00+01:00"),
        ("через 2 часа позвонить маме", "позвонить маме", "2026-11-27T12:00:00+01:00"),
        ("через 30 минут чай", "чай", "2026-11-27T10:30:00+01:00"),
        ("в пятницу в 10 встреча", "встреча", "2026-12-04T10:00:00+01:00"),
        ("встреча во вторник в 14:30", "встреча", "2026-12-01T14:30:00+01:00"),
        ("стоматолог 5 декабря в 14:30", "стоматолог", "2026-12-05T14:30:00+01:00"),
        ("ужин в 7 вечера", "ужин", "2026-11-27T19:00:00+01:00"),
        ("в 3 часа дня встреча", "встреча", "2026-11-27T15:00:00+01:00"),
        ("завтра в 11 ночи поезд", "поезд", "2026-11-28T23:00:00+01:00"),
        ("в 2 часа ночи будильник", "будильник", "2026-11-28T02:00:00+01:00"),
        ("обед в полдень", "обед", "2026-11-27T12:00:00+01:00"),
        # day and time apart, the title between them
        ("завтра созвон в 9", "созвон", "2026-11-28T09:00:00+01:00"),
        # a preposition after the time belongs to the title
        ("встреча в 10:30 в офисе", "встреча в офисе", "2026-11-27T10:30:00+01:00"),
        # several date-like words: the longest phrase wins
        ("I may go to gym tomorrow 10:00", "I may go to gym", "2026-11-28T10:00:00+01:00"),
    ],
)
def test_timed(text: str, title: str, start: str) -> None:
    assert parse(text) == (title, start, False)


@pytest.mark.parametrize(
    ("text", "title", "day"),
    [
        ("dentist next monday", "dentist", "2026-11-30"),
        ("in 3 days pay rent", "pay rent", "2026-11-30"),
        ("через неделю отпуск", "отпуск", "2026-12-04"),
        ("встреча 1 апреля", "встреча", "2027-04-01"),  # past this year -> next year
        ("отчёт 05.12.2026", "отчёт", "2026-12-05"),  # day first in Russian
        ("call 911 tomorrow", "call 911", "2026-11-28"),
        ("в пятницу встреча", "встреча", "2026-12-04"),  # today is Friday: next week's
    ],
)
def test_all_day(text: str, title: str, day: str) -> None:
    result = parse_event_text(text, BERLIN, NOW)
    assert result is not None
    assert (result.title, result.start_time.date().isoformat(), result.all_day) == (
        title,
        day,
        True,
    )
    assert (result.start_time.hour, result.start_time.minute) == (0, 0)
    assert str(result.start_time.tzinfo) == BERLIN


@pytest.mark.parametrize(
    "text",
    [
        "buy milk",
        "купить молоко",
        "",
        "   ",
        "tomorrow 15:00",
        "завтра в 9",
        "at 9",
        "dentist в 25",
    ],
)
def test_nothing_found_or_empty_title(text: str) -> None:
    assert parse_event_text(text, BERLIN, NOW) is None


def test_relative_hours_are_elapsed_time_across_dst() -> None:
    # 00:30 CET on the spring-forward night: two hours later it is 03:30 CEST
    now = datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo(BERLIN))
    assert parse("in 2 hours call mom", now) == ("call mom", "2026-03-29T03:30:00+02:00", False)


def test_relative_rounds_down_to_the_minute() -> None:
    now = datetime(2026, 11, 27, 10, 0, 37, 123456, tzinfo=ZoneInfo(BERLIN))
    assert parse("call mom in 2 hours", now) == ("call mom", "2026-11-27T12:00:00+01:00", False)


def test_now_in_utc_is_read_in_the_users_zone() -> None:
    # 23:00 UTC on Friday is already Saturday morning in Tokyo
    now = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert parse("dentist tomorrow 15:00", now, "Asia/Tokyo") == (
        "dentist",
        "2026-11-29T15:00:00+09:00",
        False,
    )


def test_new_york_zone() -> None:
    now = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("America/New_York"))
    assert parse("dentist tomorrow at 3pm", now, "America/New_York") == (
        "dentist",
        "2026-11-28T15:00:00-05:00",
        False,
    )


def test_unknown_zone() -> None:
    with pytest.raises(UnknownTimezone):
        parse_event_text("dentist tomorrow 15:00", "Mars/Base", NOW)
