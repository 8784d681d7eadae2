// The Electron main process under plain Node, with the `electron` module replaced by
// fakes (Electron's binary cannot be downloaded here). Run: npm run test:electron
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createNudgeApp, parseNotifyRequest, IPC_NOTIFY, IPC_NAVIGATE } = require('../../dist-electron/app.js');
const { buildBridge } = require('../../dist-electron/preload.js');

const tick = () => new Promise((r) => setImmediate(r));

function fakeElectron({ lock = true, notificationsSupported = true } = {}) {
  const calls = { quit: 0, windows: [], trays: [], notifications: [], menus: [], handlers: new Map(), appUserModelId: null };

  class FakeWebContents extends EventEmitter {
    constructor() {
      super();
      this.sent = [];
      this.windowOpenHandler = null;
    }
    send(channel, ...args) {
      this.sent.push([channel, ...args]);
    }
    setWindowOpenHandler(h) {
      this.windowOpenHandler = h;
    }
  }

  class FakeBrowserWindow extends EventEmitter {
    constructor(opts) {
      super();
      this.opts = opts;
      this.webContents = new FakeWebContents();
      this.visible = false;
      this.minimized = false;
      this.focused = 0;
      this.loaded = [];
      this.destroyed = false;
      calls.windows.push(this);
    }
    loadURL(url) {
      this.loaded.push(['url', url]);
      return Promise.resolve();
    }
    loadFile(file) {
      this.loaded.push(['file', file]);
      return Promise.resolve();
    }
    show() {
      this.visible = true;
    }
    hide() {
      this.visible = false;
    }
    focus() {
      this.focused += 1;
    }
    isMinimized() {
      return this.minimized;
    }
    restore() {
      this.minimized = false;
    }
    isDestroyed() {
      return this.destroyed;
    }
  }

  class FakeNotification extends EventEmitter {
    static isSupported() {
      return notificationsSupported;
    }
    constructor(opts) {
      super();
      this.opts = opts;
      this.shown = false;
      calls.notifications.push(this);
    }
    show() {
      this.shown = true;
    }
  }

  class FakeTray extends EventEmitter {
    constructor(icon) {
      super();
      this.icon = icon;
      calls.trays.push(this);
    }
    setToolTip(t) {
      this.tooltip = t;
    }
    setContextMenu(m) {
      this.menu = m;
    }
  }

  const Menu = {
    buildFromTemplate(template) {
      const menu = { items: template };
      calls.menus.push(menu);
      return menu;
    },
  };

  let resolveReady;
  const ready = new Promise((r) => (resolveReady = r));
  const app = new (class extends EventEmitter {
    requestSingleInstanceLock() {
      calls.lockRequested = true;
      return lock;
    }
    quit() {
      calls.quit += 1;
    }
    whenReady() {
      return ready;
    }
    setAppUserModelId(id) {
      calls.appUserModelId = id;
    }
  })();

  const ipcMain = {
    handle(channel, fn) {
      calls.handlers.set(channel, fn);
    },
  };

  return {
    deps: { app, BrowserWindow: FakeBrowserWindow, Notification: FakeNotification, Tray: FakeTray, Menu, ipcMain },
    calls,
    app,
    makeReady: async () => {
      resolveReady();
      await tick();
    },
  };
}

const OPTS = { preload: '/app/dist-electron/preload.js', renderer: 'http://127.0.0.1:8000/', fallback: '/app/dist/index.html', icon: '/app/build/icon.png', platform: 'linux', retryMs: 20 };

test('takes the single-instance lock and creates one secure window when ready', async () => {
  const f = fakeElectron();
  const nudge = createNudgeApp(f.deps, OPTS);
  assert.equal(nudge.start(), true);
  assert.equal(f.calls.lockRequested, true);
  assert.equal(f.calls.windows.length, 0, 'no window before ready');
  await f.makeReady();
  assert.equal(f.calls.windows.length, 1);
  const w = f.calls.windows[0];
  const prefs = w.opts.webPreferences;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.preload, OPTS.preload);
  assert.ok(w.opts.minWidth <= 800);
  assert.deepEqual(w.loaded, [['url', 'http://127.0.0.1:8000/']]);
  w.emit('ready-to-show');
  assert.equal(w.visible, true);
  // no pop-up windows, no navigation to other sites
  assert.deepEqual(w.webContents.windowOpenHandler({ url: 'https://evil.example' }), { action: 'deny' });
  let prevented = false;
  w.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
  assert.equal(prevented, true);
  prevented = false;
  w.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'http://127.0.0.1:8000/#x');
  assert.equal(prevented, false);
  assert.equal(nudge.window, w);
});

