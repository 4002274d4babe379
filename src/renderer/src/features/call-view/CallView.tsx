import { Link } from 'wouter';
import type { CallSummary } from '@shared/domain';
import { Button, Spinner } from '../../components/ui/Button';
import { ActivityIndicator, ControllerBadge, StatusBadge } from '../../components/ui/Indicators';
import { CallerSentiment } from '../sentiment/CallerSentiment';
import { EmptyState } from '../../components/ui/EmptyState';
import { HeadsetIcon, PauseIcon, PhoneIcon, PlayIcon, ReturnIcon } from '../../components/ui/icons';
import { formatDuration, formatWhen, idInWords } from '../../lib/format';
import { routes } from '../../lib/router';
import { callDurationMs } from '../calls/CallList';
import { callerNumber } from '../../lib/format';
import type { TakeoverRequest } from '../calls/store';
import type { NotificationAccess } from '../notifications/desktop-notifications';
import { ListenInControl } from '../listen-in/ListenIn';
import { SoftphoneCallStrip } from '../softphone/InCallStrip';
import { HoldButton } from './HoldButton';
import { EndCallControl } from './EndCallControl';
import { CallTwilioStatus } from '../telephony/CallStatusChip';
import { Composer } from './Composer';
import { TakeoverBanner } from './TakeoverBanner';
import { AlertBanner } from '../alerts/AlertBanner';
import { Transcript } from './Transcript';
import { WrapUpButton, WrapUpDock } from '../wrap-up/WrapUpDock'; // wrap-up (issue 8)
import { WhisperBox } from './WhisperBox';
import { shortcutLabel, useShortcut } from '../shortcuts/shortcuts';
import { useConnection } from '../connection/useConnection';
import { waitingNote, type TimelineItem } from './timeline';
import type { CallActions } from './useCallActions';

export function CallView({
  call,
  items,
  loading,
  now,
  actions,
  draft,
  onDraftChange,
  takeoverRequest,
  notifications,
  onEnableNotifications,
}: {
  call: CallSummary;
  items: TimelineItem[];
  loading: boolean;
  now: number;
  actions: CallActions;
  draft: string;
  onDraftChange: (text: string) => void;
  /** The AI's open request for a person, if any. */
  takeoverRequest: TakeoverRequest | null;
  notifications: NotificationAccess;
  onEnableNotifications: () => void;
}) {
  const ended = call.status === 'ended';
  const agentControls = call.controller === 'agent' && !ended;
  const aiAsks = takeoverRequest !== null && call.controller === 'ai' && !ended;
  const aiHasIt = call.controller === 'ai' && !ended;
  const paused = aiHasIt && call.state === 'ai_paused';

  return (
    <section aria-label="Call" data-testid="call-view" data-call-id={call.id} className="flex min-h-0 min-w-0 flex-1 flex-col">
      <CallHeader call={call} now={now} actions={actions} />
      {!ended ? <SoftphoneCallStrip callSid={call.callSid} /> : null}
      {paused ? <PausedStrip /> : null}
      {aiAsks ? (
        <TakeoverBanner
          request={takeoverRequest}
          now={now}
          note={waitingNote(items, takeoverRequest.atMs)}
          onTakeOver={actions.takeOver}
          busy={actions.busy === 'takeOver'}
          disabled={actions.busy !== null}
          notifications={notifications}
          onEnableNotifications={onEnableNotifications}
        />
      ) : null}
      {/* One "enable notifications" offer at a time: the take-over banner's, when it shows. */}
      <AlertBanner callId={call.id} live={!ended} offerNotifications={!aiAsks} />

      <Transcript
        callId={call.id}
        items={items}
        empty={
          loading ? (
            <span className="flex items-center gap-2 text-[12px] text-faint">
              <Spinner /> Loading transcript…
            </span>
          ) : (
            <EmptyState icon={<PhoneIcon />} title={ended ? 'No transcript was recorded' : 'Waiting for the first words'}>
              {ended ? null : 'Lines appear here as the caller and the AI speak.'}
            </EmptyState>
          )
        }
      />

      <WrapUpDock call={call} />
      {agentControls ? (
        <Composer
          value={draft}
          onChange={onDraftChange}
          sending={actions.busy === 'say'}
          // The agent's line is shown whole at once and turns final once the caller has heard it all.
          speaking={items.some((item) => item.kind === 'line' && item.line.speaker === 'agent' && !item.line.final)}
          onStop={actions.stopSpeaking}
          stopping={actions.busy === 'stopSpeaking'}
          onSend={(text) => {
            void actions.say(text).then((ok) => {
              if (ok) onDraftChange('');
            });
          }}
        />
      ) : aiHasIt ? (
        <WhisperBox callId={call.id} sending={actions.busy === 'whisper'} paused={paused} onWhisper={actions.whisper} />
      ) : (
        // Only an ended call gets here: a live one has the composer (agent) or the whisper box (AI).
        <footer className="border-t border-slate-800/80 px-6 py-3">
          <p className="mx-auto flex max-w-3xl flex-wrap items-center gap-x-2 gap-y-0.5 text-[12px] text-faint" data-testid="call-footer-note">
            <span aria-hidden className="size-1.5 shrink-0 rounded-full bg-slate-600" />
            Call ended {call.endedAt ? formatWhen(call.endedAt, now) : ''} · transcript is read-only ·{' '}
            <Link href={routes.call(call.id)} className="focus-ring rounded text-indigo-300 underline-offset-2 hover:underline" data-testid="open-call-page">
              Open the call page (recording, sentiment by line)
            </Link>
          </p>
        </footer>
      )}
    </section>
  );
}

