/**
 * The new-campaign form's draft, kept in a small store so leaving the page (to check Settings,
 * a call, History) and coming back loses nothing typed or uploaded. Numbers are kept as the
 * text typed (a half-typed "1." stays as typed); the shared schema checks the whole draft, so
 * the form refuses exactly what the core would, in its words.
 */
import { create } from 'zustand';
import type { z } from 'zod';
import { CampaignSettings, DEFAULT_CAMPAIGN_PACE, type LeadColumnMapping, type LeadsPreview, type RejectedLeadRow } from '@shared/campaign';

export type RetryOutcome = keyof CampaignSettings['retryAfterMinutes'];
export const RETRY_OUTCOMES: readonly RetryOutcome[] = ['no_answer', 'busy', 'failed', 'voicemail'];

export interface SettingsDraft {
  name: string;
  purpose: string;
  script: string;
  days: number[];
  start: string;
  end: string;
  maxAttempts: string;
  retryAfterMinutes: Record<RetryOutcome, string>;
  callsPerMinute: string;
  maxConcurrent: string;
  /** '' until chosen: the first of the console's numbers is used. */
  callerId: string;
  machineDetection: boolean;
}

export interface UploadState {
  status: 'idle' | 'reading' | 'uploading' | 'ready' | 'error';
  fileName: string | null;
  /** 0..1 while uploading. */
  progress: number;
  error: string | null;
  /** Something worth knowing about how the file was read (its encoding). */
  note: string | null;
  uploadId: string | null;
  preview: LeadsPreview | null;
}

export interface MappingDraft {
  number: string;
  /** null: no name column. */
  name: string | null;
  /** Columns given to the AI; null: every column but the number and the name. */
  context: string[] | null;
  /** undefined until chosen: the caller ID's country. null: E.164 only. */
  defaultCountry: string | null | undefined;
}

export interface CreateReport {
  campaignId: string;
  name: string;
  imported: number;
  rejected: RejectedLeadRow[];
  rejectedCount: number;
}

export type FieldKey =
  | 'name'
  | 'purpose'
  | 'script'
  | 'profile'
  | 'days'
  | 'start'
  | 'end'
  | 'maxAttempts'
  | `retryAfterMinutes.${RetryOutcome}`
  | 'callsPerMinute'
  | 'maxConcurrent'
  | 'callerId'
  | 'leads'
  | 'mapping.number';

export type Problems = Partial<Record<FieldKey, string>>;

interface DraftState {
  settings: SettingsDraft;
  /** '' until chosen: the default profile is used. */
  profileId: string;
  upload: UploadState;
  mapping: MappingDraft;
  touched: Partial<Record<FieldKey, true>>;
  /** Create was pressed: every problem shows, touched or not. */
  submitted: boolean;
  creating: boolean;
  /** The core's refusal of the create, in its words. */
  createError: string | null;
  report: CreateReport | null;
  set<K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]): void;
  setProfile(profileId: string): void;
  setMapping(patch: Partial<MappingDraft>): void;
  setUpload(patch: Partial<UploadState>): void;
  touch(key: FieldKey): void;
  /** A fresh form (after a campaign is created, or "Discard"). */
  reset(): void;
}

const emptyUpload: UploadState = { status: 'idle', fileName: null, progress: 0, error: null, note: null, uploadId: null, preview: null };

function freshSettings(): SettingsDraft {
  const p = DEFAULT_CAMPAIGN_PACE;
  return {
    name: '',
    purpose: '',
    script: '',
    days: [...p.days],
    start: p.start,
    end: p.end,
    maxAttempts: String(p.maxAttempts),
    retryAfterMinutes: {
      no_answer: String(p.retryAfterMinutes.no_answer),
      busy: String(p.retryAfterMinutes.busy),
      failed: String(p.retryAfterMinutes.failed),
      voicemail: String(p.retryAfterMinutes.voicemail),
    },
    callsPerMinute: String(p.callsPerMinute),
    maxConcurrent: String(p.maxConcurrent),
    callerId: '',
    machineDetection: p.machineDetection,
  };
}

const fresh = () => ({
  settings: freshSettings(),
  profileId: '',
  upload: emptyUpload,
  mapping: { number: '', name: null, context: null, defaultCountry: undefined } satisfies MappingDraft,
  touched: {},
  submitted: false,
  creating: false,
  createError: null,
});

