// Electron entry point: hands the real `electron` module to the app factory.
import * as path from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, Notification, Tray } from 'electron';
import { createNudgeApp } from './app';

const root = path.join(__dirname, '..');
const bundled = path.join(root, 'dist', 'index.html');
// NUDGE_DESKTOP_URL: where to load the renderer from (the API serves it at `/`; a Vite
// dev server works too). Default: the local API, with the bundled copy as fallback.
const renderer = process.env.NUDGE_DESKTOP_URL || process.env.NUDGE_API_URL || 'http://127.0.0.1:8000/';

createNudgeApp(
  { app, BrowserWindow, Notification, Tray, Menu, ipcMain },
  {
    preload: path.join(__dirname, 'preload.js'),
    renderer: renderer.endsWith('/') ? renderer : `${renderer}/`,
    fallback: bundled,
    icon: path.join(root, 'build', 'icon.png'),
  },
).start();
