// Settings kept by the app itself (not on the server): where the API and the
// notifier are, the API token, and this device's id.

export interface LocalSettings {
  apiUrl: string;
  wsUrl: string;
  token: string;
}

const SETTINGS_KEY = 'nudge.settings';
const DEVICE_KEY = 'nudge.deviceId';
const REMINDERS_KEY = 'nudge.recentReminders';

/** Default API address: the page's own origin when the API serves it, else localhost. */
export function defaultApiUrl(loc: Pick<Location, 'protocol' | 'origin'> | undefined = globalThis.location): string {
  if (loc && (loc.protocol === 'http:' || loc.protocol === 'https:')) {
    // The Vite dev server is not the API.
    if (!import.meta.env?.DEV) return loc.origin;
  }
  return 'http://127.0.0.1:8000';
}

/** Default notifier address: ws(s)://<api host>:8001/ws. */
export function defaultWsUrl(apiUrl: string): string {
  try {
    const u = new URL(apiUrl);
    const scheme = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:8001/ws`;
  } catch {
    return 'ws://127.0.0.1:8001/ws';
  }
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadSettings(): LocalSettings {
  const apiDefault = defaultApiUrl();
  let saved: Partial<LocalSettings> = {};
  try {
    saved = JSON.parse(storage()?.getItem(SETTINGS_KEY) ?? '{}') as Partial<LocalSettings>;
  } catch {
    saved = {};
  }
  const apiUrl = saved.apiUrl?.trim() || apiDefault;
  return {
    apiUrl,
    wsUrl: saved.wsUrl?.trim() || defaultWsUrl(apiUrl),
    token: saved.token ?? '',
  };
}

export function saveSettings(s: LocalSettings): void {
  storage()?.setItem(SETTINGS_KEY, JSON.stringify(s));
}

/** This device's id: made on first start (crypto.randomUUID) and kept. */
export function getDeviceId(): { id: string; isNew: boolean } {
  const st = storage();
  const existing = st?.getItem(DEVICE_KEY);
  if (existing) return { id: existing, isNew: false };
  const id = crypto.randomUUID();
  st?.setItem(DEVICE_KEY, id);
  return { id, isNew: true };
}

export interface RecentReminder {
  reminder_id: number;
  event_id: number;
  title: string;
  body: string;
  event_start?: string;
  received_at: string;
  late?: boolean;
  /** What the user did with it. */
  handled?: 'snoozed' | 'done';
}

export function loadRecentReminders(): RecentReminder[] {
  try {
    const v = JSON.parse(storage()?.getItem(REMINDERS_KEY) ?? '[]') as RecentReminder[];
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export function saveRecentReminders(list: RecentReminder[]): void {
  storage()?.setItem(REMINDERS_KEY, JSON.stringify(list.slice(0, 50)));
}
