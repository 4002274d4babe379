/** Every live call, by id. Creates a CallSession for each media stream the bridge accepts. */
import type { AnyEvent } from '@shared/contract';
import type { CallSummary } from '@shared/domain';
import { ApiError } from '../api/dispatcher';
import type { Logger } from '../log';
import type { LlmProvider, Providers, TtsProvider } from '../providers/types';
import type { MediaStream } from '../telephony/media-bridge';
import { CallSession } from './call-session';
import type { CallAssist, CallRecorder } from './ports';

export interface CallEngines {
  providers: Providers;
  /** Offline stand-ins for cloud providers that fail mid-call. */
  fallback?: { llm: LlmProvider; tts: TtsProvider };
}

export interface CallManagerOptions {
  /** Engines for the next call: settings changes apply from the next call on. */
  engines(): CallEngines;
  assist: CallAssist;
  recorder: CallRecorder;
  emit(event: AnyEvent): void;
  logger: Logger;
  /** Built per call so settings changes apply to the next call. */
  persona(): { systemPrompt: string; greeting: string; silenceRepromptMs: number };
}

export class CallManager {
  private readonly sessions = new Map<string, CallSession>();

  constructor(private readonly o: CallManagerOptions) {}

  attach(stream: MediaStream): CallSession {
    const session = new CallSession({
      stream,
      ...this.o.engines(),
      assist: this.o.assist,
      recorder: this.o.recorder,
      emit: (event) => {
        this.o.emit(event);
        if (event.name === 'call.updated' && event.payload.status === 'ended') this.sessions.delete(event.payload.id);
      },
      logger: this.o.logger,
      ...this.o.persona(),
    });
    this.sessions.set(session.id, session);
    try {
      session.start();
    } catch (error) {
      // The bridge refuses the stream; nothing of this call may linger (STT worker, listing).
      this.sessions.delete(session.id);
      void session.end('error');
      throw error;
    }
    return session;
  }

  /** A live call, or a not_found error saying so. */
  live(callId: string): CallSession {
    const session = this.sessions.get(callId);
    if (!session) throw new ApiError('not_found', `no live call ${callId}`);
    return session;
  }

  find(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  findBySid(callSid: string): CallSession | undefined {
    for (const session of this.sessions.values()) if (session.snapshot.callSid === callSid) return session;
    return undefined;
  }

  liveSummaries(): CallSummary[] {
    return [...this.sessions.values()].map((s) => s.snapshot);
  }

  async endAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.end(reason)));
  }
}
