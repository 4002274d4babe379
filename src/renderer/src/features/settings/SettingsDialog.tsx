/**
 * The Settings dialog: which engine fills each role for new calls (EnginesSection), the cloud API keys
 * (write-only: the console shows whether a key is set, never the key), and a connection
 * test per cloud provider. A native <dialog> (modal: focus stays inside, Esc closes).
 */
import { useId, useState, type FormEvent } from 'react';
import type { CloudProvider, SecretName, SecretStatus } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { Modal } from '../../components/ui/Modal';
import { cn } from '../../lib/cn';
import { errorInWords } from '../../lib/format';
import { TelephonySection } from '../telephony/TelephonySection';
import { AlertsSection } from '../alerts/AlertsSection';
import { RecordingSection } from './RecordingSection';
import { BusinessSection } from './BusinessSection';
import { CallHandlingSection } from './CallHandlingSection';
import { DispositionsSection } from '../wrap-up/DispositionsSection'; // wrap-up (issue 8)
import { PrivacySection } from './PrivacySection'; // privacy (issue 10)
import { TeamSyncSection } from './TeamSyncSection'; // team sync (issue 12)
import { EnginesSection } from './EnginesSection';
import { ProfilesSection } from '../profiles/ProfilesSection'; // AI profiles (issue 15)
import { useProviderSettings, type ProviderSettings, type TestResult } from './useProviderSettings';

const PROVIDERS: { provider: CloudProvider; secret: SecretName; name: string; uses: string; envVar: string }[] = [
  { provider: 'deepgram', secret: 'deepgramApiKey', name: 'Deepgram', uses: 'Speech-to-text and text-to-speech', envVar: 'DEEPGRAM_API_KEY' },
  { provider: 'gemini', secret: 'geminiApiKey', name: 'Gemini', uses: 'Language model', envVar: 'GEMINI_API_KEY' },
  { provider: 'openai', secret: 'openaiApiKey', name: 'OpenAI', uses: 'Language model', envVar: 'OPENAI_API_KEY' },
  { provider: 'elevenlabs', secret: 'elevenlabsApiKey', name: 'ElevenLabs', uses: 'Text-to-speech', envVar: 'ELEVENLABS_API_KEY' },
  { provider: 'smallest', secret: 'smallestApiKey', name: 'Smallest.AI', uses: 'Text-to-speech', envVar: 'SMALLEST_API_KEY' },
];

export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const settings = useProviderSettings(open);
  const [tab, setTab] = useState<SettingsTab>('engines');

  return (
    <Modal
      open={open}
      onClose={onClose}
      testId="settings-dialog"
      // The alert rules and AI profile editors need room for an item's fields beside the list (issues 8, 15).
      className={cn(
        'max-h-[min(46rem,calc(100vh-2rem))]',
        tab === 'alerts' || tab === 'profiles' ? 'w-[min(60rem,calc(100vw-2rem))]' : 'w-[min(36rem,calc(100vw-2rem))]',
        // A profile's tabs differ in length: a steady height keeps the dialog from jumping between them.
        tab === 'profiles' && 'h-[min(46rem,calc(100vh-2rem))]',
      )}
    >
      {(titleId) => (
        <div className="flex h-full max-h-[inherit] flex-col">
          <header className="flex items-start gap-3 border-b border-slate-800 px-5 pt-4 pb-3.5">
            <div className="min-w-0">
              <h2 id={titleId} className="text-[15px] font-semibold tracking-tight text-slate-100">
                Settings
              </h2>
              <p className="mt-0.5 text-[12px] text-slate-400">
                {tab === 'alerts'
                  ? 'Saved rules apply to live calls at once.'
                  : tab === 'privacy'
                    ? 'What is kept of what callers say, and for how long.'
                    : tab === 'team'
                      ? 'Copy this desk’s calls to the team’s PostgreSQL for the team view.'
                    : tab === 'profiles'
                      ? 'Each save is a new version: new calls use it; a call in progress keeps the version it started with.'
                    : 'Changes apply to calls that start afterwards; live calls keep their engines.'}
              </p>
              <SettingsTabs tab={tab} onChange={setTab} />
            </div>
            <Button variant="ghost" size="sm" className="-mr-2 ml-auto px-1.5" aria-label="Close settings" onClick={onClose}>
              <CloseIcon className="size-4" />
            </Button>
          </header>

          <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4" role="tabpanel" aria-label={TAB_NAMES[tab]}>
            {tab === 'alerts' ? (
              <AlertsSection open={open} onNavigate={onClose} />
            ) : tab === 'profiles' ? (
              <ProfilesSection providers={settings.state} />
            ) : tab === 'telephony' ? (
              <TelephonySection open={open} />
            ) : tab === 'privacy' ? (
              <PrivacySection open={open} />
            ) : tab === 'team' ? (
              <TeamSyncSection open={open} />
            ) : settings.state ? (
              <div className="flex flex-col gap-6">
                <BusinessSection open={open} />
                <EnginesSection settings={settings} />
                <RecordingSection open={open} />
                <CallHandlingSection open={open} />
                <DispositionsSection open={open} />
                <KeysSection settings={settings} />
              </div>
            ) : settings.loadError ? (
              <p role="alert" className="rounded-md border border-rose-500/25 bg-rose-500/10 px-3 py-2 text-[12px] text-rose-300">
                {settings.loadError}
              </p>
            ) : (
              <div className="flex flex-col gap-3" aria-busy>
                {[0, 1, 2].map((i) => (
                  <span key={i} className="h-9 animate-pulse rounded-md bg-slate-800/60" />
                ))}
              </div>
            )}
          </div>

          <footer className="flex justify-end border-t border-slate-800 px-5 py-3">
            <Button variant="secondary" onClick={onClose}>
              Done
            </Button>
          </footer>
        </div>
      )}
    </Modal>
  );
}

