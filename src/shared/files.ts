/**
 * How the renderer reaches files the core serves (Core.file routes such as
 * `recordings/<callId>/<recordingId>` or `exports/<id>`): over the console's authenticated
 * channel, never file://. Headless: `/files/<route>` on the console's own origin (the token
 * cookie authenticates it). Electron: the shell's privileged scheme,
 * `switchboard-file://files/<route>`, served from the core in the main process.
 */
export const FILES_HTTP_PREFIX = '/files/';
export const FILE_PROTOCOL_SCHEME = 'switchboard-file';
export const FILE_PROTOCOL_HOST = 'files';

/** A route as a URL path: each segment percent-encoded, slashes kept. */
export function encodeFileRoute(route: string): string {
  return route
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** RFC 6266 attachment header with an ASCII fallback and the exact UTF-8 name (both shells send it). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
