/**
 * Settings → Recording: whether demo calls and real calls are recorded (the line as a stereo
 * file, plus the agent's softphone leg from Twilio). A recorded call's greeting tells the
 * caller; changes apply from the next call, like every other setting here.
 */
import { useCallback, useEffect, useState } from 'react';
import type { PublicSettings } from '@shared/domain';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

type RecordingKey = 'recordDemoCalls' | 'recordRealCalls';

const OPTIONS: { key: RecordingKey; label: string; hint: string }[] = [
  { key: 'recordDemoCalls', label: 'Record demo calls', hint: 'Simulated callers from “Start demo call”.' },
  {
    key: 'recordRealCalls',
    label: 'Record real phone calls',
    hint: 'Twilio calls, including your softphone leg after a take-over. Check the rules on recording calls where your callers are.',
  },
];

/** Loads when `open` turns true (and on every reconnect while open). */
function useRecordingSettings(open: boolean) {
  const epoch = useConnectEpoch();
  const [settings, setSettings] = useState<PublicSettings | null>(null);
  const [busy, setBusy] = useState<RecordingKey | null>(null);

  useEffect(() => {
    if (!open || epoch < 0) return;
    client.invoke('settings.get').then(setSettings, (err: unknown) => reportError("Couldn't load the recording settings", err));
  }, [open, epoch]);

  const set = useCallback((key: RecordingKey, value: boolean) => {
    setBusy(key);
    client
      .invoke('settings.update', { [key]: value })
      .then(setSettings, (err: unknown) => reportError("Couldn't change the recording setting", err))
      .finally(() => setBusy(null));
  }, []);

  return { settings, busy, set };
}

export function RecordingSection({ open }: { open: boolean }) {
  const { settings, busy, set } = useRecordingSettings(open);
  return (
    <section aria-label="Recording" data-testid="recording-settings">
      <div className="mb-2.5">
        <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Recording</h3>
        <p className="mt-0.5 text-[12px] text-faint">
          A recorded call&apos;s greeting tells the caller. Recordings stay on this machine, in the data folder.
        </p>
      </div>
      <div className="divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40">
        {OPTIONS.map(({ key, label, hint }) => (
          <label key={key} className="flex cursor-pointer items-start gap-3 px-3 py-2.5">
            <input
              type="checkbox"
              data-testid={key}
              checked={settings?.[key] === true}
              disabled={!settings || busy !== null}
              onChange={(e) => set(key, e.target.checked)}
              className="focus-ring mt-0.5 size-3.5 accent-indigo-400 disabled:opacity-60"
            />
            <span className="flex min-w-0 flex-col">
              <span className="text-[13px] text-slate-300">{label}</span>
              <span className="text-[11px] text-faint">{hint}</span>
            </span>
          </label>
        ))}
      </div>
    </section>
  );
}
