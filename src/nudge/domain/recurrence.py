"""Recurring events: validating RFC 5545 rules and expanding them into occurrences.

Rules are expanded in the local wall-clock time of the event's zone (dateutil works on
naive datetimes here), and each occurrence is then placed in the zone with `as_aware`,
so "daily at 09:00 Europe/Berlin" stays at 09:00 local time across DST changes.

Semantics chosen where RFC 5545 or the brief leave room:

* The event's start is always the first occurrence, even when it does not match the
  rule (RFC 5545: "DTSTART ... always counts as the first occurrence"); an EXDATE can
  still remove it. COUNT counts the rule's own occurrences.
* EXDATE date-times are compared as instants with the localized occurrences, so an
  EXDATE written in UTC, in another zone or as local wall-clock time all match.
  A date-only EXDATE (`EXDATE;VALUE=DATE:20261224`) removes every occurrence on that
  local date.
* A date-only UNTIL means "up to the end of that local day".
* The canonical stored form keeps the rule's own parts (as dateutil prints them),
  UNTIL in UTC (`...Z`, as RFC 5545 requires for zoned starts), and EXDATE date-times in
  UTC, sorted. Without EXDATEs it is the bare rule (`FREQ=WEEKLY;BYDAY=MO,WE`), the
  form clients send; with them it is an `RRULE:`/`EXDATE:` block.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice

from dateutil.rrule import DAILY, HOURLY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from nudge.domain.timezones import UnknownTimezone, as_aware, get_zone

__all__ = [
    "MAX_COUNT",
    "MAX_RULE_LENGTH",
    "InvalidRecurrence",
    "next_occurrence",
    "normalize_rrule",
    "occurrences_between",
    "series_end",
]

MAX_RULE_LENGTH = 2000
# COUNT series are expanded once and kept in memory; longer series should use UNTIL.
MAX_COUNT = 1000
MAX_INTERVAL = 1000

_FREQS = {"YEARLY": YEARLY, "MONTHLY": MONTHLY, "WEEKLY": WEEKLY, "DAILY": DAILY, "HOURLY": HOURLY}
_RULE_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
# Parts that restrict which calendar dates can match (used for the cheap emptiness check).
_DATE_PARTS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Offsets of one zone never differ by more than a day (Pacific/Apia skipped one day in
# 2011); two days of naive slack therefore safely covers every reordering DST can cause.
_SLACK = timedelta(days=2)
_FAST_FORWARD_STEP = {
    DAILY: timedelta(days=1),
    WEEKLY: timedelta(weeks=1),
    HOURLY: timedelta(hours=1),
}


class InvalidRecurrence(ValueError):
    """The recurrence rule cannot be used; the message says why, for a human."""


@dataclass(frozen=True)
class _Series:
    """A parsed, validated rule bound to one event start and zone."""

    canonical: str
    zone_name: str
    start: datetime  # aware, in the event's zone: always the first occurrence
    naive_start: datetime  # local wall-clock start, whole seconds (dateutil drops microseconds)
    rule: rrule  # expands naive wall-clock datetimes
    freq: int
    interval: int
    fixed: tuple[datetime, ...] | None  # all rule occurrences (naive) of a COUNT rule
    until: datetime | None  # aware end bound of an UNTIL rule
    exdates: frozenset[datetime]  # excluded instants, in UTC
    exdays: frozenset[date]  # excluded local dates

    def localize(self, naive: datetime) -> datetime:
        if naive == self.naive_start:
            return self.start  # keeps the caller's exact start (fold, microseconds)
        return as_aware(naive, self.zone_name)

    def excluded(self, occurrence: datetime) -> bool:
        return (
            occurrence.astimezone(UTC) in self.exdates
            or occurrence.replace(tzinfo=None).date() in self.exdays
        )

    def rule_candidates(self, lo: datetime) -> Iterator[datetime]:
        """The rule's naive occurrences, ascending, from about `lo` on (maybe a few earlier)."""
        if self.fixed is not None:
            return iter(self.fixed[bisect_left(self.fixed, lo) :])
        return iter(_fast_forward(self.rule, self.freq, self.interval, self.naive_start, lo))


# --- public API --------------------------------------------------------------------


