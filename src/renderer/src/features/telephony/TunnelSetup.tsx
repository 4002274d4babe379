/**
 * Under the telephony port: the tunnel commands to copy (ngrok, cloudflared) for the port
 * the public server listens on, or, when it could not listen (its port is taken by another
 * program), the core's reason in plain words instead; a tunnel to that port would reach the
 * other program, so no command is offered until the port is fixed.
 */
import type { TelephonyState } from '@shared/telephony';
import { tunnelCommands } from '@shared/tunnel-commands';
import { Button } from '../../components/ui/Button';
import { useCopy } from '../../lib/clipboard';
import { FieldNote } from './fields';

export function TunnelSetup({
  state,
  onRetry,
  retrying = false,
}: {
  state: Pick<TelephonyState, 'localUrl' | 'listenProblem'>;
  /** Listen on the same port again (the other program may have let go of it). */
  onRetry?: () => void;
  retrying?: boolean;
}) {
  if (state.listenProblem) {
    return (
      <div className="px-3 py-2.5">
        <div
          role="alert"
          data-testid="telephony-listen-problem"
          className="flex items-start gap-2.5 rounded-md border border-rose-500/25 bg-rose-500/10 px-3 py-2 text-[12px] leading-snug text-rose-200"
        >
          <span aria-hidden className="mt-1.5 size-1.5 shrink-0 rounded-full bg-rose-400" />
          <span className="min-w-0 flex-1" data-testid="telephony-listen-problem-text">
            {state.listenProblem}
          </span>
          {onRetry ? (
            <Button size="sm" variant="secondary" className="shrink-0" onClick={onRetry} disabled={retrying}>
              {retrying ? 'Trying…' : 'Try again'}
            </Button>
          ) : null}
        </div>
      </div>
    );
  }
  const port = state.localUrl ? Number(new URL(state.localUrl).port) : null;
  if (!port) return null;
  return <TunnelCommands port={port} />;
}

function TunnelCommands({ port }: { port: number }) {
  const { copied, failed, copy } = useCopy();
  // The card's whole width, not a settings row: a command is only useful when it is seen whole.
  return (
    <div className="flex flex-col gap-1.5 px-3 py-2.5">
      <span className="text-[13px] leading-tight text-slate-300" id="tunnel-commands-label">
        Tunnel command
      </span>
      <ul className="flex flex-col gap-1.5" data-testid="tunnel-commands" aria-labelledby="tunnel-commands-label">
        {tunnelCommands(port).map(({ tool, command }) => (
          <li key={tool} className="flex min-w-0 items-center gap-2" data-testid="tunnel-command" data-tool={tool}>
            <code
              className="min-w-0 flex-1 truncate rounded-md border border-slate-800 bg-slate-900 px-2.5 py-1.5 font-mono text-[11.5px] text-slate-300 select-all"
              title={command}
            >
              {command}
            </code>
            <Button size="sm" variant="secondary" className="w-[5.5rem]" aria-label={`Copy the ${tool} command`} onClick={() => copy(tool, command)}>
              {copied === tool ? 'Copied' : failed === tool ? 'Not copied' : 'Copy'}
            </Button>
          </li>
        ))}
      </ul>
      <FieldNote>Run one on this machine, then paste the https address it prints into Public base URL.</FieldNote>
    </div>
  );
}
