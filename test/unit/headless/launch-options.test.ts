import { describe, expect, it } from 'vitest';
import { isLoopbackHost, LaunchError, MIN_CONSOLE_TOKEN_LENGTH, parseLaunchOptions } from '../../../src/main/headless/launch-options';

const STRONG = 'a'.repeat(MIN_CONSOLE_TOKEN_LENGTH);

function refusal(argv: string[], env: NodeJS.ProcessEnv): string {
  try {
    parseLaunchOptions(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(LaunchError);
    return (error as Error).message;
  }
  throw new Error('expected the launch to be refused');
}

describe('headless console launch options', () => {
  it('defaults to loopback, port 4780, the saved token and no warnings', () => {
    const options = parseLaunchOptions([], { XDG_DATA_HOME: '/data' });
    expect(options).toEqual({ help: false, host: '127.0.0.1', port: 4780, dataDir: '/data/switchboard', token: null, newToken: false, open: false, warnings: [] });
  });

  it('opens the browser only when asked (npm start asks when there is a desktop)', () => {
    expect(parseLaunchOptions(['--open'], {}).open).toBe(true);
    expect(parseLaunchOptions([], {}).open).toBe(false);
    expect(() => parseLaunchOptions(['--open=yes'], {})).toThrow(LaunchError);
  });

  it('refuses a SWITCHBOARD_TOKEN shorter than 32 characters, saying how long it is and what to do', () => {
    for (const short of ['e2e-token', 'x'.repeat(MIN_CONSOLE_TOKEN_LENGTH - 1)]) {
      const message = refusal([], { SWITCHBOARD_TOKEN: short });
      expect(message).toContain(`SWITCHBOARD_TOKEN is ${short.length} characters long`);
      expect(message).toMatch(/at least 32/);
      expect(message).toMatch(/openssl rand -hex 32/);
    }
    expect(parseLaunchOptions([], { SWITCHBOARD_TOKEN: STRONG }).token).toBe(STRONG);
    // Empty means unset: the saved random token is used.
    expect(parseLaunchOptions([], { SWITCHBOARD_TOKEN: '' }).token).toBeNull();
  });

  it('refuses token characters that would break the URL or the cookie', () => {
    for (const bad of [`${STRONG};x`, `${STRONG} x`, `${STRONG},x`, `${STRONG}"`]) {
      expect(refusal([], { SWITCHBOARD_TOKEN: bad })).toMatch(/only letters, digits/);
    }
    expect(parseLaunchOptions([], { SWITCHBOARD_TOKEN: `${STRONG}-_.~09AZ` }).token).toBe(`${STRONG}-_.~09AZ`);
  });

  it('refuses a non-loopback --host unless remote access is allowed, and then warns', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'my-laptop.local']) {
      expect(refusal(['--host', host], {})).toMatch(new RegExp(`--host ${host.replace(/\./g, '\\.')} is not a loopback address.*--allow-remote`));
    }
    expect(refusal([], { SWITCHBOARD_HOST: '10.0.0.5' })).toMatch(/^SWITCHBOARD_HOST=10\.0\.0\.5 is not a loopback address/);

    const allowed = parseLaunchOptions(['--host', '0.0.0.0', '--allow-remote', '--port', '8080'], {});
    expect(allowed.host).toBe('0.0.0.0');
    expect(allowed.warnings).toHaveLength(1);
    expect(allowed.warnings[0]).toMatch(/^warning: the console listens on 0\.0\.0\.0, reachable from other machines.*port 8080/);
    expect(parseLaunchOptions([], { SWITCHBOARD_HOST: '10.0.0.5', SWITCHBOARD_ALLOW_REMOTE: '1' }).warnings).toHaveLength(1);
  });

  it('takes every loopback spelling without a warning', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(parseLaunchOptions(['--host', host], {}).warnings).toEqual([]);
    }
    expect(parseLaunchOptions(['--host', '[::1]'], {}).host).toBe('::1');
    for (const host of ['0.0.0.0', '::', '128.0.0.1', '::2', 'localhost.example', '::ffff:10.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses a malformed port or an unknown option with the reason', () => {
    for (const port of ['http', '-1', '65536', '80.5', '']) expect(refusal([`--port=${port}`], {})).toMatch(/invalid port/);
    expect(refusal([], { SWITCHBOARD_PORT: '99999' })).toMatch(/invalid port "99999"/);
    expect(refusal(['--prot', '80'], {})).toMatch(/Unknown option '--prot'[\s\S]*usage: serve/);
    expect(parseLaunchOptions(['--port', '0'], {}).port).toBe(0);
  });
});
