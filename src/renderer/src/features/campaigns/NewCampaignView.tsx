/**
 * New campaign (`#/campaigns/new`): the settings, the leads file with its column mapping, and
 * Create, which makes a draft and shows what was imported and which rows were not. The draft
 * lives in a store (draft.ts): leaving the page and coming back loses nothing.
 */
import { useCallback, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { useShallow } from 'zustand/react/shallow';
import { Button, Spinner } from '../../components/ui/Button';
import { ArrowLeftIcon } from '../../components/ui/icons';
import { routes } from '../../lib/router';
import { useCampaignDraft, type FieldKey, type Problems } from './draft';
import { ImportReport } from './ImportReport';
import { LeadsImport } from './LeadsImport';
import { BasicsSection, CallerSection, PaceSection, ScheduleSection } from './SettingsFields';
import { clearLeadsFile, uploadLeadsFile } from './upload';
import { createFromDraft, defaultCountryOf, problemsOf, profileOf, useCampaignFormOptions } from './useNewCampaign';

/** The control each field's problem sends the focus to. */
function focusField(field: FieldKey): void {
  const id: Record<string, string> = {
    name: 'campaign-name',
    profile: 'campaign-profile',
    purpose: 'campaign-purpose',
    script: 'campaign-script',
    leads: 'campaign-leads',
    'mapping.number': 'map-number',
    start: 'campaign-start',
    end: 'campaign-end',
    maxAttempts: 'campaign-attempts',
    callsPerMinute: 'campaign-pace',
    maxConcurrent: 'campaign-concurrent',
    callerId: 'campaign-caller-id',
  };
  const el =
    field === 'days'
      ? document.querySelector<HTMLElement>('[data-testid="schedule-section"] input[type="checkbox"]')
      : document.getElementById(id[field] ?? `campaign-retry-${field.split('.')[1] ?? ''}`);
  el?.focus();
  el?.scrollIntoView({ block: 'center' });
}

export function NewCampaignView() {
  const report = useCampaignDraft((s) => s.report);
  const onDone = useCallback(() => useCampaignDraft.setState({ report: null }), []);
  if (report) {
    return (
      <div className="flex min-h-0 flex-1 flex-col overflow-auto">
        <ImportReport report={report} onDone={onDone} onAnother={onDone} />
      </div>
    );
  }
  return <CampaignForm />;
}

/** Clearing asks once more: it throws away everything typed and the uploaded file. */
function ClearForm({ onClear }: { onClear: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button variant="ghost" size="sm" className="ml-auto" onClick={() => setAsking(true)} data-testid="clear-campaign-form">
        Clear the form
      </Button>
    );
  }
  return (
    <span className="ml-auto flex items-center gap-2 text-[12px] text-slate-300" role="group" aria-label="Clear the form?">
      Clear everything typed and the file?
      <Button variant="danger" size="sm" autoFocus onClick={() => (setAsking(false), onClear())}>
        Clear
      </Button>
      <Button variant="ghost" size="sm" onClick={() => setAsking(false)}>
        Keep
      </Button>
    </span>
  );
}

