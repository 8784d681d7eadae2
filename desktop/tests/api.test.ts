import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, createApi } from '../src/lib/api';

// A tiny real HTTP server with canned answers per path.
let server: http.Server;
let base = '';
const seen: { method: string; url: string; auth?: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url?.startsWith('/slow/')) return setTimeout(() => json(200, {}), 2000);
      switch (req.url?.split('?')[0]) {
        case '/events':
          if (req.method === 'POST')
            return json(422, {
              detail: 'end_time: must not be before start_time',
              errors: [
                { field: 'end_time', message: 'must not be before start_time' },
                { field: 'body.title', message: 'must not be empty' },
                { field: 'reminders.0.offset_minutes', message: 'must be at most 40320' },
              ],
            });
          return json(200, { items: [], next_cursor: null });
        case '/events/5':
          if (req.method === 'DELETE') {
            res.writeHead(204);
            return res.end();
          }
          return json(404, { detail: 'event 5 not found', errors: [] });
        case '/config':
          return json(401, { detail: 'missing or wrong token', errors: [] });
        case '/healthz':
          res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
          return res.end('<html>proxy error</html>');
        default:
          return json(200, { ok: true });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function caught(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an error');
}

describe('API client errors', () => {
  it('maps 422 field errors by field (dropping a leading "body.")', async () => {
    const api = createApi({ baseUrl: base });
    const e = await caught(api.createEvent({ title: '', start_time: '2026-12-01T15:00:00', end_time: '2026-12-01T14:00:00' }));
    expect(e.kind).toBe('http');
    expect(e.status).toBe(422);
    expect(e.message).toBe('end_time: must not be before start_time');
    expect(e.fields).toEqual({
      end_time: 'must not be before start_time',
      title: 'must not be empty',
      'reminders.0.offset_minutes': 'must be at most 40320',
    });
    const sent = seen.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(JSON.parse(sent.body).end_time).toBe('2026-12-01T14:00:00');
  });

  it('uses the detail of a 404', async () => {
    const e = await caught(createApi({ baseUrl: base }).getEvent(5));
    expect(e.status).toBe(404);
    expect(e.message).toBe('event 5 not found');
    expect(e.fields).toEqual({});
  });

  it('explains a 401 and sends the token', async () => {
    const e = await caught(createApi({ baseUrl: `${base}/`, token: 'tok' }).getConfig());
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/token/);
    expect(seen.at(-1)!.auth).toBe('Bearer tok');
    expect(seen.at(-1)!.url).toBe('/config');
  });

  it('copes with a non-JSON error body', async () => {
    const e = await caught(createApi({ baseUrl: base }).health());
    expect(e.status).toBe(502);
    expect(e.message).toBe('The API answered 502 Bad Gateway');
  });

  it('says clearly when the API is unreachable', async () => {
    const reach: boolean[] = [];
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const e = await caught(createApi({ baseUrl: `http://127.0.0.1:${port}`, onReachable: (v) => reach.push(v) }).getConfig());
    expect(e.kind).toBe('network');
    expect(e.status).toBe(0);
    expect(e.message).toContain(`Cannot reach the nudge API at http://127.0.0.1:${port}`);
    expect(reach).toEqual([false]);
  });

  it('times out', async () => {
    const e = await caught(createApi({ baseUrl: `${base}/slow`, timeoutMs: 200 }).health());
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(/did not answer/);
  });

  it('handles 204 and query strings', async () => {
    const reach: boolean[] = [];
    const api = createApi({ baseUrl: base, onReachable: (v) => reach.push(v) });
    await expect(api.deleteEvent(5)).resolves.toBeUndefined();
    await api.listEvents({ q: 'dentist & co', from: '2026-12-01T00:00:00Z', completed: false, cursor: '' });
    expect(seen.at(-1)!.url).toBe('/events?q=dentist+%26+co&from=2026-12-01T00%3A00%3A00Z&completed=false');
    expect(reach).toEqual([true, true]);
  });
});
