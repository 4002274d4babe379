import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_TOKEN_FILE, loadOrCreateConsoleToken } from '../../../src/main/headless/console-token';

const freshDir = () => mkdtempSync(join(tmpdir(), 'switchboard-token-'));

describe('the headless console token', () => {
  it('is minted once, saved 0600, and the same after a restart', () => {
    const dir = freshDir();
    const first = loadOrCreateConsoleToken(dir);
    expect(first.minted).toBe('first start');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const path = join(dir, CONSOLE_TOKEN_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateConsoleToken(dir)).toEqual({ token: first.token, minted: null });
    expect(readdirSync(dir)).toEqual([CONSOLE_TOKEN_FILE]); // no temp file left behind
  });

  it('changes only when asked', () => {
    const dir = freshDir();
    const first = loadOrCreateConsoleToken(dir);
    const rotated = loadOrCreateConsoleToken(dir, { rotate: true });
    expect(rotated.minted).toBe('asked for a new one');
    expect(rotated.token).not.toBe(first.token);
    expect(loadOrCreateConsoleToken(dir).token).toBe(rotated.token);
  });

  it('replaces a damaged file instead of accepting a short or empty token', () => {
    for (const junk of ['', 'abc', 'x'.repeat(43) + '!', 'not a token at all\n\n']) {
      const dir = freshDir();
      writeFileSync(join(dir, CONSOLE_TOKEN_FILE), junk);
      const got = loadOrCreateConsoleToken(dir);
      expect(got.minted).toBe('saved token was unreadable');
      expect(readFileSync(join(dir, CONSOLE_TOKEN_FILE), 'utf8').trim()).toBe(got.token);
    }
  });

  it('tightens a token file others could read', () => {
    const dir = freshDir();
    const { token } = loadOrCreateConsoleToken(dir);
    chmodSync(join(dir, CONSOLE_TOKEN_FILE), 0o644);
    expect(loadOrCreateConsoleToken(dir).token).toBe(token);
    expect(statSync(join(dir, CONSOLE_TOKEN_FILE)).mode & 0o777).toBe(0o600);
  });
});
