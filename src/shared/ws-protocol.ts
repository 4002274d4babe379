/** Frames of the headless console's WebSocket, both directions. */
import { z } from 'zod';

export const ClientFrame = z.object({
  type: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  name: z.string(),
  /** Absent for commands that take no input (JSON drops undefined). */
  input: z.unknown().optional(),
});
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | { type: 'result'; id: number; result: import('./contract').Result<unknown> }
  | { type: 'event'; name: string; payload: unknown };

/** Query parameter and header that carry the per-launch token. */
export const TOKEN_PARAM = 'token';
export const WS_PATH = '/api';
