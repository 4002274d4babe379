/**
 * Settings → Alerts: the rules that raise alerts on live calls. The list on the left (enable
 * toggle, severity, name), the selected rule's fields on the right (severity, cooldown, how
 * it is raised, what it listens for), and "Try this rule on stored calls" under them. Edits
 * are a draft until "Save rules"; saved rules apply to live calls at once.
 */
import { useState } from 'react';
import { ALERT_KIND_LABELS, ALERT_RULE_KINDS, type AlertRule, type AlertRuleKind } from '@shared/alerts';
import type { AlertSeverity } from '@shared/domain';
import { Button } from '../../components/ui/Button';
import { FieldError, Segmented, Select, fieldClass } from '../../components/ui/fields';
import { severityTone } from '../../components/ui/Indicators';
import { cn } from '../../lib/cn';
import { BacktestPanel } from './BacktestPanel';
import { NumberField } from './NumberField';
import { RuleParamsFields } from './RuleParamsFields';
import { useAlertRules, type AlertRulesEditor } from './useAlertRules';

const SEVERITIES: { value: AlertSeverity; label: string }[] = [
  { value: 'info', label: 'Info' },
  { value: 'warning', label: 'Warning' },
  { value: 'critical', label: 'Critical' },
];

const ACTIONS: { value: 'banner' | 'notification' | 'sound'; label: string; hint: string }[] = [
  { value: 'banner', label: 'Banner', hint: 'Across the call view until acknowledged' },
  { value: 'notification', label: 'Desktop notification', hint: 'Also when the console is in the background' },
  { value: 'sound', label: 'Sound', hint: 'A short chime' },
];

export function AlertsSection({ open, onNavigate }: { open: boolean; onNavigate?: () => void }) {
  const editor = useAlertRules(open);
  const [adding, setAdding] = useState<AlertRuleKind>('phrase');

  if (editor.loadError) {
    return (
      <p role="alert" className="rounded-md border border-rose-500/25 bg-rose-500/10 px-3 py-2 text-[12px] text-rose-300">
        {editor.loadError}
      </p>
    );
  }
  if (!editor.rules) {
    return (
      <div className="flex flex-col gap-3" aria-busy>
        {[0, 1, 2].map((i) => (
          <span key={i} className="h-9 animate-pulse rounded-md bg-slate-800/60" />
        ))}
      </div>
    );
  }
  const selected = editor.rules.find((r) => r.id === editor.selectedId) ?? null;
  const brokenRules = Object.keys(editor.problems).filter((id) => id !== '').length;

  return (
    <section aria-label="Alert rules" data-testid="alert-rules" className="flex min-h-0 flex-col gap-3">
      <p className="text-[12px] text-faint">
        Each rule watches every live call and raises an alert when it matches: a badge on the call&apos;s row always, and the
        banner, desktop notification or sound you choose. Saved rules apply to live calls at once.
      </p>
      <div className="grid min-h-0 grid-cols-[15.5rem_minmax(0,1fr)] gap-4">
        <div className="flex min-w-0 flex-col gap-2">
          <ul aria-label="Rules" className="flex flex-col divide-y divide-slate-800 overflow-hidden rounded-lg border border-slate-800 bg-slate-950/40">
            {editor.rules.map((rule) => (
              <RuleListItem
                key={rule.id}
                rule={rule}
                selected={rule.id === editor.selectedId}
                broken={editor.problems[rule.id] !== undefined}
                onSelect={() => editor.select(rule.id)}
                onToggle={(enabled) => editor.update(rule.id, (r) => ({ ...r, enabled }))}
              />
            ))}
            {editor.rules.length === 0 ? <li className="px-3 py-3 text-[12px] text-faint">No rules: nothing will raise an alert.</li> : null}
          </ul>
          <div className="flex items-center gap-1.5">
            <Select label="Kind of rule to add" value={adding} onChange={(e) => setAdding(e.target.value as AlertRuleKind)} className="min-w-0 flex-1" data-testid="add-rule-kind">
              {ALERT_RULE_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {ALERT_KIND_LABELS[kind]}
                </option>
              ))}
            </Select>
            <Button size="md" onClick={() => editor.add(adding)} data-testid="add-rule">
              Add rule
            </Button>
          </div>
        </div>

        <div className="min-w-0">
          {selected ? (
            <RuleEditor key={`${selected.id}:${editor.revision}`} rule={selected} editor={editor} onNavigate={onNavigate} />
          ) : (
            <p className="rounded-lg border border-dashed border-slate-800 px-4 py-8 text-center text-[12.5px] text-faint">
              Pick a rule on the left, or add one.
            </p>
          )}
        </div>
      </div>

      <div
        className={cn(
          // Sticks to the scroller's padding edge (-bottom-4 = its py-4), so nothing shows beneath it.
          'sticky -bottom-4 z-10 -mx-5 -mb-4 flex items-center gap-3 border-t px-5 py-2.5',
          editor.dirty ? 'border-indigo-400/25 bg-slate-900' : 'border-slate-800 bg-slate-900',
        )}
        data-testid="alert-rules-bar"
      >
        <p className="min-w-0 flex-1 text-[12px]" aria-live="polite">
          {brokenRules > 0 ? (
            <span className="text-rose-300" data-testid="alert-rules-invalid">
              {brokenRules === 1 ? '1 rule needs' : `${brokenRules} rules need`} fixing before the rules can be saved.
            </span>
          ) : editor.dirty ? (
            <span className="text-indigo-200">Unsaved changes.</span>
          ) : (
            <span className="text-faint">All changes saved.</span>
          )}
        </p>
        <Button variant="ghost" onClick={editor.discard} disabled={!editor.dirty || editor.saving}>
          Discard
        </Button>
        <Button
          variant="primary"
          onClick={() => void editor.save()}
          disabled={!editor.dirty || brokenRules > 0 || editor.saving}
          busy={editor.saving}
          data-testid="save-alert-rules"
        >
          Save rules
        </Button>
      </div>
    </section>
  );
}

