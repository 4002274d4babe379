/**
 * The Electron app's entry: the shell (src/main/shell) around the core (src/main/core). The
 * shell reaches Electron only through shell/electron.ts; see shell/main.ts for what it does.
 */
import { startCore } from './core/app';
import { startShell } from './shell/main';

startShell({
  mainDir: import.meta.dirname,
  startCore: (options) => startCore({ ...options, transport: 'electron' }),
});
