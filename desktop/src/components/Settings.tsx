import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, errorMessage, type Api, type Config, type LinkCode } from '../lib/api';
import { formatDateTime } from '../lib/dates';
import { ruleToRow, rowToRule, type ReminderRow } from '../lib/eventForm';
import type { PermissionState } from '../lib/notify';
import type { LocalSettings } from '../lib/settings';
import { ErrorBanner, FieldError, errorProps } from './common';
import { ReminderRows } from './ReminderRows';

interface Props {
  api: Api;
  config: Config | null;
  configError: string | null;
  local: LocalSettings;
  deviceId: string;
  permission: PermissionState;
  onLocalChange: (s: LocalSettings) => void;
  onConfig: (c: Config) => void;
  onRegister: () => void;
  onRequestPermission: () => void;
  onMessage: (m: string) => void;
}

export function Settings(props: Props) {
  const { api, config, configError, local, deviceId, permission } = props;
  return (
    <section aria-labelledby="settings-heading" className="view settings">
      <div className="view-head">
        <h1 id="settings-heading">Settings</h1>
      </div>
      <ConnectionSettings local={local} onSave={props.onLocalChange} />
      <ErrorBanner message={configError} />
      {config && <ServerSettings api={api} config={config} onConfig={props.onConfig} onMessage={props.onMessage} />}
      <section className="card" aria-labelledby="device-heading">
        <h2 id="device-heading">This device</h2>
        <p>
          Device id <code>{deviceId}</code>{' '}
          {config &&
            (config.desktop_device_id === deviceId ? (
              <span className="pill ok">registered for desktop reminders</span>
            ) : (
              <span className="pill warn">
                {config.desktop_device_id ? 'another device gets desktop reminders' : 'not registered'}
              </span>
            ))}
        </p>
        {config && config.desktop_device_id !== deviceId && (
          <button type="button" className="btn" onClick={props.onRegister}>
            Get desktop reminders on this device
          </button>
        )}
        <p>
          Notifications:{' '}
          {permission === 'native' && 'native (Electron)'}
          {permission === 'granted' && 'allowed'}
          {permission === 'denied' && 'blocked in the browser settings — reminders still show in the Reminders list'}
          {permission === 'unsupported' && 'not supported here — reminders show in the Reminders list'}
          {permission === 'default' && (
            <button type="button" className="btn btn-small" onClick={props.onRequestPermission}>
              Allow notifications
            </button>
          )}
        </p>
      </section>
      {config && <TelegramSettings api={api} config={config} onConfig={props.onConfig} />}
    </section>
  );
}