type SettingsTab = 'engines' | 'profiles' | 'telephony' | 'alerts' | 'privacy' | 'team';
// The first tab holds the business, engines, recording, call handling and wrap-up settings.
const TAB_NAMES: Record<SettingsTab, string> = { engines: 'General', profiles: 'AI profiles', telephony: 'Telephony', alerts: 'Alerts', privacy: 'Privacy', team: 'Team sync' };

function SettingsTabs({ tab, onChange }: { tab: SettingsTab; onChange: (tab: SettingsTab) => void }) {
  return (
    <div role="tablist" aria-label="Settings sections" className="mt-3 -mb-3.5 flex gap-4">
      {(['engines', 'profiles', 'telephony', 'alerts', 'privacy', 'team'] as const).map((t) => (
        <button
          key={t}
          type="button"
          role="tab"
          aria-selected={tab === t}
          onClick={() => onChange(t)}
          className={cn(
            'focus-ring -mb-px border-b-2 pb-2 text-[12.5px] font-medium transition-colors',
            tab === t ? 'border-indigo-400 text-slate-100' : 'border-transparent text-faint hover:text-slate-300',
          )}
        >
          {TAB_NAMES[t]}
        </button>
      ))}
    </div>
  );
}

function SectionTitle({ children, hint }: { children: string; hint?: string }) {
  return (
    <div className="mb-2.5">
      <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">{children}</h3>
      {hint ? <p className="mt-0.5 text-[12px] text-faint">{hint}</p> : null}
    </div>
  );
}

// ---------------------------------------------------------------- keys

function KeysSection({ settings }: { settings: ProviderSettings }) {
  const state = settings.state!;
  return (
    <section aria-label="API keys">
      <SectionTitle hint="Keys are stored on this machine and never shown again once saved.">API keys</SectionTitle>
      <div className="flex flex-col gap-3">
        {PROVIDERS.map((p) => {
          const status = state.secrets.find((s) => s.name === p.secret) ?? { name: p.secret, configured: false, source: null, editable: true };
          return <ProviderKeyCard key={p.provider} {...p} status={status} settings={settings} />;
        })}
      </div>
    </section>
  );
}

function statusCopy(status: SecretStatus): { label: string; className: string } {
  if (!status.configured) return { label: 'Not set', className: 'bg-slate-800/70 text-slate-400 ring-slate-700' };
  if (status.source === 'environment') return { label: 'Configured from environment', className: 'bg-sky-400/10 text-sky-200 ring-sky-400/25' };
  if (status.source === 'keychain') return { label: 'Saved in system keychain', className: 'bg-emerald-400/10 text-emerald-200 ring-emerald-400/25' };
  return { label: 'Saved', className: 'bg-emerald-400/10 text-emerald-200 ring-emerald-400/25' };
}

