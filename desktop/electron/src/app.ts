// The Electron main process, written against an injected `electron` module so that
// tests can run it under plain Node with fakes (Electron's binary is not needed).

import type {
  App,
  BrowserWindow as BrowserWindowT,
  BrowserWindowConstructorOptions,
  IpcMain,
  IpcMainInvokeEvent,
  Menu as MenuT,
  MenuItemConstructorOptions,
  Notification as NotificationT,
  NotificationConstructorOptions,
  Tray as TrayT,
} from 'electron';

export interface ElectronDeps {
  app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on' | 'whenReady' | 'setAppUserModelId'>;
  BrowserWindow: new (opts: BrowserWindowConstructorOptions) => BrowserWindowT;
  Notification: { new (opts: NotificationConstructorOptions): NotificationT; isSupported(): boolean };
  Tray: new (icon: string) => TrayT;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): MenuT };
  ipcMain: Pick<IpcMain, 'handle'>;
}

export interface NudgeAppOptions {
  /** Absolute path of the compiled preload script. */
  preload: string;
  /**
   * The renderer: an http(s) URL (the API, which serves it at `/`, or a dev server) or an
   * absolute path of dist/index.html. Loading it from the API keeps every request
   * same-origin, so the API needs no CORS setup.
   */
  renderer: string;
  /** Bundled dist/index.html shown while `renderer` (a URL) cannot be loaded. */
  fallback?: string;
  /** How often to retry `renderer` while the fallback is shown (ms). */
  retryMs?: number;
  /** Icon for the window and the tray. */
  icon: string;
  platform?: NodeJS.Platform;
}

export interface NotifyAction {
  id: string;
  label: string;
}

export interface NotifyRequest {
  title: string;
  body: string;
  actions: NotifyAction[];
}

export const IPC_NOTIFY = 'nudge:notify';
export const IPC_NAVIGATE = 'nudge:navigate';

/** Check a notify request from the renderer; anything else is refused. */
export function parseNotifyRequest(payload: unknown): NotifyRequest {
  if (!payload || typeof payload !== 'object') throw new Error('notify: expected {title, body, actions}');
  const p = payload as Record<string, unknown>;
  if (typeof p.title !== 'string' || p.title.length === 0 || p.title.length > 500) throw new Error('notify: title must be a string of 1..500 chars');
  const body = p.body === undefined ? '' : p.body;
  if (typeof body !== 'string' || body.length > 5000) throw new Error('notify: body must be a string');
  const actions = p.actions === undefined ? [] : p.actions;
  if (!Array.isArray(actions) || actions.length > 4) throw new Error('notify: actions must be a list of at most 4');
  for (const a of actions) {
    if (!a || typeof a.id !== 'string' || typeof a.label !== 'string') throw new Error('notify: each action needs id and label');
  }
  return { title: p.title, body, actions: actions as NotifyAction[] };
}

