/**
 * "New AI call": the agent gives a number, why the AI calls (and optionally a script); the
 * core places the call through Twilio or says why not (invalid number, do-not-call list,
 * outside allowed hours, Twilio not set up). What can be told here is said before sending,
 * in the core's words (shared/phone.ts): a number not in use, a premium-rate or shared-cost
 * number, a country not allowed. While Twilio places it the dialog follows its
 * status; the call opens in the console when it arrives (answered, or ended unanswered).
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Button } from '../../components/ui/Button';
import { Modal } from '../../components/ui/Modal';
import { ChevronDownIcon, PhoneIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { formatPhone } from '../../lib/format';
import { useCallsStore } from '../calls/store';
import { shownStatus, TwilioStatusChip } from './CallStatusChip';
import { FieldNote, inputClass } from './fields';
import { dialProblem } from '@shared/phone';
import { e164Problem, normalizePhone } from './phone';
import { selectTwilioStatus, useTelephonyStatus } from './store';
import { useCallStatusFeed } from './useCallStatusFeed';
import { useDialer, type Dialer } from './useDialer';
import { ProfileSelect } from '../profiles/ProfileSelect';
import { useProfileList } from '../profiles/store';

/** The top bar's button; also owns the `call.status` subscription (the top bar is always mounted). */
export function NewCallButton({ disabled }: { disabled: boolean }) {
  useCallStatusFeed();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="secondary"
        aria-haspopup="dialog"
        data-testid="new-call-button"
        disabled={disabled}
        onClick={() => setOpen(true)}
        icon={<PhoneIcon className="size-3.5" />}
      >
        New AI call
      </Button>
      <NewCallDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}

export function NewCallDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Modal open={open} onClose={onClose} testId="new-call-dialog" className="max-h-[min(44rem,calc(100vh-2rem))] w-[min(32rem,calc(100vw-2rem))]">
      {(titleId) => <DialogBody titleId={titleId} onClose={onClose} />}
    </Modal>
  );
}

function DialogBody({ titleId, onClose }: { titleId: string; onClose: () => void }) {
  const dialer = useDialer();
  const placedSid = dialer.placed?.callSid ?? null;
  const arrived = useCallsStore((s) => placedSid !== null && Object.values(s.calls).some((c) => c.callSid === placedSid));

  // The call is in the console now (selected by selectWhenArrives): get out of the way.
  useEffect(() => {
    if (arrived) onClose();
  }, [arrived, onClose]);

  return (
    <div className="flex max-h-[inherit] flex-col">
      <header className="flex items-start gap-3 border-b border-slate-800 px-5 pt-4 pb-3.5">
        <span aria-hidden className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-lg bg-indigo-400/10 text-indigo-300 ring-1 ring-indigo-400/25 ring-inset">
          <PhoneIcon className="size-4" />
        </span>
        <div className="min-w-0">
          <h2 id={titleId} className="text-[15px] font-semibold tracking-tight text-slate-100">
            New AI call
          </h2>
          <p className="mt-0.5 text-[12px] text-faint">The AI calls the number and leads the conversation. You can take over at any time.</p>
        </div>
      </header>
      {dialer.placed ? <Calling dialer={dialer} onClose={onClose} /> : <DialForm dialer={dialer} onClose={onClose} />}
    </div>
  );
}

