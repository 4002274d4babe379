/**
 * The headless shell: runs the core under plain Node and serves the console to any
 * browser on this machine. `npm start` uses it when Electron can't run here.
 *
 *   node out/main/serve.js [--host 127.0.0.1] [--port 4780] [--data-dir DIR] [--new-token] [--allow-remote] [--open]
 *   env: SWITCHBOARD_HOST, SWITCHBOARD_PORT, SWITCHBOARD_DATA_DIR, SWITCHBOARD_TOKEN, SWITCHBOARD_ALLOW_REMOTE
 *
 * The access token is kept in the data folder, so open tabs reconnect after a restart;
 * --new-token replaces it (every open tab then needs the new URL). SWITCHBOARD_TOKEN (tests,
 * scripted setups) must be at least 32 characters, and a non-loopback --host needs
 * --allow-remote (see headless/launch-options.ts); either mistake stops the launch with a
 * message and exit code 2.
 *
 * What it prints is for a person at a terminal: the engines and telephony first, the console's
 * URL last and on its own (--open also opens it in the default browser); log lines on stderr
 * are pretty-printed on a terminal and stay JSON lines when piped or redirected.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import open from 'open';
import pinoPretty from 'pino-pretty';
import type { TelephonyState } from '@shared/telephony';
import { tunnelCommands } from '@shared/tunnel-commands';
import type { Core } from './core/core-types';
import { createLogger, type Logger } from './core/log';
import { findAppRoot } from './core/paths';
import { rememberSecretValue } from './core/privacy/secret-values';
import { loadOrCreateConsoleToken } from './headless/console-token';
import { LaunchError, parseLaunchOptions, USAGE } from './headless/launch-options';
import { startHeadlessServer } from './headless/server';

async function main(): Promise<void> {
  const options = parseLaunchOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  for (const warning of options.warnings) console.warn(warning);
  const { host, port, dataDir } = options;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = options.token ?? loadOrCreateConsoleToken(dataDir, { rotate: options.newToken }).token;
  const root = findAppRoot(import.meta.dirname);
  // The console token opens the whole console: never in a log line, wherever it turns up.
  rememberSecretValue(token);
  // On a terminal, lines a person can read; piped or redirected, JSON lines for tools.
  const logger = createLogger(
    process.stderr.isTTY ? { destination: pinoPretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }) } : {},
  );

  // Loaded once the options are checked: a refused launch answers at once, before the whole core loads.
  const { startCore } = await import('./core/app');
  const core = await startCore({ dataDir, resourcesDir: join(root, 'resources'), transport: 'websocket', logger });
  const server = await startHeadlessServer({ core, token, rendererDir: join(root, 'out', 'renderer'), host, port, logger });
  const info = await core.dispatch('app.info', {});
  const offline = info.ok && (info.value as { offline: boolean }).offline;
  console.log(offline ? 'Engines: offline (no API keys configured)' : 'Engines: cloud providers configured');
  await printTelephony(core);
  // Last, and on its own: the one line a new user needs.
  console.log(`\nSwitchboard console: ${server.consoleUrl}\n`);
  if (options.open) openInBrowser(server.consoleUrl, logger);

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

/** Opens the console in the default browser; where none can be opened, the printed URL is the way in. */
function openInBrowser(url: string, logger: Logger): void {
  const failed = (error: unknown) => logger.warn({ err: error }, 'could not open a browser; open the console URL above');
  open(url).then((child) => child.once('error', failed), failed);
}

/** Where Twilio's tunnel must point, or, plainly, why real calls can't arrive (the rest of the console works). */
async function printTelephony(core: Core): Promise<void> {
  const result = await core.dispatch('telephony.get', {});
  if (!result.ok) return;
  const state = result.value as TelephonyState;
  if (state.listenProblem) {
    console.error(`Telephony: ${state.listenProblem}`);
    return;
  }
  const port = state.localUrl ? Number(new URL(state.localUrl).port) : null;
  if (port === null) return;
  const [ngrok, cloudflared] = tunnelCommands(port);
  console.log(`Telephony: Twilio's webhooks and audio on ${state.localUrl}; tunnel it with \`${ngrok!.command}\` or \`${cloudflared!.command}\``);
}

// Awaited at the top level: the module has finished loading only once the console is up
// (test/support/run-ts.mjs, which runs this file from source, stops loading modules then).
try {
  await main();
} catch (error) {
  console.error(`switchboard: ${(error as Error).message}`);
  // 2: the command line or environment needs fixing (nothing was started); 1: a failure.
  process.exit(error instanceof LaunchError ? 2 : 1);
}
