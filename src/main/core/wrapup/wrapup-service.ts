/**
 * Wrap-up (issue 8): proposes a call's summary and disposition ('wrapup.get') and saves the
 * agent's confirmed version ('wrapup.save'). The proposal comes from Gemini when the console
 * uses Gemini, otherwise (or when Gemini fails, which the proposal says) from the offline
 * summariser. Proposals of ended calls are kept in memory until saved, so reopening the form
 * does not ask Gemini again; a live call's proposal is rebuilt each time (the call goes on).
 */
import type { CallEvent, CallSummary, PublicSettings, Utterance } from '@shared/domain';
import { findDisposition, WrapUpSummary, type CallEntity, type WrapUp, type WrapUpSaveInput } from '@shared/wrapup';
import type { Logger } from '../log';
import { GeminiSummaryError, geminiWrapUp, type GeminiSummaryOptions } from './gemini-summary';
import { offlineWrapUp, type SummaryProposal, type WrapUpMaterial } from './offline-summary';
import type { WrapUpStore } from './wrapup-store';

export class WrapUpError extends Error {
  override readonly name = 'WrapUpError';
  constructor(
    readonly code: 'bad_request' | 'not_found',
    message: string,
  ) {
    super(message);
  }
}

export interface WrapUpServiceOptions {
  store: WrapUpStore;
  /** The stored call: summary, final lines in order, events by time. */
  readCall(callId: string): { call: CallSummary; utterances: Utterance[]; events: CallEvent[] } | null;
  /** The live call's current summary, when it is live (it is fresher than the stored row). */
  liveCall(callId: string): CallSummary | null;
  /** The caller's details in the call's lines, newest first. */
  entitiesOf(utterances: readonly Utterance[]): CallEntity[];
  intentLabel(intent: string): string;
  settings(): Pick<PublicSettings, 'dispositions'>;
  /** How to reach Gemini, or null when the console does not use it (no key, or the offline engine chosen). */
  gemini(): GeminiSummaryOptions | null;
  logger: Logger;
  now?: () => number;
}

interface Proposal extends SummaryProposal {
  source: WrapUp['source'];
  notice: string | null;
}

/** Ended calls whose proposal is kept; the oldest goes first beyond this. */
const MAX_CACHED_PROPOSALS = 200;

export interface WrapUpService {
  get(callId: string): Promise<WrapUp>;
  save(input: WrapUpSaveInput): Promise<WrapUp>;
}

export function createWrapUpService(o: WrapUpServiceOptions): WrapUpService {
  const now = o.now ?? Date.now;
  const log = o.logger.child({ component: 'wrapup' });
  /** When each call's wrap-up began (first asked for), until saved. In memory: a restart starts the clock again. */
  const startedAt = new Map<string, number>();
  const proposals = new Map<string, Promise<Proposal>>();

  const material = (callId: string): WrapUpMaterial => {
    const record = o.readCall(callId);
    if (!record) throw new WrapUpError('not_found', `no call ${callId}`);
    const utterances = record.utterances.filter((u) => u.final && u.text.trim() !== '');
    return {
      call: o.liveCall(callId) ?? record.call,
      utterances,
      events: record.events,
      facts: o.store.listFacts(callId),
      entities: o.entitiesOf(utterances),
    };
  };

  async function propose(m: WrapUpMaterial): Promise<Proposal> {
    const options = { dispositions: o.settings().dispositions, intentLabel: o.intentLabel };
    const gemini = o.gemini();
    if (gemini) {
      try {
        return { ...(await geminiWrapUp(m, options, gemini)), source: 'gemini', notice: null };
      } catch (error) {
        const why = error instanceof GeminiSummaryError ? error.message : 'Gemini failed';
        log.warn({ callId: m.call.id, reason: why }, 'Gemini wrap-up failed; offline summary used');
        return { ...offlineWrapUp(m, options), source: 'offline', notice: `${why}, so this is the offline summary.` };
      }
    }
    return { ...offlineWrapUp(m, options), source: 'offline', notice: null };
  }

  function proposal(callId: string): Promise<Proposal> {
    const cached = proposals.get(callId);
    if (cached) return cached;
    const m = material(callId);
    const made = propose(m);
    if (m.call.status === 'ended') {
      proposals.set(callId, made);
      if (proposals.size > MAX_CACHED_PROPOSALS) proposals.delete(proposals.keys().next().value!);
    }
    return made;
  }

  async function get(callId: string): Promise<WrapUp> {
    const saved = o.store.get(callId);
    if (saved) return saved;
    const pending = proposal(callId); // throws not_found before any clock starts
    // The clock starts when the wrap-up is first asked for, not when Gemini has answered.
    if (!startedAt.has(callId)) startedAt.set(callId, now());
    const made = await pending;
    return {
      callId,
      summary: made.summary,
      disposition: null,
      notes: '',
      source: made.source,
      proposedDisposition: made.proposedDisposition,
      startedAt: startedAt.get(callId) ?? now(),
      savedAt: null,
      wrapUpMs: null,
      notice: made.notice,
    };
  }

  return {
    get,
    async save(input) {
      const { dispositions } = o.settings();
      const disposition = findDisposition(input.disposition, dispositions);
      if (disposition === null) {
        throw new WrapUpError('bad_request', `“${input.disposition}” is not a disposition; choose one of: ${dispositions.join(', ')}.`);
      }
      const saved = o.store.get(input.callId);
      // Sections the agent did not send keep what they were shown (the saved copy, else the proposal).
      const base = saved ?? (await get(input.callId));
      const summary = WrapUpSummary.parse({ ...base.summary, ...input.summary });
      const savedAt = now();
      const began = saved?.startedAt ?? startedAt.get(input.callId) ?? savedAt;
      const wrapUp = {
        callId: input.callId,
        summary,
        disposition,
        notes: (input.notes ?? '').trim(),
        source: base.source,
        proposedDisposition: base.proposedDisposition,
        startedAt: began,
        savedAt,
        // After-call work is the time to the first save; later edits do not add to it.
        wrapUpMs: saved?.wrapUpMs ?? Math.max(0, savedAt - began),
        notice: null,
      };
      o.store.save(wrapUp);
      startedAt.delete(input.callId);
      proposals.delete(input.callId);
      log.info({ callId: input.callId, disposition, wrapUpMs: wrapUp.wrapUpMs }, 'wrap-up saved');
      return wrapUp;
    },
  };
}
