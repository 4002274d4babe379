/**
 * The console's file channel (/files/<route>): recordings and finished exports are served by
 * the core behind the console token, with single-range requests (the audio element seeks with
 * them) and attachment names for downloads; never a path outside what the core hands out.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core, CoreFile } from '../../src/main/core/core-types';
import { silentLogger } from '../../src/main/core/log';
import { startHeadlessServer, type HeadlessServer } from '../../src/main/headless/server';

const TOKEN = 'test-token-files-0123456789abcdef';

describe('headless console: /files', () => {
  let dir: string;
  let server: HeadlessServer;
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const routes = new Map<string, CoreFile>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-files-'));
    writeFileSync(join(dir, 'rec.wav'), bytes);
    writeFileSync(join(dir, 'empty.csv'), '');
    routes.set('recordings/c1/r1', { path: join(dir, 'rec.wav'), contentType: 'audio/wav' });
    routes.set('exports/e1', { path: join(dir, 'rec.wav'), contentType: 'text/csv', downloadName: 'calls 30 Nov “team”.csv' });
    routes.set('exports/empty', { path: join(dir, 'empty.csv'), contentType: 'text/csv', downloadName: 'empty.csv' });
    routes.set('exports/gone', { path: join(dir, 'missing.csv'), contentType: 'text/csv' });
    const core: Core = {
      dispatch: async () => ({ ok: false, error: { code: 'internal', message: 'unused' } }),
      subscribe: () => () => {},
      bridgeUrl: 'ws://127.0.0.1:1',
      simulatedCall: () => {
        throw new Error('this stand-in core runs no calls');
      },
      close: async () => {},
      file: async (route) => routes.get(route) ?? null,
    };
    const rendererDir = mkdtempSync(join(tmpdir(), 'switchboard-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
    server = await startHeadlessServer({ core, token: TOKEN, rendererDir, logger: silentLogger, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${server.url}${path}`, { method, headers: { cookie: `switchboard_token=${TOKEN}`, ...headers } });

  it('needs the console token', async () => {
    const res = await fetch(`${server.url}/files/recordings/c1/r1`);
    expect(res.status).toBe(401);
    expect(await get('/files/recordings/c1/r1').then((r) => r.status)).toBe(200);
  });

  it('serves the whole file, then any single range with 206 and the exact bytes', async () => {
    const whole = await get('/files/recordings/c1/r1');
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);

    const mid = await get('/files/recordings/c1/r1', { range: 'bytes=100-199' });
    expect(mid.status).toBe(206);
    expect(mid.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await mid.arrayBuffer())).toEqual(bytes.subarray(100, 200));

    const tail = await get('/files/recordings/c1/r1', { range: 'bytes=-10' });
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(990));

    const open = await get('/files/recordings/c1/r1', { range: 'bytes=995-' });
    expect(Buffer.from(await open.arrayBuffer())).toEqual(bytes.subarray(995));
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const res = await get('/files/recordings/c1/r1', { range: 'bytes=5000-6000' });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */1000');
  });

  it('serves exports as attachments with a safe name, and HEAD without a body', async () => {
    const res = await get('/files/exports/e1');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="calls 30 Nov _team_.csv"; filename*=UTF-8''calls%2030%20Nov%20%E2%80%9Cteam%E2%80%9D.csv`,
    );
    const head = await get('/files/exports/e1', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const empty = await get('/files/exports/empty');
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses a malformed address with 400', async () => {
    expect((await get('/files/exports/%E0%A4%A')).status).toBe(400);
  });

  it('says 404 in plain words for unknown routes and files that are gone', async () => {
    for (const path of ['/files/exports/nope', '/files/exports/gone', '/files/..%2F..%2Fetc%2Fpasswd', '/files/']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toMatch(/not here/);
    }
  });
});
