// Typed client for the nudge REST API (docs/api.md).

export type Channel = 'desktop' | 'telegram';

export interface ReminderRule {
  offset_minutes: number;
  channels: Channel[];
}

export interface Config {
  telegram_chat_id: string | null;
  desktop_device_id: string | null;
  timezone: string;
  default_reminders: ReminderRule[];
  catchup_window_minutes: number;
  telegram_linked: boolean;
  desktop_registered: boolean;
}

export interface EventBody {
  title: string;
  description?: string;
  start_time: string;
  end_time?: string | null;
  location?: string | null;
  timezone?: string;
  all_day?: boolean;
  rrule?: string | null;
  reminders?: ReminderRule[] | null;
}

export interface NudgeEvent {
  id: number;
  title: string;
  description: string;
  start_time: string;
  end_time: string | null;
  location: string | null;
  timezone: string;
  all_day: boolean;
  rrule: string | null;
  reminders: ReminderRule[] | null;
  is_completed: boolean;
  version: number;
  created_at: string;
  updated_at: string;
  next_reminder_at: string | null;
}

export interface EventItem extends NudgeEvent {
  occurrence_start?: string;
  occurrence_end?: string | null;
}

export interface EventPage {
  items: EventItem[];
  next_cursor: string | null;
}

export interface ReminderRecord {
  id: number;
  event_id: number;
  remind_at: string;
  occurrence_start: string | null;
  offset_minutes: number | null;
  notification_type: Channel;
  status: string;
  is_sent: boolean;
  version: number;
  sent_at: string | null;
  attempts: number;
  last_error: string | null;
}

export interface ParseResult {
  title: string;
  start_time: string;
  timezone: string;
  all_day: boolean;
  end_time?: string | null;
}

export interface LinkCode {
  code: string;
  expires_at: string;
}

export interface ListParams {
  q?: string;
  from?: string;
  to?: string;
  completed?: boolean;
  limit?: number;
  cursor?: string;
}

export type ErrorKind = 'network' | 'timeout' | 'http';

/** A failed API call, with a message fit to show and the API's field errors. */
export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  /** field (as the API names it, e.g. "end_time", "reminders.0.offset_minutes") → message */
  readonly fields: Record<string, string>;

  constructor(kind: ErrorKind, status: number, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.fields = fields;
  }
}

export interface ApiOptions {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Called after every request: true when the API answered (any status), false when unreachable. */
  onReachable?: (reachable: boolean) => void;
}

/** Strip a leading "body." that some validators put on field paths. */
function normaliseField(field: string): string {
  return field.replace(/^body\./, '');
}

async function errorFromResponse(res: Response): Promise<ApiError> {
  let detail = '';
  const fields: Record<string, string> = {};
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { detail?: unknown; errors?: unknown };
    if (typeof body.detail === 'string') detail = body.detail;
    if (Array.isArray(body.errors)) {
      for (const e of body.errors as { field?: unknown; message?: unknown }[]) {
        if (typeof e?.field === 'string' && typeof e.message === 'string') {
          const f = normaliseField(e.field);
          fields[f] = fields[f] ? `${fields[f]}; ${e.message}` : e.message;
        }
      }
    }
  } catch {
    // not JSON: fall through to the status text
  }
  let message: string;
  if (res.status === 401) {
    message = 'The API refused the request (401): set the right API token in Settings.';
  } else if (detail) {
    message = detail;
  } else {
    message = `The API answered ${res.status} ${res.statusText || ''}`.trim();
  }
  return new ApiError('http', res.status, message, fields);
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

export function createApi(opts: ApiOptions) {
  const fetchImpl = opts.fetchImpl ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const timeoutMs = opts.timeoutMs ?? 15000;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    const url = joinUrl(opts.baseUrl, path);
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctrl.signal,
      });
    } catch (e) {
      opts.onReachable?.(false);
      if (ctrl.signal.aborted) {
        throw new ApiError('timeout', 0, `The nudge API at ${opts.baseUrl} did not answer within ${Math.round(timeoutMs / 1000)} s.`);
      }
      throw new ApiError(
        'network',
        0,
        `Cannot reach the nudge API at ${opts.baseUrl} (${(e as Error).message || 'network error'}). Is it running? Check the API address in Settings.`,
      );
    } finally {
      clearTimeout(timer);
    }
    opts.onReachable?.(true);
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError('http', res.status, `The API at ${opts.baseUrl} sent a response that is not JSON.`);
    }
  }

  const enc = encodeURIComponent;

  return {
    baseUrl: opts.baseUrl,
    health: () => request<{ status: string }>('GET', '/healthz'),
    getConfig: () => request<Config>('GET', '/config'),
    patchConfig: (patch: Partial<Pick<Config, 'timezone' | 'default_reminders' | 'catchup_window_minutes'>>) =>
      request<Config>('PATCH', '/config', patch),
    registerDevice: (deviceId: string) => request<Config>('PUT', `/config/desktop/${enc(deviceId)}`),
    linkCode: () => request<LinkCode>('POST', '/config/telegram/link-code'),
    unlinkTelegram: () => request<Config>('DELETE', '/config/telegram'),
    listEvents: (p: ListParams = {}) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') qs.set(k, String(v));
      const s = qs.toString();
      return request<EventPage>('GET', `/events${s ? `?${s}` : ''}`);
    },
    getEvent: (id: number) => request<NudgeEvent>('GET', `/events/${id}`),
    createEvent: (body: EventBody) => request<NudgeEvent>('POST', '/events', body),
    updateEvent: (id: number, body: EventBody) => request<NudgeEvent>('PUT', `/events/${id}`, body),
    deleteEvent: (id: number) => request<void>('DELETE', `/events/${id}`),
    markDone: (id: number) => request<NudgeEvent>('POST', `/events/${id}/done`),
    eventReminders: (id: number) => request<ReminderRecord[]>('GET', `/events/${id}/reminders`),
    /** Reminders with a status (e.g. "missed", "failed"), newest first. */
    remindersByStatus: (status: string, limit = 50) =>
      request<ReminderRecord[]>('GET', `/reminders?status=${enc(status)}&limit=${limit}`),
    snooze: (reminderId: number, minutes = 10) =>
      request<ReminderRecord>('POST', `/reminders/${reminderId}/snooze`, { minutes }),
    parse: (text: string) => request<ParseResult>('POST', '/parse', { text }),
  };
}

export type Api = ReturnType<typeof createApi>;

export interface AllEvents {
  items: EventItem[];
  /** true when more pages were left after `maxPages` (the list is incomplete). */
  truncated: boolean;
}

/**
 * Every page of `GET /events` for `params`, following `next_cursor`, at most
 * `maxPages` requests (so a misbehaving cursor cannot loop forever).
 */
export async function listAllEvents(
  api: Pick<Api, 'listEvents'>,
  params: Omit<ListParams, 'cursor'>,
  maxPages = 10,
): Promise<AllEvents> {
  const items: EventItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await api.listEvents(cursor ? { ...params, cursor } : params);
    items.push(...res.items);
    if (!res.next_cursor) return { items, truncated: false };
    if (res.next_cursor === cursor) break; // the same cursor again would repeat the page
    cursor = res.next_cursor;
  }
  return { items, truncated: true };
}

/** A message for any error thrown by an API call. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
