import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApi, listAllEvents } from '../src/lib/api';

// A tiny real HTTP server that pages GET /events by an opaque cursor.
let server: http.Server;
let base = '';
const urls: string[] = [];
let pages = 3; // pages the next listing has
let loop = false; // answer every page with the same cursor

beforeAll(async () => {
  server = http.createServer((req, res) => {
    urls.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    const cursor = url.searchParams.get('cursor');
    const page = cursor ? Number(cursor.replace('c', '')) : 0;
    const limit = Number(url.searchParams.get('limit') ?? '50');
    const items = Array.from({ length: limit }, (_, i) => ({ id: page * limit + i + 1, title: `e${page * limit + i + 1}` }));
    const next = loop ? 'c1' : page + 1 < pages ? `c${page + 1}` : null;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items, next_cursor: next }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('following next_cursor', () => {
  it('reads every page, passing the same filters with each cursor', async () => {
    urls.length = 0;
    pages = 3;
    loop = false;
    const all = await listAllEvents(createApi({ baseUrl: base }), { from: '2026-12-01T00:00:00Z', completed: false, limit: 2 });
    expect(all.truncated).toBe(false);
    expect(all.items.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(urls).toEqual([
      '/events?from=2026-12-01T00%3A00%3A00Z&completed=false&limit=2',
      '/events?from=2026-12-01T00%3A00%3A00Z&completed=false&limit=2&cursor=c1',
      '/events?from=2026-12-01T00%3A00%3A00Z&completed=false&limit=2&cursor=c2',
    ]);
  });

  it('makes one request when there is one page', async () => {
    urls.length = 0;
    pages = 1;
    const all = await listAllEvents(createApi({ baseUrl: base }), { limit: 5 });
    expect(all).toMatchObject({ truncated: false });
    expect(all.items).toHaveLength(5);
    expect(urls).toHaveLength(1);
  });

  it('stops after the page limit and says the list is incomplete', async () => {
    urls.length = 0;
    pages = 100;
    const all = await listAllEvents(createApi({ baseUrl: base }), { limit: 3 }, 10);
    expect(all.truncated).toBe(true);
    expect(all.items).toHaveLength(30);
    expect(urls).toHaveLength(10);
  });

  it('does not loop on a cursor that repeats', async () => {
    urls.length = 0;
    loop = true;
    try {
      const all = await listAllEvents(createApi({ baseUrl: base }), { limit: 1 });
      expect(all.truncated).toBe(true);
      expect(urls).toHaveLength(2);
    } finally {
      loop = false;
    }
  });
});
