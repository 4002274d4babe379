/**
 * The Settings dialog's Telephony tab: what real calls still need, the Twilio account, its
 * two secrets (write-only), the numbers this console answers and calls from (each can be
 * pointed at this console), the public https address Twilio reaches, and the outbound rules
 * (allowed calling hours, do-not-call list). Fields save on blur / Enter; the core's refusals
 * show under the field.
 */
import { useState } from 'react';
import type { z } from 'zod';
import type { SecretStatus } from '@shared/domain';
import { TelephonySettings, type TelephonyState } from '@shared/telephony';
import { Button } from '../../components/ui/Button';
import { ChevronDownIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { errorInWords, formatPhone } from '../../lib/format';
import { AllowedCountries } from './AllowedCountries';
import { Card, FieldNote, inputClass, NumberAdder, NumberChip, Row, SecretSetting, SectionTitle, TextSetting } from './fields';
import { TunnelSetup } from './TunnelSetup';
import type { AiProfileListItem } from '@shared/ai-profile';
import { ProfileSelect } from '../profiles/ProfileSelect';
import { profileForNumber } from '../profiles/store';
import { useNumberProfiles } from '../profiles/useNumberProfiles';
import { useTelephonySettings, type NumberSetup, type TelephonySettingsApi, type TwilioSecret } from './useTelephonySettings';

const shape = TelephonySettings.shape;

/** The first zod message for `value` against a field's schema, or null. */
function problemOf(schema: z.ZodType, value: unknown): string | null {
  const r = schema.safeParse(value);
  return r.success ? null : (r.error.issues[0]?.message ?? 'invalid value');
}

export function TelephonySection({ open }: { open: boolean }) {
  const t = useTelephonySettings(open);
  if (!t.state) {
    return t.loadError ? (
      <p role="alert" className="rounded-md border border-rose-500/25 bg-rose-500/10 px-3 py-2 text-[12px] text-rose-300">
        {t.loadError}
      </p>
    ) : (
      <div className="flex flex-col gap-3" aria-busy>
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className="h-9 animate-pulse rounded-md bg-slate-800/60" />
        ))}
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-6" data-testid="telephony-settings">
      <Readiness state={t.state} />
      <AccountSection t={t} state={t.state} />
      <NumbersSection t={t} state={t.state} />
      {t.state.settings.relayNumbers.length > 0 ? <RelaySpeechSection t={t} state={t.state} /> : null}
      <AddressSection t={t} state={t.state} />
      <OutboundSection t={t} state={t.state} />
    </div>
  );
}

// ---------------------------------------------------------------- readiness

