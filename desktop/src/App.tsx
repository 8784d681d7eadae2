import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createApi, errorMessage, type Config, type EventItem, type ParseResult } from './lib/api';
import { formatDateTime, isValidTimeZone, localTimeZone, timeZones } from './lib/dates';
import {
  desktopBridge,
  notificationPermission,
  requestNotificationPermission,
  showNotification,
  type PermissionState,
} from './lib/notify';
import {
  getDeviceId,
  loadRecentReminders,
  loadSettings,
  saveRecentReminders,
  saveSettings,
  type LocalSettings,
  type RecentReminder,
} from './lib/settings';
import { ReminderSocket, type ReminderFrame, type StatusInfo } from './lib/ws';
import { Agenda } from './components/Agenda';
import { Calendar } from './components/Calendar';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { EventEditor, type EditorTarget } from './components/EventEditor';
import { QuickAdd } from './components/QuickAdd';
import { MissedReminders } from './components/MissedReminders';
import { RecentReminders } from './components/RecentReminders';
import { SearchResults } from './components/SearchResults';
import { Settings } from './components/Settings';

type View = 'agenda' | 'calendar' | 'search' | 'reminders' | 'settings';

const NAV: { view: View; label: string; key: string }[] = [
  { view: 'agenda', label: 'Agenda', key: 'a' },
  { view: 'calendar', label: 'Calendar', key: 'c' },
  { view: 'reminders', label: 'Reminders', key: 'r' },
  { view: 'settings', label: 'Settings', key: 's' },
];

const REGISTERED_KEY = 'nudge.registeredWith';

