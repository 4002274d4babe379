/**
 * The console's Content Security Policies, one place for all of them:
 * - the Electron shell sends `electronCsp` as a header with every page it serves from its
 *   `app:` scheme (and `electronDevCsp` on the dev server);
 * - the headless shell sends `HEADLESS_CSP` with every page;
 * - the renderer's index.html carries `META_CSP` in a meta tag (the build writes it there),
 *   so a page opened some other way is still held to a policy. It is what both shells'
 *   headers allow, joined; a header can only narrow it (browsers enforce every policy given).
 * Pure strings: the shells, the build config and the tests read the same ones.
 */
import { FILE_PROTOCOL_SCHEME } from './files';

/** Directive name → its sources. */
export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/** What the renderer needs under any shell. */
const BASE: CspDirectives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  // The headless console's WebSocket is same-origin, which 'self' covers.
  'connect-src': ["'self'"],
  'media-src': ["'self'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Electron: the core is reached over IPC; the agent's softphone signals to Twilio over wss
 * (its media is WebRTC, which CSP does not govern); recordings and exports come from the core
 * over the shell's file scheme.
 */
const ELECTRON: CspDirectives = {
  ...BASE,
  'connect-src': ["'self'", 'wss://*.twilio.com', `${FILE_PROTOCOL_SCHEME}:`],
  'media-src': ["'self'", 'blob:', `${FILE_PROTOCOL_SCHEME}:`],
};

/** Headless: everything, the API socket included, is same-origin. */
const HEADLESS: CspDirectives = BASE;

/** Directives a meta tag cannot carry (browsers ignore them there, with a warning). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** Parses a policy back into directives (tests compare policies with it). */
export function parseCsp(policy: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out[name.toLowerCase()] = sources;
  }
  return out;
}

/** Every source either policy allows, per directive (a source of 'none' drops out beside others). */
function union(a: CspDirectives, b: CspDirectives): CspDirectives {
  const out: Record<string, string[]> = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const sources = [...new Set([...(a[name] ?? []), ...(b[name] ?? [])])];
    out[name] = sources.length > 1 ? sources.filter((s) => s !== "'none'") : sources;
  }
  return out;
}

export const ELECTRON_CSP = serializeCsp(ELECTRON);
export const HEADLESS_CSP = serializeCsp(HEADLESS);
export const META_CSP = serializeCsp(
  Object.fromEntries(Object.entries(union(ELECTRON, HEADLESS)).filter(([name]) => !HEADER_ONLY.has(name))),
);

/** Vite's dev server needs inline scripts (React refresh preamble), inline styles (HMR) and its websocket. */
export function electronDevCsp(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws');
  const extra = (name: string, ...sources: string[]) => [...(ELECTRON[name] ?? []), ...sources];
  return serializeCsp({
    ...ELECTRON,
    'script-src': extra('script-src', "'unsafe-inline'", devOrigin),
    'style-src': extra('style-src', "'unsafe-inline'", devOrigin),
    'img-src': extra('img-src', devOrigin),
    'font-src': extra('font-src', devOrigin),
    'connect-src': extra('connect-src', devOrigin, ws),
  });
}

/** The placeholder in src/renderer/index.html the build replaces with META_CSP. */
export const META_CSP_PLACEHOLDER = '%SWITCHBOARD_CSP%';
