/**
 * Picks the renderer's transport: Electron IPC when the preload exposed `window.switchboard`,
 * otherwise the headless console's WebSocket (token from the URL, kept in sessionStorage).
 */
import type { AnyEvent, CommandName, EventName, Result } from '@shared/contract';
import { events as eventSchemas } from '@shared/contract';
import type { ElectronApi, Transport } from '@shared/client';
import type { ShellBridge } from '@shared/shell-bridge';
import type { ClientFrame, ServerFrame } from '@shared/ws-protocol';
import { TOKEN_PARAM, WS_PATH } from '@shared/ws-protocol';
import { encodeFileRoute, FILE_PROTOCOL_HOST, FILE_PROTOCOL_SCHEME, FILES_HTTP_PREFIX } from '@shared/files';

/**
 * - `connecting`: first connection (or a reconnect) in progress
 * - `connected`: commands and events flow
 * - `lost`: the socket dropped; reconnecting with backoff
 * - `no-token`: the page was opened without its access token
 * - `unauthorized`: the server is up but refused the token
 */
export type ConnectionState = 'connecting' | 'connected' | 'lost' | 'no-token' | 'unauthorized';

export interface ConnectionSource {
  getState(): ConnectionState;
  /** Calls `listener` on every change; returns an unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
}

export type AppTransport = Transport & ConnectionSource;

const TOKEN_STORAGE_KEY = 'switchboard.token';

function electronApi(): ElectronApi | undefined {
  const api = (globalThis as { switchboard?: ElectronApi }).switchboard;
  return api && typeof api.invoke === 'function' && typeof api.subscribe === 'function' ? api : undefined;
}

/** The Electron shell's own bridge (notifications, menu and tray commands); absent in a browser. */
export function shellBridge(): ShellBridge | undefined {
  const shell = electronApi()?.shell;
  return shell && typeof shell.notify === 'function' && typeof shell.onCommand === 'function' ? shell : undefined;
}

/**
 * The URL of a file the core serves (a recording, a finished export) for <audio src>, a
 * download link or fetch: `/files/<route>` on the headless console (its token cookie
 * authenticates the request), the shell's `switchboard-file:` scheme under Electron. Build
 * file URLs only with this, so both shells work.
 */
export function fileUrl(route: string): string {
  const path = encodeFileRoute(route.replace(/^\/+/, ''));
  return electronApi() ? `${FILE_PROTOCOL_SCHEME}://${FILE_PROTOCOL_HOST}/${path}` : `${FILES_HTTP_PREFIX}${path}`;
}

export function createTransport(): AppTransport {
  const api = electronApi();
  return api ? createElectronTransport(api) : createWebSocketTransport();
}

export function createElectronTransport(api: ElectronApi): AppTransport {
  return {
    kind: 'electron',
    invoke: (name, input) => api.invoke(name, input),
    subscribe: (listener) => api.subscribe(listener),
    getState: () => 'connected',
    onState: () => () => {},
  };
}

/** Reads the token from `?token=`, removes it from the visible URL, and keeps it for reloads. */
export function takeToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    url.searchParams.delete(TOKEN_PARAM);
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000] as const;

function unavailable(message: string): Result<never> {
  return { ok: false, error: { code: 'unavailable', message } };
}

/** Events are validated against the contract so defaults apply and drift shows up in the console. */
function parseEvent(name: string, payload: unknown): AnyEvent | null {
  if (!Object.hasOwn(eventSchemas, name)) return null;
  const schema = eventSchemas[name as EventName];
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    console.warn(`switchboard: dropped malformed "${name}" event`, parsed.error.issues);
    return null;
  }
  return { name, payload: parsed.data } as AnyEvent;
}

export function createWebSocketTransport(opts: { token?: string | null; url?: string } = {}): AppTransport {
  const token = opts.token !== undefined ? opts.token : takeToken();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const baseUrl = opts.url ?? `${scheme}://${location.host}${WS_PATH}`;

  let state: ConnectionState = 'connecting';
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const eventListeners = new Set<(e: AnyEvent) => void>();
  const pending = new Map<number, (r: Result<unknown>) => void>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let everConnected = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolvers waiting for the socket to open (commands sent while connecting). */
  let openWaiters: Array<() => void> = [];

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(next);
  }

  function failPending(message: string): void {
    for (const resolve of pending.values()) resolve(unavailable(message));
    pending.clear();
  }

  /** A socket that closes before opening is either a dead server or a refused token. */
  async function serverIsUp(): Promise<boolean> {
    try {
      const res = await fetch('/healthz', { cache: 'no-store' });
      return res.ok;
    } catch {
      return false;
    }
  }

  function connect(): void {
    // Without a token in the URL or this tab's storage the server may still accept the
    // cookie it set when the console was first opened (e.g. a second tab).
    const url = token ? `${baseUrl}?${TOKEN_PARAM}=${encodeURIComponent(token)}` : baseUrl;
    let opened = false;
    const ws = new WebSocket(url);
    socket = ws;

    ws.onopen = () => {
      opened = true;
      everConnected = true;
      attempt = 0;
      setState('connected');
      const waiters = openWaiters;
      openWaiters = [];
      for (const w of waiters) w();
    };

    ws.onmessage = (msg) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(msg.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.type === 'result') {
        const resolve = pending.get(frame.id);
        if (resolve) {
          pending.delete(frame.id);
          resolve(frame.result);
        }
      } else if (frame.type === 'event') {
        const event = parseEvent(frame.name, frame.payload);
        if (event) for (const l of eventListeners) l(event);
      }
    };

    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      failPending('Connection to Switchboard lost');
      void (async () => {
        if (!opened && (await serverIsUp())) {
          // The server answers HTTP but refused the socket: the token is missing, wrong or stale.
          setState(token ? 'unauthorized' : 'no-token');
          const waiters = openWaiters;
          openWaiters = [];
          for (const w of waiters) w();
          return;
        }
        setState(everConnected ? 'lost' : 'connecting');
        const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 8000;
        attempt += 1;
        retryTimer = setTimeout(connect, delay + Math.random() * delay * 0.2);
      })();
    };
  }

  function waitForOpen(timeoutMs: number): Promise<boolean> {
    if (state === 'connected') return Promise.resolve(true);
    if (state === 'no-token' || state === 'unauthorized') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        openWaiters = openWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(state === 'connected');
      };
      openWaiters.push(done);
    });
  }

  connect();

  // Reconnect at once when the machine comes back online instead of waiting out the backoff.
  addEventListener('online', () => {
    if (socket || state === 'unauthorized' || state === 'no-token') return;
    clearTimeout(retryTimer);
    attempt = 0;
    connect();
  });

  return {
    kind: 'websocket',
    getState: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    async invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
      if (!(await waitForOpen(10_000)) || !socket || socket.readyState !== WebSocket.OPEN) {
        return unavailable(
          state === 'no-token' || state === 'unauthorized'
            ? 'Not signed in to Switchboard: open the link with its access token'
            : 'Not connected to Switchboard',
        );
      }
      const id = nextId++;
      const frame: ClientFrame = { type: 'invoke', id, name, input };
      const ws = socket;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify(frame));
      });
    },
  };
}
