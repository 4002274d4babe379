/**
 * In-call controls for the agent's softphone leg of the call on screen: mute, keypad (DTMF to
 * the caller) and hang up. `SoftphoneCallStrip` picks the softphone call for `callSid` from the
 * store; `InCallStrip` only takes props.
 */
import { useState } from 'react';
import { Button, Spinner } from '../../components/ui/Button';
import { HangUpIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import type { SoftphoneCall, SoftphoneControls } from './store';
import { useSoftphoneState } from './useSoftphone';

export function SoftphoneCallStrip({ callSid }: { callSid: string }) {
  const { call, controls } = useSoftphoneState();
  if (!call || call.callSid !== callSid) return null;
  return <InCallStrip call={call} controls={controls} />;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

export function InCallStrip({ call, controls }: { call: SoftphoneCall; controls: SoftphoneControls }) {
  const [keypad, setKeypad] = useState(false);
  const open = call.state === 'open';
  const status =
    call.state === 'ringing' || call.state === 'connecting'
      ? 'Connecting your headset…'
      : call.state === 'reconnecting'
        ? 'Reconnecting…'
        : call.muted
          ? 'On your headset · muted'
          : 'On your headset';

  return (
    <div
      data-testid="softphone-strip"
      data-call-state={call.state}
      className="flex shrink-0 flex-col gap-2 border-b border-emerald-500/15 bg-emerald-500/[0.05] px-6 py-2"
    >
      <div className="flex items-center gap-3">
        <span className="flex items-center gap-2 text-[12px] text-emerald-200">
          {open ? <span aria-hidden className="size-1.5 rounded-full bg-emerald-400" /> : <Spinner className="size-3" />}
          {status}
        </span>
        <div className="ml-auto flex items-center gap-1.5">
          <Button
            size="sm"
            variant={call.muted ? 'warning' : 'secondary'}
            aria-pressed={call.muted}
            disabled={!open}
            onClick={() => controls.setMuted(!call.muted)}
            icon={<MicIcon muted={call.muted} />}
          >
            {call.muted ? 'Unmute' : 'Mute'}
          </Button>
          <Button
            size="sm"
            variant="secondary"
            aria-expanded={keypad}
            aria-controls="softphone-keypad"
            disabled={!open}
            onClick={() => setKeypad((v) => !v)}
            icon={<KeypadIcon />}
          >
            Keypad
          </Button>
          <Button size="sm" variant="danger" onClick={controls.hangUp} icon={<HangUpIcon className="size-3.5" />}>
            Hang up
          </Button>
        </div>
      </div>
      {keypad && open ? (
        <div id="softphone-keypad" role="group" aria-label="Keypad" className="ml-auto grid grid-cols-6 gap-1">
          {KEYS.map((key) => (
            <button
              key={key}
              type="button"
              onClick={() => controls.sendDigits(key)}
              className={cn(
                'focus-ring h-7 w-9 rounded-md border border-slate-700/80 bg-slate-900 font-mono text-[13px] text-slate-200',
                'hover:border-slate-600 hover:bg-slate-800 active:bg-slate-700',
              )}
            >
              {key}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function MicIcon({ muted }: { muted: boolean }) {
  return (
    <svg viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" aria-hidden className="size-3.5">
      <rect x="6" y="2" width="4" height="7.5" rx="2" />
      <path d="M3.5 7.5a4.5 4.5 0 0 0 9 0M8 12v2" />
      {muted ? <path d="M2.5 2.5l11 11" /> : null}
    </svg>
  );
}

function KeypadIcon() {
  return (
    <svg viewBox="0 0 16 16" fill="currentColor" aria-hidden className="size-3.5">
      {[3, 8, 13].flatMap((y) => [3, 8, 13].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r="1.3" />))}
    </svg>
  );
}
