/**
 * What the new-campaign form chooses from (the AI profiles, the console's caller-ID numbers
 * and whether Twilio is ready, the countries calls may go to), read when the form opens and
 * again after a reconnect; and creating the campaign (campaigns.create) from the draft.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AiProfileListItem } from '@shared/ai-profile';
import { allowedDestinationCountries, parseE164 } from '@shared/phone';
import { SwitchboardError } from '@shared/client';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { clearLeadsFile, uploadAgain } from './upload';
import { leadsProblems, mappingOf, settingsOf, settingsProblems, useCampaignDraft, type FieldKey, type Problems } from './draft';

export interface FormOptions {
  status: 'loading' | 'ready' | 'error';
  /** Why the options could not be read. */
  error: string | null;
  profiles: AiProfileListItem[];
  /** Settings → Telephony's numbers: the campaign's caller ID is one of them. */
  numbers: string[];
  /** What Twilio still lacks for real calls (a campaign can be built meanwhile, not dialled). */
  missing: string[];
  /** Countries calls may go to (the leads' default country is offered from these first). */
  allowedCountries: string[];
  reload(): void;
}

export function useCampaignFormOptions(): FormOptions {
  const epoch = useConnectEpoch();
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<Omit<FormOptions, 'reload'>>({
    status: 'loading',
    error: null,
    profiles: [],
    numbers: [],
    missing: [],
    allowedCountries: [],
  });

  useEffect(() => {
    if (epoch < 0) return;
    let live = true;
    Promise.all([client.invoke('profiles.list'), client.invoke('telephony.get')]).then(
      ([profiles, telephony]) =>
        live &&
        setState({
          status: 'ready',
          error: null,
          profiles,
          numbers: telephony.settings.phoneNumbers,
          missing: telephony.missing,
          allowedCountries: allowedDestinationCountries(telephony.settings),
        }),
      (err: unknown) => live && setState((s) => ({ ...s, status: 'error', error: err instanceof Error ? err.message : 'Something went wrong' })),
    );
    return () => {
      live = false;
    };
  }, [epoch, revision]);

  const reload = useCallback(() => setRevision((r) => r + 1), []);
  return { ...state, reload };
}

/** The profile a draft uses: the chosen one while it exists, else the default. */
export function profileOf(profiles: readonly AiProfileListItem[], chosen: string): AiProfileListItem | null {
  return profiles.find((p) => p.id === chosen) ?? profiles.find((p) => p.isDefault) ?? profiles[0] ?? null;
}

/** The leads' default country until one is chosen: the caller ID's. */
export function defaultCountryOf(chosen: string | null | undefined, callerId: string): string | null {
  if (chosen !== undefined) return chosen;
  return parseE164(callerId)?.country ?? null;
}

/** Fields in the order the form shows them: the first with a problem gets the focus on Create. */
export const FIELD_ORDER: readonly FieldKey[] = [
  'name',
  'profile',
  'purpose',
  'script',
  'leads',
  'mapping.number',
  'days',
  'start',
  'end',
  'maxAttempts',
  'callsPerMinute',
  'maxConcurrent',
  'retryAfterMinutes.no_answer',
  'retryAfterMinutes.busy',
  'retryAfterMinutes.failed',
  'retryAfterMinutes.voicemail',
  'callerId',
];

type DraftParts = Pick<ReturnType<typeof useCampaignDraft.getState>, 'settings' | 'profileId' | 'upload' | 'mapping'>;

/** Every problem of the draft: its settings (the shared schema's words), its profile and its leads. */
export function problemsOf(draft: DraftParts, options: Pick<FormOptions, 'numbers' | 'profiles' | 'status'>): Problems {
  const problems: Problems = {
    ...settingsProblems(draft.settings, options.numbers),
    ...leadsProblems(draft.upload, draft.mapping),
  };
  if (options.status === 'ready' && !profileOf(options.profiles, draft.profileId)) {
    problems.profile = 'There is no AI profile to call with: create one in Settings → AI profiles.';
  }
  if (options.status !== 'ready') delete problems.callerId; // the numbers are not known yet
  return problems;
}

/**
 * Creates the campaign from the draft, or shows every problem. Returns the first field with
 * a problem (for the form to focus), or null.
 */
export async function createFromDraft(options: FormOptions): Promise<FieldKey | null> {
  const store = useCampaignDraft;
  const problems = problemsOf(store.getState(), options);
  store.setState({ submitted: true });
  const first = FIELD_ORDER.find((f) => problems[f] !== undefined) ?? null;
  if (first !== null) return first;
  if (options.status !== 'ready') {
    store.setState({
      createError:
        options.status === 'error' ? `the profiles and phone numbers could not be read (${options.error}).` : 'the profiles and phone numbers are still being read; try again in a moment.',
    });
    return null;
  }
  const s = store.getState();
  if (s.creating || !s.upload.uploadId) return null;
  const settings = settingsOf(s.settings, options.numbers);
  const profile = profileOf(options.profiles, s.profileId)!;
  store.setState({ creating: true, createError: null });
  const create = (uploadId: string) =>
    client.invoke('campaigns.create', {
      settings,
      profileId: profile.id,
      uploadId,
      mapping: mappingOf(s.mapping, defaultCountryOf(s.mapping.defaultCountry, settings.callerId)),
    });
  try {
    let result;
    try {
      result = await create(s.upload.uploadId);
    } catch (err) {
      // The core let the upload go (an hour unused): the same file is sent again, once.
      if (!(err instanceof SwitchboardError && err.code === 'not_found' && /upload/i.test(err.message)) || !(await uploadAgain())) throw err;
      result = await create(store.getState().upload.uploadId!);
    }
    clearLeadsFile();
    store.getState().reset();
    store.setState({
      report: {
        campaignId: result.campaign.id,
        name: result.campaign.settings.name,
        imported: result.imported,
        rejected: result.rejected,
        rejectedCount: result.rejectedCount,
      },
    });
  } catch (err) {
    store.setState({ creating: false, createError: err instanceof Error ? err.message : 'The campaign was not created.' });
  }
  return null;
}
