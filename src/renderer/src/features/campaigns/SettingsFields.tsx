/**
 * The campaign form's settings (CampaignSettings): what the AI is for and with which profile,
 * when it may call (days and hours in the callee's time), how often and how hard it tries,
 * and the number it calls from. Each problem shows beside its field once the field was left
 * (or Create was pressed), in the shared schema's words. They only take props.
 */
import type { ReactNode } from 'react';
import type { AiProfileListItem } from '@shared/ai-profile';
import { cn } from '../../lib/cn';
import { formatPhone } from '../../lib/format';
import { RETRY_OUTCOMES, type FieldKey, type Problems, type RetryOutcome, type SettingsDraft } from './draft';
import { controlClass, describedBy, Field, FormSection, FormSelect } from './form-parts';
import { WEEKDAY_LONG, WEEKDAY_SHORT, WEEK_FROM_MONDAY, minutesInWords, paceInWords } from './words';

export interface SettingsFieldsProps {
  settings: SettingsDraft;
  /** Problems to show now (the form decides which: touched fields, or all after Create). */
  problems: Problems;
  onChange: <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => void;
  onLeave: (field: FieldKey) => void;
}

export function BasicsSection({
  settings,
  problems,
  onChange,
  onLeave,
  profiles,
  profileId,
  onProfile,
}: SettingsFieldsProps & { profiles: AiProfileListItem[]; profileId: string | null; onProfile: (id: string) => void }) {
  return (
    <FormSection title="Campaign" hint="What the AI calls about, and the profile it calls with (persona, voice, knowledge base).">
      <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,16rem)] gap-4">
        <Field id="campaign-name" label="Name" problem={problems.name}>
          <input
            id="campaign-name"
            value={settings.name}
            onChange={(e) => onChange('name', e.target.value)}
            onBlur={() => onLeave('name')}
            placeholder="e.g. Spring boiler service reminders"
            autoComplete="off"
            aria-invalid={problems.name ? true : undefined}
            aria-describedby={describedBy('campaign-name', false, problems.name)}
            className={cn(controlClass, 'h-8')}
          />
        </Field>
        <Field id="campaign-profile" label="AI profile" problem={problems.profile}>
          <FormSelect
            id="campaign-profile"
            value={profileId ?? ''}
            onChange={(e) => onProfile(e.target.value)}
            disabled={profiles.length === 0}
            aria-invalid={problems.profile ? true : undefined}
            aria-describedby={describedBy('campaign-profile', false, problems.profile)}
          >
            {profiles.length === 0 ? <option value="">No profiles</option> : null}
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.isDefault ? ' (default)' : ''}
              </option>
            ))}
          </FormSelect>
        </Field>
      </div>
      <Field
        id="campaign-purpose"
        label="Purpose"
        problem={problems.purpose}
        hint="Why the AI is calling, in a sentence or two: its brief for every call of the campaign."
      >
        <textarea
          id="campaign-purpose"
          value={settings.purpose}
          rows={2}
          onChange={(e) => onChange('purpose', e.target.value)}
          onBlur={() => onLeave('purpose')}
          placeholder="e.g. Remind customers their annual boiler service is due and book a visit in the next four weeks."
          aria-invalid={problems.purpose ? true : undefined}
          aria-describedby={describedBy('campaign-purpose', true, problems.purpose)}
          className={cn(controlClass, 'min-h-14 resize-y py-2 leading-relaxed')}
        />
      </Field>
      <Field id="campaign-script" label="Script" optional problem={problems.script} hint="Lines the AI follows where they fit; it still answers what the callee asks.">
        <textarea
          id="campaign-script"
          value={settings.script}
          rows={3}
          onChange={(e) => onChange('script', e.target.value)}
          onBlur={() => onLeave('script')}
          aria-invalid={problems.script ? true : undefined}
          aria-describedby={describedBy('campaign-script', true, problems.script)}
          className={cn(controlClass, 'min-h-16 resize-y py-2 leading-relaxed')}
        />
        <span className={cn('self-end text-[11px] tabular-nums', settings.script.length > 4000 ? 'text-rose-300' : 'text-faint')}>
          {settings.script.length.toLocaleString()} / 4,000
        </span>
      </Field>
    </FormSection>
  );
}

/** 00:00 … 24:00 in quarter hours. */
const TIMES = Array.from({ length: 97 }, (_, i) => `${String(Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`);

function TimeSelect({ id, value, choices, onChange, invalid, describedById }: { id: string; value: string; choices: string[]; onChange: (v: string) => void; invalid: boolean; describedById?: string | undefined }) {
  // A time off the quarter-hour grid (from elsewhere) stays choosable.
  const options = choices.includes(value) ? choices : [...choices, value].sort();
  return (
    <FormSelect id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={invalid || undefined} aria-describedby={describedById} className="w-40">
      {options.map((t) => (
        <option key={t} value={t}>
          {t === '24:00' ? '24:00 (midnight)' : t}
        </option>
      ))}
    </FormSelect>
  );
}

