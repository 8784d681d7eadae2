"""IANA time zones: lookup with a clear error, and reading wall-clock times in a zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["UnknownTimezone", "as_aware", "get_zone"]


class UnknownTimezone(ValueError):
    """The name is not an IANA time zone known to this system."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown time zone {name!r}")
        self.name = name


def get_zone(name: str) -> ZoneInfo:
    """Return the zone called `name`, or raise UnknownTimezone.

    zoneinfo signals bad names in several ways: ZoneInfoNotFoundError for unknown keys,
    ValueError for keys that are not relative paths ('../etc/passwd', '/UTC'), and
    OSError-family errors for keys that name a directory ('Europe'); all mean the same
    thing to our callers.
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownTimezone(str(name))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownTimezone(name) from exc


def as_aware(value: datetime, zone_name: str) -> datetime:
    """Attach `zone_name` to a naive wall-clock time; aware values are returned unchanged.

    Ambiguous times (the repeated hour when clocks fall back) take the first of the two
    instants (fold=0). Times that do not exist (the hour skipped when clocks spring
    forward) are moved forward by the length of the gap, so 02:30 on a spring-forward
    night in Europe/Berlin becomes 03:30 CEST - what calendar apps do.
    """
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    zone = get_zone(zone_name)
    candidate = value.replace(tzinfo=zone, fold=0)
    # With fold=0 a nonexistent time carries the offset from before the transition;
    # a round trip through UTC lands on the real instant that many minutes later.
    normalized = candidate.astimezone(UTC).astimezone(zone)
    if normalized.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        return normalized
    return candidate
