import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudge.domain.recurrence import (
    InvalidRecurrence,
    next_occurrence,
    normalize_rrule,
    occurrences_between,
    series_end,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def local(zone: str, *args: int) -> datetime:
    return datetime(*args).replace(tzinfo=ZoneInfo(zone))  # type: ignore[arg-type]


def wall(values: list[datetime]) -> list[str]:
    """Occurrences as local wall-clock text with offsets, easy to read in asserts."""
    return [value.isoformat() for value in values]


# --- expansion ---------------------------------------------------------------------


def test_one_off_event() -> None:
    start = local(BERLIN, 2026, 5, 1, 9)
    assert occurrences_between(start, BERLIN, None, start, start + timedelta(hours=1)) == [start]
    assert (
        occurrences_between(
            start, BERLIN, None, start + timedelta(seconds=1), start + timedelta(days=1)
        )
        == []
    )
    assert occurrences_between(start, BERLIN, None, start - timedelta(days=1), start) == []
    assert next_occurrence(start, BERLIN, None, start - timedelta(minutes=1)) == start
    assert next_occurrence(start, BERLIN, None, start) is None
    assert series_end(start, BERLIN, None) == start


@pytest.mark.parametrize(
    ("rule", "start", "after", "before", "expected"),
    [
        pytest.param(
            "FREQ=DAILY",
            (2026, 5, 1, 9),
            (2026, 5, 1, 0),
            (2026, 5, 4, 0),
            ["2026-05-01T09:00", "2026-05-02T09:00", "2026-05-03T09:00"],
            id="daily",
        ),
        pytest.param(
            "FREQ=DAILY;INTERVAL=2",
            (2026, 5, 1, 9),
            (2026, 5, 2, 0),
            (2026, 5, 8, 0),
            ["2026-05-03T09:00", "2026-05-05T09:00", "2026-05-07T09:00"],
            id="every-other-day",
        ),
        pytest.param(
            # 2026-05-04 is a Monday
            "FREQ=WEEKLY;BYDAY=MO,WE",
            (2026, 5, 4, 18),
            (2026, 5, 4, 0),
            (2026, 5, 14, 0),
            ["2026-05-04T18:00", "2026-05-06T18:00", "2026-05-11T18:00", "2026-05-13T18:00"],
            id="weekly-byday",
        ),
        pytest.param(
            "FREQ=WEEKLY",
            (2026, 5, 7, 8),
            (2026, 5, 8, 0),
            (2026, 5, 22, 0),
            ["2026-05-14T08:00", "2026-05-21T08:00"],
            id="weekly-same-weekday",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYMONTHDAY=31",
            (2026, 1, 31, 10),
            (2026, 1, 1, 0),
            (2026, 8, 1, 0),
            ["2026-01-31T10:00", "2026-03-31T10:00", "2026-05-31T10:00", "2026-07-31T10:00"],
            id="monthly-31st-skips-short-months",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=2TU",
            (2026, 1, 13, 19),
            (2026, 1, 1, 0),
            (2026, 5, 1, 0),
            ["2026-01-13T19:00", "2026-02-10T19:00", "2026-03-10T19:00", "2026-04-14T19:00"],
            id="monthly-second-tuesday",
        ),
        pytest.param(
            "FREQ=MONTHLY;BYDAY=-1FR",
            (2026, 1, 30, 17),
            (2026, 1, 1, 0),
            (2026, 4, 1, 0),
            ["2026-01-30T17:00", "2026-02-27T17:00", "2026-03-27T17:00"],
            id="monthly-last-friday",
        ),
        pytest.param(
            "FREQ=YEARLY",
            (2024, 2, 29, 12),
            (2024, 1, 1, 0),
            (2033, 1, 1, 0),
            ["2024-02-29T12:00", "2028-02-29T12:00", "2032-02-29T12:00"],
            id="yearly-leap-day",
        ),
        pytest.param(
            "FREQ=DAILY;COUNT=3",
            (2026, 5, 1, 9),
            (2026, 4, 1, 0),
            (2026, 6, 1, 0),
            ["2026-05-01T09:00", "2026-05-02T09:00", "2026-05-03T09:00"],
            id="count",
        ),
        pytest.param(
            # a naive UNTIL is local wall-clock time and is inclusive
            "FREQ=DAILY;UNTIL=20260503T090000",
            (2026, 5, 1, 9),
            (2026, 4, 1, 0),
            (2026, 6, 1, 0),
            ["2026-05-01T09:00", "2026-05-02T09:00", "2026-05-03T09:00"],
            id="until-local",
        ),
        pytest.param(
            # 07:00Z is 09:00 CEST: inclusive
            "FREQ=DAILY;UNTIL=20260502T070000Z",
            (2026, 5, 1, 9),
            (2026, 4, 1, 0),
            (2026, 6, 1, 0),
            ["2026-05-01T09:00", "2026-05-02T09:00"],
            id="until-utc",
        ),
        pytest.param(
            "FREQ=DAILY;UNTIL=20260502",
            (2026, 5, 1, 9),
            (2026, 4, 1, 0),
            (2026, 6, 1, 0),
            ["2026-05-01T09:00", "2026-05-02T09:00"],
            id="until-date-covers-the-whole-day",
        ),
        pytest.param(
            "RRULE:FREQ=DAILY;COUNT=5\nEXDATE:20260502T090000,20260504T070000Z",
            (2026, 5, 1, 9),
            (2026, 4, 1, 0),
            (2026, 6, 1, 0),
            ["2026-05-01T09:00", "2026-05-03T09:00", "2026-05-05T09:00"],
            id="exdate-local-and-utc",
        ),
        pytest.param(
            # 03:00 in New York is 09:00 in Berlin on that day
            "RRULE:FREQ=DAILY;COUNT=3\nEXDATE;TZID=America/New_York:20260502T030000",
            (2026, 5, 1, 9),
            (2026, 4, 1, 0),
            (2026, 6, 1, 0),
            ["2026-05-01T09:00", "2026-05-03T09:00"],
            id="exdate-tzid",
        ),
        pytest.param(
            "RRULE:FREQ=DAILY;COUNT=3\nEXDATE;VALUE=DATE:20260501",
            (2026, 5, 1, 9),
            (2026, 4, 1, 0),
            (2026, 6, 1, 0),
            ["2026-05-02T09:00", "2026-05-03T09:00"],
            id="exdate-date-removes-the-start",
        ),
        pytest.param(
            # the start is a Sunday, the rule says Mondays: the start still counts
            "FREQ=WEEKLY;BYDAY=MO",
            (2026, 5, 3, 9),
            (2026, 5, 1, 0),
            (2026, 5, 12, 0),
            ["2026-05-03T09:00", "2026-05-04T09:00", "2026-05-11T09:00"],
            id="unsynchronized-start-is-first",
        ),
    ],
)
def test_expansion(
    rule: str,
    start: tuple[int, ...],
    after: tuple[int, ...],
    before: tuple[int, ...],
    expected: list[str],
) -> None:
    result = occurrences_between(
        local(BERLIN, *start), BERLIN, rule, local(BERLIN, *after), local(BERLIN, *before)
    )
    assert [value.strftime("%Y-%m-%dT%H:%M") for value in result] == expected
    assert all(str(value.tzinfo) == BERLIN for value in result)


def test_bounds_are_half_open() -> None:
    start = local(BERLIN, 2026, 5, 1, 9)
    result = occurrences_between(
        start, BERLIN, "FREQ=DAILY", local(BERLIN, 2026, 5, 2, 9), local(BERLIN, 2026, 5, 4, 9)
    )
    assert result == [local(BERLIN, 2026, 5, 2, 9), local(BERLIN, 2026, 5, 3, 9)]


def test_limit() -> None:
    start = local(BERLIN, 2026, 5, 1, 9)
    far = local(BERLIN, 2030, 1, 1)
    assert len(occurrences_between(start, BERLIN, "FREQ=DAILY", start, far, limit=3)) == 3
    assert occurrences_between(start, BERLIN, "FREQ=DAILY", start, far, limit=0) == []


def test_bounds_in_other_zone_and_naive() -> None:
    start = local(BERLIN, 2026, 5, 1, 9)
    utc_after = datetime(2026, 5, 2, 7, 0, tzinfo=UTC)  # == 09:00 Berlin
    assert occurrences_between(
        start, BERLIN, "FREQ=DAILY", utc_after, utc_after + timedelta(hours=1)
    ) == [local(BERLIN, 2026, 5, 2, 9)]
    # naive bounds are read in the event's zone
    assert occurrences_between(
        start, BERLIN, "FREQ=DAILY", datetime(2026, 5, 2, 9), datetime(2026, 5, 2, 10)
    ) == [local(BERLIN, 2026, 5, 2, 9)]


# --- DST -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # 09:00 stays 09:00 local: the UTC offset changes instead
        (
            BERLIN,
            (2026, 3, 28),
            ["2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00", "2026-03-30T09:00:00+02:00"],
        ),
        (
            BERLIN,
            (2026, 10, 24),
            ["2026-10-24T09:00:00+02:00", "2026-10-25T09:00:00+01:00", "2026-10-26T09:00:00+01:00"],
        ),
        (
            NEW_YORK,
            (2026, 3, 7),
            ["2026-03-07T09:00:00-05:00", "2026-03-08T09:00:00-04:00", "2026-03-09T09:00:00-04:00"],
        ),
        (
            NEW_YORK,
            (2026, 10, 31),
            ["2026-10-31T09:00:00-04:00", "2026-11-01T09:00:00-05:00", "2026-11-02T09:00:00-05:00"],
        ),
    ],
)
def test_daily_0900_stays_0900_across_dst(
    zone: str, after: tuple[int, ...], expected: list[str]
) -> None:
    start = local(zone, 2026, 1, 5, 9)
    begin = local(zone, *after)
    assert (
        wall(occurrences_between(start, zone, "FREQ=DAILY", begin, begin + timedelta(days=3)))
        == expected
    )


