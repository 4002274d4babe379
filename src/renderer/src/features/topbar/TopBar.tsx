import { useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { CloudProvider, type Scenario } from '@shared/domain';
import type { ConnectionState } from '../../lib/transport';
import type { AppInfo } from './useAppInfo';
import { Button } from '../../components/ui/Button';
import { Tooltip } from '../../components/ui/Tooltip';
import { ChartIcon, ChevronDownIcon, HistoryIcon, PlayIcon, PulseIcon, QueueIcon } from '../../components/ui/icons';
import { cn } from '../../lib/cn';
import { engineLabel, errorInWords } from '../../lib/format';
import { badgeTrouble, shortEngineTrouble } from './engine-trouble';
import { routes } from '../../lib/router';
import { useCallsStore } from '../calls/store';
import { ExportsIndicator } from '../exports/ExportPanel';
import { filterQuery, parseFilter } from '../filters/filter-query';
import { SettingsButton } from '../settings/SettingsButton';
import { Softphone } from '../softphone/SoftphoneChip';
import { NewCallButton } from '../telephony/NewCallDialog';

const roleName = { stt: 'Speech-to-text', llm: 'Language model', tts: 'Text-to-speech' } as const;

export function TopBar({
  info,
  scenarios,
  connection,
  starting,
  onStartDemo,
  liveCount,
  attention,
}: {
  info: AppInfo | null;
  scenarios: Scenario[];
  connection: ConnectionState;
  starting: boolean;
  onStartDemo: (scenarioId: string | undefined) => void;
  /** Live calls now, shown on the Live tab. */
  liveCount: number;
  /** Live calls whose AI asks for a person. */
  attention: number;
}) {
  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b border-slate-800/80 bg-slate-950 px-3 xl:gap-4 xl:px-4">
      <div className="flex items-center gap-2.5">
        <Logo />
        <span className="hidden text-[14px] font-semibold tracking-tight text-slate-100 xl:inline">Switchboard</span>
        {info ? <span className="hidden font-mono text-[11px] text-faint 2xl:inline">v{info.version}</span> : null}
      </div>

      <ViewNav liveCount={liveCount} attention={attention} />

      <div className="hidden h-4 w-px bg-slate-800 xl:block" aria-hidden />
      {/* Narrow windows drop the badge, unless it warns of something: that stays in view (issues 10, 13). */}
      <div className={cn(info && badgeTrouble(info) ? 'flex' : 'hidden xl:flex')}>
        <EngineBadges info={info} />
      </div>

      <div className="ml-auto flex items-center gap-2 xl:gap-3">
        <ConnectionPill state={connection} />
        <ExportsIndicator />
        <Softphone />
        <NewCallButton disabled={connection !== 'connected'} />
        <DemoLauncher scenarios={scenarios} starting={starting} disabled={connection !== 'connected'} onStart={onStartDemo} />
        <SettingsButton />
      </div>
    </header>
  );
}

