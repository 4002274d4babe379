/**
 * The console: one router (hash URLs, so every view and selected call is a link that works
 * under Electron's file:// and the headless console alike), the top bar with the view nav,
 * and the views. Feature hooks own data and subscriptions; components take props.
 */
import { lazy, Suspense, useCallback, useMemo } from 'react';
import { Redirect, Route, Router, Switch } from 'wouter';
import { useShallow } from 'zustand/react/shallow';
import { useHashRoute } from '../lib/router';
import { Spinner } from '../components/ui/Button';
import { useCallsStore } from '../features/calls/store';
import { useCallsFeed } from '../features/calls/useCallsFeed';
import { useNow } from '../features/calls/useNow';
import { useTakeoverRequests } from '../features/calls/useTakeoverRequests';
import { AuthRequired } from '../features/connection/AuthRequired';
import { useConnection } from '../features/connection/useConnection';
import { ExportPanelHost } from '../features/exports/ExportPanel';
import { useExportsFeed } from '../features/exports/useExports';
import { useAlertNotifications } from '../features/alerts/useAlertNotifications';
import { HistoryView } from '../features/history/HistoryView';
import { Toaster } from '../features/toasts/Toaster';
import { useToasts } from '../features/toasts/store';
import { TopBar } from '../features/topbar/TopBar';
import { useAppInfo, useStartDemo } from '../features/topbar/useAppInfo';
import { ShortcutsDialog } from '../features/shortcuts/ShortcutsDialog';
import { useConsoleShortcuts } from '../features/shortcuts/useConsoleShortcuts';
import { useShellCommands } from '../features/shortcuts/useShellCommands';
import { useWindowTitle } from '../features/shortcuts/useWindowTitle';
import { LiveView } from './LiveView';

// The chart-heavy views (recharts) and the campaign views load when first opened, so the
// live console starts light.
const AnalyticsView = lazy(() => import('../features/analytics/AnalyticsView').then((m) => ({ default: m.AnalyticsView })));
const CampaignsView = lazy(() => import('../features/campaigns/CampaignsView').then((m) => ({ default: m.CampaignsView })));
const NewCampaignView = lazy(() => import('../features/campaigns/NewCampaignView').then((m) => ({ default: m.NewCampaignView })));
const CampaignDetailView = lazy(() => import('../features/campaigns/CampaignDetailView').then((m) => ({ default: m.CampaignDetailView })));
const CallDetailView = lazy(() => import('../features/call-detail/CallDetailView').then((m) => ({ default: m.CallDetailView })));

function ViewLoading() {
  return (
    <div className="flex flex-1 items-center justify-center gap-2 text-[12.5px] text-slate-400">
      <Spinner /> Loading…
    </div>
  );
}
import { useSelectionInUrl } from './useSelectionInUrl';

export function App() {
  const connection = useConnection();
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);

  if (connection === 'no-token' || connection === 'unauthorized') {
    return <AuthRequired reason={connection} />;
  }
  return (
    <Router hook={useHashRoute}>
      <Console connection={connection} />
      <Toaster toasts={toasts} onDismiss={dismiss} />
    </Router>
  );
}

function Console({ connection }: { connection: 'connecting' | 'connected' | 'lost' }) {
  // Live calls and exports keep flowing whichever view is open.
  useCallsFeed();
  useExportsFeed();
  useAlertNotifications(); // alerts (issue 8): notification + chime for alerts that ask for them
  useSelectionInUrl();
  const { info, scenarios } = useAppInfo();
  const demo = useStartDemo();

  const { calls } = useCallsStore(useShallow((s) => ({ calls: s.calls })));
  const { live, recent } = useMemo(() => {
    const all = Object.values(calls);
    return {
      live: all.filter((c) => c.status !== 'ended').sort((a, b) => b.startedAt - a.startedAt),
      recent: all
        .filter((c) => c.status === 'ended')
        .sort((a, b) => (b.endedAt ?? b.startedAt) - (a.endedAt ?? a.startedAt)),
    };
  }, [calls]);
  // While the connection is lost, clocks stop: a ticking timer would claim the call is still live.
  const now = useNow(1000, live.length > 0 && connection === 'connected');
  const takeoverRequests = useTakeoverRequests(live);
  const startDefaultDemo = useCallback(() => demo.start(scenarios[0]?.id), [demo, scenarios]);
  useShellCommands({ startDemo: startDefaultDemo }); // the Electron shell's menu, tray and notifications
  useConsoleShortcuts(live, takeoverRequests);
  useWindowTitle(live.length, Object.keys(takeoverRequests).length);

  return (
    <div className="flex h-full flex-col overflow-hidden">
      {/* Keyboard users skip the top bar; a button, because a #fragment would change the route. */}
      <button
        type="button"
        onClick={() => document.getElementById('content')?.focus()}
        className="sr-only z-50 rounded-md bg-indigo-500 px-3 py-1.5 text-[13px] font-medium text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </button>
      <TopBar
        info={info}
        scenarios={scenarios}
        connection={connection}
        starting={demo.starting}
        onStartDemo={demo.start}
        liveCount={live.length}
        attention={Object.keys(takeoverRequests).length}
      />
      {connection === 'lost' ? (
        <div
          data-testid="connection-banner"
          className="flex h-7 shrink-0 items-center justify-center gap-2 border-b border-rose-500/20 bg-rose-500/[0.07] text-[12px] text-rose-200"
        >
          <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-rose-400" />
          Lost the connection to Switchboard. Live updates are paused while it reconnects.
        </div>
      ) : null}
      <div id="content" tabIndex={-1} className="flex min-h-0 flex-1 flex-col outline-none">
        <Suspense fallback={<ViewLoading />}>
          <Switch>
            <Route path="/history" component={HistoryView} />
            <Route path="/analytics" component={AnalyticsView} />
            <Route path="/calls/:callId" component={CallDetailView} />
            <Route path="/campaigns" component={CampaignsView} />
            <Route path="/campaigns/new" component={NewCampaignView} />
            <Route path="/campaigns/:campaignId" component={CampaignDetailView} />
            <Route path={/^\/(live(\/[^/]+)?)?$/}>
              <LiveView
                live={live}
                recent={recent}
                now={now}
                takeoverRequests={takeoverRequests}
                canStartDemo={connection === 'connected' && !demo.starting}
                onStartDemo={startDefaultDemo}
              />
            </Route>
            <Route>
              <Redirect to="/" replace />
            </Route>
          </Switch>
        </Suspense>
      </div>
      <ExportPanelHost />
      <ShortcutsDialog />
    </div>
  );
}
