/**
 * Opens the built renderer (out/renderer, or $SWITCHBOARD_RENDERER_DIR) with the fake backend
 * installed as window.switchboard. Files are served by request interception, so no server runs.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { installFakeBackend, type FakeBackendOptions } from './fake-backend';

export const FAKE_ORIGIN = 'http://switchboard.test';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

export function rendererDir(): string {
  return resolve(process.env['SWITCHBOARD_RENDERER_DIR'] ?? 'out/renderer');
}

/**
 * `origin`: where the page pretends to be. A loopback origin (http://127.0.0.1:PORT, nothing
 * needs to listen there) is a secure context, which the Clipboard API requires.
 */
export async function openWithFakeBackend(page: Page, options: FakeBackendOptions = {}, origin = FAKE_ORIGIN): Promise<void> {
  await serveRenderer(page, origin);
  await page.addInitScript(installFakeBackend, options);
  await page.goto(`${origin}/`);
}

/** Serves the built renderer at `origin` (and an always-healthy /healthz), nothing else. */
export async function serveRenderer(page: Page, origin = FAKE_ORIGIN): Promise<void> {
  const root = rendererDir();
  await page.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/healthz') return route.fulfill({ status: 200, body: 'ok', contentType: 'text/plain' });
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, '') || 'index.html';
    const file = join(root, rel);
    if (!file.startsWith(root)) return route.fulfill({ status: 403 });
    try {
      const body = await readFile(file);
      return route.fulfill({ status: 200, body, contentType: types[extname(file)] ?? 'application/octet-stream' });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
}