/** Live, History, Analytics and Campaigns. History and Analytics share the filter: switching keeps it. */
function ViewNav({ liveCount, attention }: { liveCount: number; attention: number }) {
  const [path] = useLocation();
  const search = useSearch();
  const selectedId = useCallsStore((s) => s.selectedId);
  const onFilterView = path === '/history' || path === '/analytics';
  const [remembered, setRemembered] = useState('');
  const current = onFilterView ? filterQuery(parseFilter(search)) : null;
  if (current !== null && current !== remembered) setRemembered(current);
  const filter = current ?? remembered;
  const view =
    path === '/history' || path.startsWith('/calls/')
      ? 'history'
      : path === '/analytics'
        ? 'analytics'
        : path === '/campaigns' || path.startsWith('/campaigns/')
          ? 'campaigns'
          : 'live';

  const tabs = [
    {
      id: 'live',
      label: 'Live',
      href: routes.live(selectedId),
      icon: <PulseIcon className="size-3.5" />,
      badge:
        liveCount > 0 ? (
          <span
            className={cn(
              'rounded px-1 font-mono text-[10px] leading-4 tabular-nums',
              attention > 0 ? 'bg-amber-400/20 text-amber-200' : 'bg-emerald-400/15 text-emerald-300',
            )}
            title={attention > 0 ? `${attention} asking for a person` : undefined}
          >
            {liveCount}
            <span className="sr-only"> live{attention > 0 ? `, ${attention} asking for a person` : ''}</span>
          </span>
        ) : null,
    },
    { id: 'history', label: 'History', href: routes.history(filter), icon: <HistoryIcon className="size-3.5" />, badge: null },
    { id: 'analytics', label: 'Analytics', href: routes.analytics(filter), icon: <ChartIcon className="size-3.5" />, badge: null },
    { id: 'campaigns', label: 'Campaigns', href: routes.campaigns(), icon: <QueueIcon className="size-3.5" />, badge: null },
  ] as const;

  return (
    <nav aria-label="Views" className="flex items-center gap-0.5 rounded-lg bg-slate-900/80 p-0.5 ring-1 ring-slate-800" data-testid="view-nav">
      {tabs.map((t) => (
        <Link
          key={t.id}
          href={t.href}
          aria-current={view === t.id ? 'page' : undefined}
          data-testid={`nav-${t.id}`}
          className={cn(
            'focus-ring flex h-7 items-center gap-1.5 rounded-md px-2 text-[12.5px] font-medium transition-colors xl:px-2.5',
            view === t.id ? 'bg-slate-700/70 text-slate-50 shadow-sm' : 'text-slate-400 hover:bg-slate-800/70 hover:text-slate-200',
          )}
        >
          {/* Narrow windows drop the icons: four views and the call buttons fit in 1024 px. */}
          <span className="hidden xl:contents">{t.icon}</span>
          {t.label}
          {t.badge}
        </Link>
      ))}
    </nav>
  );
}

function Logo() {
  return (
    <span
      aria-hidden
      className="flex size-6 items-center justify-center rounded-md bg-linear-to-br from-indigo-400 to-indigo-600 shadow-sm shadow-indigo-950"
    >
      <svg viewBox="0 0 16 16" className="size-3.5 text-white" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
        <path d="M3 8h2M7 5v6M10 3v10M13 6.5v3" />
      </svg>
    </span>
  );
}

function EngineBadges({ info }: { info: AppInfo | null }) {
  if (!info) return <span className="h-5 w-28 animate-pulse rounded-full bg-slate-800/60" aria-hidden />;
  // A configured key that failed its last check: new calls run offline for it, and the badge says why.
  // Else a recogniser that cannot run on this machine (no PocketSphinx in this build): callers go unheard.
  const sttMissing = info.engines.find((e) => e.unavailable)?.unavailable ?? null;
  const trouble = badgeTrouble(info);
  const failedChecks = CloudProvider.options.flatMap((p) => {
    const check = info.checks[p];
    return check && !check.ok && (check.problem === 'rejected' || check.problem === 'unreachable') ? [errorInWords(check.message).text] : [];
  });
  const details = (
    <span className="flex flex-col gap-1.5">
      {sttMissing ? <span className="max-w-72 text-[11.5px] whitespace-normal text-amber-200">{sttMissing}</span> : null}
      {failedChecks.map((text) => (
        <span key={text} className="max-w-72 text-[11.5px] whitespace-normal text-amber-200">
          {text} New calls use the offline engine instead; check the key in Settings.
        </span>
      ))}
      <span className="text-[11px] text-faint">
        {sttMissing
          ? 'Engines for new calls'
          : info.offline
            ? trouble
              ? 'Every engine runs on this machine.'
              : 'Every engine runs on this machine; no API keys are configured.'
            : 'Engines in use'}
      </span>
      <span className="grid grid-cols-[auto_auto] gap-x-4 gap-y-1 whitespace-nowrap">
        {info.engines.map((e) => (
          <span key={e.role} className="contents">
            <span className="text-faint">{roleName[e.role]}</span>
            {/* Wraps after the engine's name when the software's own name does not fit (max-w-96). */}
            <span className="whitespace-normal text-slate-200">
              {engineLabel(e.label)}
              {e.offline && !info.offline ? <span className="ml-1.5 text-faint">(local)</span> : null}
              {/* The software's own name, for whoever has to look it up. */}
              {engineLabel(e.label) !== e.label ? <span className="ml-1.5 font-mono text-[10.5px] text-faint">{e.label}</span> : null}
            </span>
          </span>
        ))}
      </span>
    </span>
  );
  return (
    <Tooltip content={details} align="start">
      <span
        data-testid="engine-badge"
        data-trouble={trouble ?? undefined}
        aria-label={trouble ? `${info.offline ? 'Offline engines' : 'Cloud engines'}: ${trouble}` : undefined}
        className={cn(
          'inline-flex h-5 cursor-default items-center gap-1.5 rounded-full px-2 text-[11px] font-medium whitespace-nowrap ring-1 ring-inset',
          trouble
            ? 'bg-amber-400/10 text-amber-200 ring-amber-400/30'
            : info.offline
              ? 'bg-slate-800/70 text-slate-300 ring-slate-700'
              : 'bg-indigo-400/10 text-indigo-200 ring-indigo-400/25',
        )}
      >
        <span aria-hidden className={cn('size-1.5 shrink-0 rounded-full', trouble ? 'bg-amber-400' : info.offline ? 'bg-slate-400' : 'bg-indigo-400')} />
        {/* With a key in trouble, narrow windows show only the trouble, in short. */}
        <span className={trouble ? 'hidden xl:inline' : undefined}>{info.offline ? 'Offline engines' : 'Cloud engines'}</span>
        {trouble ? (
          <>
            <span className="hidden xl:inline">· {trouble}</span>
            <span className="xl:hidden">{shortEngineTrouble(info.checks) ?? 'No speech-to-text'}</span>
          </>
        ) : null}
      </span>
    </Tooltip>
  );
}