@pytest.mark.parametrize(
    ("zone", "hour", "after", "expected"),
    [
        # spring forward: 02:30 does not exist on the night of the change; moved to 03:30
        (
            BERLIN,
            2,
            (2026, 3, 28),
            ["2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"],
        ),
        (
            NEW_YORK,
            2,
            (2026, 3, 7),
            ["2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"],
        ),
        # fall back: 02:30 (Berlin) / 01:30 (New York) happen twice; the event fires once,
        # the first time
        (
            BERLIN,
            2,
            (2026, 10, 24),
            ["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"],
        ),
        (
            NEW_YORK,
            1,
            (2026, 10, 31),
            ["2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"],
        ),
    ],
)
def test_daily_in_dst_gap_and_fold(
    zone: str, hour: int, after: tuple[int, ...], expected: list[str]
) -> None:
    start = local(zone, 2026, 1, 5, hour, 30)
    begin = local(zone, *after)
    assert (
        wall(occurrences_between(start, zone, "FREQ=DAILY", begin, begin + timedelta(days=3)))
        == expected
    )


def test_gap_reordering_and_dedupe() -> None:
    # 02:30 (moved to 03:30) and 03:30 collapse into one occurrence; 03:00 comes first.
    start = local(BERLIN, 2026, 3, 28, 2, 30)
    rule = "FREQ=DAILY;BYHOUR=2,3;BYMINUTE=0,30"
    day = local(BERLIN, 2026, 3, 29)
    result = occurrences_between(start, BERLIN, rule, day, day + timedelta(days=1))
    assert wall(result) == ["2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"]