function RuleListItem({
  rule,
  selected,
  broken,
  onSelect,
  onToggle,
}: {
  rule: AlertRule;
  selected: boolean;
  broken: boolean;
  onSelect: () => void;
  onToggle: (enabled: boolean) => void;
}) {
  return (
    <li
      data-testid="alert-rule"
      data-rule-id={rule.id}
      data-selected={selected || undefined}
      className={cn('flex items-center gap-2 px-2.5 py-2', selected ? 'bg-indigo-400/[0.08]' : 'hover:bg-slate-800/40')}
    >
      <input
        type="checkbox"
        role="switch"
        aria-label={`${rule.name || 'Unnamed rule'} enabled`}
        checked={rule.enabled}
        onChange={(e) => onToggle(e.target.checked)}
        className="focus-ring size-3.5 shrink-0 accent-indigo-400"
        data-testid="rule-enabled"
      />
      <button type="button" onClick={onSelect} aria-current={selected || undefined} className="focus-ring flex min-w-0 flex-1 flex-col rounded text-left">
        <span className={cn('flex min-w-0 items-center gap-1.5 text-[12.5px]', rule.enabled ? 'text-slate-200' : 'text-faint')}>
          <span aria-hidden className={cn('size-2 shrink-0 rounded-full ring-1 ring-inset', severityTone[rule.severity])} />
          <span className="truncate">{rule.name || 'Unnamed rule'}</span>
          {broken ? (
            <span className="ml-auto shrink-0 rounded bg-rose-500/15 px-1 text-[10.5px] font-medium text-rose-300" data-testid="rule-broken">
              fix
            </span>
          ) : null}
        </span>
        <span className="truncate text-[11px] text-faint">
          {ALERT_KIND_LABELS[rule.kind]} · {rule.severity}
        </span>
      </button>
    </li>
  );
}