const connectionCopy: Record<ConnectionState, { label: string; dot: string; text: string }> = {
  connected: { label: 'Connected', dot: 'bg-emerald-400', text: 'text-slate-400' },
  connecting: { label: 'Connecting…', dot: 'bg-amber-400 animate-pulse', text: 'text-amber-200' },
  lost: { label: 'Connection lost — reconnecting', dot: 'bg-rose-400 animate-pulse', text: 'text-rose-300' },
  'no-token': { label: 'Not signed in', dot: 'bg-rose-400', text: 'text-rose-300' },
  unauthorized: { label: 'Token rejected', dot: 'bg-rose-400', text: 'text-rose-300' },
};

function ConnectionPill({ state }: { state: ConnectionState }) {
  const c = connectionCopy[state];
  return (
    <span
      role="status"
      data-testid="connection-state"
      data-state={state}
      className={cn('inline-flex items-center gap-2 text-[12px] whitespace-nowrap', c.text)}
      title={c.label}
    >
      <span aria-hidden className={cn('size-1.5 rounded-full', c.dot)} />
      {/* Narrow windows show only the dot while all is well, and while the connection is lost
          (the banner under the top bar says so in full); connecting always says so. */}
      <span className={state === 'connecting' ? undefined : 'sr-only 2xl:not-sr-only'}>{c.label}</span>
    </span>
  );
}

function DemoLauncher({
  scenarios,
  starting,
  disabled,
  onStart,
}: {
  scenarios: Scenario[];
  starting: boolean;
  disabled: boolean;
  onStart: (scenarioId: string | undefined) => void;
}) {
  const [picked, setScenarioId] = useState<string>('');
  // The first scenario is the default until the agent picks another.
  const scenarioId = scenarios.some((s) => s.id === picked) ? picked : (scenarios[0]?.id ?? '');
  const current = scenarios.find((s) => s.id === scenarioId);

  return (
    <div className="flex items-center">
      {scenarios.length > 0 ? (
        <label className="relative flex items-center" title={current?.description}>
          <span className="sr-only">Demo scenario</span>
          <select
            value={scenarioId}
            onChange={(e) => setScenarioId(e.target.value)}
            className="focus-ring h-8 max-w-32 appearance-none truncate rounded-l-md xl:max-w-56 border border-r-0 border-slate-700/80 bg-slate-900 pr-7 pl-2.5 text-[12px] text-slate-300 hover:border-slate-600 hover:bg-slate-800/70"
          >
            {scenarios.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
          <ChevronDownIcon className="pointer-events-none absolute right-2 size-3.5 text-faint" />
        </label>
      ) : null}
      <Button
        variant="primary"
        onClick={() => onStart(scenarioId || undefined)}
        disabled={disabled || starting}
        busy={starting}
        icon={<PlayIcon className="size-3" />}
        className={scenarios.length > 0 ? 'rounded-l-none' : undefined}
      >
        Start demo call
      </Button>
    </div>
  );
}