function DialForm({ dialer, onClose }: { dialer: Dialer; onClose: () => void }) {
  const [number, setNumber] = useState('');
  const [from, setFrom] = useState('');
  const [purpose, setPurpose] = useState('');
  const [script, setScript] = useState('');
  const [touched, setTouched] = useState({ number: false, purpose: false });
  const ids = { number: useId(), from: useId(), purpose: useId(), script: useId(), profile: useId() };
  // AI profiles (issue 15): the default unless the agent picks another.
  const profiles = useProfileList().list;
  const [chosenProfile, setChosenProfile] = useState<string | null>(null);
  const profile = profiles?.find((p) => p.id === chosenProfile) ?? profiles?.find((p) => p.isDefault) ?? profiles?.[0];

  const to = normalizePhone(number);
  // The country rule needs the settings, and comes after "Twilio is not set up" in the core:
  // applied here once telephony.get said it is ready (until then the core's reason shows).
  const destinationRules = dialer.telephony?.ready ? dialer.telephony : undefined;
  const numberProblem = number.trim() === '' ? 'Enter the number to call.' : (e164Problem(number) ?? dialProblem(to, destinationRules));
  const purposeProblem = purpose.trim() === '' ? 'Tell the AI why it is calling.' : null;
  const numbers = dialer.telephony?.phoneNumbers ?? [];
  const notReady = dialer.telephony && !dialer.telephony.ready ? dialer.telephony.missing : null;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setTouched({ number: true, purpose: true });
    if (numberProblem || purposeProblem || dialer.busy) return;
    dialer.dial({
      to,
      purpose: purpose.trim(),
      ...(script.trim() ? { script: script.trim() } : {}),
      ...(from && numbers.includes(from) ? { from } : {}),
      ...(profile ? { profileId: profile.id } : {}),
    });
  };

  const labelClass = 'text-[12px] font-medium text-slate-300';
  return (
    <form onSubmit={onSubmit} noValidate className="flex min-h-0 flex-col" data-testid="dial-form">
      <div className="flex min-h-0 flex-1 flex-col gap-4 overflow-y-auto px-5 py-4">
        {notReady ? (
          <p data-testid="dial-not-ready" className="rounded-md border border-amber-400/25 bg-amber-400/[0.06] px-3 py-2 text-[12px] leading-snug text-amber-200/90">
            Twilio isn't set up for real calls yet (missing {notReady.join(', ')}). Finish it in Settings → Telephony.
          </p>
        ) : null}

        <div className="flex gap-3">
          <div className="flex min-w-0 flex-1 flex-col gap-1.5">
            <label htmlFor={ids.number} className={labelClass}>
              Number to call
            </label>
            <input
              id={ids.number}
              value={number}
              onChange={(e) => setNumber(e.target.value)}
              onBlur={() => number.trim() && setTouched((t) => ({ ...t, number: true }))}
              placeholder="+14155550100"
              inputMode="tel"
              autoComplete="off"
              spellCheck={false}
              autoFocus
              aria-invalid={(touched.number && numberProblem !== null) || undefined}
              aria-describedby={`${ids.number}-note`}
              className={cn(
                inputClass,
                'h-9 font-mono text-[13px] placeholder:font-sans',
                touched.number && numberProblem ? 'border-rose-500/50' : !numberProblem ? 'border-emerald-500/40' : 'border-slate-700/80',
              )}
            />
            <span id={`${ids.number}-note`}>
              {touched.number && numberProblem ? (
                <FieldNote tone="error" data-testid="dial-number-error">
                  {numberProblem}
                </FieldNote>
              ) : !numberProblem ? (
                <FieldNote tone="ok">Calls {formatPhone(to)}</FieldNote>
              ) : (
                <FieldNote>E.164: +, country code, number. Spaces and dashes are fine.</FieldNote>
              )}
            </span>
          </div>
          {numbers.length > 1 ? (
            <div className="flex w-44 shrink-0 flex-col gap-1.5">
              <label htmlFor={ids.from} className={labelClass}>
                Call from
              </label>
              <span className="relative flex items-center">
                <select
                  id={ids.from}
                  value={from || numbers[0]}
                  onChange={(e) => setFrom(e.target.value)}
                  className={cn(inputClass, 'h-9 w-full appearance-none border-slate-700/80 pr-7 font-mono tabular-nums')}
                >
                  {numbers.map((n) => (
                    <option key={n} value={n}>
                      {formatPhone(n)}
                    </option>
                  ))}
                </select>
                <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
              </span>
            </div>
          ) : null}
        </div>

        {profiles && profile ? (
          <div className="flex flex-col gap-1.5">
            <label htmlFor={ids.profile} className={labelClass}>
              AI profile
            </label>
            <ProfileSelect
              id={ids.profile}
              profiles={profiles}
              value={profile.id}
              onChange={(p) => setChosenProfile(p.id)}
              selectClassName="h-9 text-[12.5px]"
              aria-describedby={`${ids.profile}-note`}
              data-testid="dial-profile"
            />
            <span id={`${ids.profile}-note`}>
              <FieldNote>
                Its instructions, greeting, voice and knowledge base (version {profile.version}); edit them in Settings → AI profiles.
              </FieldNote>
            </span>
          </div>
        ) : null}

        <div className="flex flex-col gap-1.5">
          <label htmlFor={ids.purpose} className={labelClass}>
            Purpose and context for the AI
          </label>
          <textarea
            id={ids.purpose}
            value={purpose}
            onChange={(e) => setPurpose(e.target.value)}
            rows={4}
            maxLength={2000}
            placeholder="e.g. Confirm Ms Jones' boiler service appointment on Thursday between 8 and 12, and offer Friday morning if that no longer suits."
            aria-invalid={(touched.purpose && purposeProblem !== null) || undefined}
            className={cn(
              'focus-ring min-h-20 resize-y rounded-md border bg-slate-900 px-2.5 py-2 text-[12.5px] leading-relaxed text-slate-200 placeholder:text-faint hover:border-slate-600',
              touched.purpose && purposeProblem ? 'border-rose-500/50' : 'border-slate-700/80',
            )}
          />
          {touched.purpose && purposeProblem ? <FieldNote tone="error">{purposeProblem}</FieldNote> : null}
        </div>

        <div className="flex flex-col gap-1.5">
          <label htmlFor={ids.script} className={cn(labelClass, 'flex items-baseline gap-2')}>
            Script <span className="text-[11px] font-normal text-faint">Optional</span>
          </label>
          <textarea
            id={ids.script}
            value={script}
            onChange={(e) => setScript(e.target.value)}
            rows={3}
            maxLength={20_000}
            placeholder="Lines or steps the AI should follow."
            className="focus-ring min-h-16 resize-y rounded-md border border-slate-700/80 bg-slate-900 px-2.5 py-2 text-[12.5px] leading-relaxed text-slate-200 placeholder:text-faint hover:border-slate-600"
          />
        </div>

        {dialer.refusal ? (
          <div role="alert" data-testid="dial-refusal" className="flex items-start gap-2.5 rounded-md border border-rose-500/25 bg-rose-500/10 px-3 py-2 text-[12px] leading-snug">
            <span aria-hidden className="mt-1.5 size-1.5 shrink-0 rounded-full bg-rose-400" />
            <span className="min-w-0">
              <span className="font-medium text-rose-200">The call was not placed. </span>
              <span className="text-rose-300/90">{dialer.refusal}</span>
            </span>
          </div>
        ) : null}
      </div>

      <footer className="flex items-center justify-end gap-2 border-t border-slate-800 px-5 py-3">
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={dialer.busy} disabled={dialer.busy} icon={<PhoneIcon className="size-3.5" />}>
          Place call
        </Button>
      </footer>
    </form>
  );
}

