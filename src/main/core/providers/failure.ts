/**
 * Why a cloud engine stopped working, said once for everything that reports it: the
 * connection test in Settings, the engine badge, a call's fallback event and its alert.
 * Sentences are in the core's style ("Could not reach Deepgram at api.deepgram.com
 * (ENOTFOUND).") which the console turns into plain words (lib/format.ts errorInWords);
 * never a raw stack line such as "getaddrinfo ENOTFOUND api.deepgram.com".
 */
import type { ProviderProblem } from '@shared/domain';

/** A cloud engine that failed for good on this stream or request. */
export class ProviderFailure extends Error {
  override readonly name = 'ProviderFailure';
  constructor(
    /** The detailed message, for the log (keys already removed). */
    message: string,
    readonly problem: ProviderProblem,
    /** One sentence for the agent: what failed and what to check. */
    readonly sentence: string,
    /** For streams: the audio position (ms) at which the trouble began (the first failed socket). */
    readonly sinceAudioMs: number | null = null,
  ) {
    super(message);
  }
}

/** Why a connection test failed, in one sentence, and what kind of failure it was (keys removed by the caller). */
export interface ProbeFailure {
  message: string;
  problem: ProviderProblem;
}

const NETWORK_CODES =
  /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|EPIPE|CERT_[A-Z_]+|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UND_ERR_[A-Z_]+)\b/;

/** A Node or undici network error code found on the error, its causes, or in their messages. */
export function networkCodeOf(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return code;
    const m = NETWORK_CODES.exec(e.message);
    if (m?.[1]) return m[1];
  }
  if (typeof error === 'string') return NETWORK_CODES.exec(error)?.[1] ?? null;
  return null;
}

/** "https://api.deepgram.com" -> "api.deepgram.com" (the address an agent can check). */
export function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

/** The reason a call shows for a failed engine: the plain sentence when there is one. */
export function failureSentence(error: unknown): string {
  if (error instanceof ProviderFailure) return error.sentence;
  return error instanceof Error ? error.message : String(error);
}