export const useCampaignDraft = create<DraftState>()((set) => ({
  ...fresh(),
  report: null,
  set: (key, value) => set((s) => ({ settings: { ...s.settings, [key]: value }, createError: null })),
  setProfile: (profileId) => set({ profileId, createError: null }),
  setMapping: (patch) => set((s) => ({ mapping: { ...s.mapping, ...patch }, createError: null })),
  setUpload: (patch) => set((s) => ({ upload: { ...s.upload, ...patch } })),
  touch: (key) => set((s) => (s.touched[key] ? s : { touched: { ...s.touched, [key]: true } })),
  reset: () => set(fresh()),
}));

/** Typed text as a number: empty or half-typed is NaN (the schema says "Enter a number"). */
function toNumber(text: string): number {
  const t = text.trim();
  return t === '' ? Number.NaN : Number(t);
}

/** The draft as the settings the core takes (the caller ID falling back to the first number). */
export function settingsOf(draft: SettingsDraft, numbers: readonly string[]): CampaignSettings {
  return {
    name: draft.name,
    purpose: draft.purpose,
    script: draft.script,
    days: [...draft.days].sort((a, b) => a - b),
    start: draft.start,
    end: draft.end,
    maxAttempts: toNumber(draft.maxAttempts),
    retryAfterMinutes: {
      no_answer: toNumber(draft.retryAfterMinutes.no_answer),
      busy: toNumber(draft.retryAfterMinutes.busy),
      failed: toNumber(draft.retryAfterMinutes.failed),
      voicemail: toNumber(draft.retryAfterMinutes.voicemail),
    },
    callsPerMinute: toNumber(draft.callsPerMinute),
    maxConcurrent: toNumber(draft.maxConcurrent),
    callerId: draft.callerId || (numbers[0] ?? ''),
    machineDetection: draft.machineDetection,
  };
}

/**
 * Words for the checks the schema leaves to zod's defaults (the retry minutes' bounds, a
 * number that is not one); the schema's own messages always win over these.
 */
function plainWords(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'int')) {
    return issue.expected === 'int' ? 'a whole number' : 'Enter a number';
  }
  const unit = issue.origin === 'string' ? ' characters' : '';
  if (issue.code === 'too_small' && typeof issue.minimum === 'number') return `at least ${issue.minimum.toLocaleString()}${unit}`;
  if (issue.code === 'too_big' && typeof issue.maximum === 'number') return `at most ${issue.maximum.toLocaleString()}${unit}`;
  return undefined;
}

/** A campaign draft that is valid but for its hours: used to check the hours alone. */
const HOURS_PROBE: CampaignSettings = {
  name: 'x',
  purpose: 'x',
  script: '',
  ...DEFAULT_CAMPAIGN_PACE,
  days: [1],
  retryAfterMinutes: { ...DEFAULT_CAMPAIGN_PACE.retryAfterMinutes },
  callerId: '+14155550100',
};

/**
 * What is wrong with the settings, by field, in the shared schema's words. The hours' rule
 * (start before end) is checked on its own too: zod runs an object's rule only once every
 * field passes, and the problem should show beside the hours at once.
 */
export function settingsProblems(draft: SettingsDraft, numbers: readonly string[]): Problems {
  const problems: Problems = {};
  const parsed = CampaignSettings.safeParse(settingsOf(draft, numbers), { error: plainWords });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.') as FieldKey;
      // days.3 (a bad day) is the days' problem.
      const field = (key.startsWith('days.') ? 'days' : key) as FieldKey;
      problems[field] ??= issue.message;
    }
  }
  if (!problems.start && !problems.end) {
    const hours = CampaignSettings.safeParse({ ...HOURS_PROBE, start: draft.start, end: draft.end });
    if (!hours.success) problems.end = hours.error.issues[0]?.message;
  }
  if (numbers.length === 0) problems.callerId = 'Add a phone number in Settings → Telephony: the campaign calls from it.';
  return problems;
}

/** The leads' problems: a file uploaded and read, and its number column chosen. */
export function leadsProblems(upload: UploadState, mapping: MappingDraft): Problems {
  if (upload.status !== 'ready' || !upload.preview) {
    if (upload.status === 'reading' || upload.status === 'uploading') return { leads: 'Wait for the file to finish uploading.' };
    return { leads: 'Choose a CSV file with the leads.' };
  }
  if (!mapping.number || !upload.preview.headers.includes(mapping.number)) return { 'mapping.number': 'Choose the column with the phone numbers.' };
  return {};
}

/** The column mapping as the core takes it. */
export function mappingOf(mapping: MappingDraft, defaultCountry: string | null): LeadColumnMapping {
  return {
    number: mapping.number,
    name: mapping.name && mapping.name !== mapping.number ? mapping.name : null,
    ...(mapping.context === null ? {} : { context: mapping.context.filter((c) => c !== mapping.number && c !== mapping.name) }),
    defaultCountry,
  };
}