export function createNudgeApp(electron: ElectronDeps, opts: NudgeAppOptions) {
  const { app, BrowserWindow, Notification, Tray, Menu, ipcMain } = electron;
  const platform = opts.platform ?? process.platform;
  let win: BrowserWindowT | null = null;
  let tray: TrayT | null = null;
  let quitting = false;
  // Keep notifications referenced until they are done, or they can be garbage-collected.
  const live = new Set<NotificationT>();

  const isHttp = /^https?:\/\//.test(opts.renderer);

  function createWindow(): BrowserWindowT {
    const w = new BrowserWindow({
      width: 1100,
      height: 760,
      minWidth: 800,
      minHeight: 560,
      show: false,
      title: 'nudge',
      icon: opts.icon,
      autoHideMenuBar: true,
      webPreferences: {
        preload: opts.preload,
        contextIsolation: true,
        nodeIntegration: false,
        sandbox: true,
        webSecurity: true,
        spellcheck: false,
      },
    });
    w.once('ready-to-show', () => w.show());
    // Closing the window keeps nudge running in the tray, so reminders still arrive.
    w.on('close', (e) => {
      if (!quitting && tray) {
        e.preventDefault();
        w.hide();
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    // No new windows, no navigation away from the app.
    w.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    w.webContents.on('will-navigate', (e, url) => {
      if (!sameApp(url)) e.preventDefault();
    });
    w.webContents.on('did-fail-load', (_e, code, _desc, url, isMainFrame) => {
      // -3 is ERR_ABORTED (a navigation replaced by another one): not a failure.
      if (!isMainFrame || code === -3 || !isHttp || !opts.fallback || !url.startsWith(opts.renderer)) return;
      onFallback = true;
      void w.loadFile(opts.fallback);
      scheduleRetry(w);
    });
    load(w);
    win = w;
    return w;
  }

  let onFallback = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function load(w: BrowserWindowT): void {
    if (isHttp) void w.loadURL(opts.renderer).catch(() => undefined);
    else void w.loadFile(opts.renderer);
  }

  function scheduleRetry(w: BrowserWindowT): void {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (onFallback && !w.isDestroyed()) {
        onFallback = false;
        load(w);
      }
    }, opts.retryMs ?? 10000);
    retryTimer.unref?.();
  }

  function sameApp(url: string): boolean {
    try {
      if (url.startsWith('file://')) return !isHttp || !!opts.fallback;
      return isHttp && new URL(url).origin === new URL(opts.renderer).origin;
    } catch {
      return false;
    }
  }

  function showWindow(): BrowserWindowT {
    const w = win ?? createWindow();
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
    return w;
  }

  function navigate(view: string): void {
    const w = showWindow();
    w.webContents.send(IPC_NAVIGATE, view);
  }

  function trayTemplate(): MenuItemConstructorOptions[] {
    return [
      { label: 'Open nudge', click: () => void showWindow() },
      { label: 'Quick add…', click: () => navigate('quick-add') },
      { label: 'Agenda', click: () => navigate('agenda') },
      { label: 'Calendar', click: () => navigate('calendar') },
      { label: 'Recent reminders', click: () => navigate('reminders') },
      { type: 'separator' },
      { label: 'Settings', click: () => navigate('settings') },
      { type: 'separator' },
      {
        label: 'Quit nudge',
        click: () => {
          quitting = true;
          app.quit();
        },
      },
    ];
  }

  function createTray(): TrayT {
    const t = new Tray(opts.icon);
    t.setToolTip('nudge');
    t.setContextMenu(Menu.buildFromTemplate(trayTemplate()));
    t.on('click', () => void showWindow());
    tray = t;
    return t;
  }

  /** Show a native notification; resolve with the action id, 'click' or 'close'. */
  function notify(req: NotifyRequest): Promise<string> {
    if (!Notification.isSupported()) return Promise.resolve('unsupported');
    return new Promise((resolve) => {
      const n = new Notification({
        title: req.title,
        body: req.body,
        icon: opts.icon,
        // Action buttons show on macOS (and Windows); elsewhere a click opens the app.
        actions: req.actions.map((a) => ({ type: 'button' as const, text: a.label })),
        closeButtonText: 'Close',
        timeoutType: 'never',
      });
      live.add(n);
      let settled = false;
      const finish = (result: string) => {
        if (settled) return;
        settled = true;
        live.delete(n);
        resolve(result);
      };
      n.on('action', (_e, index: number) => finish(req.actions[index]?.id ?? 'click'));
      n.on('click', () => {
        showWindow();
        finish('click');
      });
      n.on('close', () => finish('close'));
      n.on('failed', () => finish('unsupported'));
      n.show();
    });
  }

  async function handleNotify(event: IpcMainInvokeEvent, payload: unknown): Promise<string> {
    // Only our own window may ask.
    if (!win || event.sender !== win.webContents) throw new Error('notify: unknown sender');
    return notify(parseNotifyRequest(payload));
  }

  /** Wire everything up. Returns false when another instance already runs. */
  function start(): boolean {
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return false;
    }
    if (platform === 'win32') app.setAppUserModelId('dev.nudge.desktop');
    app.on('second-instance', () => void showWindow());
    app.on('before-quit', () => {
      quitting = true;
    });
    app.on('window-all-closed', () => {
      if (platform !== 'darwin' && !tray) app.quit();
    });
    app.on('activate', () => void showWindow());
    ipcMain.handle(IPC_NOTIFY, handleNotify);
    void app.whenReady().then(() => {
      createWindow();
      createTray();
    });
    return true;
  }

  return {
    start,
    showWindow,
    notify,
    trayTemplate,
    get window() {
      return win;
    },
    get tray() {
      return tray;
    },
    get pendingNotifications() {
      return live.size;
    },
  };
}
