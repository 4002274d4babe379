/**
 * Settings → Privacy (issue 10): what is kept of a line with personal details in it, and for
 * how long calls and recordings are kept.
 *
 * - Redaction: the policy radio and the switches save as they are changed (like Recording).
 *   "Show the originals to this console" only means something while originals are kept, and
 *   the cloud model can only be sent words that exist, so both wait for "keep the original".
 * - Retention: the day counts say what is wrong as they are typed (the limits are the
 *   contract's, read from its schema, so the core and the form cannot disagree) and Save sends
 *   both through `settings.update` (like Business).
 * - The last clean-up: when the core's purge last ran and what it removed (`privacy.status`).
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { PublicSettings, type RedactionMode } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { client } from '../../lib/client';
import { cn } from '../../lib/cn';
import { formatWhen } from '../../lib/format';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

type SwitchKey = 'redactEmails' | 'redactPhoneNumbers' | 'redactBeforeCloudLlm' | 'showOriginalToConsole';
type DaysKey = 'keepCallsDays' | 'keepRecordingsDays';
type LastPurge = { at: number; calls: number; recordings: number; failedFiles: number } | null;

const MODES: { mode: RedactionMode; label: string; hint: string }[] = [
  {
    mode: 'redacted',
    label: 'Keep only the masked line (recommended)',
    hint: 'Card numbers, security codes, social security numbers and bank account numbers are replaced by a mask such as [CARD ••••1234] before anything is saved, shown or exported. The words as said are not kept anywhere.',
  },
  {
    mode: 'redacted_and_original',
    label: 'Keep the masked line and the original',
    hint: 'History, search and exports still only see the masked line. The words as said are kept beside it on this machine, for a supervisor who needs them; they are never exported.',
  },
];

const SWITCHES: { key: SwitchKey; label: string; hint: string; needsOriginals: boolean }[] = [
  { key: 'redactEmails', label: 'Mask email addresses', hint: 'Shown as [EMAIL].', needsOriginals: false },
  {
    key: 'redactPhoneNumbers',
    label: 'Mask phone numbers',
    hint: 'Shown as [PHONE]. Off by default: agents often call back on a number the caller gives.',
    needsOriginals: false,
  },
  {
    key: 'redactBeforeCloudLlm',
    label: 'Mask lines before they go to the cloud language model',
    hint: 'Off sends Gemini the words as said.',
    needsOriginals: true,
  },
  {
    key: 'showOriginalToConsole',
    label: 'Show the original words in this console',
    hint: 'Exports never include them.',
    needsOriginals: true,
  },
];

const DAYS: { key: DaysKey; label: string; hint: string }[] = [
  { key: 'keepCallsDays', label: 'Keep calls for', hint: 'Older calls are deleted with their transcript, notes and recordings.' },
  { key: 'keepRecordingsDays', label: 'Keep recordings for', hint: 'Older recordings are deleted; the call and its transcript stay.' },
];

/** The contract's limits for a day count, read from the schema itself. */
function dayLimits(key: DaysKey): { min: number; max: number } {
  const schema = PublicSettings.shape[key];
  return { min: schema.minValue ?? 1, max: schema.maxValue ?? 3650 };
}

/** What is wrong with `text` as a number of days for `key`, in plain words; null when it can be saved. */
export function daysProblem(key: DaysKey, text: string): string | null {
  const { min, max } = dayLimits(key);
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter a number of days.';
  if (!/^\d+$/.test(trimmed)) return 'Enter whole days, as a number (for example 90).';
  const days = Number(trimmed);
  if (days < min || days > max) return `Enter ${min}–${max} days (${max} days is about ${Math.round(max / 365)} years).`;
  return null;
}

