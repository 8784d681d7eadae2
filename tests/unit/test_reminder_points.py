from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudge.domain.reminder_points import (
    ReminderPoint,
    ReminderSpec,
    reminder_points,
    specs_from_json,
    upcoming_points,
)

BERLIN = "Europe/Berlin"
TZ = ZoneInfo(BERLIN)
START = datetime(2026, 12, 1, 15, 0, tzinfo=TZ)
BOTH = ("desktop", "telegram")
DEFAULTS = [ReminderSpec(15, BOTH)]


def summary(points: list[ReminderPoint]) -> list[tuple[str, str, int]]:
    return [(p.remind_at.strftime("%m-%d %H:%M"), p.channel, p.offset_minutes) for p in points]


def test_specs_from_json() -> None:
    raw = [{"offset_minutes": 15, "channels": ["desktop"]}, {"offset_minutes": 0, "channels": []}]
    assert specs_from_json(raw) == [ReminderSpec(15, ("desktop",)), ReminderSpec(0, ())]


@pytest.mark.parametrize(
    ("specs", "linked", "expected"),
    [
        pytest.param(
            DEFAULTS,
            BOTH,
            [("12-01 14:45", "desktop", 15), ("12-01 14:45", "telegram", 15)],
            id="defaults-both-linked",
        ),
        pytest.param(
            DEFAULTS, {"desktop"}, [("12-01 14:45", "desktop", 15)], id="only-linked-channels"
        ),
        pytest.param(DEFAULTS, set(), [], id="nothing-linked"),
        pytest.param(
            [ReminderSpec(0, ("telegram",)), ReminderSpec(60 * 24, ("desktop",))],
            BOTH,
            [("11-30 15:00", "desktop", 1440), ("12-01 15:00", "telegram", 0)],
            id="override-sorted-by-time",
        ),
        pytest.param(
            [ReminderSpec(15, ("desktop", "desktop")), ReminderSpec(15, BOTH)],
            BOTH,
            [("12-01 14:45", "desktop", 15), ("12-01 14:45", "telegram", 15)],
            id="duplicates-removed",
        ),
        pytest.param(
            [ReminderSpec(10, ("telegram", "desktop"))],
            BOTH,
            [("12-01 14:50", "desktop", 10), ("12-01 14:50", "telegram", 10)],
            id="same-time-sorted-by-channel",
        ),
        pytest.param([], BOTH, [], id="no-specs"),
    ],
)
def test_reminder_points(
    specs: list[ReminderSpec],
    linked: set[str] | tuple[str, ...],
    expected: list[tuple[str, str, int]],
) -> None:
    now = START - timedelta(days=7)
    points = reminder_points(START, specs, linked, now)
    assert summary(points) == expected
    assert all(p.occurrence_start == START for p in points)


def test_past_points_are_skipped_and_now_is_kept() -> None:
    specs = [
        ReminderSpec(30, ("desktop",)),
        ReminderSpec(15, ("desktop",)),
        ReminderSpec(0, ("desktop",)),
    ]
    now = START - timedelta(minutes=15)
    assert summary(reminder_points(START, specs, BOTH, now)) == [
        ("12-01 14:45", "desktop", 15),
        ("12-01 15:00", "desktop", 0),
    ]
    later = now + timedelta(microseconds=1)
    assert summary(reminder_points(START, specs, BOTH, later)) == [("12-01 15:00", "desktop", 0)]


def test_now_in_another_zone() -> None:
    now = (START - timedelta(minutes=15)).astimezone(UTC)
    points = reminder_points(START, DEFAULTS, {"desktop"}, now)
    assert [p.remind_at for p in points] == [START - timedelta(minutes=15)]
    assert points[0].remind_at.tzinfo == TZ


def test_offset_is_elapsed_time_across_dst() -> None:
    # 03:30 CEST on the spring-forward night; 60 minutes earlier is 01:30 CET (00:30Z)
    start = datetime(2026, 3, 29, 3, 30, tzinfo=TZ)
    point = reminder_points(
        start, [ReminderSpec(60, ("desktop",))], BOTH, start - timedelta(days=1)
    )[0]
    assert point.remind_at.astimezone(UTC) == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert point.remind_at.isoformat() == "2026-03-29T01:30:00+01:00"


