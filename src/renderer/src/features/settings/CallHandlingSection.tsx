/**
 * Settings → Call handling: how long the AI waits before it speaks up on a quiet line, while
 * the agent has it paused, and while a caller waits for a person; and how it yields when the
 * caller talks over it (turn-taking). Times are saved when a field is left; a value out of
 * range is refused in plain words, keeping the one that was in force. Changes apply from the
 * next call.
 */
import { useEffect, useId, useState } from 'react';
import type { PublicSettings } from '@shared/domain';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

type TimingKey = 'silenceRepromptMs' | 'pauseHoldLineMs' | 'waitCompanyMs' | 'waitOfferMs' | 'bargeInMinVoicedMs' | 'bargeInResumeWindowMs';

interface Timing {
  key: TimingKey;
  label: string;
  hint: string;
  /** What the field is edited in: seconds, or ms for the short turn-taking times. */
  unit: 's' | 'ms';
  /** Values the field accepts, in its unit (the contract's limits). */
  min: number;
  max: number;
}

const MS_PER_UNIT = { s: 1000, ms: 1 } as const;

const TIMINGS: Timing[] = [
  { key: 'silenceRepromptMs', label: 'Check on a quiet caller after', hint: 'The AI asks if they are still there; after a second quiet spell as long, it says goodbye and hangs up.', unit: 's', min: 2, max: 60 },
  { key: 'pauseHoldLineMs', label: 'While you pause the AI, say “one moment, please” after', hint: 'Once per pause. 0 = never.', unit: 's', min: 0, max: 120 },
  { key: 'waitCompanyMs', label: 'Keep a caller waiting for a person company every', hint: 'A short “you’re still in the queue”. They are never hung up on while waiting.', unit: 's', min: 5, max: 300 },
  { key: 'waitOfferMs', label: 'Offer a waiting caller a choice after', hint: 'Keep waiting, a call back, or carry on with the AI.', unit: 's', min: 10, max: 1800 },
];

/** Turn-taking: the caller's voice pauses the AI at once; their words decide what it was. */
const TURN_TAKING: Timing[] = [
  { key: 'bargeInMinVoicedMs', label: 'Stop the AI when the caller’s voice has lasted', hint: 'Shorter stops sooner; a cough or a click then pauses it too, and it carries on.', unit: 'ms', min: 20, max: 500 },
  { key: 'bargeInResumeWindowMs', label: 'Then wait for a real word for', hint: 'With only “uh-huh”, a cough or noise by then, the AI carries on from the last word heard.', unit: 'ms', min: 200, max: 3000 },
];

const VAD_MODES: Array<{ mode: number; label: string }> = [
  { mode: 0, label: 'Most sensitive (quiet callers)' },
  { mode: 1, label: 'Sensitive (default)' },
  { mode: 2, label: 'Less sensitive' },
  { mode: 3, label: 'Least sensitive (noisy lines)' },
];

export function CallHandlingSection({ open }: { open: boolean }) {
  const epoch = useConnectEpoch();
  const [settings, setSettings] = useState<PublicSettings | null>(null);

  useEffect(() => {
    if (!open || epoch < 0) return;
    client.invoke('settings.get').then(setSettings, (err: unknown) => reportError("Couldn't load the call handling settings", err));
  }, [open, epoch]);

  const save = async (timing: Timing, value: number): Promise<void> => {
    setSettings(await client.invoke('settings.update', { [timing.key]: Math.round(value * MS_PER_UNIT[timing.unit]) }));
  };
  const saveVadMode = (mode: number) =>
    client.invoke('settings.update', { bargeInVadMode: mode }).then(setSettings, (err: unknown) => reportError("Couldn't save that setting", err));

  return (
    <section aria-label="Call handling" data-testid="call-handling-settings">
      <div className="mb-2.5">
        <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Call handling</h3>
        <p className="mt-0.5 text-[12px] text-faint">When the AI speaks up on its own. Applies from the next call.</p>
      </div>
      <div className="divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40">
        {TIMINGS.map((timing) => (
          <TimingField key={timing.key} timing={timing} valueMs={settings?.[timing.key] ?? null} onSave={(v) => save(timing, v)} />
        ))}
      </div>
      <div className="mt-4 mb-2.5">
        <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">When the caller talks over the AI</h3>
        <p className="mt-0.5 text-[12px] text-faint">The AI stops on the caller’s first syllable and lets their words decide.</p>
      </div>
      <div className="divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40" data-testid="turn-taking-settings">
        {TURN_TAKING.map((timing) => (
          <TimingField key={timing.key} timing={timing} valueMs={settings?.[timing.key] ?? null} onSave={(v) => save(timing, v)} />
        ))}
        <VadModeField value={settings?.bargeInVadMode ?? null} onChange={saveVadMode} />
      </div>
    </section>
  );
}

