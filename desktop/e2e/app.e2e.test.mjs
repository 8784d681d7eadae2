// End-to-end tests of the renderer in headless Chromium against the real nudge
// services. Environment:
//   NUDGE_E2E_URL    the API base URL, which also serves desktop/dist at /   (required)
//   NUDGE_E2E_WS     the desktop notifier's WebSocket URL (default ws://<api host>:8001/ws)
//   NUDGE_E2E_TOKEN  the API token, when the services run with NUDGE_API_TOKEN
//   CHROMIUM_PATH    default /usr/bin/chromium
//   NUDGE_DATABASE_URL  the services' database (scripts/e2e.sh exports it); the missed-
//                    reminder test marks rows with psql there, and is skipped without it
// Screenshots go to desktop/test-results/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.NUDGE_E2E_URL ?? '').replace(/\/+$/, '');
if (!BASE) {
  console.error('NUDGE_E2E_URL is not set: point it at the running nudge API, e.g. http://127.0.0.1:8000');
  process.exit(2);
}
const WS = process.env.NUDGE_E2E_WS || `ws://${new URL(BASE).hostname}:8001/ws`;
const TOKEN = process.env.NUDGE_E2E_TOKEN ?? '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../test-results/', import.meta.url));
const USER_TZ = 'Europe/Berlin'; // the user's zone in nudge; the browser runs in another one
const BROWSER_TZ = 'America/New_York';
const RUN = Date.now().toString(36);

let browser;
let context;
let page;
const consoleErrors = [];
const state = {};

// ---------------------------------------------------------------- helpers

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;
  const res = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function eventually(what, fn, timeoutMs = 15000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function wall(instant, tz) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}`;
}

function tomorrow(tz) {
  return wall(Date.now() + 86400000, tz).slice(0, 10);
}

/** The first Monday–Friday on or after `day` ("YYYY-MM-DD"). */
function firstWeekday(day) {
  const d = new Date(`${day}T12:00:00Z`);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Run SQL on the services' database (from NUDGE_DATABASE_URL) with psql. */
function psql(sql) {
  const url = new URL(process.env.NUDGE_DATABASE_URL.replace(/^postgresql\+\w+:/, 'postgresql:'));
  const env = { ...process.env };
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const args = ['-h', url.hostname || '127.0.0.1', '-p', url.port || '5432', '-U', decodeURIComponent(url.username) || 'postgres'];
  args.push('-d', decodeURIComponent(url.pathname.slice(1)), '-v', 'ON_ERROR_STOP=1', '-Atc', sql);
  return execFileSync('psql', args, { env, encoding: 'utf8' }).trim();
}

async function shot(name) {
  fs.mkdirSync(OUT, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0)); // a sticky header in a full-page shot needs the page at the top
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
}

async function findEvent(q) {
  const { json } = await api('GET', `/events?q=${encodeURIComponent(q)}&limit=50`);
  return json.items;
}

// ---------------------------------------------------------------- setup

before(async () => {
  const health = await fetch(`${BASE}/healthz`).catch((e) => e);
  assert.ok(health instanceof Response && health.ok, `the nudge API is not reachable at ${BASE}/healthz`);
  const patched = await api('PATCH', '/config', { timezone: USER_TZ, default_reminders: [{ offset_minutes: 15, channels: ['desktop'] }] });
  assert.equal(patched.status, 200, `PATCH /config failed: ${JSON.stringify(patched.json)}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1100, height: 820 }, timezoneId: BROWSER_TZ, locale: 'en-GB', colorScheme: 'light' });
  await context.grantPermissions(['notifications'], { origin: BASE });
  await context.addInitScript(
    ({ base, ws, token }) => {
      // Record what the page hands to the Notification API.
      window.__notifications = [];
      const Native = window.Notification;
      if (Native) {
        class Recorded extends Native {
          constructor(title, options) {
            super(title, options);
            window.__notifications.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
          }
        }
        window.Notification = Recorded;
      }
      // The notifier address of this test run (the API address is the page's origin).
      if (location.origin === new URL(base).origin && !localStorage.getItem('nudge.settings')) {
        localStorage.setItem('nudge.settings', JSON.stringify({ apiUrl: base, wsUrl: ws, token }));
      }
    },
    { base: BASE, ws: WS, token: TOKEN },
  );
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
});

