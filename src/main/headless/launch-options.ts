/**
 * The headless console's command line and environment, checked before anything starts: a
 * console token given by hand must be as strong as the one we mint, and the console stays on
 * loopback unless the user says, in so many words, that other machines may reach it.
 *
 *   serve [--host 127.0.0.1] [--port 4780] [--data-dir DIR] [--new-token] [--allow-remote]
 *   env: SWITCHBOARD_HOST, SWITCHBOARD_PORT, SWITCHBOARD_DATA_DIR, SWITCHBOARD_TOKEN,
 *        SWITCHBOARD_ALLOW_REMOTE=1
 */
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = 'usage: serve [--host 127.0.0.1] [--port 4780] [--data-dir DIR] [--new-token] [--allow-remote] [--open]';

/** The token is the console's only password: no weaker than a minted one would be guessable. */
export const MIN_CONSOLE_TOKEN_LENGTH = 32;
/**
 * URL-safe characters only: the token travels in `?token=` and in a cookie, where `;`, `,`,
 * spaces or quotes would cut it short and lock the user out.
 */
const TOKEN_CHARACTERS = /^[A-Za-z0-9._~-]+$/;

/** A launch the user must correct; the message says how. */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}

export interface LaunchOptions {
  help: boolean;
  host: string;
  port: number;
  dataDir: string;
  /** SWITCHBOARD_TOKEN when set (checked); null: use the token saved in the data folder. */
  token: string | null;
  newToken: boolean;
  /** Open the console in the default browser once it is up (npm start asks for it when there is a desktop). */
  open: boolean;
  /** Lines to print before starting (the remote-access warning). */
  warnings: string[];
}

/** 127.0.0.0/8, ::1 and the name localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) {
    // The URL parser writes every spelling of an address one way (0:0:…:1 is [::1]).
    const canonical = new URL(`http://[${bare}]`).hostname;
    return canonical === '[::1]' || canonical.startsWith('[::ffff:7f'); // ::1, or 127.x mapped to IPv6
  }
  return false;
}

/** Throws LaunchError when SWITCHBOARD_TOKEN would make a weak or unusable password. */
export function checkGivenToken(token: string): void {
  if (token.length < MIN_CONSOLE_TOKEN_LENGTH) {
    throw new LaunchError(
      `SWITCHBOARD_TOKEN is ${token.length} characters long; the console token must be at least ${MIN_CONSOLE_TOKEN_LENGTH} ` +
        '(it is the only password between the network and your calls). Unset SWITCHBOARD_TOKEN to use the random token ' +
        'saved in the data folder, or set a longer one, e.g. SWITCHBOARD_TOKEN=$(openssl rand -hex 32).',
    );
  }
  if (!TOKEN_CHARACTERS.test(token)) {
    throw new LaunchError('SWITCHBOARD_TOKEN may hold only letters, digits and . _ ~ - (it travels in a URL and a cookie).');
  }
}

export function parseLaunchOptions(argv: string[], env: NodeJS.ProcessEnv): LaunchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'new-token': { type: 'boolean' },
        'allow-remote': { type: 'boolean' },
        open: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new LaunchError(`${(error as Error).message}\n${USAGE}`);
  }

  const portText = values.port ?? env.SWITCHBOARD_PORT ?? '4780';
  const port = /^\d{1,5}$/.test(portText.trim()) ? Number(portText.trim()) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new LaunchError(`invalid port ${JSON.stringify(portText)}: expected a number from 0 to 65535`);

  // Brackets are how an IPv6 address is written in a URL; listen() wants it bare.
  const host = (values.host ?? env.SWITCHBOARD_HOST ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  const allowRemote = values['allow-remote'] === true || env.SWITCHBOARD_ALLOW_REMOTE === '1';
  const warnings: string[] = [];
  if (!isLoopbackHost(host)) {
    if (!allowRemote) {
      throw new LaunchError(
        `${values.host === undefined ? 'SWITCHBOARD_HOST=' : '--host '}${host} is not a loopback address: other machines could reach the console, over plain http. ` +
          'Keep the default (127.0.0.1) and use an SSH tunnel, or add --allow-remote (SWITCHBOARD_ALLOW_REMOTE=1) if that is what you want.',
      );
    }
    warnings.push(
      `warning: the console listens on ${host}, reachable from other machines (--allow-remote). Anyone who can reach ` +
        `port ${port} and has the token can watch and take over calls, and plain http is not encrypted: prefer a VPN or an SSH tunnel.`,
    );
  }

  // An empty SWITCHBOARD_TOKEN counts as unset (a blank line in an env file).
  const token = env.SWITCHBOARD_TOKEN ? env.SWITCHBOARD_TOKEN : null;
  if (token !== null) checkGivenToken(token);

  const dataDir = values['data-dir'] ?? env.SWITCHBOARD_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'switchboard');
  return { help: values.help === true, host, port, dataDir, token, newToken: values['new-token'] === true, open: values.open === true, warnings };
}
