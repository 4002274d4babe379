/**
 * A profile's fields: name, instructions, the two greetings with what the caller will hear,
 * engines per role, voices, and the tools the AI may use. Problems (the shared schema's words)
 * show beside a field once it was left, or all of them after a save was tried.
 */
import { useId, useState } from 'react';
import { AI_TOOL_NAMES, BUSINESS_PLACEHOLDER, type AiToolName, type ProfileEngines } from '@shared/ai-profile';
import type { CloudProvider, ProviderChoice, SecretName } from '@shared/domain';
import type { CommandOutput } from '@shared/contract';
import { Segmented, fieldClass } from '../../components/ui/fields';
import { ChevronDownIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { VENDOR_NAME } from '../settings/EnginesSection';
import type { DraftProblems, ProfileDraft } from './draft';
import { Field, Group, describedBy, textareaClass } from './form-parts';
import { GreetingPreview } from './GreetingPreview';
import type { GreetingContext } from './useGreetingContext';

type ProvidersState = CommandOutput<'providers.get'>;
type Role = keyof ProfileEngines;

const ROLES: { role: Role; name: string; options: ProfileEngines[Role][] }[] = [
  { role: 'stt', name: 'Speech-to-text', options: ['settings', 'offline', 'deepgram'] },
  { role: 'llm', name: 'Language model', options: ['settings', 'offline', 'gemini', 'openai'] },
  { role: 'tts', name: 'Text-to-speech', options: ['settings', 'offline', 'deepgram', 'elevenlabs', 'smallest'] },
];

const SECRET_OF: Record<CloudProvider, SecretName> = {
  deepgram: 'deepgramApiKey',
  gemini: 'geminiApiKey',
  openai: 'openaiApiKey',
  elevenlabs: 'elevenlabsApiKey',
  smallest: 'smallestApiKey',
};

export const TOOL_WORDS: Record<AiToolName, { label: string; hint: string }> = {
  transfer_to_agent: { label: 'Hand the call to a person', hint: 'When the caller asks for one, or is upset and getting nowhere.' },
  end_call: { label: 'End the call', hint: 'After the caller is done and the AI has said goodbye.' },
  lookup_knowledge: { label: 'Look things up in the knowledge base', hint: 'Policies, prices and procedures from this profile’s articles.' },
  record_fact: { label: 'Note facts for the team', hint: 'An order number, a callback time… shown on the call and its wrap-up.' },
};

const vendorName = (v: string) => (v === 'offline' ? 'Offline' : (VENDOR_NAME[v as CloudProvider] ?? v));

const GREETINGS = [
  { key: 'inboundGreeting', label: 'When a call comes in', direction: 'inbound' },
  { key: 'outboundGreeting', label: 'When the AI calls someone', direction: 'outbound' },
] as const;

export function ProfileForm({
  draft,
  problems,
  revealAll,
  providers,
  greeting,
  onChange,
}: {
  draft: ProfileDraft;
  problems: DraftProblems;
  /** A save was tried: show every problem, not only those of fields already left. */
  revealAll: boolean;
  providers: ProvidersState | null;
  greeting: GreetingContext;
  onChange: (change: (d: ProfileDraft) => ProfileDraft) => void;
}) {
  const ids = {
    name: useId(),
    instructions: useId(),
    inbound: useId(),
    outbound: useId(),
    eleven: useId(),
    smallest: useId(),
  };
  const [left, setLeft] = useState<ReadonlySet<string>>(new Set());
  const [recorded, setRecorded] = useState<boolean | null>(null);
  const previewRecorded = recorded ?? greeting.recordsRealCalls;
  const problem = (key: string) => (revealAll || left.has(key) ? problems[key] : undefined);
  const leave = (key: string) => () => setLeft((s) => (s.has(key) ? s : new Set(s).add(key)));
  const set = <K extends keyof ProfileDraft>(key: K, value: ProfileDraft[K]) => onChange((d) => ({ ...d, [key]: value }));
  const business = greeting.business ?? BUSINESS_PLACEHOLDER;

  return (
    <div className="flex flex-col gap-6" data-testid="profile-form">
      <Group title="The AI's job">
        <Field id={ids.name} label="Name" problem={problem('name')} hint="How the team picks it: in New AI call, for a number, a campaign, and in History.">
          <input
            id={ids.name}
            value={draft.name}
            autoComplete="off"
            onChange={(e) => set('name', e.target.value)}
            onBlur={leave('name')}
            className={cn(fieldClass, 'w-full')}
            data-testid="profile-name"
            {...describedBy(ids.name, problem('name'), true)}
          />
        </Field>
        <Field
          id={ids.instructions}
          label="Instructions"
          optional
          problem={problem('instructions')}
          count={{ used: draft.instructions.trim().length, max: 6000 }}
          hint={
            <>
              What the AI should do and how to sound, beyond the rules every call keeps (short replies, never claiming to be a person).{' '}
              <code className="rounded bg-slate-800 px-1 font-mono text-[11px] text-slate-300">{BUSINESS_PLACEHOLDER}</code> becomes the business name.
            </>
          }
        >
          <textarea
            id={ids.instructions}
            rows={5}
            value={draft.instructions}
            onChange={(e) => set('instructions', e.target.value)}
            onBlur={leave('instructions')}
            placeholder="e.g. You book and move boiler service visits. Confirm the address and a two-hour slot; offer the next free morning if the caller's day is full."
            className={cn(textareaClass, 'min-h-24')}
            data-testid="profile-instructions"
            {...describedBy(ids.instructions, problem('instructions'), true)}
          />
        </Field>
      </Group>

      <Group
        title="Greetings"
        hint={
          <>
            The AI's first words. <code className="rounded bg-slate-800 px-1 font-mono text-[11px] text-slate-300">{BUSINESS_PLACEHOLDER}</code> becomes{' '}
            {greeting.business ? <span className="text-slate-300">“{greeting.business}”</span> : 'the business name'} (Settings → General).
          </>
        }
      >
        <div className="flex flex-wrap items-center gap-2 text-[12px] text-slate-400">
          <span aria-hidden>Preview as</span>
          <Segmented
            label="Preview the greetings on"
            value={previewRecorded ? 'recorded' : 'not'}
            options={[
              { value: 'recorded', label: 'Recorded call' },
              { value: 'not', label: 'Not recorded' },
            ]}
            onChange={(v) => setRecorded(v === 'recorded')}
            testId="preview-recorded"
          />
          <span className="text-[11.5px] text-faint">Real calls are {greeting.recordsRealCalls ? '' : 'not '}recorded now (Settings → General → Recording).</span>
        </div>
        {GREETINGS.map(({ key, label, direction }) => (
          <div key={key} className="flex flex-col gap-2">
            <Field id={ids[direction]} label={label} problem={problem(key)} count={{ used: draft[key].trim().length, max: 400 }}>
              <textarea
                id={ids[direction]}
                rows={3}
                value={draft[key]}
                onChange={(e) => set(key, e.target.value)}
                onBlur={leave(key)}
                className={textareaClass}
                data-testid={`profile-${direction}-greeting`}
                {...describedBy(ids[direction], problem(key), false)}
              />
            </Field>
            <GreetingPreview template={draft[key]} business={business} recorded={previewRecorded} testId={`${direction}-preview`} />
          </div>
        ))}
      </Group>

      <Group title="Engines and voices" hint="“As in Settings” follows Settings → General; a cloud engine without a working key runs offline.">
        <div className="divide-y divide-slate-800 rounded-lg border border-slate-800 bg-slate-950/40">
          {ROLES.map(({ role, name, options }) => (
            <EngineRow
              key={role}
              role={role}
              name={name}
              options={options}
              value={draft.engines[role]}
              providers={providers}
              onChange={(value) => onChange((d) => ({ ...d, engines: { ...d.engines, [role]: value } }))}
            />
          ))}
        </div>
        <div className="grid grid-cols-2 gap-3">
          <VoiceField
            id={ids.eleven}
            label="ElevenLabs voice id"
            value={draft.voices.elevenlabs}
            settingsVoice={providers?.choice.elevenlabsVoiceId ?? null}
            problem={problem('voices.elevenlabs')}
            onBlur={leave('voices.elevenlabs')}
            onChange={(v) => onChange((d) => ({ ...d, voices: { ...d.voices, elevenlabs: v } }))}
            testId="profile-voice-elevenlabs"
          />
          <VoiceField
            id={ids.smallest}
            label="Smallest.AI voice"
            value={draft.voices.smallest}
            settingsVoice={providers?.choice.smallestVoiceId ?? null}
            problem={problem('voices.smallest')}
            onBlur={leave('voices.smallest')}
            onChange={(v) => onChange((d) => ({ ...d, voices: { ...d.voices, smallest: v } }))}
            testId="profile-voice-smallest"
          />
        </div>
      </Group>

      <Group title="Tools the AI may use">
        <fieldset className="flex flex-col gap-2" data-testid="profile-tools">
          <legend className="sr-only">Tools the AI may use</legend>
          {AI_TOOL_NAMES.map((tool) => (
            <label key={tool} className="flex cursor-pointer items-start gap-2.5 text-[12.5px] text-slate-200">
              <input
                type="checkbox"
                checked={draft.tools.includes(tool)}
                onChange={(e) => set('tools', e.target.checked ? AI_TOOL_NAMES.filter((t) => t === tool || draft.tools.includes(t)) : draft.tools.filter((t) => t !== tool))}
                className="focus-ring mt-0.5 size-3.5 shrink-0 accent-indigo-400"
                data-testid={`profile-tool-${tool}`}
              />
              <span className="min-w-0">
                {TOOL_WORDS[tool].label}
                <span className="block text-[11.5px] text-faint">{TOOL_WORDS[tool].hint}</span>
              </span>
            </label>
          ))}
          {problem('tools') ? <p className="text-[12px] text-rose-300">{problem('tools')}</p> : null}
        </fieldset>
      </Group>
    </div>
  );
}

function EngineRow({
  role,
  name,
  options,
  value,
  providers,
  onChange,
}: {
  role: Role;
  name: string;
  options: ProfileEngines[Role][];
  value: ProfileEngines[Role];
  providers: ProvidersState | null;
  onChange: (value: ProfileEngines[Role]) => void;
}) {
  const id = useId();
  const settingsChoice: ProviderChoice[Role] | undefined = providers?.choice[role];
  const vendor = value === 'settings' ? settingsChoice : value;
  const keyMissing =
    vendor !== undefined && vendor !== 'offline' && providers?.secrets.find((s) => s.name === SECRET_OF[vendor])?.configured === false;
  return (
    <div className="grid grid-cols-[8.5rem_minmax(0,15rem)_minmax(0,1fr)] items-center gap-3 px-3 py-2" data-testid="profile-engine" data-role={role}>
      <label htmlFor={id} className="text-[12.5px] text-slate-300">
        {name}
      </label>
      <span className="relative flex items-center">
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value as ProfileEngines[Role])}
          className={cn(fieldClass, 'w-full appearance-none pr-7 [color-scheme:dark]')}
          aria-describedby={keyMissing ? `${id}-note` : undefined}
        >
          {options.map((o) => (
            <option key={o} value={o}>
              {o === 'settings' ? `As in Settings${settingsChoice ? ` (${vendorName(settingsChoice)})` : ''}` : vendorName(o)}
            </option>
          ))}
        </select>
        <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
      </span>
      <span id={`${id}-note`} className="min-w-0 text-[11.5px] leading-snug text-amber-200/90">
        {keyMissing ? `No ${vendorName(vendor)} key saved: runs offline until one is.` : null}
      </span>
    </div>
  );
}

function VoiceField({
  id,
  label,
  value,
  settingsVoice,
  problem,
  onBlur,
  onChange,
  testId,
}: {
  id: string;
  label: string;
  value: string;
  settingsVoice: string | null;
  problem: string | undefined;
  onBlur: () => void;
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <Field id={id} label={label} optional problem={problem} hint="Empty: the voice Settings chose.">
      <input
        id={id}
        value={value}
        spellCheck={false}
        autoComplete="off"
        placeholder={settingsVoice ? `As in Settings (${settingsVoice})` : 'As in Settings'}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        className={cn(fieldClass, 'w-full font-mono placeholder:font-sans')}
        data-testid={testId}
        {...describedBy(id, problem, true)}
      />
    </Field>
  );
}
