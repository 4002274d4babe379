/**
 * Settings → Engines for new calls: which engine fills each role (offline, or a cloud vendor),
 * each cloud engine's model and voice, and what the next call will use. A cloud engine without
 * a working key runs offline, and the row says why. Models are picked from the list the core
 * accepts; a voice id is checked as it is typed (the same rule as the core's) and saved when
 * the field is left or Enter is pressed, so a half-typed id never reaches a call.
 */
import { useId, useState } from 'react';
import {
  DEFAULT_ENGINE_OPTIONS,
  ElevenLabsModel,
  OpenAiModel,
  SmallestModel,
  VoiceId,
  type CloudProvider,
  type EngineInfo,
  type ProviderChoice,
} from '@shared/domain';
import { ChevronDownIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { engineLabel } from '../../lib/format';
import { keyTrouble } from '../topbar/engine-trouble';
import type { ProviderSettings } from './useProviderSettings';

type Role = 'stt' | 'llm' | 'tts';
type Vendor = ProviderChoice[Role];

export const VENDOR_NAME: Record<CloudProvider, string> = {
  deepgram: 'Deepgram',
  gemini: 'Gemini',
  openai: 'OpenAI',
  elevenlabs: 'ElevenLabs',
  smallest: 'Smallest.AI',
};

const ROLES: { role: Role; name: string; vendors: Vendor[] }[] = [
  { role: 'stt', name: 'Speech-to-text', vendors: ['offline', 'deepgram'] },
  { role: 'llm', name: 'Language model', vendors: ['offline', 'gemini', 'openai'] },
  { role: 'tts', name: 'Text-to-speech', vendors: ['offline', 'deepgram', 'elevenlabs', 'smallest'] },
];

/** What each model is, in the words a team chooses by (the ids are the vendor's). */
const MODEL_NOTES: Record<string, string> = {
  'gpt-4o-mini': 'fastest',
  'gpt-4o': 'most capable, slower',
  eleven_flash_v2_5: 'Flash, fastest',
  eleven_turbo_v2_5: 'Turbo',
  eleven_multilingual_v2: 'Multilingual, slowest',
  'lightning_v3.1': 'Lightning',
  'lightning_v3.1_pro': 'Lightning Pro',
};

type ModelField = 'openaiModel' | 'elevenlabsModel' | 'smallestModel';
type VoiceField = 'elevenlabsVoiceId' | 'smallestVoiceId';

/** The model and voice fields each vendor has (Deepgram and Gemini are fixed to one each). */
const VENDOR_OPTIONS: Partial<Record<CloudProvider, { model: { field: ModelField; models: readonly string[] }; voice?: { field: VoiceField; hint: string } }>> = {
  openai: { model: { field: 'openaiModel', models: OpenAiModel.options } },
  elevenlabs: {
    model: { field: 'elevenlabsModel', models: ElevenLabsModel.options },
    voice: { field: 'elevenlabsVoiceId', hint: 'From the ElevenLabs voice library, e.g. 21m00Tcm4TlvDq8ikWAM.' },
  },
  smallest: {
    model: { field: 'smallestModel', models: SmallestModel.options },
    voice: { field: 'smallestVoiceId', hint: 'A Smallest.AI voice name, e.g. avery.' },
  },
};

export function EnginesSection({ settings }: { settings: ProviderSettings }) {
  const state = settings.state!;
  return (
    <section aria-label="Engines for new calls" data-testid="engines-settings">
      <div className="mb-2.5">
        <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Engines for new calls</h3>
        <p className="mt-0.5 text-[12px] text-faint">A cloud engine without a working API key runs offline.</p>
      </div>
      <div className="divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40">
        {ROLES.map(({ role, name, vendors }) => {
          const engine = state.engines.find((e) => e.role === role);
          const vendor = state.choice[role];
          const missingKey = vendor !== 'offline' && engine?.offline === true;
          // A key that failed its last check keeps the role offline: say that rather than "no key".
          const trouble = vendor !== 'offline' ? keyTrouble(vendor, state.checks[vendor]) : null;
          const options = vendor !== 'offline' ? VENDOR_OPTIONS[vendor] : undefined;
          return (
            <div key={role} className="px-3 py-2.5" data-testid="engine-row" data-role={role}>
              <div className="grid grid-cols-[8.5rem_8rem_1fr] items-center gap-3">
                <label htmlFor={`engine-${role}`} className="text-[13px] text-slate-300">
                  {name}
                </label>
                <Select
                  id={`engine-${role}`}
                  value={vendor}
                  disabled={settings.busy.choice === true}
                  onChange={(value) => settings.choose({ [role]: value } as Partial<ProviderChoice>)}
                  options={vendors.map((v) => ({ value: v, label: v === 'offline' ? 'Offline' : VENDOR_NAME[v] }))}
                />
                <EngineInUse
                  engine={engine}
                  voice={options?.voice && engine?.offline === false ? state.choice[options.voice.field] : null}
                  note={missingKey ? (trouble ?? `no ${VENDOR_NAME[vendor]} key`) : null}
                />
              </div>
              {engine?.unavailable ? (
                <p className="mt-2 ml-[9.25rem] text-[12px] text-amber-200" data-testid="engine-unavailable" role="status">
                  {engine.unavailable}
                </p>
              ) : null}
              {options && vendor !== 'offline' ? (
                <div className="mt-2 grid grid-cols-[8.5rem_1fr] gap-3" data-testid="engine-options" data-vendor={vendor}>
                  <span aria-hidden />
                  <div className="flex flex-wrap items-start gap-x-4 gap-y-2">
                    <ModelPicker
                      vendor={vendor}
                      models={options.model.models}
                      value={state.choice[options.model.field]}
                      disabled={settings.busy.choice === true}
                      onChange={(model) => settings.choose({ [options.model.field]: model } as Partial<ProviderChoice>)}
                    />
                    {options.voice ? (
                      <VoiceField
                        // A new saved value (or a reload) starts the field afresh.
                        key={state.choice[options.voice.field]}
                        vendor={vendor}
                        hint={options.voice.hint}
                        saved={state.choice[options.voice.field]}
                        fallback={DEFAULT_ENGINE_OPTIONS[options.voice.field]}
                        disabled={settings.busy.choice === true}
                        onSave={(voiceId) => settings.choose({ [options.voice!.field]: voiceId } as Partial<ProviderChoice>)}
                      />
                    ) : null}
                  </div>
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
    </section>
  );
}

function Select({
  id,
  value,
  options,
  disabled,
  onChange,
  className,
}: {
  id: string;
  value: string;
  options: { value: string; label: string }[];
  disabled: boolean;
  onChange: (value: string) => void;
  className?: string;
}) {
  return (
    <span className={cn('relative flex items-center', className)}>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        className="focus-ring h-8 w-full appearance-none rounded-md border border-slate-700/80 bg-slate-900 pr-7 pl-2.5 text-[12px] text-slate-200 hover:border-slate-600 hover:bg-slate-800/70 disabled:opacity-60"
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
    </span>
  );
}

function ModelPicker({
  vendor,
  models,
  value,
  disabled,
  onChange,
}: {
  vendor: CloudProvider;
  models: readonly string[];
  value: string;
  disabled: boolean;
  onChange: (model: string) => void;
}) {
  const id = useId();
  return (
    <span className="flex flex-col gap-1">
      <label htmlFor={id} className="text-[11px] text-slate-400">
        {VENDOR_NAME[vendor]} model
      </label>
      <Select
        id={id}
        value={value}
        disabled={disabled}
        onChange={onChange}
        className="w-72 max-w-full"
        options={models.map((m) => ({ value: m, label: MODEL_NOTES[m] ? `${m} (${MODEL_NOTES[m]})` : m }))}
      />
    </span>
  );
}

function VoiceField({
  vendor,
  hint,
  saved,
  fallback,
  disabled,
  onSave,
}: {
  vendor: CloudProvider;
  hint: string;
  saved: string;
  fallback: string;
  disabled: boolean;
  onSave: (voiceId: string) => void;
}) {
  const id = useId();
  const hintId = useId();
  const [draft, setDraft] = useState(saved);
  // What Enter already sent: the field is disabled while it saves, and losing focus that way must not send it again.
  const [sent, setSent] = useState(saved);
  const parsed = VoiceId.safeParse(draft);
  // Said as soon as the id cannot be right, not only when the field is left.
  const problem = parsed.success ? null : (parsed.error.issues[0]?.message ?? 'not a voice id');

  const commit = () => {
    if (!parsed.success || parsed.data === saved || parsed.data === sent) return;
    setSent(parsed.data);
    onSave(parsed.data);
  };

  return (
    <span className="flex min-w-0 flex-1 basis-48 flex-col gap-1">
      <label htmlFor={id} className="text-[11px] text-slate-400">
        {VENDOR_NAME[vendor]} voice id
      </label>
      <input
        id={id}
        data-testid="voice-id"
        type="text"
        value={draft}
        disabled={disabled}
        spellCheck={false}
        autoComplete="off"
        maxLength={80}
        aria-invalid={problem !== null}
        aria-describedby={hintId}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
        className="focus-ring h-8 min-w-0 rounded-md border border-slate-700/80 bg-slate-900 px-2.5 font-mono text-[12px] text-slate-200 hover:border-slate-600 disabled:opacity-60 aria-[invalid=true]:border-rose-400"
      />
      {problem ? (
        <span role="alert" id={hintId} className="text-[11px] text-rose-300">
          Not saved: {problem}.
        </span>
      ) : (
        <span id={hintId} className="text-[11px] text-faint">
          {hint}
          {saved !== fallback ? (
            <button type="button" className="focus-ring ml-1.5 text-indigo-300 hover:text-indigo-200" disabled={disabled} onClick={() => onSave(fallback)}>
              Use the default
            </button>
          ) : null}
        </span>
      )}
    </span>
  );
}

function EngineInUse({ engine, voice, note }: { engine: EngineInfo | undefined; voice: string | null; note: string | null }) {
  if (!engine) return <span />;
  return (
    <span className="flex min-w-0 flex-col text-[12px] leading-tight" data-testid="engine-in-use">
      <span className="flex items-center gap-1.5 truncate text-slate-200" title={engine.label}>
        <span aria-hidden className={cn('size-1.5 shrink-0 rounded-full', engine.offline ? 'bg-slate-400' : 'bg-indigo-400')} />
        {engineLabel(engine.label)}
        {engine.offline ? null : <span className="text-faint">(cloud)</span>}
      </span>
      {voice ? (
        <span className="mt-0.5 truncate pl-3 text-[11px] text-faint" title={voice}>
          voice {voice}
        </span>
      ) : null}
      {note ? <span className="mt-0.5 pl-3 text-[11px] text-amber-300/90">Running offline: {note}</span> : null}
    </span>
  );
}