after(async () => {
  await browser?.close();
});

// ---------------------------------------------------------------- tests

test('first start makes a device id and registers it', async () => {
  await page.goto(`${BASE}/`);
  await page.locator('#conn-api[data-state="ok"]').waitFor();
  const deviceId = await page.evaluate(() => localStorage.getItem('nudge.deviceId'));
  assert.match(deviceId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  state.deviceId = deviceId;
  const config = await eventually('GET /config to show the device', async () => {
    const { json } = await api('GET', '/config');
    return json.desktop_device_id === deviceId && json;
  });
  assert.equal(config.desktop_registered, true);
  // A reload keeps the same id.
  await page.reload();
  await page.locator('#conn-api[data-state="ok"]').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('nudge.deviceId')), deviceId);
});

test('create an event with the form', async () => {
  const title = `Form event ${RUN}`;
  const day = tomorrow(USER_TZ);
  await page.getByRole('button', { name: '+ New event' }).click();
  const dialog = page.getByRole('dialog', { name: 'New event' });
  await dialog.waitFor();
  await shot('editor-new');
  await page.fill('#ev-title', title);
  await page.fill('#ev-start', `${day}T10:30`);
  await page.fill('#ev-end', `${day}T11:15`);
  await page.fill('#ev-location', 'Room 4');
  await page.fill('#ev-description', 'made by the e2e test');
  await page.selectOption('#ev-repeat', 'weekdays');
  // "Every weekday" from a Saturday or Sunday: the start moves to Monday, with a note.
  const startDay = firstWeekday(day);
  assert.equal(await page.inputValue('#ev-start'), `${startDay}T10:30`);
  assert.equal(await page.inputValue('#ev-end'), `${startDay}T11:15`);
  if (startDay !== day) {
    assert.match(await page.textContent('#ev-start-note'), /Moved from .* to /);
    await shot('editor-start-moved');
  } else {
    assert.equal(await page.locator('#ev-start-note').count(), 0);
  }
  await page.getByLabel('Custom reminders for this event').check();
  await page.getByRole('button', { name: '+ Add reminder' }).click();
  await page.fill('[aria-label="Reminder 1: how long before"]', '2');
  await page.selectOption('[aria-label="Reminder 1: unit"]', 'hours');
  await page.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('.event-title', { hasText: title }).first().waitFor();

  const [ev] = await findEvent(title);
  assert.ok(ev, 'the event is in GET /events');
  await page.waitForTimeout(20); // so a later updated_at differs
  assert.equal(wall(ev.start_time, USER_TZ), `${startDay}T10:30`, 'start is 10:30 in the user zone, whatever the browser zone');
  assert.equal(wall(ev.end_time, USER_TZ), `${startDay}T11:15`);
  assert.equal(ev.location, 'Room 4');
  assert.equal(ev.timezone, USER_TZ);
  assert.match(ev.rrule, /FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR/);
  assert.deepEqual(ev.reminders.map((r) => r.offset_minutes), [120]);
  state.formEvent = ev;
});