function ProviderKeyCard({
  provider,
  secret,
  name,
  uses,
  envVar,
  status,
  settings,
}: {
  provider: CloudProvider;
  secret: SecretName;
  name: string;
  uses: string;
  envVar: string;
  status: SecretStatus;
  settings: ProviderSettings;
}) {
  const [value, setValue] = useState('');
  const inputId = useId();
  const copy = statusCopy(status);
  const saving = settings.busy[secret] === true;
  const testing = settings.busy[provider] === true;
  const canSave = status.editable && value.trim().length >= 8 && !saving;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!canSave) return;
    void settings.saveSecret(secret, value.trim()).then((saved) => saved && setValue(''));
  };

  return (
    <div className="rounded-lg border border-slate-800 bg-slate-950/40 p-3" data-testid="provider-card" data-provider={provider}>
      <div className="flex items-center gap-2">
        <div className="min-w-0">
          <div className="text-[13px] font-medium text-slate-100">{name}</div>
          <div className="text-[11px] text-faint">{uses}</div>
        </div>
        <span
          data-testid="secret-status"
          data-configured={status.configured}
          data-source={status.source ?? 'none'}
          className={cn('ml-auto inline-flex h-5 items-center rounded-full px-2 text-[11px] font-medium ring-1 ring-inset', copy.className)}
        >
          {copy.label}
        </span>
      </div>

      {status.editable ? (
        <form className="mt-2.5 flex items-center gap-2" onSubmit={onSubmit} autoComplete="off">
          <label htmlFor={inputId} className="sr-only">
            {name} API key
          </label>
          <input
            id={inputId}
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder={status.configured ? 'Paste a new key to replace the saved one' : `Paste your ${name} API key`}
            autoComplete="new-password"
            spellCheck={false}
            maxLength={512}
            className="focus-ring h-8 min-w-0 flex-1 rounded-md border border-slate-700/80 bg-slate-900 px-2.5 font-mono text-[12px] text-slate-200 placeholder:font-sans placeholder:text-faint hover:border-slate-600"
          />
          <Button type="submit" variant="primary" disabled={!canSave} busy={saving}>
            Save
          </Button>
          <Button variant="danger" disabled={!status.configured || saving} onClick={() => settings.clearSecret(secret)}>
            Clear
          </Button>
        </form>
      ) : (
        <p className="mt-2.5 text-[12px] text-slate-400">
          Set by <code className="rounded bg-slate-800 px-1 py-px font-mono text-[11px] text-slate-300">{envVar}</code>; unset it to
          manage the key here.
        </p>
      )}

      <div className="mt-2.5 flex items-start gap-3 border-t border-slate-800/80 pt-2.5">
        <Button size="sm" disabled={!status.configured || testing} busy={testing} onClick={() => settings.test(provider)}>
          Test connection
        </Button>
        {/* The last check of this key: saving a key runs one, so does Test connection. */}
        <TestOutcome result={settings.state?.checks[provider] ?? undefined} testing={testing || saving} />
      </div>
    </div>
  );
}

function TestOutcome({ result, testing }: { result: TestResult | undefined; testing: boolean }) {
  if (testing) return <span className="pt-1 text-[12px] text-faint">Testing…</span>;
  if (!result) return null;
  const { text, detail } = errorInWords(result.message);
  return (
    <span
      role="status"
      data-testid="test-result"
      data-ok={result.ok}
      className={cn('flex min-w-0 items-start gap-1.5 pt-1 text-[12px] leading-snug', result.ok ? 'text-emerald-300' : 'text-rose-300')}
    >
      <span aria-hidden className={cn('mt-1 size-1.5 shrink-0 rounded-full', result.ok ? 'bg-emerald-400' : 'bg-rose-400')} />
      <span className="min-w-0" title={detail ?? undefined}>
        {text}
        {result.latencyMs !== null ? <span className="ml-1.5 font-mono text-[11px] text-faint">{result.latencyMs} ms</span> : null}
        {result.problem === 'rejected' || result.problem === 'unreachable' ? (
          <span className="mt-0.5 block text-[11.5px] text-slate-400">New calls use the offline engine instead until this key passes a test.</span>
        ) : null}
      </span>
    </span>
  );
}

function CloseIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 16 16" className={className} fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" aria-hidden>
      <path d="M4 4l8 8M12 4l-8 8" />
    </svg>
  );
}