function CampaignForm() {
  const options = useCampaignFormOptions();
  const d = useCampaignDraft(
    useShallow((s) => ({
      settings: s.settings,
      profileId: s.profileId,
      upload: s.upload,
      mapping: s.mapping,
      touched: s.touched,
      submitted: s.submitted,
      creating: s.creating,
      createError: s.createError,
      set: s.set,
      setProfile: s.setProfile,
      setMapping: s.setMapping,
      touch: s.touch,
      reset: s.reset,
    })),
  );

  const all = useMemo(
    () => problemsOf({ settings: d.settings, profileId: d.profileId, upload: d.upload, mapping: d.mapping }, options),
    [d.settings, d.profileId, d.upload, d.mapping, options],
  );
  // A problem shows once its field was left, or after Create; a missing caller-ID number at once
  // (nothing in the form fixes it).
  const shown: Problems = useMemo(() => {
    if (d.submitted) return all;
    const out: Problems = {};
    for (const [k, v] of Object.entries(all) as Array<[FieldKey, string]>) {
      const touched = d.touched[k] || (k === 'end' && d.touched.start) || (k === 'start' && d.touched.end);
      if (touched || (k === 'callerId' && options.numbers.length === 0)) out[k] = v;
    }
    return out;
  }, [all, d.submitted, d.touched, options.numbers.length]);

  const profile = profileOf(options.profiles, d.profileId);
  const callerId = d.settings.callerId || options.numbers[0] || '';
  const defaultCountry = defaultCountryOf(d.mapping.defaultCountry, callerId);
  const problemCount = Object.keys(all).length;

  const submit = () => {
    void createFromDraft(options).then((first) => {
      if (first) focusField(first);
    });
  };

  const fieldProps = { settings: d.settings, problems: shown, onChange: d.set, onLeave: d.touch };

  return (
    <form
      className="flex min-h-0 flex-1 flex-col"
      noValidate
      aria-labelledby="new-campaign-title"
      data-testid="new-campaign-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <header className="flex shrink-0 items-center gap-4 border-b border-slate-800/80 px-4 py-3 xl:px-6">
        <Link href={routes.campaigns()} className="focus-ring inline-flex items-center gap-1.5 rounded text-[12.5px] text-slate-300 hover:text-white">
          <ArrowLeftIcon className="size-3.5" /> Campaigns
        </Link>
        <span aria-hidden className="h-4 w-px bg-slate-800" />
        <h1 id="new-campaign-title" className="text-[15px] font-semibold tracking-tight text-slate-50">
          New campaign
        </h1>
        <span className="hidden text-[12px] text-slate-400 lg:inline">Kept as you type: you can leave this page and come back.</span>
        <ClearForm onClear={() => (clearLeadsFile(), d.reset())} />
      </header>

      <div className="min-h-0 flex-1 overflow-auto">
        <div className="mx-auto flex w-full max-w-4xl flex-col gap-4 px-4 py-4 xl:px-6">
          {options.status === 'error' ? (
            <div role="alert" className="flex items-center gap-3 rounded-md border border-rose-500/25 bg-rose-500/[0.07] px-3 py-2 text-[12.5px] text-rose-200">
              Couldn’t read the profiles and phone numbers: {options.error}
              <Button variant="secondary" size="sm" className="ml-auto" onClick={options.reload}>
                Try again
              </Button>
            </div>
          ) : null}
          <BasicsSection {...fieldProps} profiles={options.profiles} profileId={profile?.id ?? null} onProfile={d.setProfile} />
          <LeadsImport
            upload={d.upload}
            mapping={d.mapping}
            defaultCountry={defaultCountry}
            allowedCountries={options.allowedCountries}
            problems={shown}
            onFile={(file) => void uploadLeadsFile(file)}
            onClear={clearLeadsFile}
            onMapping={d.setMapping}
          />
          <ScheduleSection {...fieldProps} />
          <PaceSection {...fieldProps} />
          <CallerSection {...fieldProps} numbers={options.numbers} missing={options.missing} />
        </div>
      </div>

      <footer className="flex shrink-0 items-center gap-3 border-t border-slate-800/80 bg-slate-950 px-4 py-2.5 xl:px-6">
        <div className="min-w-0 flex-1 text-[12px]" aria-live="polite">
          {d.createError ? (
            <p role="alert" className="text-rose-300" data-testid="create-error">
              The campaign was not created: {d.createError}
            </p>
          ) : d.submitted && problemCount > 0 ? (
            <p className="text-rose-300" data-testid="create-problems">
              {problemCount === 1 ? 'One thing to fix' : `${problemCount} things to fix`} before the campaign can be created; each is marked beside its field.
            </p>
          ) : (
            <p className="text-faint">The campaign is created as a draft: nothing is dialled until you start it.</p>
          )}
        </div>
        <Button type="submit" variant="primary" busy={d.creating} disabled={d.creating} data-testid="create-campaign">
          {d.creating ? 'Creating…' : 'Create campaign'}
        </Button>
      </footer>
      {d.creating ? (
        <span className="sr-only" role="status">
          <Spinner /> Importing the leads…
        </span>
      ) : null}
    </form>
  );
}
