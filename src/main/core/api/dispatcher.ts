/**
 * Turns (name, untrusted input) into a validated handler call and a result envelope.
 * Both transports go through here, so validation and error shapes are the same for both.
 */
import { z } from 'zod';
import { commands, isCommandName, type CommandArgs, type CommandName, type CommandOutput, type ErrorCode, type Result } from '@shared/contract';
import type { Logger } from '../log';

export type Handlers = {
  [N in CommandName]: (args: CommandArgs<N>) => Promise<CommandOutput<N>> | CommandOutput<N>;
};

/** An error whose message is meant for the user, with the envelope code to send. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function createDispatcher(handlers: Handlers, logger: Logger) {
  return async function dispatch(name: unknown, input: unknown): Promise<Result<unknown>> {
    if (!isCommandName(name)) {
      return { ok: false, error: { code: 'bad_request', message: `unknown command ${JSON.stringify(String(name)).slice(0, 60)}` } };
    }
    const parsed = commands[name].input.safeParse(input ?? undefined);
    if (!parsed.success) {
      return { ok: false, error: { code: 'bad_request', message: `${name}: ${z.prettifyError(parsed.error).replace(/\n\s*/g, '; ')}` } };
    }
    try {
      const handler = handlers[name] as (args: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (error instanceof ApiError || ['conflict', 'not_found', 'unavailable', 'bad_request'].includes(code as string)) {
        return { ok: false, error: { code: code as ErrorCode, message: (error as Error).message } };
      }
      logger.error({ err: error, command: name }, 'command failed');
      return { ok: false, error: { code: 'internal', message: `${name} failed: ${(error as Error).message}` } };
    }
  };
}
