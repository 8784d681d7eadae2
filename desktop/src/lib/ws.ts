// WebSocket client for the desktop notifier (DESIGN.md "Desktop notifier — WebSocket
// protocol"): receives reminder frames, acks every one, drops repeats by reminder_id,
// reconnects with exponential backoff.

export interface ReminderFrame {
  type: 'reminder';
  reminder_id: number;
  version?: number;
  event_id: number;
  event_title: string;
  event_description?: string;
  event_start?: string;
  event_location?: string | null;
  remind_at?: string;
  target_type?: string;
  desktop_device_id?: string | null;
  late?: boolean;
}

export type SocketStatus = 'idle' | 'connecting' | 'open' | 'closed';

export interface StatusInfo {
  status: SocketStatus;
  /** Reconnect attempt number (0 while connected). */
  attempt: number;
  /** Milliseconds until the next try, when status is `closed` and a retry is scheduled. */
  retryInMs?: number;
  /** Close code and reason of the last close. */
  code?: number;
  reason?: string;
}

/** The subset of the WebSocket interface used here (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketCtor = new (url: string) => WebSocketLike;

export interface ReminderSocketOptions {
  /** e.g. ws://127.0.0.1:8001/ws */
  url: string;
  deviceId: string;
  token?: string;
  onReminder: (frame: ReminderFrame) => void;
  onStatus?: (info: StatusInfo) => void;
  WebSocketImpl?: WebSocketCtor;
  /** First retry delay (ms). */
  initialDelayMs?: number;
  /** Cap of the retry delay (ms). */
  maxDelayMs?: number;
  factor?: number;
  /** ±fraction of random jitter on each delay (0 = none). */
  jitter?: number;
  /**
   * A connection that stayed open this long (ms) resets the backoff; one that the
   * server closes sooner (e.g. refusing an unknown device) keeps backing off.
   */
  stableAfterMs?: number;
  /** Reminder ids already shown (e.g. restored from storage): repeats are acked, not shown. */
  seen?: Iterable<number>;
  /** How many reminder ids to remember. */
  seenLimit?: number;
}

/** Delay before reconnect attempt `attempt` (1-based), without jitter. */
export function backoffDelay(attempt: number, initialMs: number, factor: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
}

/** The notifier URL with device_id (and token) in the query. */
export function socketUrl(base: string, deviceId: string, token?: string): string {
  const u = new URL(base);
  u.searchParams.set('device_id', deviceId);
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

export class ReminderSocket {
  private readonly opts: Required<Omit<ReminderSocketOptions, 'token' | 'onStatus' | 'seen'>> &
    Pick<ReminderSocketOptions, 'token' | 'onStatus'>;
  private ws: WebSocketLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private attempt = 0;
  private readonly seen = new Set<number>();
  private info: StatusInfo = { status: 'idle', attempt: 0 };

  constructor(options: ReminderSocketOptions) {
    const Impl = options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
    if (!Impl) throw new Error('no WebSocket implementation available');
    this.opts = {
      initialDelayMs: 500,
      maxDelayMs: 30000,
      factor: 2,
      jitter: 0.2,
      seenLimit: 1000,
      stableAfterMs: 5000,
      ...options,
      WebSocketImpl: Impl,
    };
    for (const id of options.seen ?? []) this.remember(id);
  }

  get status(): StatusInfo {
    return this.info;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = null;
      ws.onclose = null;
      try {
        ws.close(1000, 'client stopped');
      } catch {
        // already closing
      }
    }
    this.setStatus({ status: 'idle', attempt: 0 });
  }

  /** Mark a reminder id as handled (repeats will be acked but not shown). */
  remember(id: number): void {
    this.seen.delete(id);
    this.seen.add(id);
    while (this.seen.size > this.opts.seenLimit) {
      const oldest = this.seen.values().next().value as number;
      this.seen.delete(oldest);
    }
  }

  private setStatus(info: StatusInfo): void {
    this.info = info;
    this.opts.onStatus?.(info);
  }

  private connect(): void {
    this.timer = null;
    if (this.stopped) return;
    this.setStatus({ status: 'connecting', attempt: this.attempt });
    let ws: WebSocketLike;
    try {
      ws = new this.opts.WebSocketImpl(socketUrl(this.opts.url, this.opts.deviceId, this.opts.token));
    } catch (e) {
      this.scheduleReconnect(0, (e as Error).message);
      return;
    }
    this.ws = ws;
    let openedAt = 0;
    ws.onopen = () => {
      openedAt = Date.now();
      this.setStatus({ status: 'open', attempt: 0 });
    };
    ws.onmessage = (ev) => this.handleMessage(ws, ev.data);
    ws.onerror = () => {
      // a close event always follows; reconnect is scheduled there
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (openedAt && Date.now() - openedAt >= this.opts.stableAfterMs) this.attempt = 0;
      this.scheduleReconnect(ev.code, ev.reason);
    };
  }

  private scheduleReconnect(code: number, reason: string): void {
    if (this.stopped) return;
    this.attempt += 1;
    const base = backoffDelay(this.attempt, this.opts.initialDelayMs, this.opts.factor, this.opts.maxDelayMs);
    const j = this.opts.jitter;
    const delay = Math.round(base * (1 - j + Math.random() * 2 * j));
    this.setStatus({ status: 'closed', attempt: this.attempt, retryInMs: delay, code, reason });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private handleMessage(ws: WebSocketLike, data: unknown): void {
    if (typeof data !== 'string') {
      if (data && typeof (data as { toString?: unknown }).toString === 'function' && !(data instanceof ArrayBuffer)) {
        data = String(data); // Buffer from the `ws` package
      } else {
        return;
      }
    }
    let frame: unknown;
    try {
      frame = JSON.parse(data as string);
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    const f = frame as Partial<ReminderFrame>;
    if (f.type !== 'reminder' || typeof f.reminder_id !== 'number') return;
    try {
      ws.send(JSON.stringify({ type: 'ack', reminder_id: f.reminder_id }));
    } catch {
      // connection went away: the notifier keeps it `waiting` and re-sends on reconnect
    }
    if (this.seen.has(f.reminder_id)) return;
    this.remember(f.reminder_id);
    this.opts.onReminder(f as ReminderFrame);
  }
}
