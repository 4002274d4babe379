/**
 * "Try this rule on stored calls": the rule as it is in the editor (saved or not) replayed
 * over the last N days of stored calls, with how many calls it would have fired on and the
 * lines that set it off, each a link to the call's page at that line.
 */
import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { MAX_BACKTEST_DAYS, type AlertBacktestResult, type AlertRule } from '@shared/alerts';
import { Button } from '../../components/ui/Button';
import { FieldError } from '../../components/ui/fields';
import { formatDateTime, formatOffset, formatPhone } from '../../lib/format';
import { routes } from '../../lib/router';
import { NumberField } from './NumberField';
import { backtestSignature, useBacktest } from './useBacktest';

const SPEAKER_LABEL = { caller: 'Caller', ai: 'AI', agent: 'Agent' } as const;

export function BacktestPanel({ rule, valid, onNavigate }: { rule: AlertRule; valid: boolean; onNavigate?: (() => void) | undefined }) {
  const [days, setDays] = useState(7);
  const backtest = useBacktest();
  const daysProblem = !Number.isInteger(days) || days < 1 || days > MAX_BACKTEST_DAYS ? `A whole number of days from 1 to ${MAX_BACKTEST_DAYS}` : null;
  const stale = backtest.result !== null && backtest.ranFor !== backtestSignature(rule, days);

  return (
    <section aria-label="Try this rule on stored calls" data-testid="backtest" className="rounded-lg border border-slate-800 bg-slate-950/40 p-3">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-0 flex-1">
          <h4 className="text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Try this rule on stored calls</h4>
          <p className="mt-0.5 text-[12px] text-faint">See where it would have fired, before you save it.</p>
        </div>
        <NumberField label="Last" unit="days" value={days} testId="backtest-days" onChange={setDays} />
        <Button
          variant="secondary"
          onClick={() => backtest.run(rule, days)}
          disabled={!valid || daysProblem !== null || backtest.running}
          busy={backtest.running}
          data-testid="backtest-run"
        >
          Try it
        </Button>
      </div>
      {daysProblem ? <FieldError>{daysProblem}</FieldError> : null}
      {!valid ? <p className="mt-2 text-[12px] text-faint">Fix the rule above to try it.</p> : null}
      {backtest.error ? (
        <p role="alert" className="mt-2 text-[12px] text-rose-300" data-testid="backtest-error">
          {backtest.error}
        </p>
      ) : null}
      {backtest.result ? <BacktestResultView result={backtest.result} stale={stale} onNavigate={onNavigate} /> : null}
    </section>
  );
}

function BacktestResultView({ result, stale, onNavigate }: { result: AlertBacktestResult; stale: boolean; onNavigate?: (() => void) | undefined }) {
  const capped = result.callsChecked < result.callsInRange;
  const ref = useRef<HTMLDivElement>(null);
  // A fresh answer is usually below the fold of the dialog: bring it into view. (A block body:
  // newer Chromium returns a promise from scrollIntoView, which React would take for a cleanup.)
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [result]);
  return (
    <div ref={ref} className="mt-3 flex flex-col gap-2" data-testid="backtest-result" data-stale={stale || undefined}>
      <p className="text-[12.5px] text-slate-300" data-testid="backtest-summary">
        {result.matchedCalls === 0 ? (
          <>
            Would not have fired on any of <b className="tabular-nums">{plural(result.callsChecked, 'call')}</b> in the last {plural(result.days, 'day')}.
          </>
        ) : (
          <>
            Would have fired <b className="tabular-nums">{plural(result.alerts, 'time')}</b> on{' '}
            <b className="tabular-nums" data-testid="backtest-matched-calls">
              {result.matchedCalls}
            </b>{' '}
            of {plural(result.callsChecked, 'call')} in the last {plural(result.days, 'day')}.
          </>
        )}
        {capped ? <span className="text-faint"> (The newest {result.callsChecked} of {result.callsInRange} calls were checked.)</span> : null}
        {stale ? <span className="text-amber-300/80"> The rule changed since: try it again.</span> : null}
      </p>
      {result.matches.length > 0 ? (
        <ol className="flex max-h-64 flex-col divide-y divide-slate-800/80 overflow-y-auto rounded-md border border-slate-800" aria-label="Where it would have fired">
          {result.matches.map((m, i) => (
            <li key={`${m.callId}-${m.lineId ?? i}-${m.atMs}`} data-testid="backtest-match">
              <Link
                href={routes.call(m.callId, m.lineId ? { line: m.lineId } : undefined)}
                onClick={onNavigate}
                className="focus-ring flex flex-col gap-0.5 px-2.5 py-1.5 hover:bg-slate-800/50"
              >
                <span className="flex items-center gap-2 text-[11px] text-faint tabular-nums">
                  <span>{formatDateTime(m.callStartedAt)}</span>
                  <span>{formatPhone(m.caller)}</span>
                  <span>at {formatOffset(m.atMs)}</span>
                  {m.speaker ? <span className="text-slate-400">{SPEAKER_LABEL[m.speaker]}</span> : null}
                </span>
                <span className="line-clamp-2 text-[12.5px] text-slate-200">{m.text}</span>
              </Link>
            </li>
          ))}
        </ol>
      ) : null}
      {result.truncated ? (
        <p className="text-[11.5px] text-faint">Showing the first {result.matches.length} places (newest calls first).</p>
      ) : null}
    </div>
  );
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
}