test('a second instance quits at once; the first one shows its window when another starts', async () => {
  const second = fakeElectron({ lock: false });
  assert.equal(createNudgeApp(second.deps, OPTS).start(), false);
  assert.equal(second.calls.quit, 1);
  await second.makeReady();
  assert.equal(second.calls.windows.length, 0);
  assert.equal(second.calls.handlers.size, 0);

  const first = fakeElectron();
  createNudgeApp(first.deps, OPTS).start();
  await first.makeReady();
  const w = first.calls.windows[0];
  w.minimized = true;
  w.hide();
  first.app.emit('second-instance', {}, ['nudge']);
  assert.equal(w.minimized, false);
  assert.equal(w.visible, true);
  assert.equal(w.focused, 1);
  assert.equal(first.calls.windows.length, 1, 'no extra window');
});

test('the bundled renderer is shown when the API cannot be loaded, and the API is retried', async () => {
  const f = fakeElectron();
  createNudgeApp(f.deps, OPTS).start();
  await f.makeReady();
  const w = f.calls.windows[0];
  w.webContents.emit('did-fail-load', {}, -102, 'ERR_CONNECTION_REFUSED', 'http://127.0.0.1:8000/', true);
  assert.deepEqual(w.loaded.at(-1), ['file', '/app/dist/index.html']);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(w.loaded.at(-1), ['url', 'http://127.0.0.1:8000/']);
  // sub-frame failures and aborted navigations are ignored
  const n = w.loaded.length;
  w.webContents.emit('did-fail-load', {}, -3, 'ERR_ABORTED', 'http://127.0.0.1:8000/', true);
  w.webContents.emit('did-fail-load', {}, -102, 'x', 'http://127.0.0.1:8000/frame', false);
  assert.equal(w.loaded.length, n);
});

test('notifications from the renderer are bridged over ipc, with Snooze/Done actions', async () => {
  const f = fakeElectron();
  createNudgeApp(f.deps, OPTS).start();
  await f.makeReady();
  const w = f.calls.windows[0];
  const handler = f.calls.handlers.get(IPC_NOTIFY);
  assert.equal(typeof handler, 'function');

  // The preload bridge turns window.nudgeDesktop.notify(...) into an ipc invoke.
  const ipcRenderer = { invoke: (channel, payload) => handler({ sender: w.webContents }, payload), on() {}, removeListener() {} };
  const bridge = buildBridge(ipcRenderer, 'linux');
  assert.equal(bridge.platform, 'linux');
  const actions = [
    { id: 'snooze', label: 'Snooze 10 min' },
    { id: 'done', label: 'Done' },
  ];

  const p1 = bridge.notify('Dentist', 'Starts 15:00', actions);
  await tick();
  const n1 = f.calls.notifications[0];
  assert.equal(n1.shown, true);
  assert.equal(n1.opts.title, 'Dentist');
  assert.equal(n1.opts.body, 'Starts 15:00');
  assert.deepEqual(n1.opts.actions, [
    { type: 'button', text: 'Snooze 10 min' },
    { type: 'button', text: 'Done' },
  ]);
  n1.emit('action', {}, 1);
  assert.equal(await p1, 'done');

  const p2 = bridge.notify('Call', '', actions);
  await tick();
  f.calls.notifications[1].emit('action', {}, 0);
  assert.equal(await p2, 'snooze');

  // A click brings the window up.
  w.hide();
  const p3 = bridge.notify('Standup', 'now', actions);
  await tick();
  f.calls.notifications[2].emit('click');
  f.calls.notifications[2].emit('close'); // later events do not matter
  assert.equal(await p3, 'click');
  assert.equal(w.visible, true);

  const p4 = bridge.notify('Ignored', '', []);
  await tick();
  f.calls.notifications[3].emit('close');
  assert.equal(await p4, 'close');
});