function Readiness({ state }: { state: TelephonyState }) {
  if (state.ready) {
    return (
      <div
        data-testid="telephony-readiness"
        data-ready="true"
        role="status"
        className="flex items-start gap-2.5 rounded-lg border border-emerald-400/20 bg-emerald-400/[0.06] px-3 py-2.5"
      >
        <span aria-hidden className="mt-1.5 size-1.5 shrink-0 rounded-full bg-emerald-400" />
        <div className="min-w-0 text-[12.5px]">
          <div className="font-medium text-emerald-200">Ready for real calls</div>
          <div className="mt-0.5 truncate text-slate-400">
            Twilio reaches this console at <span className="font-mono text-[11.5px] text-slate-300">{state.settings.publicBaseUrl}</span>
          </div>
        </div>
      </div>
    );
  }
  return (
    <div
      data-testid="telephony-readiness"
      data-ready="false"
      role="status"
      className="flex items-start gap-2.5 rounded-lg border border-amber-400/25 bg-amber-400/[0.06] px-3 py-2.5"
    >
      <span aria-hidden className="mt-1.5 size-1.5 shrink-0 rounded-full bg-amber-400" />
      <div className="min-w-0 text-[12.5px]">
        <div className="font-medium text-amber-200">Not ready for real calls yet</div>
        <p className="mt-0.5 text-slate-400">Demo calls work without Twilio. For real calls, set:</p>
        <ul className="mt-1 flex flex-col gap-0.5 text-slate-300" data-testid="telephony-missing">
          {state.missing.map((m) => (
            <li key={m} className="flex items-start gap-2">
              <span aria-hidden className="mt-[7px] size-1 shrink-0 rounded-full bg-amber-300/70" />
              {m}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- account

const notSet = (status: SecretStatus['name']): SecretStatus => ({ name: status, configured: false, source: null, editable: true });

function AccountSection({ t, state }: { t: TelephonySettingsApi; state: TelephonyState }) {
  const s = state.settings;
  const secret = (name: TwilioSecret) => state.secrets.find((x) => x.name === name) ?? notSet(name);
  const sid = (field: 'accountSid' | 'apiKeySid' | 'twimlAppSid') => ({
    saved: s[field] ?? '',
    validate: (text: string) => (text === '' ? null : problemOf(shape[field], text)),
    onSave: (text: string) => t.update(field, text === '' ? null : text),
    busy: t.busy[field] === true,
    coreError: t.errors[field],
  });
  return (
    <section aria-label="Twilio account">
      <SectionTitle hint="From the Twilio Console's account dashboard. The secrets are stored on this machine and never shown again.">
        Twilio account
      </SectionTitle>
      <Card>
        <TextSetting key={`a${s.accountSid}`} id="tel-account-sid" label="Account SID" placeholder="AC…" {...sid('accountSid')} />
        <SecretSetting
          label="Auth token"
          placeholder="Paste the auth token"
          status={secret('twilioAuthToken')}
          envVar="TWILIO_AUTH_TOKEN"
          busy={t.busy.twilioAuthToken === true}
          note="Verifies that webhooks come from Twilio."
          onSave={(v) => t.saveSecret('twilioAuthToken', v)}
          onClear={() => t.clearSecret('twilioAuthToken')}
        />
        <TextSetting
          key={`k${s.apiKeySid}`}
          id="tel-api-key-sid"
          label="API key SID"
          optional
          placeholder="SK…"
          hint="REST calls use this key instead of the auth token."
          {...sid('apiKeySid')}
        />
        <SecretSetting
          label="API key secret"
          placeholder="Paste the API key secret"
          optional
          status={secret('twilioApiKeySecret')}
          envVar="TWILIO_API_KEY_SECRET"
          busy={t.busy.twilioApiKeySecret === true}
          note={s.apiKeySid ? 'Needed with the API key.' : 'Only used with an API key SID.'}
          onSave={(v) => t.saveSecret('twilioApiKeySecret', v)}
          onClear={() => t.clearSecret('twilioApiKeySecret')}
        />
        <TextSetting
          key={`p${s.twimlAppSid}`}
          id="tel-twiml-app-sid"
          label="TwiML app SID"
          optional
          placeholder="AP…"
          hint="For calls placed from the agent's softphone."
          {...sid('twimlAppSid')}
        />
      </Card>
    </section>
  );
}

// ---------------------------------------------------------------- numbers

function NumbersSection({ t, state }: { t: TelephonySettingsApi; state: TelephonyState }) {
  const numbers = state.settings.phoneNumbers;
  const relayNumbers = state.settings.relayNumbers;
  const busy = t.busy.phoneNumbers === true;
  const canPoint = state.settings.publicBaseUrl !== null;
  const profiles = useNumberProfiles(); // AI profiles (issue 15): which one answers each number
  return (
    <section aria-label="Phone numbers">
      <SectionTitle hint="Twilio numbers this console answers and calls from. The first is the caller ID for AI calls.">
        Phone numbers
      </SectionTitle>
      <Card data-testid="phone-numbers">
        {numbers.length === 0 ? (
          <p className="px-3 py-2.5 text-[12px] text-faint">No numbers yet. Add one of your Twilio account's numbers below.</p>
        ) : (
          numbers.map((n, i) => (
            <NumberRow
              key={n}
              number={n}
              isDefault={i === 0}
              setup={t.numberSetup[n]}
              canPoint={canPoint}
              busy={busy}
              relay={relayNumbers.includes(n)}
              relayBusy={t.busy.relayNumbers === true}
              onTransport={(relay) => void t.update('relayNumbers', relay ? [...relayNumbers, n] : relayNumbers.filter((x) => x !== n))}
              onPoint={() => t.configureNumber(n)}
              onRemove={() => void t.update('phoneNumbers', numbers.filter((x) => x !== n))}
              profiles={profiles.list}
              profileBusy={profiles.busy[n] === true}
              profileError={profiles.errors[n] || null}
              onProfile={(p) => profiles.assign(n, p.isDefault ? null : p.id)}
            />
          ))
        )}
        <div className="px-3 py-2.5">
          <NumberAdder
            label="Add a phone number"
            testId="add-phone-number"
            existing={numbers}
            busy={busy}
            onAdd={(added) => t.update('phoneNumbers', [...numbers, ...added])}
          />
          {t.errors.phoneNumbers ? <FieldNote tone="error">{t.errors.phoneNumbers}</FieldNote> : null}
        </div>
      </Card>
    </section>
  );
}

function NumberRow({
  number,
  isDefault,
  setup,
  canPoint,
  busy,
  relay,
  relayBusy,
  onTransport,
  onPoint,
  onRemove,
  profiles,
  profileBusy,
  profileError,
  onProfile,
}: {
  number: string;
  isDefault: boolean;
  setup: NumberSetup | undefined;
  canPoint: boolean;
  busy: boolean;
  /** The number's calls use ConversationRelay (Twilio's speech) rather than Media Streams. */
  relay: boolean;
  relayBusy: boolean;
  onTransport: (relay: boolean) => void;
  onPoint: () => void;
  onRemove: () => void;
  /** AI profiles (issue 15); null while they load. */
  profiles: AiProfileListItem[] | null;
  profileBusy: boolean;
  profileError: string | null;
  onProfile: (profile: AiProfileListItem) => void;
}) {
  const answeredBy = profiles ? profileForNumber(profiles, number) : undefined;
  return (
    <div className="flex flex-col gap-1.5 px-3 py-2.5" data-testid="phone-number" data-number={number}>
      <div className="flex items-center gap-2">
        <span className="shrink-0 whitespace-nowrap">
          <NumberChip number={number} label={formatPhone(number)} onRemove={onRemove} disabled={busy} />
        </span>
        {isDefault ? <span className="shrink-0 text-[11px] whitespace-nowrap text-faint">Caller ID</span> : null}
        <span className="relative ml-auto flex min-w-0 items-center">
          <select
            aria-label={`How calls on ${formatPhone(number)} reach the AI`}
            data-testid="number-transport"
            value={relay ? 'relay' : 'media'}
            disabled={relayBusy}
            onChange={(e) => onTransport(e.target.value === 'relay')}
            title={
              relay
                ? 'Twilio hears and speaks (ConversationRelay); Switchboard exchanges text. No listen-in or local recording.'
                : "Switchboard's engines hear and speak (Media Streams): listen-in and recordings work."
            }
            className={cn(inputClass, 'h-7 max-w-56 appearance-none truncate border-slate-700/80 py-0 pr-7 text-[12px] [color-scheme:dark]')}
          >
            <option value="media">Media Streams</option>
            <option value="relay">ConversationRelay</option>
          </select>
          <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
        </span>
        <Button
          size="sm"
          disabled={!canPoint || setup?.state === 'busy'}
          busy={setup?.state === 'busy'}
          title={canPoint ? "Set the number's voice and status webhooks to this console" : 'Set the public https URL first'}
          onClick={onPoint}
        >
          Point this number here
        </Button>
      </div>
      {profiles && answeredBy ? (
        <div className="flex items-center gap-2 pl-1">
          <label htmlFor={`number-profile-${number}`} className="shrink-0 text-[12px] text-slate-400">
            Answers with
          </label>
          <ProfileSelect
            id={`number-profile-${number}`}
            profiles={profiles}
            value={answeredBy.id}
            disabled={profileBusy}
            onChange={onProfile}
            className="w-52 shrink-0"
            selectClassName="h-7"
            data-testid="number-profile"
          />
          <span className="min-w-0 truncate text-[11.5px] text-faint">AI profile · applies to the next call</span>
        </div>
      ) : null}
      {profileError ? <FieldNote tone="error">{profileError}</FieldNote> : null}
      {setup?.state === 'done' ? (
        <FieldNote tone="ok" data-testid="number-setup-result">
          Twilio now sends this number's calls to <span className="font-mono text-[11px]">{setup.value.voiceUrl}</span>
          <span className="text-faint"> · {setup.value.sid}</span>
        </FieldNote>
      ) : setup?.state === 'error' ? (
        <FieldNote tone="error" data-testid="number-setup-result">
          <span title={errorInWords(setup.message).detail ?? undefined}>{errorInWords(setup.message).text}</span>
        </FieldNote>
      ) : null}
    </div>
  );
}

// ---------------------------------------------------------------- ConversationRelay speech

const RELAY_TTS = ['ElevenLabs', 'Google', 'Amazon'] as const;
const RELAY_STT = ['Deepgram', 'Google'] as const;

/** Twilio's speech on the numbers that use ConversationRelay (its providers, not Settings → Engines). */
function RelaySpeechSection({ t, state }: { t: TelephonySettingsApi; state: TelephonyState }) {
  const speech = state.settings.relay;
  const busy = t.busy.relay === true;
  const save = (patch: Partial<typeof speech>) => t.update('relay', { ...speech, ...patch });
  const relayShape = shape.relay.shape;
  return (
    <section aria-label="ConversationRelay speech">
      <SectionTitle hint="On numbers set to ConversationRelay, Twilio transcribes the caller and speaks the AI's words with these providers; Switchboard sends and receives text. Listen-in and local recordings aren't available on those calls.">
        ConversationRelay speech
      </SectionTitle>
      <Card data-testid="relay-speech">
        <Row label="Voice provider" htmlFor="tel-relay-tts">
          <RelaySelect id="tel-relay-tts" value={speech.ttsProvider} options={RELAY_TTS} disabled={busy} onChange={(ttsProvider) => void save({ ttsProvider })} />
        </Row>
        <TextSetting
          key={`v${speech.ttsProvider}${speech.voice}`}
          id="tel-relay-voice"
          label="Voice"
          optional
          placeholder="The provider's default"
          saved={speech.voice}
          validate={(text) => problemOf(relayShape.voice, text)}
          onSave={(text) => save({ voice: text })}
          busy={busy}
          coreError={t.errors.relay}
          hint="The voice id or name at that provider, e.g. en-US-Journey-O for Google."
        />
        <Row label="Speech recognition" htmlFor="tel-relay-stt">
          <RelaySelect id="tel-relay-stt" value={speech.transcriptionProvider} options={RELAY_STT} disabled={busy} onChange={(transcriptionProvider) => void save({ transcriptionProvider })} />
        </Row>
        <TextSetting
          key={`l${speech.language}`}
          id="tel-relay-language"
          label="Language"
          placeholder="en-US"
          saved={speech.language}
          validate={(text) => problemOf(relayShape.language, text)}
          onSave={(text) => save({ language: text })}
          busy={busy}
          coreError={undefined}
        />
      </Card>
    </section>
  );
}

function RelaySelect<T extends string>({
  id,
  value,
  options,
  disabled,
  onChange,
}: {
  id: string;
  value: T;
  options: readonly T[];
  disabled: boolean;
  onChange: (value: T) => void;
}) {
  return (
    <span className="relative flex max-w-64 min-w-0 flex-1 items-center">
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as T)}
        className={cn(inputClass, 'w-full appearance-none border-slate-700/80 pr-7 [color-scheme:dark]')}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
    </span>
  );
}

// ---------------------------------------------------------------- public address

function portOf(localUrl: string | null, fallback: number): string {
  if (localUrl) {
    const m = /:(\d+)\/?$/.exec(localUrl);
    if (m) return m[1]!;
  }
  return fallback === 0 ? '(any free port)' : String(fallback);
}

function AddressSection({ t, state }: { t: TelephonySettingsApi; state: TelephonyState }) {
  const s = state.settings;
  const port = portOf(state.localUrl, s.localPort);
  return (
    <section aria-label="Public address">
      <SectionTitle hint="Twilio's webhooks and the call audio reach this console through a tunnel (ngrok, cloudflared…).">
        Public address
      </SectionTitle>
      <Card>
        <TextSetting
          key={`u${s.publicBaseUrl}`}
          id="tel-public-url"
          label="Public base URL"
          type="url"
          placeholder="https://example.ngrok.app"
          saved={s.publicBaseUrl ?? ''}
          validate={(text) => (text === '' ? null : problemOf(shape.publicBaseUrl, text))}
          onSave={(text) => t.update('publicBaseUrl', text === '' ? null : text)}
          busy={t.busy.publicBaseUrl === true}
          coreError={t.errors.publicBaseUrl}
          hint={
            <>
              The https address your tunnel forwards to this machine's telephony port{' '}
              <span className="font-mono text-slate-300" data-testid="telephony-port">
                {port}
              </span>
              .
            </>
          }
        />
        <TextSetting
          key={`l${s.localPort}`}
          id="tel-local-port"
          label="Local port"
          type="number"
          placeholder="0"
          saved={String(s.localPort)}
          validate={(text) => problemOf(shape.localPort, text === '' ? Number.NaN : Number(text))}
          onSave={(text) => t.update('localPort', Number(text))}
          busy={t.busy.localPort === true}
          coreError={t.errors.localPort}
          hint={
            state.localUrl ? (
              <>
                Listening on <span className="font-mono text-slate-300">{state.localUrl}</span>
                {s.localPort === 0 ? ' (0 picks a free port at start-up).' : '.'}
              </>
            ) : (
              'Not listening. 0 picks a free port.'
            )
          }
        />
        <TunnelSetup state={state} onRetry={() => t.update('localPort', s.localPort)} retrying={t.busy.localPort === true} />
        <TextSetting
          key={`m${s.maxLiveStreams}`}
          id="tel-max-live-streams"
          label="Live calls at once"
          type="number"
          saved={String(s.maxLiveStreams)}
          validate={(text) => problemOf(shape.maxLiveStreams, text === '' ? Number.NaN : Number(text))}
          onSave={(text) => t.update('maxLiveStreams', Number(text))}
          busy={t.busy.maxLiveStreams === true}
          coreError={t.errors.maxLiveStreams}
          hint="A call past this many is not connected to the AI (Twilio ends it); calls in progress are never cut. Applies to the next call."
        />
        {state.webhooks ? (
          <div className="grid grid-cols-[9.5rem_minmax(0,1fr)] gap-x-3 gap-y-1 px-3 py-2.5 text-[11.5px]" data-testid="telephony-webhooks">
            <span className="text-faint">Voice webhook</span>
            <span className="truncate font-mono text-slate-400">{state.webhooks.voice}</span>
            <span className="text-faint">Status callback</span>
            <span className="truncate font-mono text-slate-400">{state.webhooks.status}</span>
            <span className="text-faint">Media stream</span>
            <span className="truncate font-mono text-slate-400">{state.webhooks.media}</span>
          </div>
        ) : null}
      </Card>
    </section>
  );
}

// ---------------------------------------------------------------- outbound rules

const SHOWN_DNC = 40;

/** The end of the window is exclusive; 24:00 (midnight at the end of the day) shows as 00:00. */
const endToInput = (end: string) => (end === '24:00' ? '00:00' : end);
const endFromInput = (value: string) => (value === '00:00' ? '24:00' : value);

function OutboundSection({ t, state }: { t: TelephonySettingsApi; state: TelephonyState }) {
  const s = state.settings;
  return (
    <section aria-label="Outbound calls">
      <SectionTitle hint="AI calls are refused outside these hours (the callee's local time), to countries not allowed, and to numbers on the do-not-call list.">
        Outbound calls
      </SectionTitle>
      <Card>
        <AllowedHours key={`${s.allowedHours.start}-${s.allowedHours.end}`} t={t} saved={s.allowedHours} />
        <AllowedCountries t={t} state={state} />
        <DoNotCall t={t} list={s.doNotCall} />
      </Card>
    </section>
  );
}

function AllowedHours({ t, saved }: { t: TelephonySettingsApi; saved: { start: string; end: string } }) {
  const [start, setStart] = useState(saved.start);
  const [end, setEnd] = useState(endToInput(saved.end));
  const next = { start, end: endFromInput(end) };
  const problem = problemOf(shape.allowedHours, next);
  const commit = () => {
    if (problem !== null || (next.start === saved.start && next.end === saved.end)) return;
    void t.update('allowedHours', next);
  };
  const timeClass = cn(inputClass, 'w-28 font-mono tabular-nums [color-scheme:dark]', problem ? 'border-rose-500/50' : 'border-slate-700/80');
  return (
    <Row label="Allowed hours" htmlFor="tel-hours-start">
      {/* Saved when focus leaves both inputs, so a new window is checked as a whole. */}
      <div
        className="flex items-center gap-2"
        onBlur={(e) => {
          if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget))) commit();
        }}
      >
        <input
          id="tel-hours-start"
          aria-label="Calls allowed from"
          type="time"
          value={start}
          onChange={(e) => setStart(e.target.value)}
          className={timeClass}
        />
        <span className="text-[12px] text-faint">to</span>
        <input
          aria-label="Calls allowed until"
          type="time"
          value={end}
          onChange={(e) => setEnd(e.target.value)}
          className={timeClass}
        />
        {t.busy.allowedHours ? <span className="text-[11px] text-faint">Saving…</span> : null}
      </div>
      {problem ? (
        <FieldNote tone="error">The start must be before the end.</FieldNote>
      ) : t.errors.allowedHours ? (
        <FieldNote tone="error">{t.errors.allowedHours}</FieldNote>
      ) : (
        <FieldNote>In the callee's local time. An end of midnight (00:00) means the end of the day.</FieldNote>
      )}
    </Row>
  );
}