function Calling({ dialer, onClose }: { dialer: Dialer; onClose: () => void }) {
  const placed = dialer.placed!;
  const status = useTelephonyStatus(selectTwilioStatus(placed.callSid));
  const terminal = status && ['busy', 'no-answer', 'failed', 'canceled'].includes(status.status);
  const shown = shownStatus(status?.status ?? 'queued', Boolean(terminal), null);
  return (
    <>
      <div className="flex flex-col items-center gap-3 px-5 py-8 text-center" role="status" data-testid="dial-placed" data-call-sid={placed.callSid}>
        <span aria-hidden className="relative flex size-12 items-center justify-center">
          {terminal ? null : <span className="absolute inset-0 animate-ping rounded-full bg-indigo-400/20 motion-reduce:animate-none" />}
          <span className="relative flex size-12 items-center justify-center rounded-full bg-indigo-400/15 text-indigo-300 ring-1 ring-indigo-400/30 ring-inset">
            <PhoneIcon className="size-5" />
          </span>
        </span>
        <div className="text-[15px] font-semibold tracking-tight text-slate-100 tabular-nums">
          {terminal ? 'Called' : 'Calling'} {formatPhone(placed.to)}
          {terminal ? '' : '…'}
        </div>
        <TwilioStatusChip shown={shown} />
        <p className="max-w-xs text-[12px] text-faint">
          {terminal
            ? 'Twilio ended the call before anyone answered. It is in Recent calls.'
            : 'The call opens here as soon as it is answered. You can close this; the call goes on.'}
        </p>
      </div>
      <footer className="flex justify-end border-t border-slate-800 px-5 py-3">
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
      </footer>
    </>
  );
}