def test_start_in_second_half_of_fold_is_kept_exactly() -> None:
    start = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo(NEW_YORK))  # 06:30Z
    result = occurrences_between(
        start, NEW_YORK, "FREQ=DAILY", start, start + timedelta(days=1, hours=1)
    )
    assert result[0].astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert wall(result[1:]) == ["2026-11-02T01:30:00-05:00"]


# --- next / end / speed ----------------------------------------------------------------


def test_next_occurrence() -> None:
    start = local(BERLIN, 2026, 5, 4, 18)  # Monday
    rule = "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"
    assert next_occurrence(start, BERLIN, rule, start) == local(BERLIN, 2026, 5, 6, 18)
    assert next_occurrence(start, BERLIN, rule, local(BERLIN, 2026, 5, 7)) == local(
        BERLIN, 2026, 5, 11, 18
    )
    assert next_occurrence(start, BERLIN, rule, local(BERLIN, 2026, 5, 13, 18)) is None


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=DAILY", None),
        ("FREQ=DAILY;COUNT=10", "2026-05-10T09:00:00+02:00"),
        ("FREQ=WEEKLY;UNTIL=20261231", "2026-12-25T09:00:00+01:00"),
        ("FREQ=MONTHLY;BYDAY=2TU;COUNT=3", "2026-07-14T09:00:00+02:00"),
        ("RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20260503T090000", "2026-05-02T09:00:00+02:00"),
        ("FREQ=DAILY;UNTIL=21000101T000000Z", "2099-12-31T09:00:00+01:00"),
    ],
)
def test_series_end(rule: str, expected: str | None) -> None:
    end = series_end(local(BERLIN, 2026, 5, 1, 9), BERLIN, rule)
    assert (end.isoformat() if end else None) == expected


@pytest.mark.parametrize(
    "rule", ["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=HOURLY;INTERVAL=7", "FREQ=MONTHLY"]
)
def test_far_future_window_is_fast(rule: str) -> None:
    start = local(BERLIN, 2001, 3, 1, 9)
    began = time.perf_counter()
    for year in range(2090, 2100):
        result = occurrences_between(
            start, BERLIN, rule, local(BERLIN, year, 6, 1), local(BERLIN, year, 7, 1)
        )
        assert result
        assert next_occurrence(start, BERLIN, rule, result[0] - timedelta(seconds=1)) == result[0]
    assert time.perf_counter() - began < 0.5