function CallHeader({ call, now, actions }: { call: CallSummary; now: number; actions: CallActions }) {
  const ended = call.status === 'ended';
  const paused = call.controller === 'ai' && call.state === 'ai_paused';
  const aiHasIt = call.controller === 'ai' && !ended;
  const offline = useConnection() !== 'connected';
  useShortcut('takeOver', actions.takeOver, aiHasIt && actions.busy === null && !offline);
  useShortcut('pauseAi', () => actions.pause(!paused), aiHasIt && actions.busy === null && !offline);
  useShortcut('handBack', actions.handBack, call.controller === 'agent' && !ended && actions.busy === null && !offline);
  useShortcut(
    'write',
    () => document.querySelector<HTMLTextAreaElement>(call.controller === 'agent' ? '[data-testid="composer"]' : '[data-testid="whisper-input"]')?.focus(),
    !ended,
  );
  return (
    // Sized by a container query on the header, not the window: the call column's width depends
    // on the panels beside it. Narrower than 64rem the buttons get their own row under the number
    // and status; wider, they sit on the right. Rows wrap; nothing overlaps or overflows.
    <header
      className="@container shrink-0 border-b border-slate-800/80 px-6 py-3"
      data-testid="call-header"
    >
      <div className="flex flex-col gap-y-2.5 @5xl:flex-row @5xl:items-center @5xl:gap-x-6">
        <div className="flex min-w-0 flex-1 flex-col gap-1">
          <div className="flex min-w-0 flex-wrap items-center gap-x-2.5 gap-y-1" data-testid="call-identity">
            <h1 className="truncate text-[16px] font-semibold tracking-tight text-slate-50 tabular-nums" data-testid="call-number">
              {callerNumber(call)}
            </h1>
            <StatusBadge status={call.status} />
            <CallTwilioStatus call={call} />
            <span className="font-mono text-[13px] text-slate-400 tabular-nums" data-testid="call-view-duration">
              {formatDuration(callDurationMs(call, now))}
            </span>
          </div>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-[12px] whitespace-nowrap text-faint" data-testid="call-meta">
            <span className="flex items-center gap-1.5" title={call.scenario ? `Simulated caller: ${idInWords(call.scenario)}` : undefined}>
              {call.direction === 'inbound' ? 'Inbound' : 'Outbound'}
              {call.scenario ? <span className="rounded bg-slate-800/80 px-1.5 text-[11px] leading-4 text-slate-400">Demo</span> : null}
            </span>
            <span className="flex items-center gap-1.5">
              <span className="text-faint">Control</span>
              <ControllerBadge controller={call.controller} state={call.state} />
            </span>
            {!ended ? (
              <span className="flex items-center gap-1.5">
                <span className="text-faint">AI</span>
                <ActivityIndicator activity={call.aiActivity} />
              </span>
            ) : null}
            <span className="flex items-center gap-1.5">
              <span className="text-faint">Caller</span>
              <CallerSentiment call={call} testId="header-sentiment" />
            </span>
          </div>
        </div>

        {!ended ? (
          // Who-has-the-call actions first (Take over leads), finishing ones last: End call sits
          // apart from Take over, at the far end of the row, and undoes while the AI has the call.
          // In a narrow column the steering buttons wrap one by one; the finishing pair stays together.
          // A fieldset, so losing the connection disables every control at once: what the buttons
          // would act on is as of the moment it was lost.
          <fieldset
            disabled={offline}
            className="flex min-w-0 flex-wrap items-center gap-2 @5xl:shrink-0 @5xl:justify-end"
            data-testid="call-controls"
            title={offline ? 'Not connected to Switchboard: these work again once it reconnects' : undefined}
          >
            <div className="contents" data-testid="call-steer-controls">
              {call.controller === 'ai' ? (
                <>
                  <Button
                    variant="warning"
                    onClick={actions.takeOver}
                    disabled={actions.busy !== null}
                    busy={actions.busy === 'takeOver'}
                    icon={<HeadsetIcon className="size-3.5" />}
                    title={`You talk to the caller; the AI stops (${shortcutLabel('takeOver')})`}
                  >
                    Take over
                  </Button>
                  <Button
                    variant="secondary"
                    onClick={() => actions.pause(!paused)}
                    disabled={actions.busy !== null}
                    busy={actions.busy === 'pause'}
                    icon={paused ? <PlayIcon className="size-3.5" /> : <PauseIcon className="size-3.5" />}
                    data-testid="pause-ai"
                    title={`${paused ? 'Let the AI speak again; it knows everything said while paused' : 'The AI stops speaking at once and keeps listening'} (${shortcutLabel('pauseAi')})`}
                  >
                    {paused ? 'Resume AI' : 'Pause AI'}
                  </Button>
                  <ListenInControl callId={call.id} available relay={call.transport === 'relay'} />
                </>
              ) : (
                <>
                  <Button
                    variant="secondary"
                    onClick={actions.handBack}
                    disabled={actions.busy !== null}
                    busy={actions.busy === 'handBack'}
                    icon={<ReturnIcon className="size-3.5" />}
                    title={`The AI takes the call again (${shortcutLabel('handBack')})`}
                  >
                    Hand back
                  </Button>
                  <HoldButton call={call} />
                </>
              )}
            </div>
            <div className="ml-auto flex shrink-0 items-center gap-2 @5xl:ml-3" data-testid="call-finish-controls">
              <WrapUpButton call={call} />
              <EndCallControl call={call} actions={actions} />
            </div>
          </fieldset>
        ) : null}
      </div>
    </header>
  );
}

