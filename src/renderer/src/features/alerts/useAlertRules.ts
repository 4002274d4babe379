/**
 * The Settings → Alerts editor's state: the saved rules, the agent's draft of them (edits stay
 * local until "Save rules"), the selected rule, and what is wrong with the draft — checked with
 * the same schema the core saves with, so a message here is the message the core would give.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { MAX_ALERT_RULES, newAlertRule, type AlertRule, type AlertRuleKind } from '@shared/alerts';
import { problemsOf, type RuleProblems } from './rule-problems';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

export type { RuleProblems };

export interface AlertRulesEditor {
  rules: AlertRule[] | null;
  loadError: string | null;
  selectedId: string | null;
  select(id: string): void;
  dirty: boolean;
  /** Bumps when the draft is replaced wholesale (Discard), so fields holding typed text start over. */
  revision: number;
  problems: RuleProblems;
  saving: boolean;
  update(id: string, change: (rule: AlertRule) => AlertRule): void;
  add(kind: AlertRuleKind): void;
  duplicate(id: string): void;
  remove(id: string): void;
  save(): Promise<boolean>;
  discard(): void;
}

function newId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `rule-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export function useAlertRules(open: boolean): AlertRulesEditor {
  const epoch = useConnectEpoch();
  const [saved, setSaved] = useState<AlertRule[] | null>(null);
  const [draft, setDraft] = useState<AlertRule[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [revision, setRevision] = useState(0);

  useEffect(() => {
    if (!open || epoch < 0) return;
    let cancelled = false;
    client.invoke('alerts.rules').then(
      (rules) => {
        if (cancelled) return;
        setSaved(rules);
        // A reconnect must not throw away what the agent is editing.
        setDraft((current) => current ?? rules);
        setSelectedId((id) => id ?? rules[0]?.id ?? null);
        setLoadError(null);
      },
      (err: unknown) => {
        if (!cancelled) setLoadError(err instanceof Error ? err.message : "Couldn't load the alert rules");
      },
    );
    return () => {
      cancelled = true;
    };
  }, [open, epoch]);

  const problems = useMemo(() => (draft ? problemsOf(draft) : {}), [draft]);
  const dirty = useMemo(() => draft !== null && saved !== null && JSON.stringify(draft) !== JSON.stringify(saved), [draft, saved]);

  const update = useCallback((id: string, change: (rule: AlertRule) => AlertRule) => {
    setDraft((rules) => rules?.map((r) => (r.id === id ? change(r) : r)) ?? rules);
  }, []);

  const add = useCallback((kind: AlertRuleKind) => {
    const rule = newAlertRule(kind, newId());
    setDraft((rules) => (rules && rules.length < MAX_ALERT_RULES ? [...rules, rule] : rules));
    setSelectedId(rule.id);
  }, []);

  const duplicate = useCallback((id: string) => {
    const copyId = newId();
    setDraft((rules) => {
      if (!rules || rules.length >= MAX_ALERT_RULES) return rules;
      const at = rules.findIndex((r) => r.id === id);
      if (at < 0) return rules;
      const copy = { ...structuredClone(rules[at]!), id: copyId, name: `${rules[at]!.name} (copy)`.slice(0, 60) };
      return [...rules.slice(0, at + 1), copy, ...rules.slice(at + 1)];
    });
    setSelectedId(copyId);
  }, []);

  const remove = useCallback(
    (id: string) => {
      if (!draft) return;
      const at = draft.findIndex((r) => r.id === id);
      const next = draft.filter((r) => r.id !== id);
      setDraft(next);
      if (selectedId === id) setSelectedId(next[Math.min(at, next.length - 1)]?.id ?? null);
    },
    [draft, selectedId],
  );

  const save = useCallback(async () => {
    if (!draft || Object.keys(problemsOf(draft)).length > 0) return false;
    setSaving(true);
    try {
      const rules = await client.invoke('alerts.saveRules', { rules: draft });
      setSaved(rules);
      setDraft(rules);
      return true;
    } catch (err) {
      reportError("Couldn't save the alert rules", err);
      return false;
    } finally {
      setSaving(false);
    }
  }, [draft]);

  const discard = useCallback(() => {
    setDraft(saved);
    setRevision((r) => r + 1);
    setSelectedId((id) => (saved?.some((r) => r.id === id) ? id : (saved?.[0]?.id ?? null)));
  }, [saved]);

  return { rules: draft, loadError, selectedId, select: setSelectedId, dirty, revision, problems, saving, update, add, duplicate, remove, save, discard };
}
