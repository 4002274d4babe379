/**
 * Turns (name, untrusted input) into a validated handler call and a result envelope.
 * Both transports go through here, so validation and error shapes are the same for both.
 *
 * Errors written for the user (ApiError, or any error carrying one of the contract's error
 * codes, such as SecretStoreError) pass through as they are. Anything else is a bug or a
 * failure the user can do nothing about, and its message can hold paths, SQL or a provider's
 * raw reply: the console gets a generic sentence with an error id, the log gets the details
 * under the same id.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { commands, ErrorCode, isCommandName, type CommandArgs, type CommandName, type CommandOutput, type Result } from '@shared/contract';
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
    if (!parsed.success) return { ok: false, error: { code: 'bad_request', message: invalidInputMessage(name, parsed.error) } };
    try {
      const handler = handlers[name] as (args: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      const code = ErrorCode.safeParse((error as { code?: unknown } | null)?.code);
      // A handler's own schema check (a store validating the merged settings) is bad input too.
      if (error instanceof z.ZodError) return { ok: false, error: { code: 'bad_request', message: invalidInputMessage(name, error) } };
      if (error instanceof ApiError || code.success) {
        return { ok: false, error: { code: code.success ? code.data : 'internal', message: (error as Error).message } };
      }
      const errorId = newErrorId();
      logger.error({ err: error, command: name, errorId }, 'command failed');
      return { ok: false, error: { code: 'internal', message: internalErrorMessage(errorId) } };
    }
  };
}

function invalidInputMessage(name: string, error: z.ZodError): string {
  return `${name}: ${z.prettifyError(error).replace(/\n\s*/g, '; ')}`;
}

/** 8 hex digits: enough to find one failure in a day's log, short enough to read out on the phone. */
function newErrorId(): string {
  return randomBytes(4).toString('hex');
}

/** What the console shows for an unexpected failure; the log's 'command failed' entry has the same errorId. */
export function internalErrorMessage(errorId: string): string {
  return `Something went wrong (error id ${errorId}). Details are in the log.`;
}