function RuleEditor({ rule, editor, onNavigate }: { rule: AlertRule; editor: AlertRulesEditor; onNavigate?: (() => void) | undefined }) {
  const problems = editor.problems[rule.id] ?? {};
  const set = (change: (r: AlertRule) => AlertRule) => editor.update(rule.id, change);
  const toggleAction = (action: 'banner' | 'notification' | 'sound', on: boolean) =>
    set((r) => ({ ...r, actions: on ? ACTIONS.map((a) => a.value).filter((a) => a === action || r.actions.includes(a)) : r.actions.filter((a) => a !== action) }));

  return (
    <div className="flex flex-col gap-4" data-testid="rule-editor" data-rule-id={rule.id}>
      <div className="flex items-end gap-2">
        <label className="flex min-w-0 flex-1 flex-col gap-1">
          <span className="text-[11.5px] font-medium text-slate-400">Name</span>
          <input
            className={fieldClass}
            value={rule.name}
            maxLength={80}
            onChange={(e) => {
              const name = e.target.value;
              set((r) => ({ ...r, name }));
            }}
            aria-invalid={problems['name'] ? true : undefined}
            data-testid="rule-name"
          />
        </label>
        <Button variant="secondary" onClick={() => editor.duplicate(rule.id)} data-testid="duplicate-rule">
          Duplicate
        </Button>
        <Button variant="danger" onClick={() => editor.remove(rule.id)} data-testid="delete-rule">
          Delete
        </Button>
      </div>
      {problems['name'] ? <FieldError testId="rule-problem">{problems['name']}</FieldError> : null}

      <div className="flex flex-wrap items-end gap-x-5 gap-y-3">
        <div className="flex flex-col gap-1">
          <span className="text-[11.5px] font-medium text-slate-400">Kind</span>
          <span className="flex h-8 items-center text-[12.5px] text-slate-300">{ALERT_KIND_LABELS[rule.kind]}</span>
        </div>
        <div className="flex flex-col gap-1">
          <span className="text-[11.5px] font-medium text-slate-400">Severity</span>
          <Segmented label="Severity" value={rule.severity} options={SEVERITIES} onChange={(severity) => set((r) => ({ ...r, severity }))} testId="rule-severity" />
        </div>
        <NumberField
          label="Cooldown"
          unit="min"
          hint="At most one alert per call in this time"
          value={rule.cooldownMs / 60_000}
          step={0.5}
          problem={problems['cooldownMs']}
          testId="rule-cooldown"
          onChange={(minutes) => set((r) => ({ ...r, cooldownMs: Number.isFinite(minutes) ? Math.round(minutes * 60_000) : Number.NaN }))}
        />
      </div>

      <fieldset className="flex flex-col gap-1.5">
        <legend className="mb-1 text-[11.5px] font-medium text-slate-400">
          Raise it with <span className="font-normal text-faint">(the row badge always shows)</span>
        </legend>
        <div className="flex flex-wrap gap-x-5 gap-y-1.5">
          {ACTIONS.map((a) => (
            <label key={a.value} className="flex cursor-pointer items-center gap-2 text-[12.5px] text-slate-300" title={a.hint}>
              <input
                type="checkbox"
                checked={rule.actions.includes(a.value)}
                onChange={(e) => toggleAction(a.value, e.target.checked)}
                className="focus-ring size-3.5 accent-indigo-400"
                data-testid={`rule-action-${a.value}`}
              />
              {a.label}
            </label>
          ))}
        </div>
      </fieldset>

      <div className="rounded-lg border border-slate-800 bg-slate-950/40 p-3">
        <h4 className="mb-2.5 text-[11px] font-semibold tracking-wider text-slate-400 uppercase">Fires when</h4>
        <RuleParamsFields rule={rule} problems={problems} onChange={set} />
      </div>

      <BacktestPanel rule={rule} valid={Object.keys(problems).length === 0} onNavigate={onNavigate} />
    </div>
  );
}
