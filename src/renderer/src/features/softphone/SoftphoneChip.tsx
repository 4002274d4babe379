/**
 * The softphone's status in the top bar. `Softphone` mounts the one `useSoftphone()` (the
 * Device's owner) and renders `SoftphoneChip`, which only takes props.
 */
import { Button } from '../../components/ui/Button';
import { Tooltip } from '../../components/ui/Tooltip';
import { PhoneIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { errorInWords } from '../../lib/format';
import type { SoftphoneCall, SoftphoneControls, SoftphoneRegistration } from './store';
import { useSoftphone } from './useSoftphone';

export function Softphone() {
  const { registration, call, controls } = useSoftphone();
  return <SoftphoneChip registration={registration} call={call} controls={controls} />;
}

type Tone = 'ok' | 'busy' | 'idle' | 'bad';
const tones: Record<Tone, { dot: string; text: string }> = {
  ok: { dot: 'bg-emerald-400', text: 'text-slate-400' },
  busy: { dot: 'bg-amber-400 animate-pulse', text: 'text-amber-200' },
  idle: { dot: 'bg-slate-500', text: 'text-faint' },
  bad: { dot: 'bg-rose-400', text: 'text-rose-300' },
};

function describe(registration: SoftphoneRegistration, call: SoftphoneCall | null): { tone: Tone; label: string; detail: string } {
  if (call) {
    if (call.state === 'ringing') {
      return call.takeover
        ? { tone: 'busy', label: 'Connecting your call…', detail: 'Answering the call you took over.' }
        : { tone: 'busy', label: 'Incoming call', detail: 'A call is ringing on your softphone.' };
    }
    const label = call.state === 'reconnecting' ? 'Reconnecting call…' : call.state === 'connecting' ? 'Connecting call…' : 'On call';
    return { tone: call.state === 'open' ? 'ok' : 'busy', label: call.muted ? `${label} · muted` : label, detail: 'Your softphone is on a call.' };
  }
  switch (registration.kind) {
    case 'off':
    case 'connecting':
      return { tone: 'busy', label: 'Softphone connecting…', detail: 'Registering your softphone with Twilio.' };
    case 'ready':
      return { tone: 'ok', label: 'Softphone ready', detail: `Calls you take over ring here (${registration.identity}).` };
    case 'unavailable':
      return { tone: 'idle', label: 'Softphone off', detail: registration.reason };
    case 'offline': {
      // Network codes in words on the chip; the tooltip keeps the original for support.
      const { text, detail } = errorInWords(registration.reason);
      return {
        tone: 'bad',
        label: `Softphone offline: ${text}`,
        detail: `Softphone offline: ${text}. You can still take over and type replies.${registration.retryAt ? ` Trying again at ${new Date(registration.retryAt).toLocaleTimeString()}.` : ''}${detail ? ` (${detail})` : ''}`,
      };
    }
  }
}

export function SoftphoneChip({
  registration,
  call,
  controls,
}: {
  registration: SoftphoneRegistration;
  call: SoftphoneCall | null;
  controls: SoftphoneControls;
}) {
  const { tone, label, detail } = describe(registration, call);
  const t = tones[tone];
  const ringing = call?.state === 'ringing' && !call.takeover;
  return (
    <span className="flex items-center gap-2">
      <Tooltip content={detail} align="end">
        <span
          role="status"
          data-testid="softphone-state"
          data-state={call ? `call-${call.state}` : registration.kind}
          className={cn('inline-flex max-w-96 items-center gap-2 text-[12px]', t.text)}
        >
          <PhoneIcon className="size-3.5 shrink-0" />
          <span aria-hidden className={cn('size-1.5 shrink-0 rounded-full', t.dot)} />
          {/* "Softphone off" is the least of the top bar's news: narrow windows show its dot only (the words stay for screen readers and the tooltip). */}
          <span className={cn('truncate', tone === 'idle' && 'sr-only xl:not-sr-only')}>{label}</span>
        </span>
      </Tooltip>
      {ringing ? (
        <>
          <Button size="sm" variant="primary" onClick={controls.answer}>
            Answer
          </Button>
          <Button size="sm" variant="ghost" onClick={controls.decline}>
            Decline
          </Button>
        </>
      ) : null}
      {!call && registration.kind === 'offline' ? (
        <Button size="sm" variant="ghost" onClick={controls.retry} data-testid="softphone-retry">
          Retry
        </Button>
      ) : null}
    </span>
  );
}
