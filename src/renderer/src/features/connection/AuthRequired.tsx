import { LockIcon } from '../../components/ui/icons';

/** Full-page state when the headless console was opened without (or with a stale) access token. */
export function AuthRequired({ reason }: { reason: 'no-token' | 'unauthorized' }) {
  return (
    <main className="flex h-full items-center justify-center bg-slate-950 p-6" data-testid="auth-required" data-reason={reason}>
      <div role="alert" className="w-full max-w-md rounded-xl border border-slate-800 bg-slate-900/60 p-6 shadow-2xl shadow-black/40">
        <div className="mb-4 flex size-10 items-center justify-center rounded-lg border border-rose-400/20 bg-rose-400/10 text-rose-300">
          <LockIcon />
        </div>
        <h1 className="text-[16px] font-semibold text-slate-100">
          {reason === 'no-token' ? 'This console needs its access token' : 'The access token was not accepted'}
        </h1>
        <p className="mt-2 text-[13px] leading-relaxed text-slate-400">
          {reason === 'no-token'
            ? 'Switchboard only talks to browsers that open the link it printed when it started. Open that link; it ends in '
            : 'The server is running but refused this token. It changes every time Switchboard starts; open the newest link it printed; it ends in '}
          <code className="rounded whitespace-nowrap bg-slate-800 px-1 py-0.5 font-mono text-[12px] text-slate-300">?token=…</code>
        </p>
        <pre className="mt-4 overflow-x-auto rounded-md border border-slate-800 bg-slate-950 px-3 py-2 font-mono text-[12px] text-slate-400">
          <span className="text-faint">$ </span>npm start
        </pre>
      </div>
    </main>
  );
}
