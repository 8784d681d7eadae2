import type { StatusInfo } from '../lib/ws';

interface Props {
  apiUp: boolean | null;
  apiUrl: string;
  ws: StatusInfo;
  registered: boolean;
  configLoaded: boolean;
}

type Level = 'ok' | 'warn' | 'bad';

/** Two lights: the REST API, and the live reminder connection to the notifier. */
export function ConnectionIndicator({ apiUp, apiUrl, ws, registered, configLoaded }: Props) {
  const api: [Level, string] = apiUp === false ? ['bad', 'API unreachable'] : apiUp ? ['ok', 'API'] : ['warn', 'API…'];
  let live: [Level, string];
  if (!configLoaded) live = ['warn', 'Reminders: waiting for API'];
  else if (!registered) live = ['warn', 'Reminders: device not registered'];
  else if (ws.status === 'open') live = ['ok', 'Live'];
  else if (ws.status === 'connecting') live = ['warn', ws.attempt ? `Reconnecting (try ${ws.attempt + 1})` : 'Connecting…'];
  else if (ws.status === 'closed')
    live = ['bad', `Offline, retry in ${Math.max(1, Math.round((ws.retryInMs ?? 0) / 1000))} s`];
  else live = ['warn', 'Reminders off'];
  return (
    <div className="conn" role="status" aria-live="polite" aria-label="Connection status">
      <span className={`conn-item ${api[0]}`} title={`REST API at ${apiUrl}`} data-state={api[0]} id="conn-api">
        <span className="dot" aria-hidden="true" />
        {api[1]}
      </span>
      <span
        className={`conn-item ${live[0]}`}
        title={ws.code ? `last close: ${ws.code} ${ws.reason ?? ''}` : 'reminder connection to the notifier'}
        data-state={live[0]}
        id="conn-live"
      >
        <span className="dot" aria-hidden="true" />
        {live[1]}
      </span>
    </div>
  );
}