export function ScheduleSection({ settings, problems, onChange, onLeave }: SettingsFieldsProps) {
  const toggleDay = (day: number) => {
    const on = settings.days.includes(day);
    onChange('days', on ? settings.days.filter((d) => d !== day) : [...settings.days, day]);
    onLeave('days');
  };
  const hoursProblem = problems.start ?? problems.end;
  return (
    <FormSection
      title="Schedule"
      hint="When leads may be called, in each callee’s own time zone. Settings → Telephony’s allowed hours narrow it further."
      testId="schedule-section"
    >
      <fieldset className="flex flex-col gap-1.5" aria-describedby={problems.days ? 'campaign-days-problem' : undefined}>
        <legend className="mb-1.5 text-[12px] font-medium text-slate-300">Days</legend>
        <div className="flex flex-wrap gap-1.5">
          {WEEK_FROM_MONDAY.map((day) => {
            const on = settings.days.includes(day);
            return (
              <label key={day} className="relative">
                <input type="checkbox" className="peer sr-only" checked={on} onChange={() => toggleDay(day)} aria-label={WEEKDAY_LONG[day]} />
                <span
                  aria-hidden
                  className={cn(
                    'flex h-8 w-12 cursor-pointer items-center justify-center rounded-md border text-[12px] font-medium transition-colors peer-focus-visible:ring-2 peer-focus-visible:ring-indigo-400',
                    on ? 'border-indigo-400/50 bg-indigo-400/15 text-indigo-100' : 'border-slate-700/80 bg-slate-900 text-slate-400 hover:border-slate-600',
                  )}
                >
                  {WEEKDAY_SHORT[day]}
                </span>
              </label>
            );
          })}
        </div>
        {problems.days ? (
          <p id="campaign-days-problem" role="alert" data-testid="field-problem" className="text-[12px] text-rose-300">
            {problems.days}
          </p>
        ) : null}
      </fieldset>
      <div className="flex flex-wrap items-start gap-4">
        {(['start', 'end'] as const).map((key) => (
          <Field key={key} id={`campaign-${key}`} label={key === 'start' ? 'From' : 'Until'}>
            <TimeSelect
              id={`campaign-${key}`}
              value={settings[key]}
              // From 00:00 to 23:45; until 00:15 to 24:00.
              choices={key === 'start' ? TIMES.slice(0, -1) : TIMES.slice(1)}
              onChange={(v) => {
                onChange(key, v);
                onLeave(key);
              }}
              invalid={Boolean(hoursProblem)}
              describedById={hoursProblem ? 'campaign-hours-problem' : undefined}
            />
          </Field>
        ))}
        <p className="pt-7 text-[12px] text-faint">in the callee’s local time</p>
      </div>
      {hoursProblem ? (
        <p id="campaign-hours-problem" role="alert" data-testid="field-problem" className="-mt-2 text-[12px] text-rose-300">
          {hoursProblem}
        </p>
      ) : null}
    </FormSection>
  );
}

/** A labelled number input that keeps what is typed (a half-typed number is the schema's "Enter a number"). */
function NumberField({
  id,
  label,
  value,
  field,
  problem,
  hint,
  step = 1,
  unit,
  onChange,
  onLeave,
}: {
  id: string;
  label: string;
  value: string;
  field: FieldKey;
  problem: string | undefined;
  hint?: string | undefined;
  step?: number;
  unit?: ReactNode;
  onChange: (text: string) => void;
  onLeave: (field: FieldKey) => void;
}) {
  return (
    <Field id={id} label={label} problem={problem} hint={hint}>
      <span className="flex items-center gap-2">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          step={step}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => onLeave(field)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy(id, Boolean(hint), problem)}
          className={cn(controlClass, 'h-8 w-24 tabular-nums')}
        />
        {unit ? <span className="text-[12px] whitespace-nowrap text-faint">{unit}</span> : null}
      </span>
    </Field>
  );
}

const RETRY_WORDS: Record<RetryOutcome, string> = { no_answer: 'No answer', busy: 'Busy', failed: 'Failed', voicemail: 'Voicemail' };

