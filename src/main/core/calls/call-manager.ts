/** Every live call, by id. Creates a CallSession for each media stream or relay session admitted. */
import type { AnyEvent } from '@shared/contract';
import type { CallSummary } from '@shared/domain';
import { ApiError } from '../api/dispatcher';
import type { Logger } from '../log';
import type { LlmProvider, LlmRequest, Providers, SttProvider, TtsProvider } from '../providers/types';
import type { EngineLeftOut } from '../providers/provider-service';
import { CallSession, type CallLine } from './call-session';
import type { AdmittedCall } from '../telephony/call-registry';
import type { CallAssist, CallControl, CallRecorder } from './ports';
import type { Persona } from '../persona';
import type { CallPrivacy } from './privacy';
import type { RedactedAudio } from './redacted-audio';
import type { FvadModule } from '../pipeline/voice-onset';

export interface CallEngines {
  providers: Providers;
  /** Offline stand-ins for cloud providers that fail mid-call. */
  fallback?: { llm: LlmProvider; tts: TtsProvider; stt?: SttProvider };
  /** Cloud engines left off the call because their key failed its last check (provider faults, issue 10). */
  leftOut?: readonly EngineLeftOut[];
}

/** A call's AI profile, resolved for one call (issue 15). */
export interface CallSetup {
  persona: Persona;
  /** The agent's assist over the profile's knowledge base; the core's when absent. */
  assist?: CallAssist;
  /** The call's engines (the profile's choice over Settings'); `engines()` when absent. */
  engines?: CallEngines;
  profile?: CallSummary['profile'];
  campaignId?: string | null;
  lookupKnowledge?: LlmRequest['lookupKnowledge'];
}

export interface CallManagerOptions {
  /** Engines for the next call: settings changes apply from the next call on. */
  engines(): CallEngines;
  assist: CallAssist;
  recorder: CallRecorder;
  emit(event: AnyEvent): void;
  logger: Logger;
  /**
   * What the call runs with, built per call so settings and profile changes apply to the next
   * call (an outbound call's brief too): its persona, and its AI profile's knowledge and engines.
   */
  setup(call: AdmittedCall | null): CallSetup;
  /** The phone line of a real call (null for simulated ones). */
  controlFor?(call: AdmittedCall): CallControl | null;
  /** Redaction policy and where originals may go, read per call (Settings → Privacy); defaults when absent. */
  privacy?(): CallPrivacy;
  /** A redacted span of a call's audio (the recording tones it). */
  onRedactedAudio?(callId: string, span: RedactedAudio): void;
  /** The voice activity detector (turn-taking, issue 14); without it, only the recogniser's speech-started pauses the AI. */
  vad?: FvadModule;
}

export class CallManager {
  private readonly sessions = new Map<string, CallSession>();

  constructor(private readonly o: CallManagerOptions) {}

  /**
   * A new call for a new stream; or, for a real call handed back to the AI, the existing
   * call picks up its new stream.
   */
  attach(stream: CallLine, call: AdmittedCall | null = null): CallSession {
    const waiting = this.findBySid(stream.callSid);
    if (waiting?.awaitingAiStream) {
      waiting.reattach(stream);
      return waiting;
    }
    const setup = this.o.setup(call);
    const session = new CallSession({
      stream,
      ...(setup.engines ?? this.o.engines()),
      direction: call?.direction ?? 'inbound',
      numbers: call && !call.simulated ? { from: call.from, to: call.to } : undefined,
      control: call ? (this.o.controlFor?.(call) ?? null) : null,
      assist: setup.assist ?? this.o.assist,
      recorder: this.o.recorder,
      emit: (event) => {
        this.o.emit(event);
        if (event.name === 'call.updated' && event.payload.status === 'ended') this.sessions.delete(event.payload.id);
      },
      logger: this.o.logger,
      ...setup.persona,
      profile: setup.profile,
      campaignId: setup.campaignId,
      lookupKnowledge: setup.lookupKnowledge,
      privacy: this.o.privacy?.(),
      onRedactedAudio: this.o.onRedactedAudio,
      vad: this.o.vad,
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
