/**
 * The renderer's one typed client. The transport under it is either Electron IPC
 * (window.switchboard, from the preload) or the headless console's WebSocket.
 */
import type {
  AnyEvent,
  CommandInput,
  CommandName,
  CommandOutput,
  ErrorCode,
  EventName,
  EventPayload,
  Result,
} from './contract';
import type { ShellBridge } from './shell-bridge';

export interface Transport {
  invoke(name: CommandName, input: unknown): Promise<Result<unknown>>;
  /** Calls `listener` for every event; returns an unsubscribe function. */
  subscribe(listener: (event: AnyEvent) => void): () => void;
  readonly kind: 'electron' | 'websocket';
}

export class SwitchboardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SwitchboardError';
  }
}

export interface SwitchboardClient {
  invoke<N extends CommandName>(
    name: N,
    ...input: undefined extends CommandInput<N> ? [CommandInput<N>?] : [CommandInput<N>]
  ): Promise<CommandOutput<N>>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
  readonly transport: Transport['kind'];
}

export function createClient(transport: Transport): SwitchboardClient {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  transport.subscribe((event) => {
    for (const listener of listeners.get(event.name) ?? []) listener(event.payload as never);
  });
  return {
    transport: transport.kind,
    async invoke(name, ...input) {
      const result = await transport.invoke(name, input[0] ?? {});
      if (!result.ok) throw new SwitchboardError(result.error.code, result.error.message);
      return result.value as never;
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}

/** What the Electron preload exposes as `window.switchboard`: the transport, nothing else. */
/** What the preload exposes as `window.switchboard`: the core's API, and the shell's own bridge. */
export type ElectronApi = Pick<Transport, 'invoke' | 'subscribe'> & { shell: ShellBridge };
