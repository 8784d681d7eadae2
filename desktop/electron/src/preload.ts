// Preload: the only bridge between the sandboxed renderer and the main process.
// Exposes `window.nudgeDesktop` = { platform, notify(title, body, actions), onNavigate(cb) }.
// It runs sandboxed, so it may only require 'electron'; keep it one self-contained file.
import type { IpcRenderer, IpcRendererEvent } from 'electron';

export interface NotifyAction {
  id: string;
  label: string;
}

export function buildBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>, platform: string) {
  return Object.freeze({
    platform,
    notify: (title: string, body: string, actions: NotifyAction[] = []): Promise<string> =>
      ipc.invoke('nudge:notify', {
        title: String(title),
        body: String(body ?? ''),
        actions: actions.map((a) => ({ id: String(a.id), label: String(a.label) })),
      }),
    onNavigate: (cb: (view: string) => void): (() => void) => {
      const listener = (_e: IpcRendererEvent, view: unknown) => {
        if (typeof view === 'string') cb(view);
      };
      ipc.on('nudge:navigate', listener);
      return () => void ipc.removeListener('nudge:navigate', listener);
    },
  });
}

if ((process as { type?: string }).type === 'renderer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');
  contextBridge.exposeInMainWorld('nudgeDesktop', buildBridge(ipcRenderer, process.platform));
}
