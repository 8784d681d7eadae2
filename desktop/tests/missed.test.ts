import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi } from '../src/lib/api';
import { EventTitleCache, loadProblemReminders } from '../src/lib/missed';

// A tiny real HTTP server: missed and failed reminders, and the events they belong to.
let server: http.Server;
let base = '';
const urls: string[] = [];
let flaky = true; // event 9 answers 500 the first time

function reminder(id: number, eventId: number, status: string, lastError: string | null = null) {
  return {
    id,
    event_id: eventId,
    remind_at: '2026-11-20T08:45:00+00:00',
    occurrence_start: '2026-11-20T09:00:00+00:00',
    offset_minutes: 15,
    notification_type: 'desktop',
    status,
    is_sent: false,
    version: 1,
    sent_at: null,
    attempts: 0,
    last_error: lastError,
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    urls.push(req.url!);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/reminders') {
      if (url.searchParams.get('status') === 'missed') return json(200, [reminder(3, 1, 'missed'), reminder(2, 1, 'missed'), reminder(1, 7, 'missed')]);
      if (url.searchParams.get('status') === 'failed') return json(200, [reminder(4, 9, 'failed', 'telegram: 403 bot was blocked')]);
    }
    if (url.pathname === '/events/1') return json(200, { id: 1, title: 'Standup', is_completed: false });
    if (url.pathname === '/events/9') {
      if (flaky) {
        flaky = false;
        return json(500, { detail: 'boom', errors: [] });
      }
      return json(200, { id: 9, title: 'Call Anna', is_completed: true });
    }
    return json(404, { detail: 'event not found', errors: [] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('missed and failed reminders', () => {
  it('lists both with their event titles, asking for each event once', async () => {
    const api = createApi({ baseUrl: base });
    const titles = new EventTitleCache(api);
    const got = await loadProblemReminders(api, titles, 50);
    expect(urls.filter((u) => u.startsWith('/reminders')).sort()).toEqual(['/reminders?status=failed&limit=50', '/reminders?status=missed&limit=50']);
    expect(got.missed.map((p) => [p.reminder.id, p.event])).toEqual([
      [3, { title: 'Standup', is_completed: false }],
      [2, { title: 'Standup', is_completed: false }],
      [1, 'gone'],
    ]);
    expect(got.failed).toHaveLength(1);
    expect(got.failed[0]).toMatchObject({ kind: 'failed', event: null, reminder: { last_error: 'telegram: 403 bot was blocked' } });
    expect(urls.filter((u) => u === '/events/1')).toHaveLength(1);

    // Again: found and deleted events come from the cache; the one that failed is asked again.
    urls.length = 0;
    const again = await loadProblemReminders(api, titles, 50);
    expect(urls.filter((u) => u.startsWith('/events/'))).toEqual(['/events/9']);
    expect(again.failed[0].event).toEqual({ title: 'Call Anna', is_completed: true });

    titles.clear();
    expect(titles.size).toBe(0);
  });
});