test('a field error from the API is shown beside the field', async () => {
  const day = tomorrow(USER_TZ);
  await page.getByRole('button', { name: '+ New event' }).click();
  const dialog = page.getByRole('dialog', { name: 'New event' });
  await page.fill('#ev-title', `Backwards ${RUN}`);
  await page.fill('#ev-start', `${day}T10:00`);
  await page.fill('#ev-end', `${day}T09:00`);
  await page.getByRole('button', { name: 'Save' }).click();
  const error = page.locator('#ev-end-error');
  await error.waitFor();
  assert.ok((await error.textContent()).trim().length > 0, 'the end field has a message');
  assert.equal(await page.getAttribute('#ev-end', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#ev-end', 'aria-describedby'), 'ev-end-error');
  await shot('editor-field-error');
  // An empty title is named too.
  await page.fill('#ev-title', '');
  await page.fill('#ev-end', '');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#ev-title-error').waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await findEvent(`Backwards ${RUN}`)).length, 0, 'nothing was saved');
});

test('quick add in English: preview, then save', async () => {
  await page.fill('#quick-add', 'dentist tomorrow 15:00');
  await page.press('#quick-add', 'Enter');
  const preview = page.getByRole('region', { name: 'Quick add preview' });
  await preview.waitFor();
  assert.match(await preview.textContent(), /dentist/i);
  await shot('quick-add-preview');
  await preview.getByRole('button', { name: 'Save' }).click();
  await preview.waitFor({ state: 'detached' });
  const ev = await eventually('the dentist event', async () => (await findEvent('dentist'))[0]);
  assert.equal(wall(ev.start_time, USER_TZ), `${tomorrow(USER_TZ)}T15:00`);
  state.dentist = ev;
});

test('quick add in Russian', async () => {
  await page.fill('#quick-add', 'завтра в 9 созвон с Аней');
  await page.press('#quick-add', 'Enter');
  const preview = page.getByRole('region', { name: 'Quick add preview' });
  await preview.waitFor();
  assert.match(await preview.textContent(), /созвон/i);
  await preview.getByRole('button', { name: 'Save' }).click();
  await preview.waitFor({ state: 'detached' });
  const ev = await eventually('the созвон event', async () => (await findEvent('созвон'))[0]);
  assert.equal(wall(ev.start_time, USER_TZ), `${tomorrow(USER_TZ)}T09:00`);
  await page.locator('.event-title', { hasText: 'созвон' }).first().waitFor();
});

test('quick add says what is wrong when no time is found', async () => {
  await page.fill('#quick-add', 'just some words');
  await page.press('#quick-add', 'Enter');
  const error = page.locator('#quick-add-error');
  await error.waitFor();
  assert.ok((await error.textContent()).trim().length > 0);
  await page.fill('#quick-add', '');
});

test('edit an event; it shows in the agenda and the calendar', async () => {
  const day = tomorrow(USER_TZ);
  await page.getByRole('button', { name: 'Agenda' }).click();
  await page.getByRole('button', { name: `Edit ${state.dentist.title}` }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Edit event' });
  await dialog.waitFor();
  await page.locator('#ev-title').waitFor();
  assert.equal(await page.inputValue('#ev-start'), `${day}T15:00`);
  await page.fill('#ev-title', `Dentist ${RUN}`);
  await page.fill('#ev-location', 'Main St 1');
  await page.fill('#ev-start', `${day}T16:00`);
  await page.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });

  const { json: ev } = await api('GET', `/events/${state.dentist.id}`);
  assert.equal(ev.title, `Dentist ${RUN}`);
  assert.equal(ev.location, 'Main St 1');
  assert.equal(wall(ev.start_time, USER_TZ), `${day}T16:00`);
  state.dentist = ev;

  const group = page.locator(`.day-group[data-day="${day}"]`);
  await group.locator('.event-title', { hasText: `Dentist ${RUN}` }).waitFor();
  assert.match(await group.textContent(), /16:00/);
  await shot('agenda');

  await page.getByRole('button', { name: 'Calendar' }).click();
  let cell = page.locator(`[role="gridcell"][data-day="${day}"]`);
  if ((await cell.count()) === 0 || !(await cell.isVisible())) {
    await page.getByRole('button', { name: 'Next month' }).click();
    cell = page.locator(`[role="gridcell"][data-day="${day}"]`);
  }
  await cell.locator('.chip', { hasText: `Dentist ${RUN}` }).waitFor();
  // Keyboard: select tomorrow with the arrow keys from today.
  await page.getByRole('button', { name: 'Today' }).click();
  await page.locator('[role="gridcell"][tabindex="0"]').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-day')), day);
  await page.locator('.day-detail .event-title', { hasText: `Dentist ${RUN}` }).waitFor();
  await shot('calendar');
});

test('search finds the event', async () => {
  await page.fill('#search', RUN);
  await page.press('#search', 'Enter');
  await page.locator('.event-title', { hasText: `Dentist ${RUN}` }).waitFor();
  await page.locator('.event-title', { hasText: `Form event ${RUN}` }).waitFor();
  await shot('search');
});

test('a reminder due in seconds arrives as a notification, is sent, and Done finishes the event', async () => {
  await page.getByRole('button', { name: 'Reminders' }).click();
  await eventually(
    `the live connection to the notifier at ${WS} (is \`nudge desktop-notifier\` running?)`,
    async () => (await page.getAttribute('#conn-live', 'data-state')) === 'ok',
    20000,
  );
  const title = `Reminder ${RUN}`;
  const snoozeTitle = `Snooze me ${RUN}`;
  const start = new Date(Date.now() + 66000); // reminder 1 minute before → due in ~6 s
  const make = (t) =>
    api('POST', '/events', { title: t, start_time: start.toISOString(), timezone: USER_TZ, reminders: [{ offset_minutes: 1, channels: ['desktop'] }] });
  const created = await make(title);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const ev = created.json;
  const other = (await make(snoozeTitle)).json;

  await eventually(
    `a notification titled "${title}" (the notifier at ${WS} must deliver the reminder)`,
    async () => (await page.evaluate(() => window.__notifications)).some((n) => n.title === title),
    40000,
  );
  const reminders = await eventually(
    'the reminder status to become sent',
    async () => {
      const { json } = await api('GET', `/events/${ev.id}/reminders`);
      return json.some((r) => r.notification_type === 'desktop' && r.status === 'sent') && json;
    },
    15000,
  );
  assert.ok(reminders.find((r) => r.status === 'sent').is_sent);

  const row = page.locator('.reminder-list li', { hasText: title });
  await row.waitFor();
  await shot('reminders');
  await row.getByRole('button', { name: `Done: ${title}` }).click();
  await eventually('the event to be completed', async () => (await api('GET', `/events/${ev.id}`)).json.is_completed, 10000);
  await row.locator('text=✓ done').waitFor();

  // Snooze the other one: a new reminder 10 minutes from now.
  await eventually('the second notification', async () => (await page.evaluate(() => window.__notifications)).some((n) => n.title === snoozeTitle), 20000);
  const snoozeRow = page.locator('.reminder-list li', { hasText: snoozeTitle });
  const before = Date.now();
  await snoozeRow.getByRole('button', { name: `Snooze ${snoozeTitle} 10 minutes` }).click();
  await snoozeRow.locator('text=snoozed 10 min').waitFor();
  const snoozed = await eventually('a snoozed reminder', async () => {
    const { json } = await api('GET', `/events/${other.id}/reminders`);
    return json.find((r) => Date.parse(r.remind_at) > before + 9 * 60000 && r.status !== 'cancelled');
  });
  assert.ok(Date.parse(snoozed.remind_at) < before + 11 * 60000 + 5000);
  const notified = await page.evaluate(() => window.__notifications.map((n) => n.title));
  assert.equal(notified.filter((t) => t === title).length, 1, 'each reminder is shown once');
});

test('missed and failed reminders are listed in the Reminders view', { skip: !process.env.NUDGE_DATABASE_URL && 'NUDGE_DATABASE_URL is not set' }, async () => {
  const title = `Missed ${RUN}`;
  const start = new Date(Date.now() + 3 * 86400000);
  const created = await api('POST', '/events', {
    title,
    start_time: start.toISOString(),
    timezone: USER_TZ,
    reminders: [
      { offset_minutes: 15, channels: ['desktop'] },
      { offset_minutes: 60, channels: ['desktop'] },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const ev = created.json;
  const rows = await eventually('two reminders', async () => {
    const { json } = await api('GET', `/events/${ev.id}/reminders`);
    return json.length >= 2 && json.sort((a, b) => a.offset_minutes - b.offset_minutes);
  });
  // Pretend nudge was off: one came due two days ago and was older than the catch-up
  // window; the other gave up after retries.
  const missedAt = new Date(Math.floor((Date.now() - 2 * 86400000) / 60000) * 60000).toISOString();
  psql(`UPDATE reminder SET status='missed', remind_at='${missedAt}', last_error='not delivered within the catch-up window' WHERE id=${rows[0].id}`);
  psql(`UPDATE reminder SET status='failed', attempts=5, last_error='desktop: no client connected (e2e ${RUN})' WHERE id=${rows[1].id}`);
  const { json: missed } = await api('GET', '/reminders?status=missed&limit=50');
  assert.ok(missed.some((r) => r.id === rows[0].id), 'GET /reminders?status=missed lists it');

  // Opening the view loads the lists (the previous test left it open: switch away first).
  await page.getByRole('button', { name: 'Agenda' }).click();
  await page.getByRole('button', { name: 'Reminders' }).click();
  const missedSection = page.getByRole('region', { name: /Missed while nudge was off/ });
  const missedRow = missedSection.locator(`li[data-reminder-id="${rows[0].id}"]`);
  await missedRow.locator('.event-title', { hasText: title }).waitFor();
  // When it should have reminded, in the user's zone (the browser runs in New York).
  const when = await missedRow.locator('.event-when').textContent();
  assert.ok(when.includes(wall(missedAt, USER_TZ).slice(11)), `"${when}" shows ${wall(missedAt, USER_TZ)} (${USER_TZ})`);
  assert.ok(!when.includes(wall(missedAt, BROWSER_TZ).slice(11)), `"${when}" is not in the browser zone`);

  const failedRow = page.getByRole('region', { name: /Could not be delivered/ }).locator(`li[data-reminder-id="${rows[1].id}"]`);
  await failedRow.locator('.event-title', { hasText: title }).waitFor();
  assert.match(await failedRow.textContent(), new RegExp(`no client connected \\(e2e ${RUN}\\)`));
  await shot('reminders-missed');

  // The title opens the event.
  await missedRow.getByRole('button', { name: `Open ${title}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit event' });
  await page.locator('#ev-title').waitFor();
  assert.equal(await page.inputValue('#ev-title'), title);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('mark done from the agenda, and delete from the editor', async () => {
  await page.getByRole('button', { name: 'Agenda' }).click();
  const title = state.formEvent.title;
  await page.getByRole('button', { name: `Mark ${title} done` }).first().click();
  await eventually('the form event to be done', async () => {
    const { json } = await api('GET', `/events/${state.formEvent.id}`);
    // recurring: the current occurrence is finished and the series moves on
    return json.is_completed || json.updated_at !== state.formEvent.updated_at;
  });
  await page.locator('.toast', { hasText: 'done' }).waitFor();

  await page.getByRole('button', { name: `Edit Dentist ${RUN}` }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Edit event' });
  await page.locator('#ev-title').waitFor();
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('button', { name: 'Really delete' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await api('GET', `/events/${state.dentist.id}`)).status, 404);
});

test('settings: link code, time zone error beside the field', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Get link code' }).click();
  await page.locator('.link-code code').waitFor();
  assert.match(await page.textContent('.link-code code'), /\/link \S+/);
  await page.fill('#set-tz', 'Mars/Olympus');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#set-tz-error').waitFor();
  await shot('settings');
  await page.fill('#set-tz', USER_TZ);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('.toast', { hasText: 'Settings saved' }).waitFor();
});

test('dark mode and an 800 px wide window', async () => {
  await page.getByRole('button', { name: 'Agenda' }).click();
  await page.setViewportSize({ width: 800, height: 700 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('.event-title').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 800 px (overflow ${overflow}px)`);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(247, 247, 251)', 'dark background in dark mode');
  await shot('agenda-dark-800');
  await page.getByRole('button', { name: 'Calendar' }).click();
  await shot('calendar-dark-800');
});

test('an unreachable API is reported clearly', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  await ctx.addInitScript(() => {
    localStorage.setItem('nudge.settings', JSON.stringify({ apiUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9/ws', token: '' }));
  });
  const p = await ctx.newPage();
  try {
    await p.goto(`${BASE}/`);
    const banner = p.locator('.banner-error', { hasText: 'Cannot reach the nudge API at http://127.0.0.1:9' }).first();
    await banner.waitFor();
    assert.equal(await p.getAttribute('#conn-api', 'data-state'), 'bad');
    await p.screenshot({ path: `${OUT}api-unreachable.png` });
  } finally {
    await ctx.close();
  }
});

test('no console errors', () => {
  // Chromium logs every 4xx response; the 422s are the ones the tests above provoke.
  const unexpected = consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of 422/.test(m));
  assert.deepEqual(unexpected, []);
});
