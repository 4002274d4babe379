/**
 * Campaigns for the rest of the core (issue 15): the campaigns.* and leads.upload handlers,
 * CSV uploads held until a campaign is made from them, 'campaign.updated' events (throttled
 * per campaign), opt-outs, and the scheduler that dials.
 */
import { randomUUID } from 'node:crypto';
import type { AnyEvent, CommandArgs, CommandOutput } from '@shared/contract';
import type { CampaignSummary } from '@shared/campaign';
import { ApiError } from '../api/dispatcher';
import type { Logger } from '../log';
import { createCampaignStore, type CampaignRecord } from './campaign-store';
import { CampaignScheduler, type DialPort } from './campaign-scheduler';
import { importLeadsCsv, LeadImportError, MAX_CSV_BYTES, previewLeadsCsv } from './lead-import';
import { callbackDueAt, callbackQueueSettings, CALLBACKS_ID } from './callbacks';
import type { Database } from 'better-sqlite3';

export type CampaignHandlers = {
  [N in 'leads.upload' | 'campaigns.create' | 'campaigns.list' | 'campaigns.get' | 'campaigns.leads' | 'campaigns.control']: (
    args: CommandArgs<N>,
  ) => CommandOutput<N> | Promise<CommandOutput<N>>;
};

export interface CampaignServiceOptions {
  db: Database;
  dial: DialPort;
  /** The profile's name (not_found for an unknown or deleted profile). */
  profileName(profileId: string): string;
  /** The profile callbacks are made with (the default profile). */
  defaultProfileId(): string;
  emit(event: AnyEvent): void;
  logger: Logger;
  now?: () => number;
  tickMs?: number;
  onDecision?: (ms: number) => void;
}

/** An upload not made into a campaign is dropped after this long. */
const UPLOAD_TTL_MS = 60 * 60_000;
/** Uploads held at once (each at most MAX_CSV_BYTES); a fifth drops the oldest. */
const MAX_UPLOADS = 4;
/** A campaign's progress is announced at most this often. */
const EMIT_EVERY_MS = 250;
/** Rejected rows returned with campaigns.create (all of them are counted). */
const MAX_REJECTED_SHOWN = 200;

interface Upload {
  parts: string[];
  chars: number;
  done: boolean;
  expiresAt: number;
}