def test_upcoming_one_off() -> None:
    now = START - timedelta(hours=1)
    assert summary(upcoming_points(START, BERLIN, None, DEFAULTS, BOTH, now)) == [
        ("12-01 14:45", "desktop", 15),
        ("12-01 14:45", "telegram", 15),
    ]
    # reminders in the past: nothing left
    assert upcoming_points(START, BERLIN, None, DEFAULTS, BOTH, START - timedelta(minutes=5)) == []


def test_upcoming_recurring_next_occurrence() -> None:
    start = datetime(2026, 5, 1, 9, 0, tzinfo=TZ)
    now = datetime(2026, 5, 10, 8, 0, tzinfo=TZ)
    points = upcoming_points(start, BERLIN, "FREQ=DAILY", DEFAULTS, {"telegram"}, now)
    assert summary(points) == [("05-10 08:45", "telegram", 15)]
    assert points[0].occurrence_start == datetime(2026, 5, 10, 9, 0, tzinfo=TZ)


def test_upcoming_occurrence_with_passed_reminder_still_counts() -> None:
    # The occurrence starts in 5 minutes; its 15-minute reminder has passed. It is still
    # the next occurrence, so only its remaining (0-minute) point is returned.
    start = datetime(2026, 5, 1, 9, 0, tzinfo=TZ)
    now = datetime(2026, 5, 10, 8, 55, tzinfo=TZ)
    specs = [ReminderSpec(15, ("desktop",)), ReminderSpec(0, ("desktop",))]
    assert summary(upcoming_points(start, BERLIN, "FREQ=DAILY", specs, BOTH, now)) == [
        ("05-10 09:00", "desktop", 0)
    ]
    assert upcoming_points(start, BERLIN, "FREQ=DAILY", DEFAULTS, BOTH, now) == []
    # asking for two occurrences reaches tomorrow's reminder
    assert summary(
        upcoming_points(start, BERLIN, "FREQ=DAILY", DEFAULTS, {"desktop"}, now, occurrences=2)
    ) == [("05-11 08:45", "desktop", 15)]


def test_upcoming_several_occurrences_and_series_end() -> None:
    start = datetime(2026, 5, 1, 9, 0, tzinfo=TZ)
    rule = "FREQ=WEEKLY;COUNT=3"
    points = upcoming_points(
        start, BERLIN, rule, DEFAULTS, {"desktop"}, start - timedelta(days=1), occurrences=5
    )
    assert summary(points) == [
        ("05-01 08:45", "desktop", 15),
        ("05-08 08:45", "desktop", 15),
        ("05-15 08:45", "desktop", 15),
    ]
    assert (
        upcoming_points(start, BERLIN, rule, DEFAULTS, BOTH, datetime(2026, 6, 1, tzinfo=TZ)) == []
    )


def test_upcoming_all_day_event_is_local_midnight() -> None:
    midnight = datetime(2026, 12, 24, 0, 0, tzinfo=TZ)
    points = upcoming_points(
        midnight,
        BERLIN,
        "FREQ=YEARLY",
        [ReminderSpec(60 * 12, ("desktop",))],
        BOTH,
        datetime(2026, 12, 1, tzinfo=TZ),
    )
    assert summary(points) == [("12-23 12:00", "desktop", 720)]


def test_all_day_reminders_count_back_from_nine_in_the_morning() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    day = datetime(2031, 3, 30, tzinfo=berlin)  # the spring-forward day: 09:00 is CEST
    specs = [ReminderSpec(0, ("desktop",)), ReminderSpec(24 * 60, ("desktop",))]
    points = reminder_points(
        day, specs, {"desktop"}, datetime(2031, 1, 1, tzinfo=UTC), all_day=True
    )
    assert [p.remind_at.astimezone(berlin).replace(tzinfo=None) for p in points] == [
        datetime(2031, 3, 29, 8, 0),  # 24 elapsed hours before 09:00 CEST
        datetime(2031, 3, 30, 9, 0),
    ]
    assert {p.occurrence_start for p in points} == {day}