def normalize_rrule(rule: str, start: datetime, zone_name: str) -> str:
    """Validate `rule` for an event starting at `start` and return the form to store.

    Accepts a bare rule (`FREQ=WEEKLY;BYDAY=MO,WE`), an `RRULE:` line, or a block of
    `RRULE:` and `EXDATE:` lines. Raises InvalidRecurrence with a human message, and
    UnknownTimezone for an unknown zone.
    """
    return _compile(rule, _utc(start, zone_name), zone_name).canonical


def occurrences_between(
    start: datetime,
    zone_name: str,
    rule: str | None,
    after: datetime,
    before: datetime,
    *,
    limit: int | None = None,
) -> list[datetime]:
    """Occurrence starts o with after <= o < before, ascending, aware in the event's zone.

    `rule=None` (or blank) is a one-off event. Naive bounds are read in the event's zone.
    """
    after, before = _utc(after, zone_name), _utc(before, zone_name)
    result: list[datetime] = []
    if (limit is not None and limit <= 0) or after >= before:
        return result
    for occurrence in _occurrences_from(start, zone_name, rule, after):
        if occurrence.astimezone(UTC) >= before or (limit is not None and len(result) >= limit):
            break
        result.append(occurrence)
    return result


def next_occurrence(
    start: datetime, zone_name: str, rule: str | None, after: datetime
) -> datetime | None:
    """The first occurrence strictly after `after`, or None when the series has ended."""
    after = _utc(after, zone_name)
    for occurrence in _occurrences_from(start, zone_name, rule, after):
        if occurrence.astimezone(UTC) > after:
            return occurrence
    return None


def series_end(start: datetime, zone_name: str, rule: str | None) -> datetime | None:
    """The last occurrence of a finite (COUNT or UNTIL) series; None for an endless one.

    A one-off event ends at its start.
    """
    start = _aware_start(start, zone_name)
    if not rule or not rule.strip():
        return start
    series = _compile(rule, start.astimezone(UTC), zone_name)
    if series.fixed is not None:
        # Localizing can reorder occurrences inside a DST gap; look a little past the end.
        end = series.localize(series.fixed[-1]).astimezone(UTC) + _SLACK
    elif series.until is not None:
        end = series.until.astimezone(UTC)
    else:
        return None
    return _last_until(series, end)


# --- expansion ---------------------------------------------------------------------


def _aware_start(start: datetime, zone_name: str) -> datetime:
    return as_aware(start, zone_name).astimezone(get_zone(zone_name))


def _utc(value: datetime, zone_name: str) -> datetime:
    # Aware datetimes sharing a tzinfo compare by wall clock, ignoring fold; UTC does not.
    return as_aware(value, zone_name).astimezone(UTC)


def _occurrences_from(
    start: datetime, zone_name: str, rule: str | None, after: datetime
) -> Iterator[datetime]:
    start = _aware_start(start, zone_name)
    if not rule or not rule.strip():
        return iter([start] if start.astimezone(UTC) >= after else [])
    return _series_from(_compile(rule, start.astimezone(UTC), zone_name), after, include_start=True)


def _series_from(series: _Series, after: datetime, *, include_start: bool) -> Iterator[datetime]:
    """Occurrences >= after in ascending order (aware, in the event's zone, no duplicates).

    Candidates come in naive wall-clock order, but localizing a time inside a DST gap
    moves it forward, which can put it after a later wall-clock time. A small heap holds
    each occurrence until no later candidate can precede it.
    """
    lo = _shift(after.astimezone(get_zone(series.zone_name)).replace(tzinfo=None), -_SLACK)
    candidates: Iterable[datetime] = series.rule_candidates(lo)
    if include_start:
        candidates = heapq.merge(candidates, [series.naive_start])
    pending: list[tuple[datetime, datetime, datetime]] = []  # (utc, naive, occurrence)
    previous: datetime | None = None
    last_yielded: datetime | None = None
    for naive in candidates:
        if naive == previous:
            continue
        previous = naive
        while pending and pending[0][1] + _SLACK <= naive:
            utc, _, occurrence = heapq.heappop(pending)
            if utc != last_yielded:
                last_yielded = utc
                yield occurrence
        occurrence = series.localize(naive)
        utc = occurrence.astimezone(UTC)
        if utc >= after and not series.excluded(occurrence):
            heapq.heappush(pending, (utc, naive, occurrence))
    while pending:
        utc, _, occurrence = heapq.heappop(pending)
        if utc != last_yielded:
            last_yielded = utc
            yield occurrence