export function createCampaignService(options: CampaignServiceOptions) {
  const store = createCampaignStore(options.db);
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'campaigns' });
  const uploads = new Map<string, Upload>();

  // Throttled announcements: the first change goes out at once, later ones at most every EMIT_EVERY_MS.
  const lastEmit = new Map<string, number>();
  const pendingEmit = new Map<string, NodeJS.Timeout>();
  const announce = (campaignId: string) => {
    if (pendingEmit.has(campaignId)) return;
    const wait = Math.max(0, (lastEmit.get(campaignId) ?? 0) + EMIT_EVERY_MS - Date.now());
    const send = () => {
      pendingEmit.delete(campaignId);
      lastEmit.set(campaignId, Date.now());
      const summary = summaryOf(campaignId);
      if (summary) options.emit({ name: 'campaign.updated', payload: summary });
    };
    if (wait === 0) send();
    else pendingEmit.set(campaignId, setTimeout(send, wait).unref());
  };

  const scheduler = new CampaignScheduler({
    store,
    dial: options.dial,
    now,
    tickMs: options.tickMs,
    onChange: announce,
    onDecision: options.onDecision,
    logger: options.logger,
  });

  const summarise = (record: CampaignRecord): CampaignSummary => {
    let profileName: string;
    try {
      profileName = options.profileName(record.profileId);
    } catch {
      profileName = '(deleted profile)';
    }
    return {
      id: record.id,
      kind: record.kind,
      state: record.state,
      settings: record.settings,
      profileId: record.profileId,
      profileName,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      counts: store.counts(record.id),
      waiting: record.state === 'running' ? scheduler.waitingReason(record.id) : null,
      nextDialAt: record.state === 'running' || record.state === 'paused' ? store.nextDueAt(record.id) : null,
    };
  };
  const summaryOf = (campaignId: string): CampaignSummary | null => {
    const record = store.get(campaignId);
    return record ? summarise(record) : null;
  };
  const requireCampaign = (campaignId: string): CampaignRecord => {
    const record = store.get(campaignId);
    if (!record) throw new ApiError('not_found', `no campaign ${campaignId}`);
    return record;
  };

  const sweepUploads = () => {
    for (const [id, upload] of uploads) if (upload.expiresAt < Date.now()) uploads.delete(id);
  };
  const uploadText = (uploadId: string): string => {
    sweepUploads();
    const upload = uploads.get(uploadId);
    if (!upload?.done) throw new ApiError('not_found', 'That upload is gone or unfinished: choose the file again');
    return upload.parts.join('');
  };

  // A crash mid-import leaves a campaign half made: it never showed, so it goes.
  for (const id of store.leftImporting()) {
    store.deleteCampaign(id);
    log.warn({ campaignId: id }, 'a campaign whose import a crash interrupted was removed');
  }

  const handlers: CampaignHandlers = {
    async 'leads.upload'({ uploadId, text, last }) {
      sweepUploads();
      let id = uploadId;
      let upload = id === null ? undefined : uploads.get(id);
      if (id !== null && (!upload || upload.done)) throw new ApiError('not_found', 'That upload is gone or finished: choose the file again');
      if (!upload) {
        // Bounded: the oldest upload makes room (a file chosen again supersedes the one before).
        while (uploads.size >= MAX_UPLOADS) uploads.delete(uploads.keys().next().value!);
        id = randomUUID();
        upload = { parts: [], chars: 0, done: false, expiresAt: Date.now() + UPLOAD_TTL_MS };
        uploads.set(id, upload);
      }
      upload.chars += text.length;
      if (upload.chars > MAX_CSV_BYTES) {
        uploads.delete(id!);
        throw new ApiError('bad_request', `The file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB: split it into several campaigns`);
      }
      upload.parts.push(text);
      if (!last) return { uploadId: id!, chars: upload.chars, preview: null };
      upload.done = true;
      try {
        return { uploadId: id!, chars: upload.chars, preview: { uploadId: id!, ...(await previewLeadsCsv(upload.parts.join(''))) } };
      } catch (error) {
        uploads.delete(id!);
        if (error instanceof LeadImportError) throw new ApiError('bad_request', error.message);
        throw error;
      }
    },
    async 'campaigns.create'({ settings, profileId, uploadId, mapping }) {
      options.profileName(profileId); // not_found for an unknown profile
      const telephonyNumbers = options.dial.settings().phoneNumbers;
      if (!telephonyNumbers.includes(settings.callerId)) {
        throw new ApiError('bad_request', `The caller ID ${settings.callerId} is not one of this console's Twilio numbers (Settings → Telephony)`);
      }
      const text = uploadText(uploadId);
      const id = randomUUID();
      const createdAt = now();
      store.beginCampaign({ id, kind: 'campaign', profileId, settings, createdAt });
      // Stored piece by piece as the file is read (a short transaction each, the event loop
      // breathing between): a big list neither stalls live calls' audio nor sits in memory.
      let added = 0;
      let result;
      try {
        result = await importLeadsCsv(text, mapping, (leads) => {
          added += store.addLeads(id, leads, createdAt);
        });
      } catch (error) {
        store.deleteCampaign(id);
        if (error instanceof LeadImportError) throw new ApiError('bad_request', error.message);
        throw error;
      }
      if (added === 0) {
        store.deleteCampaign(id);
        throw new ApiError('bad_request', `No row of the file has a usable number (${result.rejected.length} rejected): check the number column and the default country`);
      }
      store.setState(id, 'draft', now());
      uploads.delete(uploadId);
      log.info({ campaignId: id, leads: added, rejected: result.rejected.length }, 'campaign created');
      const campaign = summaryOf(id)!;
      options.emit({ name: 'campaign.updated', payload: campaign });
      return { campaign, imported: added, rejected: result.rejected.slice(0, MAX_REJECTED_SHOWN), rejectedCount: result.rejected.length };
    },
    'campaigns.list': () => store.list().map(summarise),
    'campaigns.get': ({ campaignId }) => summarise(requireCampaign(campaignId)),
    'campaigns.leads'({ campaignId, state, after, limit }) {
      requireCampaign(campaignId);
      const leads = store.leadsPage(campaignId, state, after, limit + 1);
      const more = leads.length > limit;
      const page = more ? leads.slice(0, limit) : leads;
      return { leads: page, nextCursor: more ? page.at(-1)!.id : null };
    },
    'campaigns.control'({ campaignId, action }) {
      const record = requireCampaign(campaignId);
      const allowed: Record<typeof action, readonly string[]> = {
        start: ['draft'],
        pause: ['running'],
        resume: ['paused'],
        cancel: ['draft', 'running', 'paused'],
      };
      if (!allowed[action].includes(record.state)) {
        throw new ApiError('conflict', `A ${record.state} campaign cannot be ${{ start: 'started', pause: 'paused', resume: 'resumed', cancel: 'cancelled' }[action]}`);
      }
      const at = now();
      if (action === 'start' || action === 'resume') {
        options.profileName(record.profileId); // a deleted profile cannot dial
        store.setState(campaignId, 'running', at);
        scheduler.run({ ...record, state: 'running' });
      } else if (action === 'pause') {
        scheduler.halt(campaignId);
        store.setState(campaignId, 'paused', at);
      } else {
        scheduler.halt(campaignId);
        store.cancelPending(campaignId, at);
        store.setState(campaignId, 'cancelled', at);
      }
      log.info({ campaignId, action }, 'campaign control');
      const summary = summarise(requireCampaign(campaignId));
      options.emit({ name: 'campaign.updated', payload: summary });
      return summary;
    },
  };

  return {
    handlers,
    scheduler,
    store,
    start: () => scheduler.start(),
    /** A Twilio status callback (every verified one; those of other calls are ignored). */
    onStatus: (event: { callSid: string; status: string; answeredBy: string | null; attemptId: string | null }) => scheduler.onStatus(event),
    onAnsweredBy: (event: { callSid: string; answeredBy: string; attemptId: string | null }) => scheduler.onAnsweredBy(event),
    /** The person at `number` asked not to be called again: no campaign dials them again. */
    optOut(number: string) {
      const changed = store.optOut(number, now());
      if (changed > 0) {
        log.info({ leads: changed }, 'a number opted out of campaigns');
        for (const record of store.list()) announce(record.id);
      }
    },
    campaignsUsing: (profileId: string) => store.campaignsUsingProfile(profileId),
    /**
     * A callback agreed on a call: a lead in the callbacks queue (made on first use, always
     * running), due at `when` as said. `callerId`: the number the caller knows us by.
     */
    scheduleCallback(callback: { number: string; when: string | null; callerId: string; name: string | null; fromCallId: string; reason: string }): number | null {
      const at = now();
      let queue = store.get(CALLBACKS_ID);
      if (!queue) {
        queue = { id: CALLBACKS_ID, kind: 'callbacks', state: 'running', profileId: options.defaultProfileId(), settings: callbackQueueSettings(callback.callerId), createdAt: at, updatedAt: at };
        store.insertCampaign(queue);
      }
      const dueAt = callbackDueAt(callback.when, callback.number, at);
      const context = { 'Why we are calling': callback.reason, ...(callback.when ? { 'Time the caller asked for': callback.when } : {}), 'Earlier call': callback.fromCallId };
      if (!store.scheduleCallback(CALLBACKS_ID, { number: callback.number, name: callback.name, context, nextAt: dueAt }, at)) return null;
      if (queue.state === 'running') scheduler.run(queue);
      log.info({ callId: callback.fromCallId, dueAt }, 'callback scheduled');
      announce(CALLBACKS_ID);
      return dueAt;
    },
    close() {
      scheduler.close();
      for (const timer of pendingEmit.values()) clearTimeout(timer);
      pendingEmit.clear();
    },
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;
