// Native notifications: Electron's Notification through the preload bridge, or the
// web Notification API in a browser.

export type NotifyAction = 'snooze' | 'done' | 'click' | 'close' | 'unsupported';

export interface NotifyActionSpec {
  id: 'snooze' | 'done';
  label: string;
}

export interface NudgeDesktopBridge {
  platform: string;
  notify(title: string, body: string, actions: NotifyActionSpec[]): Promise<NotifyAction>;
  onNavigate(cb: (view: string) => void): () => void;
}

declare global {
  interface Window {
    nudgeDesktop?: NudgeDesktopBridge;
  }
}

export const REMINDER_ACTIONS: NotifyActionSpec[] = [
  { id: 'snooze', label: 'Snooze 10 min' },
  { id: 'done', label: 'Done' },
];

export function desktopBridge(): NudgeDesktopBridge | undefined {
  return typeof window !== 'undefined' ? window.nudgeDesktop : undefined;
}

export type PermissionState = 'granted' | 'denied' | 'default' | 'unsupported' | 'native';

export function notificationPermission(): PermissionState {
  if (desktopBridge()) return 'native';
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.permission;
}

export async function requestNotificationPermission(): Promise<PermissionState> {
  if (desktopBridge()) return 'native';
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/**
 * Show a notification. Resolves with the action the user took when the platform
 * reports one (Electron), 'click' when it was clicked, or 'unsupported'.
 */
export function showNotification(title: string, body: string, tag: string): Promise<NotifyAction> {
  const bridge = desktopBridge();
  if (bridge) return bridge.notify(title, body, REMINDER_ACTIONS).catch(() => 'unsupported' as const);
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') {
    return Promise.resolve('unsupported');
  }
  return new Promise((resolve) => {
    try {
      const n = new Notification(title, { body, tag });
      n.onclick = () => {
        window.focus();
        n.close();
        resolve('click');
      };
      n.onclose = () => resolve('close');
      n.onerror = () => resolve('unsupported');
    } catch {
      resolve('unsupported');
    }
  });
}