function TimingField({ timing, valueMs, onSave }: { timing: Timing; valueMs: number | null; onSave: (value: number) => Promise<void> }) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = draft ?? (valueMs === null ? '' : String(valueMs / MS_PER_UNIT[timing.unit]));

  const commit = () => {
    if (draft === null) return;
    const value = Number(draft);
    if (draft.trim() === '' || !Number.isFinite(value) || value < timing.min || value > timing.max) {
      setProblem(`Enter ${timing.min}–${timing.max} ${timing.unit === 's' ? 'seconds' : 'ms'}.`);
      return;
    }
    setProblem(null);
    onSave(value).then(
      () => setDraft(null),
      (err: unknown) => reportError("Couldn't save that setting", err),
    );
  };

  return (
    <div className="flex items-start gap-3 px-3 py-2.5">
      <label htmlFor={id} className="flex min-w-0 flex-1 flex-col">
        <span className="text-[13px] text-slate-300">{timing.label}</span>
        <span className="text-[11px] text-slate-400">{timing.hint}</span>
        {problem ? (
          <span role="alert" className="mt-0.5 text-[11px] text-rose-300">
            {problem}
          </span>
        ) : null}
      </label>
      <span className="flex shrink-0 items-center gap-1.5">
        <input
          id={id}
          data-testid={`timing-${timing.key}`}
          type="number"
          inputMode="decimal"
          min={timing.min}
          max={timing.max}
          step={timing.unit === 's' ? 1 : 10}
          value={shown}
          disabled={valueMs === null}
          aria-invalid={problem !== null}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') {
              setDraft(null);
              setProblem(null);
            }
          }}
          className="focus-ring w-20 rounded-md border border-slate-700 bg-slate-900 px-2 py-1 text-right text-[13px] text-slate-100 tabular-nums disabled:opacity-60 aria-[invalid=true]:border-rose-400"
        />
        <span className="w-5 text-[12px] text-slate-400">{timing.unit}</span>
      </span>
    </div>
  );
}

function VadModeField({ value, onChange }: { value: number | null; onChange: (mode: number) => void }) {
  const id = useId();
  return (
    <div className="flex items-start gap-3 px-3 py-2.5">
      <label htmlFor={id} className="flex min-w-0 flex-1 flex-col">
        <span className="text-[13px] text-slate-300">What counts as the caller’s voice</span>
        <span className="text-[11px] text-slate-400">Less sensitive ignores more background noise, and notices a quiet caller a little later.</span>
      </label>
      <select
        id={id}
        data-testid="barge-in-vad-mode"
        value={value ?? ''}
        disabled={value === null}
        onChange={(e) => onChange(Number(e.target.value))}
        className="focus-ring shrink-0 rounded-md border border-slate-700 bg-slate-900 px-2 py-1 text-[13px] text-slate-100 disabled:opacity-60"
      >
        {VAD_MODES.map((m) => (
          <option key={m.mode} value={m.mode}>
            {m.label}
          </option>
        ))}
      </select>
    </div>
  );
}