def _fast_forward(
    rule: rrule, freq: int, interval: int, naive_start: datetime, lo: datetime
) -> rrule:
    """The same rule, restarted at a whole number of periods shortly before `lo`.

    dateutil always iterates from dtstart, which is slow for a daily event that started
    years ago. For HOURLY/DAILY/WEEKLY rules, moving dtstart by whole multiples of
    INTERVAL x period keeps the time of day and the weekday (from which dateutil derives
    omitted BYxxx parts) and the phase of the interval, so the occurrences from the new
    start on are unchanged. MONTHLY and YEARLY rules iterate cheaply enough as they are.
    """
    unit = _FAST_FORWARD_STEP.get(freq)
    if unit is None or lo <= naive_start:
        return rule
    step = unit * interval
    periods = (lo - naive_start) // step
    if periods <= 0:
        return rule
    try:
        return rule.replace(dtstart=naive_start + step * periods)
    except OverflowError:
        return rule


def _last_until(series: _Series, end: datetime) -> datetime | None:
    """The last occurrence at or before `end`, looking back in doubling windows."""
    span = timedelta(days=8)
    while True:
        lo = max(series.start.astimezone(UTC), end - span)
        last: datetime | None = None
        for occurrence in _series_from(series, lo, include_start=True):
            if occurrence.astimezone(UTC) > end:
                break
            last = occurrence
        if last is not None or lo <= series.start:
            return last
        span *= 4


def _shift(value: datetime, delta: timedelta) -> datetime:
    try:
        return value + delta
    except OverflowError:
        return datetime.min if delta < timedelta(0) else datetime.max


# --- parsing and validation ----------------------------------------------------------


@lru_cache(maxsize=256)
def _compile(text: str, start: datetime, zone_name: str) -> _Series:
    zone = get_zone(zone_name)
    if len(text) > MAX_RULE_LENGTH:
        raise InvalidRecurrence(f"the rule is too long (at most {MAX_RULE_LENGTH} characters)")
    local_start = start.astimezone(zone)
    naive_start = local_start.replace(tzinfo=None, microsecond=0, fold=0)
    rule_value, exdate_lines = _split_block(text)
    parts = _rule_parts(rule_value)
    until = _parse_until(parts, zone_name)
    if until is not None:
        # dateutil compares UNTIL with the naive wall-clock occurrences.
        parts["UNTIL"] = _format_basic(until.astimezone(zone).replace(tzinfo=None))
    rule = _build_rule(parts, naive_start)
    exdates, exdays = _parse_exdates(exdate_lines, zone_name)
    _check_reachable(parts, naive_start)
    series = _Series(
        canonical=_canonical(rule, until, exdates, exdays),
        zone_name=zone_name,
        start=local_start,
        naive_start=naive_start,
        rule=rule,
        freq=_FREQS[parts["FREQ"]],
        interval=int(parts.get("INTERVAL", "1")),
        fixed=tuple(islice(rule, MAX_COUNT)) if "COUNT" in parts else None,
        until=until,
        exdates=exdates,
        exdays=exdays,
    )
    if next(_series_from(series, local_start, include_start=False), None) is None:
        raise InvalidRecurrence(
            "the rule yields no occurrence after the start (check UNTIL, COUNT and EXDATE)"
        )
    return series


def _split_block(text: str) -> tuple[str, list[tuple[dict[str, str], str]]]:
    """Split a bare rule or an RRULE/EXDATE block into the rule value and EXDATE lines."""
    # RFC 5545 folds long lines: a line break followed by a space or tab continues it.
    unfolded = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n ", "").replace("\n\t", "")
    lines = [line.strip() for line in unfolded.split("\n") if line.strip()]
    if not lines:
        raise InvalidRecurrence("the rule is empty")
    rules: list[str] = []
    exdates: list[tuple[dict[str, str], str]] = []
    for line in lines:
        if ":" not in line:
            rules.append(line)  # a bare rule such as FREQ=DAILY
            continue
        head, value = line.split(":", 1)
        name, *raw_params = head.strip().split(";")
        name = name.upper()
        if name == "RRULE":
            rules.append(value)
        elif name == "EXDATE":
            exdates.append((_params(raw_params), value))
        elif name == "DTSTART":
            raise InvalidRecurrence(_DTSTART_MESSAGE)
        else:
            raise InvalidRecurrence(f"unsupported line {name!r}: only RRULE and EXDATE are allowed")
    if len(rules) != 1:
        raise InvalidRecurrence(f"expected exactly one RRULE, found {len(rules)}")
    return rules[0], exdates