export function App() {
  const [local, setLocal] = useState<LocalSettings>(loadSettings);
  const [deviceId] = useState(() => getDeviceId().id);
  const [apiUp, setApiUp] = useState<boolean | null>(null);
  const api = useMemo(() => createApi({ baseUrl: local.apiUrl, token: local.token, onReachable: setApiUp }), [local]);
  const [config, setConfig] = useState<Config | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [bootTick, setBootTick] = useState(0);
  const [view, setView] = useState<View>('agenda');
  const [searchText, setSearchText] = useState('');
  const [query, setQuery] = useState('');
  const [editor, setEditor] = useState<EditorTarget | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [toast, setToast] = useState('');
  const [recent, setRecent] = useState<RecentReminder[]>(loadRecentReminders);
  const [wsInfo, setWsInfo] = useState<StatusInfo>({ status: 'idle', attempt: 0 });
  const [permission, setPermission] = useState<PermissionState>(notificationPermission);
  const quickAddRef = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  const timezone = config && isValidTimeZone(config.timezone) ? config.timezone : localTimeZone();
  const zones = useMemo(() => timeZones(), []);

  const announce = useCallback((m: string) => setToast(m), []);
  const refresh = useCallback(() => setRefreshKey((n) => n + 1), []);

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(''), 5000);
    return () => clearTimeout(t);
  }, [toast]);

  // First start and every API change: read the config and register this device.
  const register = useCallback(async () => {
    const c = await api.registerDevice(deviceId);
    localStorage.setItem(REGISTERED_KEY, local.apiUrl);
    return c;
  }, [api, deviceId, local.apiUrl]);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        let c = await api.getConfig();
        const registeredHere = localStorage.getItem(REGISTERED_KEY) === local.apiUrl;
        if (c.desktop_device_id == null || (c.desktop_device_id !== deviceId && !registeredHere)) {
          c = await register();
        }
        if (!live) return;
        setConfig(c);
        setConfigError(null);
      } catch (e) {
        if (live) setConfigError(errorMessage(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [api, deviceId, local.apiUrl, register, bootTick]);

  // While the API is unreachable, probe it; once back, load again.
  useEffect(() => {
    if (apiUp !== false) return;
    const t = setInterval(() => {
      api.health().then(
        () => {
          setBootTick((n) => n + 1);
          refresh();
        },
        () => undefined,
      );
    }, 5000);
    return () => clearInterval(t);
  }, [apiUp, api, refresh]);

  // Reminder actions, reachable from notification callbacks through refs.
  const apiRef = useRef(api);
  apiRef.current = api;
  const tzRef = useRef(timezone);
  tzRef.current = timezone;

  const markHandled = useCallback((id: number, handled: RecentReminder['handled']) => {
    setRecent((list) => {
      const next = list.map((r) => (r.reminder_id === id ? { ...r, handled } : r));
      saveRecentReminders(next);
      return next;
    });
  }, []);

  const snoozeReminder = useCallback(
    async (r: RecentReminder) => {
      try {
        await apiRef.current.snooze(r.reminder_id, 10);
        markHandled(r.reminder_id, 'snoozed');
        announce(`Snoozed “${r.title}” for 10 minutes.`);
      } catch (e) {
        announce(`Could not snooze: ${errorMessage(e)}`);
      }
    },
    [announce, markHandled],
  );

  const doneReminder = useCallback(
    async (r: RecentReminder) => {
      try {
        await apiRef.current.markDone(r.event_id);
        markHandled(r.reminder_id, 'done');
        announce(`Marked “${r.title}” done.`);
        refresh();
      } catch (e) {
        announce(`Could not mark done: ${errorMessage(e)}`);
      }
    },
    [announce, markHandled, refresh],
  );

  const onReminder = useCallback(
    (f: ReminderFrame) => {
      const parts: string[] = [];
      if (f.event_start) parts.push(`Starts ${formatDateTime(f.event_start, tzRef.current)}`);
      if (f.event_location) parts.push(f.event_location);
      if (f.late) parts.push('(late)');
      if (f.event_description) parts.push(f.event_description);
      const r: RecentReminder = {
        reminder_id: f.reminder_id,
        event_id: f.event_id,
        title: f.event_title,
        body: parts.join(' · '),
        event_start: f.event_start,
        received_at: new Date().toISOString(),
        late: f.late,
      };
      setRecent((list) => {
        const next = [r, ...list.filter((x) => x.reminder_id !== r.reminder_id)].slice(0, 50);
        saveRecentReminders(next);
        return next;
      });
      void showNotification(r.title, r.body, `nudge-reminder-${r.reminder_id}`).then((action) => {
        if (action === 'snooze') void snoozeReminder(r);
        else if (action === 'done') void doneReminder(r);
        else if (action === 'click') setView('reminders');
      });
    },
    [snoozeReminder, doneReminder],
  );

  // The notifier connection: only once this device is the registered one.
  const registered = config?.desktop_device_id === deviceId;
  useEffect(() => {
    if (!registered) {
      setWsInfo({ status: 'idle', attempt: 0 });
      return;
    }
    const sock = new ReminderSocket({
      url: local.wsUrl,
      deviceId,
      token: local.token || undefined,
      onReminder,
      onStatus: setWsInfo,
      seen: loadRecentReminders().map((r) => r.reminder_id),
    });
    sock.start();
    return () => sock.stop();
  }, [registered, local.wsUrl, local.token, deviceId, onReminder]);

  // Electron tray menu → views.
  useEffect(() => {
    const bridge = desktopBridge();
    if (!bridge) return;
    return bridge.onNavigate((v) => {
      if (v === 'quick-add') quickAddRef.current?.focus();
      else if (NAV.some((n) => n.view === v)) setView(v as View);
    });
  }, []);

  // Keyboard shortcuts outside text fields.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey || editor) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      if (e.key === 'n') {
        e.preventDefault();
        setEditor({ mode: 'new' });
      } else if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
      } else if (e.key === 'q') {
        e.preventDefault();
        quickAddRef.current?.focus();
      } else {
        const nav = NAV.find((n) => n.key === e.key);
        if (nav) setView(nav.view);
      }
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [editor]);

  const onDone = useCallback(
    async (item: EventItem) => {
      try {
        await api.markDone(item.id);
        announce(`Marked “${item.title}” done.`);
        refresh();
      } catch (e) {
        announce(`Could not mark done: ${errorMessage(e)}`);
      }
    },
    [api, announce, refresh],
  );

  const openEvent = useCallback((id: number) => setEditor({ mode: 'edit', id }), []);
  const newOnDay = useCallback((day: string) => setEditor({ mode: 'new', day }), []);
  const editDraft = useCallback(
    (p: ParseResult) => setEditor({ mode: 'new', draft: { title: p.title, start_time: p.start_time, timezone: p.timezone, all_day: p.all_day, end_time: p.end_time ?? null } }),
    [],
  );

  function saveLocal(s: LocalSettings) {
    saveSettings(s);
    setConfig(null);
    setLocal(s);
    announce('Connection settings saved.');
  }

  const unhandled = recent.filter((r) => !r.handled).length;

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-row">
          <span className="brand" aria-hidden="true">
            <img src="./favicon.svg" alt="" width={22} height={22} /> nudge
          </span>
          <nav aria-label="Views" className="tabs">
            {NAV.map((n) => (
              <button
                key={n.view}
                type="button"
                className="tab"
                aria-current={view === n.view ? 'page' : undefined}
                onClick={() => setView(n.view)}
                title={`${n.label} (${n.key})`}
              >
                {n.label}
                {n.view === 'reminders' && unhandled > 0 && <span className="badge">{unhandled}</span>}
              </button>
            ))}
          </nav>
          <ConnectionIndicator apiUp={apiUp} apiUrl={local.apiUrl} ws={wsInfo} registered={registered} configLoaded={!!config} />
        </div>
        <div className="topbar-row">
          <QuickAdd ref={quickAddRef} api={api} timezone={timezone} onSaved={(m) => (announce(m), refresh())} onEdit={editDraft} />
          <form
            role="search"
            className="search"
            onSubmit={(e) => {
              e.preventDefault();
              if (searchText.trim()) {
                setQuery(searchText.trim());
                setView('search');
              }
            }}
          >
            <label htmlFor="search" className="visually-hidden">
              Search events
            </label>
            <input id="search" ref={searchRef} type="search" placeholder="Search…" value={searchText} onChange={(e) => setSearchText(e.target.value)} />
          </form>
          <button type="button" className="btn btn-primary" onClick={() => setEditor({ mode: 'new' })} title="New event (n)">
            + New event
          </button>
        </div>
      </header>

      {permission === 'default' && (
        <div className="banner banner-info">
          <span>Allow notifications so reminders pop up even when this tab is in the background.</span>
          <button type="button" className="btn btn-small" onClick={() => requestNotificationPermission().then(setPermission)}>
            Allow notifications
          </button>
        </div>
      )}
      {configError && view !== 'settings' && !(apiUp === false && ['agenda', 'calendar', 'search'].includes(view)) && (
        <div className="banner banner-error" role="alert">
          <span>{configError}</span>
          <button type="button" className="btn btn-small" onClick={() => setBootTick((n) => n + 1)}>
            Retry
          </button>
          <button type="button" className="btn btn-small" onClick={() => setView('settings')}>
            Settings
          </button>
        </div>
      )}

      <main className="content">
        {view === 'agenda' && <Agenda api={api} timezone={timezone} refreshKey={refreshKey} onOpen={openEvent} onDone={onDone} />}
        {view === 'calendar' && (
          <Calendar api={api} timezone={timezone} refreshKey={refreshKey} onOpen={openEvent} onDone={onDone} onNew={newOnDay} />
        )}
        {view === 'search' && (
          <SearchResults api={api} timezone={timezone} query={query} refreshKey={refreshKey} onOpen={openEvent} onDone={onDone} />
        )}
        {view === 'reminders' && (
          <RecentReminders
            reminders={recent}
            timezone={timezone}
            onSnooze={snoozeReminder}
            onDone={doneReminder}
            onOpen={openEvent}
            onClear={() => {
              setRecent([]);
              saveRecentReminders([]);
            }}
          >
            <MissedReminders api={api} timezone={timezone} refreshKey={refreshKey} onOpen={openEvent} />
          </RecentReminders>
        )}
        {view === 'settings' && (
          <Settings
            api={api}
            config={config}
            configError={configError}
            local={local}
            deviceId={deviceId}
            permission={permission}
            onLocalChange={saveLocal}
            onConfig={(c) => {
              setConfig(c);
              refresh();
            }}
            onRegister={() =>
              register().then(
                (c) => {
                  setConfig(c);
                  announce('This device now gets desktop reminders.');
                },
                (e) => announce(errorMessage(e)),
              )
            }
            onRequestPermission={() => requestNotificationPermission().then(setPermission)}
            onMessage={announce}
          />
        )}
      </main>

      <footer className="footer">
        <span>
          Times in {timezone}. Keys: <kbd>n</kbd> new · <kbd>q</kbd> quick add · <kbd>/</kbd> search · <kbd>a</kbd> agenda ·{' '}
          <kbd>c</kbd> calendar · <kbd>r</kbd> reminders · <kbd>s</kbd> settings
        </span>
      </footer>

      <div className="toast" role="status" aria-live="polite">
        {toast}
      </div>

      <datalist id="tz-list">
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>

      {editor && (
        <EventEditor
          key={JSON.stringify(editor)}
          api={api}
          timezone={timezone}
          target={editor}
          onClose={() => setEditor(null)}
          onChanged={(m) => {
            announce(m);
            refresh();
          }}
        />
      )}
    </div>
  );
}
