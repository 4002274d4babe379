/**
 * The offline recogniser where it cannot run (issue 13): macOS, Windows and AppImage builds
 * ship without Debian's PocketSphinx library and model. The core still starts; this stands in
 * for the recogniser, says why in `unavailable`, and each stream it opens fails at once with
 * that sentence, so a call on it records the reason (an `error` event, stage stt) and goes on
 * without transcription, and a cloud recogniser that fails has no stand-in to switch to.
 */
import type { SttEvent, SttProvider, SttStream } from '../types';
import { EventQueue } from '../event-queue';
import { ProviderFailure } from '../failure';

export interface UnavailableSttProvider extends SttProvider {
  /** Why the offline recogniser cannot run here, in one sentence for the agent. */
  readonly unavailable: string;
}

export function unavailableStt(label: string, reason: string): UnavailableSttProvider {
  return {
    label,
    offline: true,
    capabilities: { interimResults: false },
    unavailable: reason,
    open(): SttStream {
      const events = new EventQueue<SttEvent>();
      events.end(false, new ProviderFailure(reason, 'failed', reason, 0));
      return { events, write: () => undefined, close: () => Promise.resolve() };
    },
  };
}

/** The sentence an offline recogniser gives for not running here, or null when it can run. */
export function sttUnavailableReason(stt: SttProvider): string | null {
  return 'unavailable' in stt && typeof stt.unavailable === 'string' ? stt.unavailable : null;
}