_DTSTART_MESSAGE = "DTSTART must not be part of the rule: the event's start time is its start"


def _params(raw: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep:
            raise InvalidRecurrence(f"malformed EXDATE parameter {item!r}")
        params[key.strip().upper()] = value.strip().strip('"')
    return params


def _rule_parts(value: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in value.strip().strip(";").split(";"):
        key, sep, part = item.partition("=")
        key, part = key.strip().upper(), part.strip().upper()
        if not sep or not key or not part:
            raise InvalidRecurrence(f"malformed rule part {item.strip()!r}: expected NAME=VALUE")
        if key == "DTSTART":
            raise InvalidRecurrence(_DTSTART_MESSAGE)
        if key not in _RULE_PARTS:
            raise InvalidRecurrence(f"unknown rule part {key!r}")
        if key in parts:
            raise InvalidRecurrence(f"rule part {key} is given twice")
        parts[key] = part
    _check_parts(parts)
    return parts


def _check_parts(parts: dict[str, str]) -> None:
    freq = parts.get("FREQ")
    if freq is None:
        raise InvalidRecurrence("the rule needs a FREQ, e.g. FREQ=WEEKLY")
    if freq in ("SECONDLY", "MINUTELY"):
        raise InvalidRecurrence(
            f"FREQ={freq} is not supported: reminders can repeat at most hourly"
        )
    if freq not in _FREQS:
        raise InvalidRecurrence(
            f"unknown FREQ {freq!r}: use YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise InvalidRecurrence("COUNT and UNTIL must not be used together")
    _check_int(parts, "COUNT", 1, MAX_COUNT, hint="; use UNTIL for longer series")
    _check_int(parts, "INTERVAL", 1, MAX_INTERVAL)


def _check_int(parts: dict[str, str], key: str, low: int, high: int, *, hint: str = "") -> None:
    if key not in parts:
        return
    try:
        value = int(parts[key])
    except ValueError:
        raise InvalidRecurrence(f"{key} must be a whole number, not {parts[key]!r}") from None
    if not low <= value <= high:
        raise InvalidRecurrence(f"{key} must be between {low} and {high}{hint}")


def _parse_until(parts: dict[str, str], zone_name: str) -> datetime | None:
    if "UNTIL" not in parts:
        return None
    value = parts["UNTIL"]
    moment = _parse_moment(value, "UNTIL")
    if isinstance(moment, date) and not isinstance(moment, datetime):
        # A date-only UNTIL includes that whole local day.
        return as_aware(datetime.combine(moment, time(23, 59, 59)), zone_name)
    return as_aware(moment, zone_name)


def _parse_moment(value: str, what: str, zone_name: str | None = None) -> datetime | date:
    """Parse an RFC 5545 DATE or DATE-TIME (also ISO 8601 with dashes and offsets)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRecurrence(f"{what} value {value!r} is not a date or date-time") from None
    if "T" not in text.upper():
        return parsed.date()
    if zone_name is not None and parsed.tzinfo is None:
        return as_aware(parsed, zone_name)
    return parsed


def _parse_exdates(
    lines: list[tuple[dict[str, str], str]], zone_name: str
) -> tuple[frozenset[datetime], frozenset[date]]:
    instants: set[datetime] = set()
    days: set[date] = set()
    for params, value in lines:
        zone = params.get("TZID", zone_name)
        try:
            get_zone(zone)
        except UnknownTimezone as exc:
            raise InvalidRecurrence(f"EXDATE: {exc}") from None
        for item in value.split(","):
            moment = _parse_moment(item, "EXDATE", zone)
            if isinstance(moment, datetime):
                instants.add(moment.astimezone(UTC))
            else:
                days.add(moment)
    return frozenset(instants), frozenset(days)


def _build_rule(parts: dict[str, str], naive_start: datetime) -> rrule:
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        built = rrulestr(text, dtstart=naive_start)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as exc:
        raise InvalidRecurrence(f"invalid rule {text!r}: {exc}") from None
    if not isinstance(built, rrule):  # a single RRULE without forceset is always an rrule
        raise InvalidRecurrence(f"invalid rule {text!r}")
    return built


def _check_reachable(parts: dict[str, str], naive_start: datetime) -> None:
    """Reject rules that can never match, before dateutil would search until year 9999.

    dateutil only checks UNTIL when it finds an occurrence, so an impossible rule (Feb 30,
    or every 2nd hour from 00:00 at BYHOUR=1) makes it loop over every period up to year
    9999 - seconds of CPU. Two cheap checks catch these: the BY-parts that select dates
    must match at least one date (checked with an equivalent YEARLY rule, one loop per
    year), and INTERVAL must be able to reach the requested hours/weekdays/months.
    """
    freq = _FREQS[parts["FREQ"]]
    interval = int(parts.get("INTERVAL", "1"))
    if any(key in parts for key in _DATE_PARTS[1:]):
        _check_dates_exist(parts, freq, naive_start)
    if freq == HOURLY and "BYHOUR" in parts:
        hours = [int(hour) for hour in parts["BYHOUR"].split(",")]
        _check_cycle(hours, naive_start.hour, interval, 24, "BYHOUR")
    if freq == DAILY and "BYDAY" in parts:
        weekdays = [_WEEKDAYS.index(day.strip()[-2:]) for day in parts["BYDAY"].split(",")]
        _check_cycle(weekdays, naive_start.weekday(), interval, 7, "BYDAY")
    if freq == MONTHLY and "BYMONTH" in parts:
        months = [int(month) - 1 for month in parts["BYMONTH"].split(",")]
        _check_cycle(months, naive_start.month - 1, interval, 12, "BYMONTH")


def _check_dates_exist(parts: dict[str, str], freq: int, naive_start: datetime) -> None:
    keep = {key: parts[key] for key in _DATE_PARTS if key in parts}
    if "BYDAY" in keep and freq not in (MONTHLY, YEARLY):
        # Outside MONTHLY/YEARLY, BYDAY is a plain weekday filter (no "2nd Tuesday").
        keep["BYDAY"] = ",".join(day.strip()[-2:] for day in keep["BYDAY"].split(","))
    if freq == MONTHLY and "BYMONTH" not in keep:
        keep["BYMONTH"] = ",".join(str(month) for month in range(1, 13))  # nth within a month
    text = "FREQ=YEARLY;" + ";".join(f"{key}={value}" for key, value in keep.items())
    year_start = datetime(naive_start.year, 1, 1)
    if next(iter(_build_rule(_split_parts(text), year_start)), None) is None:
        raise InvalidRecurrence("the rule yields no occurrence: no date matches its BY-parts")


def _split_parts(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split(";"))


def _check_cycle(wanted: Iterable[int], first: int, interval: int, size: int, key: str) -> None:
    # Stepping by INTERVAL from `first` only reaches values congruent modulo gcd.
    step = math.gcd(interval, size)
    if not any((value - first) % step == 0 for value in wanted):
        raise InvalidRecurrence(
            f"the rule yields no occurrence: with INTERVAL={interval} from the start, "
            f"{key} never matches"
        )


def _format_basic(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _canonical(
    rule: rrule, until: datetime | None, exdates: frozenset[datetime], exdays: frozenset[date]
) -> str:
    # str(rrule) prints DTSTART plus the parts that were given, never derived defaults.
    body = next(line for line in str(rule).splitlines() if line.startswith("RRULE:"))
    parts = [
        f"UNTIL={_format_basic(until.astimezone(UTC))}Z"
        if until is not None and part.startswith("UNTIL=")
        else part
        for part in body.removeprefix("RRULE:").split(";")
    ]
    text = ";".join(parts)
    if not exdates and not exdays:
        return text
    lines = [f"RRULE:{text}"]
    if exdates:
        lines.append("EXDATE:" + ",".join(f"{_format_basic(d)}Z" for d in sorted(exdates)))
    if exdays:
        lines.append("EXDATE;VALUE=DATE:" + ",".join(d.strftime("%Y%m%d") for d in sorted(exdays)))
    return "\n".join(lines)
