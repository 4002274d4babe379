/**
 * The headless shell: runs the core under plain Node and serves the console to any
 * browser on this machine. `npm start` uses it when Electron can't run here.
 *
 *   node out/main/serve.js [--host 127.0.0.1] [--port 4780] [--data-dir DIR] [--new-token]
 *   env: SWITCHBOARD_HOST, SWITCHBOARD_PORT, SWITCHBOARD_DATA_DIR, SWITCHBOARD_TOKEN
 *
 * The access token is kept in the data folder, so open tabs reconnect after a restart;
 * --new-token replaces it (every open tab then needs the new URL).
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCore } from './core/app';
import { createLogger } from './core/log';
import { findAppRoot } from './core/paths';
import { loadOrCreateConsoleToken } from './headless/console-token';
import { startHeadlessServer } from './headless/server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'new-token': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('usage: serve [--host 127.0.0.1] [--port 4780] [--data-dir DIR] [--new-token]');
    return;
  }
  const env = process.env;
  const host = values.host ?? env.SWITCHBOARD_HOST ?? '127.0.0.1';
  const port = Number(values.port ?? env.SWITCHBOARD_PORT ?? 4780);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${values.port ?? env.SWITCHBOARD_PORT}`);
  const dataDir = values['data-dir'] ?? env.SWITCHBOARD_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'switchboard');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = env.SWITCHBOARD_TOKEN || loadOrCreateConsoleToken(dataDir, { rotate: values['new-token'] === true }).token;
  const root = findAppRoot(import.meta.dirname);
  const logger = createLogger();

  const core = await startCore({ dataDir, resourcesDir: join(root, 'resources'), transport: 'websocket', logger });
  const server = await startHeadlessServer({ core, token, rendererDir: join(root, 'out', 'renderer'), host, port, logger });
  const info = await core.dispatch('app.info', {});
  const offline = info.ok && (info.value as { offline: boolean }).offline;
  console.log(`Switchboard console: ${server.consoleUrl}`);
  console.log(offline ? 'Engines: offline (no API keys configured)' : 'Engines: cloud providers configured');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await server.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`switchboard: ${error.message}`);
  process.exit(1);
});
