/**
 * The console's own API from the test process: the headless server's WebSocket (the same
 * contract and frames the renderer uses), for seeding, waiting and comparing what the UI
 * shows with what the core answers.
 */
import WebSocket from 'ws';
import type { CommandName, CommandOutput } from '@shared/contract';
import type { ServerFrame } from '@shared/ws-protocol';

export interface Api {
  invoke<N extends CommandName>(name: N, input?: unknown): Promise<CommandOutput<N>>;
  /** Events seen since connecting, by name. */
  events(name: string): unknown[];
  close(): void;
}

export async function connectApi(baseURL: string, token: string): Promise<Api> {
  const url = `${baseURL.replace(/^http/, 'ws')}/api?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (frame: Extract<ServerFrame, { type: 'result' }>) => void>();
  const seen = new Map<string, unknown[]>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    if (frame.type === 'result') {
      pending.get(frame.id)?.(frame);
      pending.delete(frame.id);
    } else {
      const list = seen.get(frame.name) ?? [];
      list.push(frame.payload);
      seen.set(frame.name, list);
    }
  });
  return {
    invoke(name, input = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, (frame) => {
          if (frame.result.ok) resolve(frame.result.value as never);
          else reject(new Error(`${name}: ${frame.result.error.code}: ${frame.result.error.message}`));
        });
        ws.send(JSON.stringify({ type: 'invoke', id, name, input }));
      });
    },
    events: (name) => seen.get(name) ?? [],
    close: () => ws.close(),
  };
}