test('notify refuses bad payloads and other senders', async () => {
  const f = fakeElectron();
  createNudgeApp(f.deps, OPTS).start();
  await f.makeReady();
  const w = f.calls.windows[0];
  const handler = f.calls.handlers.get(IPC_NOTIFY);
  await assert.rejects(handler({ sender: {} }, { title: 'x', body: '', actions: [] }), /unknown sender/);
  await assert.rejects(handler({ sender: w.webContents }, { title: '', body: '' }), /title/);
  await assert.rejects(handler({ sender: w.webContents }, { title: 'x', actions: [{ id: 1 }] }), /action/);
  await assert.rejects(handler({ sender: w.webContents }, 'hello'), /expected/);
  assert.equal(f.calls.notifications.length, 0);
  assert.deepEqual(parseNotifyRequest({ title: 't' }), { title: 't', body: '', actions: [] });
});

test('without notification support, notify answers "unsupported"', async () => {
  const f = fakeElectron({ notificationsSupported: false });
  createNudgeApp(f.deps, OPTS).start();
  await f.makeReady();
  const handler = f.calls.handlers.get(IPC_NOTIFY);
  assert.equal(await handler({ sender: f.calls.windows[0].webContents }, { title: 'x' }), 'unsupported');
});

test('tray menu: open, navigate the renderer, quit; closing the window hides it to the tray', async () => {
  const f = fakeElectron();
  const nudge = createNudgeApp(f.deps, OPTS);
  nudge.start();
  await f.makeReady();
  assert.equal(f.calls.trays.length, 1);
  const tray = f.calls.trays[0];
  assert.equal(tray.icon, OPTS.icon);
  assert.equal(tray.tooltip, 'nudge');
  const items = tray.menu.items;
  const labels = items.filter((i) => i.label).map((i) => i.label);
  assert.deepEqual(labels, ['Open nudge', 'Quick add…', 'Agenda', 'Calendar', 'Recent reminders', 'Settings', 'Quit nudge']);
  const w = f.calls.windows[0];
  const item = (label) => items.find((i) => i.label === label);

  // Closing the window keeps the app in the tray.
  let prevented = false;
  w.visible = true;
  w.emit('close', { preventDefault: () => (prevented = true) });
  assert.equal(prevented, true);
  assert.equal(w.visible, false);

  item('Open nudge').click();
  assert.equal(w.visible, true);
  item('Quick add…').click();
  item('Calendar').click();
  assert.deepEqual(w.webContents.sent, [
    [IPC_NAVIGATE, 'quick-add'],
    [IPC_NAVIGATE, 'calendar'],
  ]);
  tray.emit('click');
  assert.equal(w.visible, true);

  item('Quit nudge').click();
  assert.equal(f.calls.quit, 1);
  // once quitting, the window really closes
  prevented = false;
  w.emit('close', { preventDefault: () => (prevented = true) });
  assert.equal(prevented, false);
});

test('the preload bridge delivers navigation messages and can unsubscribe', () => {
  const listeners = new Map();
  const ipc = {
    invoke: async () => 'x',
    on: (ch, l) => listeners.set(ch, l),
    removeListener: (ch, l) => listeners.get(ch) === l && listeners.delete(ch),
  };
  const bridge = buildBridge(ipc, 'darwin');
  const got = [];
  const off = bridge.onNavigate((v) => got.push(v));
  listeners.get(IPC_NAVIGATE)({}, 'agenda');
  listeners.get(IPC_NAVIGATE)({}, 42); // not a string: ignored
  off();
  assert.equal(listeners.has(IPC_NAVIGATE), false);
  assert.deepEqual(got, ['agenda']);
  assert.ok(Object.isFrozen(bridge));
});

test('on Windows the app user model id is set (needed for toasts)', async () => {
  const f = fakeElectron();
  createNudgeApp(f.deps, { ...OPTS, platform: 'win32' }).start();
  assert.equal(f.calls.appUserModelId, 'dev.nudge.desktop');
});
