/** "Try this rule on stored calls": runs alerts.backtest for the rule as it is in the editor. */
import { useCallback, useState } from 'react';
import type { AlertBacktestResult, AlertRule } from '@shared/alerts';
import { client } from '../../lib/client';

export interface Backtest {
  result: AlertBacktestResult | null;
  /** What the result was computed for, so a stale result is shown as such. */
  ranFor: string | null;
  running: boolean;
  error: string | null;
  run(rule: AlertRule, days: number): void;
}

export function useBacktest(): Backtest {
  const [result, setResult] = useState<AlertBacktestResult | null>(null);
  const [ranFor, setRanFor] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback((rule: AlertRule, days: number) => {
    setRunning(true);
    setError(null);
    const signature = backtestSignature(rule, days);
    client
      .invoke('alerts.backtest', { rule, days })
      .then(
        (value) => {
          setResult(value);
          setRanFor(signature);
        },
        (err: unknown) => setError(err instanceof Error ? err.message : 'The backtest failed'),
      )
      .finally(() => setRunning(false));
  }, []);

  return { result, ranFor, running, error, run };
}

/** What a backtest depends on: the rule's matching (not its name or actions) and the days. */
export function backtestSignature(rule: AlertRule, days: number): string {
  return JSON.stringify([rule.kind, rule.params, rule.cooldownMs, days]);
}
