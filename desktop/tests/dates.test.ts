import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayHeading,
  dayKey,
  formatDateTime,
  formatOffsetMinutes,
  formatTime,
  instantToWall,
  isValidTimeZone,
  monthGrid,
  startOfDay,
  toOffsetISO,
  wallToInstant,
  wallToOffsetISO,
  weekdayNames,
  zoneOffsetMinutes,
} from '../src/lib/dates';

describe('zones and offsets', () => {
  it('knows the offset of a zone at an instant, across DST', () => {
    expect(zoneOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(60);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(120);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-240);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('turns a wall clock in a zone into an instant and back', () => {
    expect(wallToInstant('2026-12-01T15:00', 'Europe/Berlin').toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(wallToOffsetISO('2026-12-01T15:00', 'Europe/Berlin')).toBe('2026-12-01T15:00:00+01:00');
    expect(wallToOffsetISO('2026-06-01T15:00', 'America/New_York')).toBe('2026-06-01T15:00:00-04:00');
    expect(wallToOffsetISO('2026-06-01T15:00', 'Asia/Kolkata')).toBe('2026-06-01T15:00:00+05:30');
    expect(instantToWall('2026-12-01T14:00:00Z', 'Europe/Berlin')).toBe('2026-12-01T15:00');
    expect(instantToWall('2026-12-01T15:00:00+01:00', 'America/New_York')).toBe('2026-12-01T09:00');
  });

  it('handles the spring-forward gap and the fall-back overlap', () => {
    // 02:30 does not exist in Berlin on 2026-03-29: it lands after the gap.
    expect(wallToOffsetISO('2026-03-29T02:30', 'Europe/Berlin')).toBe('2026-03-29T03:30:00+02:00');
    // 02:30 happens twice on 2026-10-25: the earlier (summer time) one is used.
    expect(wallToOffsetISO('2026-10-25T02:30', 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00');
    expect(wallToOffsetISO('2026-11-01T01:30', 'America/New_York')).toBe('2026-11-01T01:30:00-04:00');
  });

  it('formats an instant with its zone offset', () => {
    expect(toOffsetISO(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29T03:00:00+02:00');
  });

  it('validates zone names', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('days', () => {
  it('puts an instant on the right calendar day of a zone', () => {
    const late = '2026-12-01T23:30:00Z';
    expect(dayKey(late, 'UTC')).toBe('2026-12-01');
    expect(dayKey(late, 'Europe/Berlin')).toBe('2026-12-02');
    expect(dayKey(late, 'America/Los_Angeles')).toBe('2026-12-01');
  });

  it('finds the start of a day in a zone, also on a DST day', () => {
    expect(startOfDay('2026-12-02', 'Europe/Berlin').toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(startOfDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfDay('2026-03-30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('builds a 6-week month grid starting on Monday', () => {
    const g = monthGrid(2026, 12);
    expect(g).toHaveLength(42);
    expect(g[0]).toBe('2026-11-30'); // Dec 1 2026 is a Tuesday
    expect(g[1]).toBe('2026-12-01');
    expect(g[41]).toBe('2027-01-10');
    expect(monthGrid(2026, 2)[0]).toBe('2026-01-26');
    expect(weekdayNames(1, 'en-GB')).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  });
});

describe('formatting in a given zone', () => {
  const instant = '2026-12-01T14:05:00Z';
  it('formats times in the zone asked for, not the machine zone', () => {
    expect(formatTime(instant, 'Europe/Berlin', 'en-GB')).toBe('15:05');
    expect(formatTime(instant, 'America/New_York', 'en-GB')).toBe('09:05');
    expect(formatTime(instant, 'Asia/Tokyo', 'en-GB')).toBe('23:05');
    expect(formatTime(instant, 'America/New_York', 'en-US')).toBe('09:05 AM');
  });

  it('formats a date and time, and a day heading', () => {
    expect(formatDateTime(instant, 'Asia/Tokyo', 'en-GB')).toBe('Tue, 1 Dec 2026, 23:05');
    expect(formatDateTime(instant, 'Pacific/Kiritimati', 'en-GB')).toBe('Wed, 2 Dec 2026, 04:05');
    expect(dayHeading('2026-12-01', '2026-12-01', 'en-GB')).toBe('Today · Tue 1 Dec');
    expect(dayHeading('2026-12-02', '2026-12-01', 'en-GB')).toBe('Tomorrow · Wed 2 Dec');
    expect(dayHeading('2026-12-05', '2026-12-01', 'en-GB')).toMatch(/^Saturday,? 5 December 2026$/);
  });

  it('describes reminder offsets', () => {
    expect(formatOffsetMinutes(0)).toBe('at start');
    expect(formatOffsetMinutes(15)).toBe('15 min before');
    expect(formatOffsetMinutes(90)).toBe('1 h 30 min before');
    expect(formatOffsetMinutes(2880)).toBe('2 days before');
  });
});