function ConnectionSettings({ local, onSave }: { local: LocalSettings; onSave: (s: LocalSettings) => void }) {
  const [form, setForm] = useState(local);
  const [error, setError] = useState<Partial<Record<keyof LocalSettings, string>>>({});
  useEffect(() => setForm(local), [local]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Partial<Record<keyof LocalSettings, string>> = {};
    try {
      const u = new URL(form.apiUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') errs.apiUrl = 'must start with http:// or https://';
    } catch {
      errs.apiUrl = 'not a URL, e.g. http://127.0.0.1:8000';
    }
    try {
      const u = new URL(form.wsUrl);
      if (u.protocol !== 'ws:' && u.protocol !== 'wss:') errs.wsUrl = 'must start with ws:// or wss://';
    } catch {
      errs.wsUrl = 'not a URL, e.g. ws://127.0.0.1:8001/ws';
    }
    setError(errs);
    if (Object.keys(errs).length === 0) onSave({ apiUrl: form.apiUrl.trim(), wsUrl: form.wsUrl.trim(), token: form.token.trim() });
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="conn-heading" noValidate>
      <h2 id="conn-heading">Connection</h2>
      <div className="field">
        <label htmlFor="set-api">API address</label>
        <input id="set-api" value={form.apiUrl} onChange={(e) => setForm({ ...form, apiUrl: e.target.value })} {...errorProps('set-api', error.apiUrl)} />
        <FieldError id="set-api-error" message={error.apiUrl} />
      </div>
      <div className="field">
        <label htmlFor="set-ws">Notifier WebSocket address</label>
        <input id="set-ws" value={form.wsUrl} onChange={(e) => setForm({ ...form, wsUrl: e.target.value })} {...errorProps('set-ws', error.wsUrl)} />
        <FieldError id="set-ws-error" message={error.wsUrl} />
      </div>
      <div className="field">
        <label htmlFor="set-token">API token (when the server sets NUDGE_API_TOKEN)</label>
        <input id="set-token" type="password" autoComplete="off" value={form.token} onChange={(e) => setForm({ ...form, token: e.target.value })} />
      </div>
      <button type="submit" className="btn btn-primary">
        Save connection
      </button>
    </form>
  );
}

function ServerSettings({ api, config, onConfig, onMessage }: { api: Api; config: Config; onConfig: (c: Config) => void; onMessage: (m: string) => void }) {
  const [timezone, setTimezone] = useState(config.timezone);
  const [catchup, setCatchup] = useState(String(config.catchup_window_minutes));
  const [rows, setRows] = useState<ReminderRow[]>(config.default_reminders.map(ruleToRow));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setTimezone(config.timezone);
    setCatchup(String(config.catchup_window_minutes));
    setRows(config.default_reminders.map(ruleToRow));
  }, [config]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setGeneral(null);
    try {
      const c = await api.patchConfig({
        timezone: timezone.trim(),
        catchup_window_minutes: catchup.trim() === '' ? (null as unknown as number) : Number(catchup),
        default_reminders: rows.map(rowToRule),
      });
      onConfig(c);
      onMessage('Settings saved.');
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        setErrors(err.fields);
        setGeneral('Please fix the marked fields.');
      } else setGeneral(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby="server-heading" noValidate>
      <h2 id="server-heading">Reminders and time</h2>
      {general && (
        <div className="banner banner-error" role="alert">
          {general}
        </div>
      )}
      <div className="field">
        <label htmlFor="set-tz">My time zone</label>
        <input id="set-tz" list="tz-list" value={timezone} onChange={(e) => setTimezone(e.target.value)} {...errorProps('set-tz', errors.timezone)} />
        <FieldError id="set-tz-error" message={errors.timezone} />
      </div>
      <fieldset className="field">
        <legend>Default reminders</legend>
        <ReminderRows idPrefix="set-rem" field="default_reminders" rows={rows} errors={errors} onChange={setRows} />
      </fieldset>
      <div className="field">
        <label htmlFor="set-catchup">Catch-up window (minutes): reminders missed while nudge was down are still sent this late</label>
        <input
          id="set-catchup"
          type="number"
          min={0}
          value={catchup}
          onChange={(e) => setCatchup(e.target.value)}
          {...errorProps('set-catchup', errors.catchup_window_minutes)}
        />
        <FieldError id="set-catchup-error" message={errors.catchup_window_minutes} />
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Save settings
      </button>
    </form>
  );
}

function TelegramSettings({ api, config, onConfig }: { api: Api; config: Config; onConfig: (c: Config) => void }) {
  const [code, setCode] = useState<LinkCode | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function getCode() {
    setError(null);
    try {
      setCode(await api.linkCode());
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function unlink() {
    setError(null);
    try {
      onConfig(await api.unlinkTelegram());
      setCode(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="card" aria-labelledby="tg-heading">
      <h2 id="tg-heading">Telegram</h2>
      <p>
        Status:{' '}
        {config.telegram_linked ? (
          <span className="pill ok" id="tg-status">
            linked (chat {config.telegram_chat_id})
          </span>
        ) : (
          <span className="pill warn" id="tg-status">
            not linked
          </span>
        )}
      </p>
      <p className="muted">
        {config.telegram_linked
          ? 'To move reminders to another chat, get a link code and send /link CODE to the bot from that chat.'
          : 'Send /start to the nudge bot to link your chat, or get a code and send /link CODE.'}
      </p>
      <div className="row-actions">
        <button type="button" className="btn" onClick={getCode}>
          Get link code
        </button>
        {config.telegram_linked && (
          <button type="button" className="btn btn-danger-outline" onClick={unlink}>
            Unlink
          </button>
        )}
      </div>
      {code && (
        <p className="link-code" role="status">
          Send <code>/link {code.code}</code> to the bot — valid until {formatDateTime(code.expires_at, config.timezone)}, one use.
        </p>
      )}
      <ErrorBanner message={error} />
    </section>
  );
}