function DoNotCall({ t, list }: { t: TelephonySettingsApi; list: string[] }) {
  const [filter, setFilter] = useState('');
  const busy = t.busy.doNotCall === true;
  const needle = filter.replace(/[\s().-]/g, '');
  const matches = needle ? list.filter((n) => n.includes(needle)) : list;
  const shown = matches.slice(-SHOWN_DNC).reverse(); // newest first
  const hidden = matches.length - shown.length;
  return (
    <Row label="Do-not-call list">
      <NumberAdder
        label="Add to the do-not-call list"
        testId="add-do-not-call"
        existing={list}
        busy={busy}
        placeholder="+14155550123, +447700900123…"
        onAdd={(added) => t.update('doNotCall', [...list, ...added])}
      />
      {t.errors.doNotCall ? <FieldNote tone="error">{t.errors.doNotCall}</FieldNote> : null}
      {list.length > SHOWN_DNC ? (
        <input
          aria-label="Find a number on the do-not-call list"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder={`Find among ${list.length.toLocaleString()} numbers`}
          className={cn(inputClass, 'mt-1 border-slate-700/80')}
        />
      ) : null}
      {list.length === 0 ? (
        <FieldNote>Nobody is on the list.</FieldNote>
      ) : (
        <div className="mt-1 flex flex-wrap gap-1.5" data-testid="do-not-call">
          {shown.map((n) => (
            <NumberChip
              key={n}
              number={n}
              label={formatPhone(n)}
              disabled={busy}
              onRemove={() => void t.update('doNotCall', list.filter((x) => x !== n))}
            />
          ))}
          {hidden > 0 ? <span className="self-center text-[11px] text-faint">and {hidden.toLocaleString()} more</span> : null}
          {needle && matches.length === 0 ? <span className="text-[11.5px] text-faint">No match.</span> : null}
        </div>
      )}
    </Row>
  );
}