export function PaceSection({ settings, problems, onChange, onLeave }: SettingsFieldsProps) {
  const cpm = Number(settings.callsPerMinute);
  const oneAttempt = settings.maxAttempts.trim() === '1';
  const retry = (outcome: RetryOutcome, text: string) => onChange('retryAfterMinutes', { ...settings.retryAfterMinutes, [outcome]: text });
  return (
    <FormSection title="Attempts and pace" hint="How often each lead is tried, and how fast the campaign dials.">
      <div className="grid grid-cols-3 gap-x-6 gap-y-4">
        <NumberField
          id="campaign-attempts"
          label="Attempts per lead"
          hint="A lead that answers or opts out is never called again."
          value={settings.maxAttempts}
          field="maxAttempts"
          problem={problems.maxAttempts}
          onChange={(t) => onChange('maxAttempts', t)}
          onLeave={onLeave}
        />
        <NumberField
          id="campaign-pace"
          label="Calls per minute"
          hint={Number.isFinite(cpm) && cpm > 0 && !problems.callsPerMinute ? `Dials evenly: ${paceInWords(cpm)}.` : 'Dials are spread evenly over the minute.'}
          value={settings.callsPerMinute}
          field="callsPerMinute"
          problem={problems.callsPerMinute}
          step={0.5}
          onChange={(t) => onChange('callsPerMinute', t)}
          onLeave={onLeave}
        />
        <NumberField
          id="campaign-concurrent"
          label="Calls at once"
          hint="No new dial while this many are ringing or in progress."
          value={settings.maxConcurrent}
          field="maxConcurrent"
          problem={problems.maxConcurrent}
          onChange={(t) => onChange('maxConcurrent', t)}
          onLeave={onLeave}
        />
      </div>
      <fieldset className="flex flex-col gap-2" aria-describedby={oneAttempt ? 'campaign-retry-note' : undefined}>
        <legend className="mb-1.5 flex items-baseline gap-2 text-[12px] font-medium text-slate-300">
          Retry after, by how the last attempt ended
          {oneAttempt ? (
            <span id="campaign-retry-note" className="text-[11.5px] font-normal text-faint">
              With one attempt per lead nothing is retried.
            </span>
          ) : null}
        </legend>
        <div className="grid grid-cols-4 gap-x-4 gap-y-3">
          {RETRY_OUTCOMES.map((outcome) => {
            const key = `retryAfterMinutes.${outcome}` as const;
            const minutes = Number(settings.retryAfterMinutes[outcome]);
            const voicemailOff = oneAttempt || (outcome === 'voicemail' && !settings.machineDetection);
            return (
              <NumberField
                key={outcome}
                id={`campaign-retry-${outcome}`}
                label={RETRY_WORDS[outcome]}
                hint={oneAttempt ? undefined : voicemailOff ? 'Used with machine detection.' : Number.isInteger(minutes) && minutes > 0 && !problems[key] ? minutesInWords(minutes) : undefined}
                value={settings.retryAfterMinutes[outcome]}
                field={key}
                problem={problems[key]}
                unit="min"
                onChange={(t) => retry(outcome, t)}
                onLeave={onLeave}
              />
            );
          })}
        </div>
      </fieldset>
    </FormSection>
  );
}

export function CallerSection({
  settings,
  problems,
  onChange,
  onLeave,
  numbers,
  missing,
}: SettingsFieldsProps & { numbers: string[]; missing: string[] }) {
  const callerId = settings.callerId || numbers[0] || '';
  return (
    <FormSection title="Calling from">
      {missing.length > 0 ? (
        <p className="rounded-md border border-amber-400/25 bg-amber-400/[0.06] px-3 py-2 text-[12px] leading-snug text-amber-200/90" data-testid="campaign-twilio-missing">
          Twilio isn’t set up for real calls yet (missing {missing.join(', ')}). You can create the campaign now; it waits to dial until Settings →
          Telephony is complete.
        </p>
      ) : null}
      <div className="flex flex-wrap items-start gap-x-8 gap-y-4">
        <Field id="campaign-caller-id" label="Caller ID" problem={problems.callerId} hint="The number callees see; one of Settings → Telephony’s numbers." className="w-64">
          <FormSelect
            id="campaign-caller-id"
            value={callerId}
            disabled={numbers.length === 0}
            onChange={(e) => {
              onChange('callerId', e.target.value);
              onLeave('callerId');
            }}
            aria-invalid={problems.callerId ? true : undefined}
            aria-describedby={describedBy('campaign-caller-id', true, problems.callerId)}
            className="font-mono tabular-nums"
          >
            {numbers.length === 0 ? <option value="">No numbers</option> : null}
            {numbers.map((n) => (
              <option key={n} value={n}>
                {formatPhone(n)}
              </option>
            ))}
          </FormSelect>
        </Field>
        <div className="flex max-w-md flex-col gap-1.5 pt-6">
          <label className="flex items-center gap-2 text-[12.5px] text-slate-200">
            <input
              type="checkbox"
              checked={settings.machineDetection}
              onChange={(e) => onChange('machineDetection', e.target.checked)}
              aria-describedby="campaign-amd-hint"
              className="focus-ring size-4 rounded border-slate-600 bg-slate-900 accent-indigo-500"
            />
            Answering-machine detection
          </label>
          <p id="campaign-amd-hint" className="text-[11.5px] leading-snug text-faint">
            Twilio listens first: a machine is recorded as voicemail and retried as such. Callees hear a short pause before the AI speaks.
          </p>
        </div>
      </div>
    </FormSection>
  );
}
