/**
 * Settings → Team sync (issue 12): where this desk's calls are copied for the team view.
 *
 * - The database URL is write-only, like an API key: pasted, saved (`secrets.set`), never
 *   shown again; the card shows "host:port/database" only.
 * - TLS mode, CA file and the desk's name save through `settings.update`; the core restarts
 *   the sync worker with them (nothing is lost: it resumes where it was).
 * - The status card follows the core's 'sync.status' events: connected or not, rows waiting,
 *   last synced, and the last error in plain words with when the next attempt is due.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { SyncStatus, SyncTestResult, TeamTlsMode } from '@shared/sync';
import { Button } from '../../components/ui/Button';
import { client } from '../../lib/client';
import { cn } from '../../lib/cn';
import { formatWhen } from '../../lib/format';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

const TLS_MODES: { mode: TeamTlsMode; label: string; hint: string }[] = [
  { mode: 'require', label: 'Encrypted (require)', hint: 'The connection is encrypted; the server’s certificate is not checked.' },
  { mode: 'verify-full', label: 'Encrypted and verified (verify-full)', hint: 'The server’s certificate must be signed by your CA and name the host.' },
  { mode: 'disable', label: 'Off (this machine or a trusted network only)', hint: 'Calls travel unencrypted. Only for a server on this machine or a network you control.' },
];

const URL_SHAPE = /^postgres(ql)?:\/\/[^\s]+$/i;

export function TeamSyncSection({ open }: { open: boolean }) {
  const epoch = useConnectEpoch();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [busy, setBusy] = useState<'url' | 'clear' | 'test' | 'settings' | null>(null);
  const [test, setTest] = useState<SyncTestResult | null>(null);

  useEffect(() => client.on('sync.status', setStatus), []);
  useEffect(() => {
    if (!open || epoch < 0) return;
    client.invoke('sync.status').then(setStatus, (err: unknown) => reportError("Couldn't load the team sync status", err));
  }, [open, epoch]);

  const refresh = () => client.invoke('sync.status').then(setStatus, () => undefined);

  const runTest = () => {
    setBusy('test');
    client
      .invoke('sync.test')
      .then(setTest, (err: unknown) => reportError("Couldn't test the team database", err))
      .finally(() => setBusy(null));
  };

  const saveSetting = (patch: { teamDeskName?: string; teamTls?: TeamTlsMode; teamCaFile?: string }) => {
    setBusy('settings');
    setTest(null);
    return client
      .invoke('settings.update', patch)
      .then(refresh)
      .then(
        () => true,
        (err: unknown) => {
          reportError("Couldn't save the team sync setting", err);
          return false;
        },
      )
      .finally(() => setBusy(null));
  };

  if (!status) {
    return (
      <div className="flex flex-col gap-3" aria-busy>
        {[0, 1].map((i) => (
          <span key={i} className="h-9 animate-pulse rounded-md bg-slate-800/60" />
        ))}
      </div>
    );
  }

  return (
    <section aria-label="Team sync" data-testid="team-sync-settings" className="flex flex-col gap-6">
      {status.configured ? <StatusCard status={status} /> : null}

      <div>
        <Heading hint="Each desk keeps its calls; with a team database set, they are also copied there (masked text only) for History, Analytics and Export across desks.">
          Team database
        </Heading>
        <UrlCard
          status={status}
          busy={busy}
          onSave={(url) => {
            setBusy('url');
            setTest(null);
            return client
              .invoke('secrets.set', { name: 'teamDatabaseUrl', value: url })
              .then(refresh)
              .then(
                () => {
                  runTest();
                  return true;
                },
                (err: unknown) => {
                  reportError("Couldn't save the team database URL", err);
                  setBusy(null);
                  return false;
                },
              );
          }}
          onClear={() => {
            setBusy('clear');
            setTest(null);
            client
              .invoke('secrets.clear', { name: 'teamDatabaseUrl' })
              .then(refresh, (err: unknown) => reportError("Couldn't remove the team database URL", err))
              .finally(() => setBusy(null));
          }}
          onTest={runTest}
          // A passed test is old news once the connection has dropped since.
          test={test?.ok && status.state === 'offline' ? null : test}
        />
      </div>

      <ConnectionSettings key={`${status.deskName}\n${status.caFile}`} status={status} disabled={busy !== null} onSave={saveSetting} />
    </section>
  );
}

function UrlCard({
  status,
  busy,
  onSave,
  onClear,
  onTest,
  test,
}: {
  status: SyncStatus;
  busy: string | null;
  onSave: (url: string) => Promise<boolean>;
  onClear: () => void;
  onTest: () => void;
  test: SyncTestResult | null;
}) {
  const [value, setValue] = useState('');
  const inputId = useId();
  const problemId = useId();
  const fromEnvironment = status.urlSource === 'environment';
  const trimmed = value.trim();
  const problem = trimmed === '' || URL_SHAPE.test(trimmed) ? null : 'A team database URL looks like postgres://user:password@host:5432/database.';
  const canSave = trimmed !== '' && problem === null && busy === null;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!canSave) return;
    void onSave(trimmed).then((saved) => saved && setValue(''));
  };

  return (
    <div className="rounded-lg border border-slate-800 bg-slate-950/40 p-3" data-testid="team-url-card">
      <div className="flex items-center gap-2">
        <div className="min-w-0 text-[13px] font-medium text-slate-100">
          {status.server ? <span className="font-mono text-[12px]" data-testid="team-server">{status.server}</span> : 'No team database'}
        </div>
        <span
          data-testid="team-url-status"
          className={cn(
            'ml-auto inline-flex h-5 shrink-0 items-center rounded-full px-2 text-[11px] font-medium ring-1 ring-inset',
            !status.configured
              ? 'bg-slate-800/70 text-slate-400 ring-slate-700'
              : fromEnvironment
                ? 'bg-sky-400/10 text-sky-200 ring-sky-400/25'
                : 'bg-emerald-400/10 text-emerald-200 ring-emerald-400/25',
          )}
        >
          {!status.configured ? 'Not set' : fromEnvironment ? 'Configured from environment' : 'Saved'}
        </span>
      </div>
      {fromEnvironment ? (
        <p className="mt-2.5 text-[12px] text-slate-400">
          Set by <code className="rounded bg-slate-800 px-1 py-px font-mono text-[11px] text-slate-300">SWITCHBOARD_TEAM_DATABASE_URL</code>; unset it to
          manage the URL here.
        </p>
      ) : (
        <form className="mt-2.5 flex items-start gap-2" onSubmit={onSubmit} autoComplete="off">
          <div className="min-w-0 flex-1">
            <label htmlFor={inputId} className="sr-only">
              Team database URL
            </label>
            <input
              id={inputId}
              type="password"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={status.configured ? 'Paste a new URL to replace the saved one' : 'postgres://user:password@host:5432/database'}
              autoComplete="new-password"
              spellCheck={false}
              maxLength={512}
              aria-invalid={problem !== null}
              aria-describedby={problem ? problemId : undefined}
              className="focus-ring h-8 w-full rounded-md border border-slate-700/80 bg-slate-900 px-2.5 font-mono text-[12px] text-slate-200 placeholder:font-sans placeholder:text-faint hover:border-slate-600 aria-invalid:border-rose-500/60"
            />
            {problem ? (
              <p id={problemId} role="alert" className="mt-1 text-[11.5px] text-rose-300">
                {problem}
              </p>
            ) : null}
          </div>
          <Button type="submit" variant="primary" disabled={!canSave} busy={busy === 'url'}>
            Save
          </Button>
          <Button variant="danger" disabled={!status.configured || busy !== null} busy={busy === 'clear'} onClick={onClear}>
            Clear
          </Button>
        </form>
      )}
      <div className="mt-2.5 flex items-start gap-3 border-t border-slate-800/80 pt-2.5">
        <Button size="sm" disabled={!status.configured || busy !== null} busy={busy === 'test'} onClick={onTest}>
          Test connection
        </Button>
        {busy === 'test' ? <span className="pt-1 text-[12px] text-faint">Testing…</span> : null}
        {test && busy !== 'test' ? (
          <span
            role="status"
            data-testid="team-test-result"
            data-ok={test.ok}
            className={cn('min-w-0 pt-1 text-[12px] leading-snug', test.ok ? 'text-emerald-300' : 'text-rose-300')}
          >
            {test.message}
            {test.latencyMs !== null ? <span className="ml-1.5 font-mono text-[11px] text-faint">{test.latencyMs} ms</span> : null}
          </span>
        ) : null}
      </div>
    </div>
  );
}

function ConnectionSettings({
  status,
  disabled,
  onSave,
}: {
  status: SyncStatus;
  disabled: boolean;
  onSave: (patch: { teamDeskName?: string; teamTls?: TeamTlsMode; teamCaFile?: string }) => Promise<boolean>;
}) {
  // Drafts start from what is saved; the parent remounts this when the saved values change.
  const [deskName, setDeskName] = useState(status.deskName);
  const [caFile, setCaFile] = useState(status.caFile);
  const deskId = useId();
  const caId = useId();
  const tlsId = useId();
  const deskProblem = deskName.trim() === '' ? 'The desk needs a name.' : deskName.trim().length > 60 ? 'A desk name has at most 60 characters.' : null;
  const tls = TLS_MODES.find((m) => m.mode === status.tls) ?? TLS_MODES[0]!;

  return (
    <div>
      <Heading hint="How this desk connects, and the name its calls carry in the team view.">Connection</Heading>
      <div className="flex flex-col gap-3 rounded-lg border border-slate-800 bg-slate-950/40 p-3">
        <Field id={deskId} label="This desk’s name" problem={deskProblem}>
          <input
            id={deskId}
            value={deskName}
            maxLength={80}
            onChange={(e) => setDeskName(e.target.value)}
            onBlur={() => !deskProblem && deskName.trim() !== status.deskName && void onSave({ teamDeskName: deskName.trim() })}
            onKeyDown={(e) => e.key === 'Enter' && !deskProblem && void onSave({ teamDeskName: deskName.trim() })}
            aria-invalid={deskProblem !== null}
            disabled={disabled}
            className="focus-ring h-8 w-full rounded-md border border-slate-700/80 bg-slate-900 px-2.5 text-[12.5px] text-slate-200 hover:border-slate-600 aria-invalid:border-rose-500/60"
          />
        </Field>
        <Field id={tlsId} label="Encryption (TLS)" hint={tls.hint}>
          <select
            id={tlsId}
            value={status.tls}
            disabled={disabled}
            onChange={(e) => void onSave({ teamTls: e.target.value as TeamTlsMode })}
            className="focus-ring h-8 w-full rounded-md border border-slate-700/80 bg-slate-900 px-2 text-[12.5px] text-slate-200 hover:border-slate-600"
          >
            {TLS_MODES.map((m) => (
              <option key={m.mode} value={m.mode}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
        {status.tls === 'verify-full' ? (
          <Field id={caId} label="CA certificate file (PEM)" hint="The file on this machine that signed the server’s certificate.">
            <input
              id={caId}
              value={caFile}
              maxLength={1024}
              placeholder="/etc/ssl/certs/team-db-ca.pem"
              onChange={(e) => setCaFile(e.target.value)}
              onBlur={() => caFile.trim() !== status.caFile && void onSave({ teamCaFile: caFile.trim() })}
              onKeyDown={(e) => e.key === 'Enter' && void onSave({ teamCaFile: caFile.trim() })}
              disabled={disabled}
              spellCheck={false}
              className="focus-ring h-8 w-full rounded-md border border-slate-700/80 bg-slate-900 px-2.5 font-mono text-[12px] text-slate-200 placeholder:text-faint hover:border-slate-600"
            />
          </Field>
        ) : null}
      </div>
    </div>
  );
}

const STATE_COPY: Record<SyncStatus['state'], { label: string; dot: string }> = {
  off: { label: 'Off', dot: 'bg-slate-500' },
  connecting: { label: 'Connecting…', dot: 'bg-amber-400' },
  connected: { label: 'Connected', dot: 'bg-emerald-400' },
  offline: { label: 'Not connected', dot: 'bg-rose-400' },
};

function StatusCard({ status }: { status: SyncStatus }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const copy = STATE_COPY[status.state];
  const retryInS = status.retryAt ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : null;
  return (
    <div>
      <Heading hint="Calls are stored on this desk first; nothing is lost while the team database is away.">Status</Heading>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 rounded-lg border border-slate-800 bg-slate-950/40 p-3 text-[12.5px]" data-testid="team-sync-status" data-state={status.state}>
        <dt className="text-faint">State</dt>
        <dd className="flex items-center gap-1.5 text-slate-200">
          <span aria-hidden className={cn('size-2 rounded-full', copy.dot)} />
          {copy.label}
        </dd>
        <dt className="text-faint">Waiting to send</dt>
        <dd className="text-slate-200" data-testid="team-sync-backlog">
          {status.backlog === 0 ? 'Nothing: up to date' : `${status.backlog.toLocaleString()} ${status.backlog === 1 ? 'row' : 'rows'}`}
          {status.backfilling ? <span className="ml-1.5 text-faint">(sending the calls stored before sync was set up)</span> : null}
        </dd>
        <dt className="text-faint">Last synced</dt>
        <dd className="text-slate-200">{status.lastSyncedAt ? formatWhen(status.lastSyncedAt, now) : 'Not yet'}</dd>
        {status.lastError ? (
          <>
            <dt className="text-faint">Problem</dt>
            <dd role="alert" className="text-rose-300" data-testid="team-sync-error">
              {status.lastError}
              {retryInS !== null ? <span className="ml-1.5 text-faint">Trying again {retryInS === 0 ? 'now' : `in ${retryInS} s`}.</span> : null}
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

function Field({ id, label, hint, problem, children }: { id: string; label: string; hint?: string; problem?: string | null; children: ReactNode }) {
  return (
    <div className="grid gap-1 sm:grid-cols-[10rem_1fr] sm:items-start sm:gap-3">
      <label htmlFor={id} className="pt-1.5 text-[12.5px] text-slate-300">
        {label}
      </label>
      <div className="min-w-0">
        {children}
        {problem ? (
          <p role="alert" className="mt-1 text-[11.5px] text-rose-300">
            {problem}
          </p>
        ) : hint ? (
          <p className="mt-1 text-[11.5px] text-faint">{hint}</p>
        ) : null}
      </div>
    </div>
  );
}

function Heading({ children, hint }: { children: ReactNode; hint: string }) {
  return (
    <div className="mb-2.5">
      <h3 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">{children}</h3>
      <p className="mt-0.5 text-[12px] text-faint">{hint}</p>
    </div>
  );
}