export function PrivacySection({ open }: { open: boolean }) {
  const epoch = useConnectEpoch();
  const [saved, setSaved] = useState<PublicSettings | null>(null);
  const [busy, setBusy] = useState<SwitchKey | 'redactionMode' | null>(null);
  const [lastPurge, setLastPurge] = useState<LastPurge | undefined>(undefined);

  useEffect(() => {
    if (!open || epoch < 0) return;
    client.invoke('settings.get').then(setSaved, (err: unknown) => reportError("Couldn't load the privacy settings", err));
    client.invoke('privacy.status').then(
      (status) => setLastPurge(status.lastPurge),
      () => setLastPurge(undefined), // an older core without it: the line is left out
    );
  }, [open, epoch]);

  const change = (key: SwitchKey | 'redactionMode', patch: Partial<PublicSettings>) => {
    if (!saved) return;
    // Shown at once (a radio or box that does not move when clicked reads as broken); the
    // core's answer replaces it, and a refusal puts back what was in force.
    const before = saved;
    setSaved({ ...saved, ...patch });
    setBusy(key);
    client
      .invoke('settings.update', patch)
      .then(setSaved, (err: unknown) => {
        setSaved(before);
        reportError("Couldn't change the privacy setting", err);
      })
      .finally(() => setBusy(null));
  };

  const keepsOriginals = saved?.redactionMode === 'redacted_and_original';

  return (
    <section aria-label="Privacy" data-testid="privacy-settings" className="flex flex-col gap-6">
      <div>
        <SectionHeading hint="Applies to lines heard from now on; lines already saved are not changed.">Personal details in calls</SectionHeading>
        <div className="divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40">
          <fieldset className="px-3 py-2.5" disabled={!saved || busy !== null}>
            <legend className="sr-only">What is kept of a line with personal details</legend>
            <div className="flex flex-col gap-2.5" role="radiogroup" aria-label="What is kept of a line with personal details">
              {MODES.map(({ mode, label, hint }) => (
                <label key={mode} className="flex cursor-pointer items-start gap-3">
                  <input
                    type="radio"
                    name="redactionMode"
                    value={mode}
                    data-testid={`redactionMode-${mode}`}
                    checked={saved?.redactionMode === mode}
                    onChange={() => change('redactionMode', { redactionMode: mode })}
                    className="focus-ring mt-0.5 size-3.5 accent-indigo-400 disabled:opacity-60"
                  />
                  <span className="flex min-w-0 flex-col">
                    <span className="text-[13px] text-slate-300">{label}</span>
                    <span className="text-[11.5px] leading-snug text-faint">{hint}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          {SWITCHES.map(({ key, label, hint, needsOriginals }) => {
            const unavailable = needsOriginals && !keepsOriginals;
            const note = unavailable ? 'Needs “Keep the masked line and the original” above.' : hint;
            // Without originals the cloud model can only ever be sent masked lines.
            const checked = key === 'redactBeforeCloudLlm' && unavailable ? true : saved?.[key] === true;
            return (
              <label key={key} className={cn('flex items-start gap-3 px-3 py-2.5', unavailable ? 'cursor-not-allowed' : 'cursor-pointer')}>
                <input
                  type="checkbox"
                  data-testid={key}
                  checked={checked}
                  disabled={!saved || busy !== null || unavailable}
                  onChange={(e) => change(key, { [key]: e.target.checked })}
                  className="focus-ring mt-0.5 size-3.5 accent-indigo-400 disabled:opacity-50"
                />
                <span className="flex min-w-0 flex-col">
                  <span className={cn('text-[13px]', unavailable ? 'text-faint' : 'text-slate-300')}>{label}</span>
                  <span className="text-[11.5px] leading-snug text-faint">{note}</span>
                </span>
              </label>
            );
          })}
        </div>
      </div>

      <RetentionForm saved={saved} onSaved={setSaved} lastPurge={lastPurge} />
    </section>
  );
}

function RetentionForm({ saved, onSaved, lastPurge }: { saved: PublicSettings | null; onSaved: (s: PublicSettings) => void; lastPurge: LastPurge | undefined }) {
  const [drafts, setDrafts] = useState<Partial<Record<DaysKey, string>>>({});
  const [saving, setSaving] = useState(false);
  const [justSaved, setJustSaved] = useState(false);

  const valueOf = (key: DaysKey) => drafts[key] ?? (saved ? String(saved[key]) : '');
  const problems = Object.fromEntries(DAYS.map((d) => [d.key, daysProblem(d.key, valueOf(d.key))])) as Record<DaysKey, string | null>;
  const changed = saved !== null && DAYS.some((d) => valueOf(d.key).trim() !== String(saved[d.key]));
  const canSave = changed && !saving && DAYS.every((d) => problems[d.key] === null);
  const calls = Number(valueOf('keepCallsDays'));
  const recordings = Number(valueOf('keepRecordingsDays'));
  // Not an error: a recording goes with its call, so the shorter of the two applies to it.
  const recordingsCapped = problems.keepCallsDays === null && problems.keepRecordingsDays === null && recordings > calls;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!canSave || !saved) return;
    const patch: Partial<Record<DaysKey, number>> = {};
    for (const d of DAYS) if (valueOf(d.key).trim() !== String(saved[d.key])) patch[d.key] = Number(valueOf(d.key).trim());
    setSaving(true);
    client
      .invoke('settings.update', patch)
      .then(
        (next) => {
          onSaved(next);
          setDrafts({});
          setJustSaved(true);
        },
        (err: unknown) => reportError("Couldn't save how long calls are kept", err),
      )
      .finally(() => setSaving(false));
  };

  return (
    <div>
      <SectionHeading hint="Checked when the console starts and every hour after. Live calls are never deleted.">How long calls are kept</SectionHeading>
      <form className="rounded-lg border border-slate-800 bg-slate-950/40" onSubmit={onSubmit} noValidate aria-label="How long calls are kept">
        <div className="divide-y divide-slate-800">
          {DAYS.map((d) => (
            <DaysInput
              key={d.key}
              field={d}
              value={valueOf(d.key)}
              problem={saved === null ? null : problems[d.key]}
              disabled={saved === null}
              onChange={(text) => {
                setJustSaved(false);
                setDrafts((all) => ({ ...all, [d.key]: text }));
              }}
            />
          ))}
        </div>
        {recordingsCapped ? (
          <p data-testid="recordings-capped" className="border-t border-slate-800 px-3 py-2 text-[11.5px] leading-snug text-amber-200/90">
            Recordings go with their calls, so they are kept {calls} days at most.
          </p>
        ) : null}
        <LastPurgeLine lastPurge={lastPurge} />
        <div className="flex items-center justify-end gap-3 border-t border-slate-800 px-3 py-2">
          {justSaved ? (
            <span role="status" data-testid="retention-saved" className="mr-auto text-[12px] text-emerald-300/90">
              Saved. The next clean-up uses these.
            </span>
          ) : null}
          {changed ? (
            <Button variant="ghost" size="sm" onClick={() => setDrafts({})} disabled={saving}>
              Undo changes
            </Button>
          ) : null}
          <Button type="submit" size="sm" variant="primary" disabled={!canSave} busy={saving} data-testid="retention-save">
            Save
          </Button>
        </div>
      </form>
    </div>
  );
}

function LastPurgeLine({ lastPurge }: { lastPurge: LastPurge | undefined }) {
  if (lastPurge === undefined) return null;
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  let text: string;
  if (lastPurge === null) text = 'No clean-up has finished since the console started.';
  else if (lastPurge.calls === 0 && lastPurge.recordings === 0) text = `Last clean-up ${formatWhen(lastPurge.at)}: nothing was old enough to delete.`;
  else text = `Last clean-up ${formatWhen(lastPurge.at)}: deleted ${plural(lastPurge.calls, 'call')} and ${plural(lastPurge.recordings, 'recording')}.`;
  return (
    <p data-testid="last-purge" className="border-t border-slate-800 px-3 py-2 text-[12px] leading-snug text-faint">
      {text}
      {lastPurge && lastPurge.failedFiles > 0 ? (
        <span className="text-amber-200/90"> {plural(lastPurge.failedFiles, 'recording file')} could not be deleted; tried again within the hour.</span>
      ) : null}
    </p>
  );
}

function DaysInput({
  field,
  value,
  problem,
  disabled,
  onChange,
}: {
  field: (typeof DAYS)[number];
  value: string;
  problem: string | null;
  disabled: boolean;
  onChange: (text: string) => void;
}) {
  const id = useId();
  return (
    <div className="grid grid-cols-[9.5rem_minmax(0,1fr)] items-start gap-3 px-3 py-2.5">
      <label htmlFor={id} className="pt-1.5 text-[13px] leading-tight text-slate-300">
        {field.label}
      </label>
      <div className="flex min-w-0 flex-col gap-1">
        <div className="flex items-center gap-2">
          <input
            id={id}
            data-testid={`setting-${field.key}`}
            type="text"
            inputMode="numeric"
            value={value}
            disabled={disabled}
            maxLength={12}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={problem !== null}
            aria-describedby={`${id}-note`}
            onChange={(e) => onChange(e.target.value)}
            className={cn(
              'focus-ring h-8 w-20 rounded-md border bg-slate-900 px-2.5 text-right text-[13px] text-slate-100 tabular-nums hover:border-slate-600 disabled:opacity-60',
              problem ? 'border-rose-400' : 'border-slate-700/80',
            )}
          />
          <span className="text-[13px] text-slate-400">days</span>
        </div>
        <p
          id={`${id}-note`}
          role={problem ? 'alert' : undefined}
          data-testid={problem ? `problem-${field.key}` : undefined}
          className={cn('text-[11.5px] leading-snug', problem ? 'text-rose-300' : 'text-faint')}
        >
          {problem ?? field.hint}
        </p>
      </div>
    </div>
  );
}

function SectionHeading({ children, hint }: { children: ReactNode; hint: string }) {
  return (
    <div className="mb-2.5">
      <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">{children}</h3>
      <p className="mt-0.5 text-[12px] text-faint">{hint}</p>
    </div>
  );
}
