// Date helpers. Every wall-clock value is interpreted in an explicit IANA zone with
// Intl; nothing here depends on the zone of the machine running the code.

export type DayKey = string; // "YYYY-MM-DD"
export type Wall = string; // "YYYY-MM-DDTHH:mm" (the value of <input type="datetime-local">)

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

interface WallParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock fields of `instant` in `timeZone`. */
export function wallParts(instant: Date, timeZone: string): WallParts {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year,
    month: out.month,
    day: out.day,
    hour: out.hour === 24 ? 0 : out.hour,
    minute: out.minute,
    second: out.second,
  };
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The zone of this machine (falls back to UTC). */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** All IANA zones the runtime knows (for pickers). */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (Berlin in winter: 60). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const p = wallParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60000);
}

/** "+01:00", "-05:00", "+05:30". */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * The instant at which the wall clock in `timeZone` shows `wall`. For a time that
 * does not exist (spring-forward gap) the result is shifted forward by the gap; for
 * an ambiguous time (fall-back) the earlier instant is used.
 */
export function wallToInstant(wall: string, timeZone: string): Date {
  const m = WALL_RE.exec(wall.trim());
  if (!m) throw new Error(`not a date/time: ${wall}`);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  // Try the offsets in effect around that moment; keep the earliest that round-trips.
  const candidates = new Set<number>();
  for (const probe of [asUtc - 86400000, asUtc, asUtc + 86400000]) {
    candidates.add(zoneOffsetMinutes(new Date(probe), timeZone));
  }
  const matches = [...candidates]
    .map((off) => asUtc - off * 60000)
    .filter((t) => {
      const p = wallParts(new Date(t), timeZone);
      return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) === asUtc;
    })
    .sort((a, b) => a - b);
  if (matches.length) return new Date(matches[0]);
  // Gap: use the offset before the transition, which lands after the gap.
  const before = zoneOffsetMinutes(new Date(asUtc - 86400000), timeZone);
  return new Date(asUtc - before * 60000);
}

/** ISO 8601 with the zone's offset: "2026-12-01T15:00:00+01:00". */
export function toOffsetISO(instant: Date, timeZone: string): string {
  const p = wallParts(instant, timeZone);
  const off = zoneOffsetMinutes(instant, timeZone);
  return (
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` +
    formatOffset(off)
  );
}

/** "2026-12-01T15:00" in `timeZone` → "2026-12-01T15:00:00+01:00". */
export function wallToOffsetISO(wall: string, timeZone: string): string {
  return toOffsetISO(wallToInstant(wall, timeZone), timeZone);
}

/** The wall clock in `timeZone` for an instant, as "YYYY-MM-DDTHH:mm". */
export function instantToWall(instant: Date | string, timeZone: string): Wall {
  const p = wallParts(toDate(instant), timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The calendar day of an instant in `timeZone`. */
export function dayKey(instant: Date | string, timeZone: string): DayKey {
  return instantToWall(instant, timeZone).slice(0, 10);
}

/** Midnight at the start of `day` in `timeZone`. */
export function startOfDay(day: DayKey, timeZone: string): Date {
  return wallToInstant(`${day}T00:00`, timeZone);
}

export function addDays(day: DayKey, n: number): DayKey {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** 0 = Sunday … 6 = Saturday for a calendar day. */
export function weekday(day: DayKey): number {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function toDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}

/** "15:00" (or "3:00 PM" in an en-US locale) in `timeZone`. */
export function formatTime(instant: Date | string, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(
    toDate(instant),
  );
}

/** "Tue, 1 Dec 2026, 15:00" in `timeZone`. */
export function formatDateTime(instant: Date | string, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(toDate(instant));
}

/** A calendar day, formatted without any zone shift ("Tuesday, 1 December 2026"). */
export function formatDay(day: DayKey, locale?: string, style: 'long' | 'short' = 'long'): string {
  const [y, m, d] = day.split('-').map(Number);
  const opts: Intl.DateTimeFormatOptions =
    style === 'long'
      ? { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
      : { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat(locale, opts).format(new Date(Date.UTC(y, m - 1, d, 12)));
}

/** Heading for a day in the agenda: "Today", "Tomorrow", or the formatted day. */
export function dayHeading(day: DayKey, today: DayKey, locale?: string): string {
  if (day === today) return `Today · ${formatDay(day, locale, 'short')}`;
  if (day === addDays(today, 1)) return `Tomorrow · ${formatDay(day, locale, 'short')}`;
  if (day === addDays(today, -1)) return `Yesterday · ${formatDay(day, locale, 'short')}`;
  return formatDay(day, locale);
}

/** "December 2026". */
export function formatMonth(year: number, month: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(
    new Date(Date.UTC(year, month - 1, 15)),
  );
}

/**
 * The 42 days (6 weeks) shown for a month, starting on `weekStart` (1 = Monday).
 */
export function monthGrid(year: number, month: number, weekStart = 1): DayKey[] {
  const first: DayKey = `${pad(year, 4)}-${pad(month)}-01`;
  const back = (weekday(first) - weekStart + 7) % 7;
  const start = addDays(first, -back);
  return Array.from({ length: 42 }, (_, i) => addDays(start, i));
}

/** Short weekday names starting at `weekStart` ("Mon", "Tue", …). */
export function weekdayNames(weekStart = 1, locale?: string): string[] {
  const f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short' });
  // 2023-01-01 was a Sunday.
  return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2023, 0, 1 + ((weekStart + i) % 7), 12))));
}

/** "15 min", "1 h", "1 day", "1 h 30 min" for a reminder offset. */
export function formatOffsetMinutes(minutes: number): string {
  if (minutes === 0) return 'at start';
  const parts: string[] = [];
  let rest = minutes;
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  rest -= hours * 60;
  if (days) parts.push(`${days} day${days === 1 ? '' : 's'}`);
  if (hours) parts.push(`${hours} h`);
  if (rest) parts.push(`${rest} min`);
  return `${parts.join(' ')} before`;
}
