/**
 * The shell's two schemes, both privileged and handled with `protocol.handle`:
 *
 * - `app://switchboard/…`: the renderer itself (index.html and its assets from out/renderer),
 *   every response carrying the console's CSP as a real header (src/shared/csp.ts). A real
 *   origin instead of file://, which has none, so the page's origin checks, CSP 'self' and the
 *   permission policy all mean exactly our page, and file:// needs no extra privileges.
 * - `switchboard-file://files/<route>`: files the core serves (recordings, finished exports)
 *   with single-range support so <audio> can seek; the same rules as the headless server's
 *   /files/ routes.
 *
 * Both are registered as privileged before the app is ready (registerSchemes) and handled once
 * it is.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import parseRange from 'range-parser';
import { contentDisposition, FILE_PROTOCOL_HOST, FILE_PROTOCOL_SCHEME } from '@shared/files';
import type { Core } from '../core/core-types';
import { net, protocol, type Session } from './electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
/** The page the window loads. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

const CORE_FILE_ORIGIN = `${FILE_PROTOCOL_SCHEME}://${FILE_PROTOCOL_HOST}`;

/** Must run before the app is ready (Electron's rule for privileged schemes). */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: a real host and path, so relative URLs and 'self' work; secure: like https
    // (the softphone's getUserMedia needs a secure context); codeCache: V8 caches our scripts.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    { scheme: FILE_PROTOCOL_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/** Types net.fetch may not know, and a fallback; everything the build emits is here. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

/**
 * The file under `rendererDir` that an app: URL names, or null (another host, a path that
 * climbs out of the folder). `/` is index.html: the router lives in the hash.
 */
export function rendererFileFor(rawUrl: string, rendererDir: string): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = resolve(rendererDir, `.${path === '/' ? '/index.html' : path}`);
  const inside = relative(rendererDir, file);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? file : null;
}

/** Serves the renderer on app://switchboard/ with `csp` as a header on every response. */
export function installAppProtocol(ses: Session, rendererDir: string, csp: string): void {
  ses.protocol.handle(APP_SCHEME, (request) => serveRendererFile(request, rendererDir, csp));
}

export async function serveRendererFile(request: Request, rendererDir: string, csp: string): Promise<Response> {
  const headers = new Headers({
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed.', { status: 405, headers });
  const file = rendererFileFor(request.url, rendererDir);
  if (!file) return new Response('Not found.', { status: 404, headers });
  const found = await net.fetch(pathToFileURL(file).href).catch(() => null);
  if (!found?.ok) return new Response('Not found.', { status: 404, headers });
  headers.set('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? found.headers.get('content-type') ?? 'application/octet-stream');
  return new Response(request.method === 'HEAD' ? null : found.body, { status: 200, headers });
}

export function isCoreFileUrl(raw: string): boolean {
  return raw.startsWith(`${CORE_FILE_ORIGIN}/`);
}

export function installFileProtocol(ses: Session, corePromise: Promise<Core>): void {
  ses.protocol.handle(FILE_PROTOCOL_SCHEME, async (request) => {
    try {
      return await serveCoreFile(await corePromise, request);
    } catch (error) {
      console.error('[shell] serving a core file failed', error);
      return new Response('Could not read that file.', { status: 500 });
    }
  });
  // Downloads (an export's link, "save recording") ask where to save: Electron shows its save
  // dialog for any download that gets no savePath. Downloads from anywhere else are refused.
  ses.on('will-download', (event, item) => {
    const url = item.getURL();
    if (!isCoreFileUrl(url) && !url.startsWith('blob:')) {
      event.preventDefault();
      return;
    }
    item.setSaveDialogOptions({ defaultPath: item.getFilename() });
  });
}

/** One core file, with single-range support (206) so <audio> can seek; the same rules as the headless server. */
export async function serveCoreFile(core: Core, request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== FILE_PROTOCOL_HOST) return new Response('Not found.', { status: 404 });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed.', { status: 405 });
  let route: string;
  try {
    route = decodeURIComponent(url.pathname.slice(1));
  } catch {
    return new Response('Bad file route.', { status: 400 });
  }
  const file = await core.file(route);
  const size = file ? await stat(file.path).then((s) => (s.isFile() ? s.size : null), () => null) : null;
  if (!file || size === null) return new Response('That file is not here (it may have been removed).', { status: 404 });
  const headers = new Headers({
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (file.downloadName) headers.set('Content-Disposition', contentDisposition(file.downloadName));
  const header = request.headers.get('range');
  // -2: a malformed Range is ignored (the whole file), as HTTP says; -1: unsatisfiable.
  const ranges = header ? parseRange(size, header, { combine: true }) : -2;
  if (ranges === -1 || (Array.isArray(ranges) && ranges.length !== 1)) {
    headers.set('Content-Range', `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  const range = Array.isArray(ranges) ? ranges[0]! : { start: 0, end: size - 1 };
  const status = Array.isArray(ranges) ? 206 : 200;
  if (status === 206) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  headers.set('Content-Length', String(size === 0 ? 0 : range.end - range.start + 1));
  if (request.method === 'HEAD' || size === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(file.path, { start: range.start, end: range.end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}