/** The AI is paused: say so in words and colour, and what the caller hears meanwhile (Resume is in the header, just above). */
function PausedStrip() {
  return (
    <div
      role="status"
      data-testid="paused-banner"
      className="flex shrink-0 items-center gap-3 border-b border-fuchsia-400/30 bg-fuchsia-400/[0.08] px-6 py-2"
    >
      <span className="flex size-6 shrink-0 items-center justify-center rounded-full bg-fuchsia-400/15 text-fuchsia-200">
        <PauseIcon className="size-3.5" />
      </span>
      <p className="min-w-0 flex-1 text-[12.5px] leading-snug text-fuchsia-50">
        <span className="font-semibold text-fuchsia-200">AI paused. </span>
        It listens and transcribes but says nothing (the caller hears one “one moment, please”). Whisper, take over or resume.
      </p>
    </div>
  );
}

export function NoCallSelected({ hasLive, onStartDemo, canStart }: { hasLive: boolean; onStartDemo: () => void; canStart: boolean }) {
  return (
    <section aria-label="Call" className="flex min-w-0 flex-1 items-center justify-center" data-testid="no-call">
      <EmptyState icon={<HeadsetIcon />} title={hasLive ? 'Pick a call to supervise' : 'No call open'}>
        <p>
          {hasLive
            ? 'Choose a live call on the left to follow its transcript and take over when needed.'
            : 'When the AI answers a call it shows up on the left. Try a simulated caller to see the console at work.'}
        </p>
        {!hasLive ? (
          <Button variant="secondary" className="mt-4" onClick={onStartDemo} disabled={!canStart}>
            Start a demo call
          </Button>
        ) : null}
      </EmptyState>
    </section>
  );
}
