/**
 * The "Listen in" toggle for the call header. `ListenInControl` owns the audio (useListenIn);
 * `ListenInButton` only takes props.
 */
import type { SVGProps } from 'react';
import { Button } from '../../components/ui/Button';
import { cn } from '../../lib/cn';
import { useListenIn } from './useListenIn';

/** Why a call has no listen-in even though it is live (ConversationRelay: Twilio carries its audio). */
export const RELAY_NO_LISTEN =
  "No listen-in on this call: it uses Twilio ConversationRelay, so Twilio does the speech and no audio reaches Switchboard. The transcript shows everything said.";

export function ListenInControl({ callId, available, relay = false }: { callId: string; available: boolean; relay?: boolean }) {
  const { on, confirmed, level, toggle } = useListenIn(callId, available && !relay);
  if (!available) return null;
  if (relay) {
    return (
      <span
        tabIndex={0}
        data-testid="listen-in-unavailable"
        title={RELAY_NO_LISTEN}
        aria-label={RELAY_NO_LISTEN}
        className="focus-ring inline-flex h-8 items-center gap-1.5 rounded-md border border-slate-700/60 px-2.5 text-[12px] text-faint"
      >
        <SpeakerIcon className="size-3.5 opacity-60" />
        Text call · no listen-in
      </span>
    );
  }
  return <ListenInButton on={on} confirmed={confirmed} level={level} onToggle={toggle} />;
}

export function ListenInButton({
  on,
  confirmed,
  level,
  onToggle,
}: {
  on: boolean;
  confirmed: boolean;
  level: number;
  onToggle: () => void;
}) {
  const flowing = on && level > 0;
  return (
    <Button
      variant={on ? 'primary' : 'secondary'}
      onClick={onToggle}
      aria-pressed={on}
      busy={on && !confirmed}
      data-testid="listen-in"
      data-listening={on && confirmed}
      data-flowing={flowing}
      title={on ? 'Stop listening to this call' : 'Hear the caller and the AI live, without joining the call'}
      icon={on ? <LevelMeter level={level} /> : <SpeakerIcon className="size-3.5" />}
    >
      {on ? 'Listening' : 'Listen in'}
    </Button>
  );
}

/** Four bars that rise with the level of the audio playing now. */
function LevelMeter({ level }: { level: number }) {
  return (
    <span aria-hidden data-testid="listen-in-meter" className="flex h-3.5 w-3.5 items-end justify-between">
      {[0.55, 1, 0.75, 0.4].map((weight, i) => (
        <span
          key={i}
          className={cn('w-[2px] origin-bottom rounded-full bg-current transition-transform duration-100', level === 0 && 'opacity-60')}
          style={{ height: '100%', transform: `scaleY(${Math.max(0.15, Math.min(1, level * weight * 1.4)).toFixed(2)})` }}
        />
      ))}
    </span>
  );
}

function SpeakerIcon(props: SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden className="size-4" {...props}>
      <path d="M2.5 6.5v3h2.5l3.5 3v-9l-3.5 3z" />
      <path d="M10.5 6a2.5 2.5 0 0 1 0 4M12.5 4a5 5 0 0 1 0 8" />
    </svg>
  );
}