def test_fast_forward_keeps_interval_phase() -> None:
    start = local(BERLIN, 2001, 3, 1, 9)
    result = occurrences_between(
        start, BERLIN, "FREQ=DAILY;INTERVAL=3", local(BERLIN, 2090, 1, 1), local(BERLIN, 2090, 1, 8)
    )
    for value in result:
        assert (value.date() - start.date()).days % 3 == 0
    assert len(result) in (2, 3)


# --- normalize -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "canonical"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("RRULE:freq=weekly;byday=mo,we", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("  RRULE:FREQ=MONTHLY;BYDAY=2TU  \n", "FREQ=MONTHLY;BYDAY=+2TU"),
        ("FREQ=DAILY;INTERVAL=1;COUNT=5", "FREQ=DAILY;COUNT=5"),
        ("FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231T225959Z"),
        ("FREQ=DAILY;UNTIL=20260701T090000", "FREQ=DAILY;UNTIL=20260701T070000Z"),
        (
            "RRULE:FREQ=DAILY\r\nEXDATE:20260503T090000\r\nEXDATE;TZID=America/New_York:20260502T030000,20260504T030000",
            "RRULE:FREQ=DAILY\nEXDATE:20260502T070000Z,20260503T070000Z,20260504T070000Z",
        ),
        (
            "RRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20260510",
            "RRULE:FREQ=DAILY\nEXDATE;VALUE=DATE:20260510",
        ),
    ],
)
def test_normalize(rule: str, canonical: str) -> None:
    start = local(BERLIN, 2026, 5, 1, 9)
    assert normalize_rrule(rule, start, BERLIN) == canonical
    # the canonical form is a fixed point
    assert normalize_rrule(canonical, start, BERLIN) == canonical


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "empty"),
        ("garbage", "malformed rule part 'garbage'"),
        ("BYDAY=MO", "needs a FREQ"),
        ("FREQ=FORTNIGHTLY", "unknown FREQ 'FORTNIGHTLY'"),
        ("FREQ=MINUTELY", "FREQ=MINUTELY is not supported: reminders can repeat at most hourly"),
        ("FREQ=SECONDLY", "FREQ=SECONDLY is not supported"),
        ("DTSTART:20260101T090000\nRRULE:FREQ=DAILY", "DTSTART must not be part of the rule"),
        ("FREQ=DAILY;DTSTART=20260101T090000", "DTSTART must not be part of the rule"),
        ("FREQ=DAILY;FOO=BAR", "unknown rule part 'FOO'"),
        ("FREQ=DAILY;FREQ=WEEKLY", "given twice"),
        ("FREQ=DAILY;COUNT=0", "COUNT must be between 1 and"),
        ("FREQ=DAILY;COUNT=x", "COUNT must be a whole number"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "COUNT and UNTIL must not be used together"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be between 1 and"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid rule"),
        ("FREQ=DAILY;BYHOUR=25", "invalid rule"),
        ("FREQ=DAILY;UNTIL=tomorrow", "UNTIL value 'TOMORROW' is not a date"),
        ("FREQ=DAILY;UNTIL=20200101", "yields no occurrence"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "yields no occurrence"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "yields no occurrence"),
        ("FREQ=MONTHLY;BYDAY=6FR", "yields no occurrence"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", "BYDAY never matches"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=6", "BYMONTH never matches"),
        ("RRULE:FREQ=DAILY;COUNT=1\nEXDATE:20260501T090000", "yields no occurrence"),
        ("RRULE:FREQ=DAILY\nRRULE:FREQ=WEEKLY", "exactly one RRULE"),
        ("RRULE:FREQ=DAILY\nRDATE:20260601T090000", "unsupported line 'RDATE'"),
        ("RRULE:FREQ=DAILY\nEXDATE:soon", "EXDATE value 'soon' is not a date"),
        (
            "RRULE:FREQ=DAILY\nEXDATE;TZID=Mars/Base:20260502T090000",
            "unknown time zone 'Mars/Base'",
        ),
        ("FREQ=DAILY;" + "BYHOUR=9;" * 300, "too long"),
    ],
)
def test_invalid_rules(rule: str, message: str) -> None:
    # the start is a Friday in May 2026 (month 5)
    with pytest.raises(InvalidRecurrence, match=message.replace("(", r"\(")) as info:
        normalize_rrule(rule, local(BERLIN, 2026, 5, 1, 9), BERLIN)
    assert isinstance(info.value, ValueError)


def test_invalid_rules_are_rejected_quickly() -> None:
    began = time.perf_counter()
    for rule in ("FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"):
        with pytest.raises(InvalidRecurrence):
            normalize_rrule(rule, local(BERLIN, 2026, 5, 1, 9), BERLIN)
    assert time.perf_counter() - began < 2
