/**
 * Settings → Call handling: how long the AI waits before it speaks up on a quiet line, while
 * the agent has it paused, and while a caller waits for a person. Times are edited in seconds
 * and saved when a field is left; a value out of range is refused in plain words, keeping the
 * one that was in force. Changes apply from the next call.
 */
import { useEffect, useId, useState } from 'react';
import type { PublicSettings } from '@shared/domain';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

type TimingKey = 'silenceRepromptMs' | 'pauseHoldLineMs' | 'waitCompanyMs' | 'waitOfferMs';

interface Timing {
  key: TimingKey;
  label: string;
  hint: string;
  /** Seconds the field accepts (the contract's ms limits). */
  min: number;
  max: number;
}

const TIMINGS: Timing[] = [
  { key: 'silenceRepromptMs', label: 'Check on a quiet caller after', hint: 'The AI asks if they are still there; after a second quiet spell as long, it says goodbye and hangs up.', min: 2, max: 60 },
  { key: 'pauseHoldLineMs', label: 'While you pause the AI, say “one moment, please” after', hint: 'Once per pause. 0 = never.', min: 0, max: 120 },
  { key: 'waitCompanyMs', label: 'Keep a caller waiting for a person company every', hint: 'A short “you’re still in the queue”. They are never hung up on while waiting.', min: 5, max: 300 },
  { key: 'waitOfferMs', label: 'Offer a waiting caller a choice after', hint: 'Keep waiting, a call back, or carry on with the AI.', min: 10, max: 1800 },
];

export function CallHandlingSection({ open }: { open: boolean }) {
  const epoch = useConnectEpoch();
  const [settings, setSettings] = useState<PublicSettings | null>(null);

  useEffect(() => {
    if (!open || epoch < 0) return;
    client.invoke('settings.get').then(setSettings, (err: unknown) => reportError("Couldn't load the call handling settings", err));
  }, [open, epoch]);

  const save = async (key: TimingKey, seconds: number): Promise<void> => {
    setSettings(await client.invoke('settings.update', { [key]: Math.round(seconds * 1000) }));
  };

  return (
    <section aria-label="Call handling" data-testid="call-handling-settings">
      <div className="mb-2.5">
        <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Call handling</h3>
        <p className="mt-0.5 text-[12px] text-faint">When the AI speaks up on its own. Applies from the next call.</p>
      </div>
      <div className="divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40">
        {TIMINGS.map((timing) => (
          <TimingField key={timing.key} timing={timing} valueMs={settings?.[timing.key] ?? null} onSave={(s) => save(timing.key, s)} />
        ))}
      </div>
    </section>
  );
}

function TimingField({ timing, valueMs, onSave }: { timing: Timing; valueMs: number | null; onSave: (seconds: number) => Promise<void> }) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = draft ?? (valueMs === null ? '' : String(valueMs / 1000));

  const commit = () => {
    if (draft === null) return;
    const seconds = Number(draft);
    if (draft.trim() === '' || !Number.isFinite(seconds) || seconds < timing.min || seconds > timing.max) {
      setProblem(`Enter ${timing.min}–${timing.max} seconds.`);
      return;
    }
    setProblem(null);
    onSave(seconds).then(
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
          step={1}
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
        <span className="text-[12px] text-slate-400">s</span>
      </span>
    </div>
  );
}
