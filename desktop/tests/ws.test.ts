import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, WebSocket as NodeWebSocket, type WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { backoffDelay, ReminderSocket, socketUrl, type ReminderFrame, type StatusInfo, type WebSocketCtor } from '../src/lib/ws';

// A real WebSocket server on localhost that records what the client does.
class Notifier {
  readonly wss: WebSocketServer;
  readonly acks: number[] = [];
  readonly urls: string[] = [];
  readonly connections: ServerSocket[] = [];
  onConnect: (s: ServerSocket) => void = () => {};

  constructor(port = 0) {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws' });
    this.wss.on('connection', (s, req) => {
      this.urls.push(req.url ?? '');
      this.connections.push(s);
      s.on('message', (d) => {
        const f = JSON.parse(String(d)) as { type: string; reminder_id: number };
        if (f.type === 'ack') this.acks.push(f.reminder_id);
      });
      this.onConnect(s);
    });
  }

  async ready(): Promise<number> {
    if (!this.wss.address()) await new Promise((r) => this.wss.once('listening', r));
    return (this.wss.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

function frame(id: number, title = `event ${id}`): string {
  return JSON.stringify({ type: 'reminder', reminder_id: id, version: 1, event_id: 100 + id, event_title: title, event_start: '2026-12-01T15:00:00+01:00' });
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function client(port: number, extra: Partial<ConstructorParameters<typeof ReminderSocket>[0]> = {}) {
  const got: ReminderFrame[] = [];
  const statuses: StatusInfo[] = [];
  const sock = new ReminderSocket({
    url: `ws://127.0.0.1:${port}/ws`,
    deviceId: 'dev-1',
    token: 'secret',
    WebSocketImpl: NodeWebSocket as unknown as WebSocketCtor,
    onReminder: (f) => got.push(f),
    onStatus: (s) => statuses.push(s),
    initialDelayMs: 50,
    maxDelayMs: 400,
    jitter: 0,
    ...extra,
  });
  cleanups.push(() => sock.stop());
  return { sock, got, statuses };
}

describe('backoff', () => {
  it('doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, 500, 2, 30000))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000]);
  });

  it('puts device id and token in the query', () => {
    expect(socketUrl('ws://h:8001/ws', 'a b', 't&1')).toBe('ws://h:8001/ws?device_id=a+b&token=t%261');
    expect(socketUrl('ws://h:8001/ws', 'x')).toBe('ws://h:8001/ws?device_id=x');
  });
});

describe('ReminderSocket against a real WebSocket server', () => {
  it('connects with device id and token, acks every reminder and drops repeats', async () => {
    const server = new Notifier();
    cleanups.push(() => server.close());
    const port = await server.ready();
    server.onConnect = (s) => {
      s.send(frame(1));
      s.send(frame(2));
      s.send(frame(1)); // a repeat
      s.send('not json');
      s.send(JSON.stringify({ type: 'something-else' }));
      s.send(frame(3));
    };
    const { sock, got } = client(port);
    sock.start();
    await until('three acks after the repeat', () => server.acks.length === 4);
    expect(server.urls[0]).toBe('/ws?device_id=dev-1&token=secret');
    expect(server.acks).toEqual([1, 2, 1, 3]);
    expect(got.map((f) => f.reminder_id)).toEqual([1, 2, 3]);
    expect(got[0].event_title).toBe('event 1');
    expect(sock.status.status).toBe('open');
  });

  it('does not show reminders it already handled before (seen ids), but acks them', async () => {
    const server = new Notifier();
    cleanups.push(() => server.close());
    const port = await server.ready();
    server.onConnect = (s) => {
      s.send(frame(7));
      s.send(frame(8));
    };
    const { sock, got } = client(port, { seen: [7] });
    sock.start();
    await until('two acks', () => server.acks.length === 2);
    expect(got.map((f) => f.reminder_id)).toEqual([8]);
  });

  it('reconnects with growing delays, and a reminder re-sent on reconnect is acked but shown once', async () => {
    const server = new Notifier();
    cleanups.push(() => server.close());
    const port = await server.ready();
    let n = 0;
    server.onConnect = (s) => {
      n += 1;
      if (n <= 3) {
        s.send(frame(42)); // delivered each time: the server did not see the ack yet
        setTimeout(() => s.close(4000, 'bye'), 20);
      }
    };
    const { sock, got, statuses } = client(port);
    sock.start();
    await until('a fourth connection', () => server.connections.length === 4, 8000);
    await until('open again', () => sock.status.status === 'open');
    const retries = statuses.filter((s) => s.status === 'closed');
    expect(retries.map((s) => s.retryInMs)).toEqual([50, 100, 200]);
    expect(retries[0].code).toBe(4000);
    expect(retries[0].reason).toBe('bye');
    expect(got.map((f) => f.reminder_id)).toEqual([42]);
    expect(server.acks.filter((id) => id === 42).length).toBe(3);
    expect(sock.status.attempt).toBe(0);
  });

  it('starts the backoff over after a connection that stayed up', async () => {
    const server = new Notifier();
    cleanups.push(() => server.close());
    const port = await server.ready();
    let n = 0;
    server.onConnect = (s) => {
      n += 1;
      setTimeout(() => s.close(4000, 'bye'), n <= 2 ? 20 : 150);
    };
    const { sock, statuses } = client(port, { stableAfterMs: 100 });
    sock.start();
    await until('three closes', () => statuses.filter((s) => s.status === 'closed').length >= 3, 5000);
    // the first two connections were short (backoff grows), the third stayed up (reset).
    expect(statuses.filter((s) => s.status === 'closed').slice(0, 3).map((s) => s.retryInMs)).toEqual([50, 100, 50]);
  });

  it('keeps retrying while the server is down, up to the cap, and connects when it is back', async () => {
    const probe = new Notifier();
    const port = await probe.ready();
    await probe.close(); // nothing listens on the port now
    const { sock, statuses } = client(port, { initialDelayMs: 20, maxDelayMs: 80 });
    sock.start();
    await until('five failed attempts', () => statuses.filter((s) => s.status === 'closed').length >= 5, 5000);
    const delays = statuses.filter((s) => s.status === 'closed').map((s) => s.retryInMs);
    expect(delays.slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
    const server = new Notifier(port);
    cleanups.push(() => server.close());
    await server.ready();
    await until('connected after the server came back', () => sock.status.status === 'open', 3000);
  });

  it('stops for good when stopped', async () => {
    const server = new Notifier();
    cleanups.push(() => server.close());
    const port = await server.ready();
    const { sock } = client(port);
    sock.start();
    await until('open', () => sock.status.status === 'open');
    sock.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(server.connections.length).toBe(1);
    expect(sock.status.status).toBe('idle');
  });
});
