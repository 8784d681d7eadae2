// Recurrence presets of the event editor, to and from an RFC 5545 RRULE string.

export type Preset = 'none' | 'daily' | 'weekdays' | 'weekly' | 'monthly' | 'custom';

export const PRESETS: { value: Preset; label: string }[] = [
  { value: 'none', label: 'Does not repeat' },
  { value: 'daily', label: 'Every day' },
  { value: 'weekdays', label: 'Every weekday (Mon–Fri)' },
  { value: 'weekly', label: 'Every week' },
  { value: 'monthly', label: 'Every month' },
  { value: 'custom', label: 'Custom RRULE…' },
];

const WEEKDAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const WORKDAYS = 'MO,TU,WE,TH,FR';

export interface Recurrence {
  preset: Preset;
  /** The rule text for `custom` (kept as typed). */
  custom: string;
}

/**
 * The rule for a preset, or null for a one-off event. `custom` is returned trimmed
 * (without a leading "RRULE:"), or null when empty.
 */
export function presetToRule(preset: Preset, custom = ''): string | null {
  switch (preset) {
    case 'none':
      return null;
    case 'daily':
      return 'FREQ=DAILY';
    case 'weekdays':
      return `FREQ=WEEKLY;BYDAY=${WORKDAYS}`;
    case 'weekly':
      return 'FREQ=WEEKLY';
    case 'monthly':
      return 'FREQ=MONTHLY';
    case 'custom': {
      const text = custom.trim().replace(/^RRULE:/i, '');
      return text === '' ? null : text;
    }
  }
}

/** Parse "FREQ=WEEKLY;BYDAY=MO" into an upper-cased key → value map. */
export function parseRuleParts(rule: string): Map<string, string> | null {
  const text = rule.trim().replace(/^RRULE:/i, '');
  if (!text || text.includes('\n')) return null;
  const parts = new Map<string, string>();
  for (const chunk of text.split(';')) {
    if (!chunk) continue;
    const eq = chunk.indexOf('=');
    if (eq <= 0) return null;
    parts.set(chunk.slice(0, eq).trim().toUpperCase(), chunk.slice(eq + 1).trim().toUpperCase());
  }
  return parts.has('FREQ') ? parts : null;
}

/**
 * Which preset a stored rule corresponds to. `startWeekday` (0 = Sunday) and
 * `startMonthDay` let "FREQ=WEEKLY;BYDAY=TU" on a Tuesday event count as weekly.
 */
export function ruleToRecurrence(
  rule: string | null | undefined,
  startWeekday?: number,
  startMonthDay?: number,
): Recurrence {
  if (rule == null || rule.trim() === '') return { preset: 'none', custom: '' };
  const custom = { preset: 'custom' as const, custom: rule.trim() };
  const parts = parseRuleParts(rule);
  if (!parts) return custom;
  if (parts.get('INTERVAL') === '1') parts.delete('INTERVAL');
  parts.delete('WKST');
  const freq = parts.get('FREQ');
  const keys = [...parts.keys()].filter((k) => k !== 'FREQ').sort().join(',');
  const byday = parts.get('BYDAY');
  if (freq === 'DAILY' && keys === '') return { preset: 'daily', custom: '' };
  if (freq === 'WEEKLY' && keys === 'BYDAY' && byday && sameDays(byday, WORKDAYS)) {
    return { preset: 'weekdays', custom: '' };
  }
  if (freq === 'WEEKLY' && keys === '') return { preset: 'weekly', custom: '' };
  if (
    freq === 'WEEKLY' &&
    keys === 'BYDAY' &&
    startWeekday !== undefined &&
    byday === WEEKDAY_CODES[startWeekday]
  ) {
    return { preset: 'weekly', custom: '' };
  }
  if (freq === 'MONTHLY' && keys === '') return { preset: 'monthly', custom: '' };
  if (
    freq === 'MONTHLY' &&
    keys === 'BYMONTHDAY' &&
    startMonthDay !== undefined &&
    parts.get('BYMONTHDAY') === String(startMonthDay)
  ) {
    return { preset: 'monthly', custom: '' };
  }
  return custom;
}

function sameDays(a: string, b: string): boolean {
  const norm = (s: string) => s.split(',').map((x) => x.trim()).sort().join(',');
  return norm(a) === norm(b);
}

const FREQ_WORDS: Record<string, [string, string]> = {
  DAILY: ['day', 'days'],
  WEEKLY: ['week', 'weeks'],
  MONTHLY: ['month', 'months'],
  YEARLY: ['year', 'years'],
  HOURLY: ['hour', 'hours'],
  MINUTELY: ['minute', 'minutes'],
};

/** A short human description ("Every weekday", "Every 2 weeks on MO,WE"). */
export function describeRule(rule: string | null | undefined): string {
  if (!rule) return 'Does not repeat';
  const r = ruleToRecurrence(rule);
  if (r.preset !== 'custom') return PRESETS.find((p) => p.value === r.preset)!.label;
  const parts = parseRuleParts(rule);
  if (!parts) return 'Custom recurrence';
  const freq = parts.get('FREQ') ?? '';
  const words = FREQ_WORDS[freq];
  if (!words) return rule;
  const n = Number(parts.get('INTERVAL') ?? '1');
  let text = n > 1 ? `Every ${n} ${words[1]}` : `Every ${words[0]}`;
  if (parts.get('BYDAY')) text += ` on ${parts.get('BYDAY')}`;
  if (parts.get('BYMONTHDAY')) text += ` on day ${parts.get('BYMONTHDAY')}`;
  if (parts.get('COUNT')) text += `, ${parts.get('COUNT')} times`;
  if (parts.get('UNTIL')) text += `, until ${parts.get('UNTIL')}`;
  return text;
}

/** A quick local sanity check of a custom rule (the API has the final word). */
export function checkCustomRule(rule: string): string | null {
  const text = rule.trim();
  if (!text) return 'Enter a rule, e.g. FREQ=WEEKLY;BYDAY=MO,WE';
  if (text.includes('\n')) return null; // "RRULE:…\nEXDATE:…" blocks are left to the API
  const parts = parseRuleParts(text);
  if (!parts) return 'A rule looks like FREQ=WEEKLY;BYDAY=MO,WE';
  if (!FREQ_WORDS[parts.get('FREQ') ?? '']) return 'FREQ must be DAILY, WEEKLY, MONTHLY, YEARLY, HOURLY or MINUTELY';
  return null;
}

/**
 * The weekdays (0 = Sunday) a rule's occurrences fall on, when the rule limits them:
 * "weekdays" → Mon–Fri; a custom DAILY or WEEKLY rule with a plain BYDAY list (and no
 * other BY… part) → those days. null when every start day matches (one-off, daily,
 * weekly and monthly presets) or the rule is too involved to say.
 */
export function ruleWeekdays(preset: Preset, custom = ''): number[] | null {
  if (preset === 'weekdays') return [1, 2, 3, 4, 5];
  if (preset !== 'custom') return null;
  const parts = parseRuleParts(custom);
  if (!parts) return null;
  const freq = parts.get('FREQ');
  if (freq !== 'WEEKLY' && freq !== 'DAILY') return null;
  if ([...parts.keys()].some((k) => k.startsWith('BY') && k !== 'BYDAY')) return null;
  const byday = parts.get('BYDAY');
  if (!byday) return null;
  const days = new Set<number>();
  for (const code of byday.split(',')) {
    const i = WEEKDAY_CODES.indexOf(code.trim());
    if (i < 0) return null; // "1MO" and the like: not a plain day list
    days.add(i);
  }
  return [...days].sort((a, b) => a - b);
}
