from datetime import UTC, datetime, timedelta, timezone

import pytest

from nudge.domain.timezones import UnknownTimezone, as_aware, get_zone


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo"])
def test_get_zone_known(name: str) -> None:
    assert str(get_zone(name)) == name


@pytest.mark.parametrize(
    "name", ["Mars/Base", "", "   ", "../../etc/passwd", "/etc/localtime", "Europe", "a\0b"]
)
def test_get_zone_unknown(name: str) -> None:
    with pytest.raises(UnknownTimezone) as info:
        get_zone(name)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == f"unknown time zone {name!r}"


def test_unknown_timezone_message() -> None:
    with pytest.raises(UnknownTimezone, match=r"^unknown time zone 'Mars/Base'$"):
        get_zone("Mars/Base")


@pytest.mark.parametrize(
    ("zone", "naive", "expected_utc"),
    [
        # ordinary winter and summer times
        ("Europe/Berlin", datetime(2026, 1, 15, 9, 0), datetime(2026, 1, 15, 8, 0)),
        ("Europe/Berlin", datetime(2026, 7, 15, 9, 0), datetime(2026, 7, 15, 7, 0)),
        # spring forward: 02:30 does not exist, moved forward by the gap to 03:30 CEST
        ("Europe/Berlin", datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 1, 30)),
        ("America/New_York", datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 7, 30)),
        # fall back: the first (summer-time) instant of the repeated hour
        ("Europe/Berlin", datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 0, 30)),
        ("America/New_York", datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 1, 5, 30)),
    ],
)
def test_as_aware_naive(zone: str, naive: datetime, expected_utc: datetime) -> None:
    result = as_aware(naive, zone)
    assert result.tzinfo is not None
    assert str(result.tzinfo) == zone
    assert result.astimezone(UTC).replace(tzinfo=None) == expected_utc


def test_as_aware_gap_keeps_wall_clock_shifted_by_gap() -> None:
    result = as_aware(datetime(2026, 3, 29, 2, 30), "Europe/Berlin")
    assert (result.hour, result.minute) == (3, 30)
    assert result.utcoffset() == timedelta(hours=2)


def test_as_aware_fold_one_is_ignored() -> None:
    naive = datetime(2026, 10, 25, 2, 30, fold=1)
    assert as_aware(naive, "Europe/Berlin").utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=5))),
    ],
)
def test_as_aware_keeps_aware_values(value: datetime) -> None:
    result = as_aware(value, "Europe/Berlin")
    assert result is value


def test_as_aware_unknown_zone() -> None:
    with pytest.raises(UnknownTimezone):
        as_aware(datetime(2026, 1, 1), "Mars/Base")
