/**
 * Stand-ins for a failing cloud provider. The caller must never sit in dead air because
 * a vendor is down: the offline engine answers instead and the agent is told.
 */
import type { LlmProvider } from './types';

/**
 * An LLM that tries `primary` and, if it fails before saying anything, lets `fallback`
 * answer the same request. If the primary fails mid-reply the caller has already heard
 * part of it: the reply ends there rather than starting over.
 */
export function withLlmFallback(
  primary: LlmProvider,
  fallback: LlmProvider,
  onFallback: (reason: string, partial: boolean) => void,
): LlmProvider {
  return {
    label: primary.label,
    offline: primary.offline,
    capabilities: primary.capabilities,
    async *generate(request, signal) {
      let yielded = false;
      try {
        for await (const chunk of primary.generate(request, signal)) {
          // Only spoken text counts: a tool call alone has not reached the caller's ear.
          if (chunk.type === 'text') yielded = true;
          yield chunk;
        }
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        onFallback((error as Error).message, yielded);
        if (yielded) return;
      }
      yield* fallback.generate(request, signal);
    },
  };
}
