/**
 * The "Listen in" toggle for the call header. `ListenInControl` owns the audio (useListenIn);
 * `ListenInButton` only takes props.
 */
import type { SVGProps } from 'react';
import { Button } from '../../components/ui/Button';
import { cn } from '../../lib/cn';
import { useListenIn } from './useListenIn';

export function ListenInControl({ callId, available }: { callId: string; available: boolean }) {
  const { on, confirmed, level, toggle } = useListenIn(callId, available);
  if (!available) return null;
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
