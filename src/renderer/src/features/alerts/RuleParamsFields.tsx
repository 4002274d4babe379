/** The fields of what a rule listens for, per kind (phrases, thresholds, windows…). */
import { useState } from 'react';
import type { AlertRule, AlertRuleOf } from '@shared/alerts';
import { FieldError, Segmented, fieldClass } from '../../components/ui/fields';
import { cn } from '../../lib/cn';
import { NumberField } from './NumberField';

type Change = (change: (rule: AlertRule) => AlertRule) => void;

/** Sets one of the rule's params (the rule's kind is fixed, so the cast only restates it). */
function param<R extends AlertRule, K extends keyof R['params']>(onChange: Change, key: K, value: R['params'][K]): void {
  onChange((r) => ({ ...r, params: { ...r.params, [key]: value } }) as AlertRule);
}

export function RuleParamsFields({ rule, problems, onChange }: { rule: AlertRule; problems: Record<string, string>; onChange: Change }) {
  const p = (field: string) => problems[`params.${field}`] ?? firstUnder(problems, `params.${field}.`);
  switch (rule.kind) {
    case 'phrase':
      return (
        <div className="flex flex-col gap-3">
          <PhrasesField
            label="The phrases (one per line)"
            hint="Whole words, any ending: “complaint” also finds “complaints”."
            phrases={rule.params.phrases}
            problem={p('phrases')}
            onChange={(phrases) => param<AlertRuleOf<'phrase'>, 'phrases'>(onChange, 'phrases', phrases)}
          />
          <div className="flex flex-col gap-1">
            <span className="text-[11.5px] font-medium text-slate-400">Said by</span>
            <Segmented
              label="Said by"
              value={rule.params.speaker}
              options={[
                { value: 'caller', label: 'Caller' },
                { value: 'ai', label: 'AI' },
                { value: 'any', label: 'Either' },
              ]}
              onChange={(speaker) => param<AlertRuleOf<'phrase'>, 'speaker'>(onChange, 'speaker', speaker)}
              testId="rule-speaker"
            />
          </div>
        </div>
      );
    case 'sentiment':
      return (
        <div className="flex flex-col gap-3">
          <Segmented
            label="Sentiment test"
            value={rule.params.mode}
            options={[
              { value: 'below', label: 'Below a level' },
              { value: 'drop', label: 'Dropped since the start' },
            ]}
            onChange={(mode) => param<AlertRuleOf<'sentiment'>, 'mode'>(onChange, 'mode', mode)}
            testId="rule-sentiment-mode"
          />
          <div className="flex flex-wrap gap-x-5 gap-y-3">
            {rule.params.mode === 'below' ? (
              <NumberField
                label="Below"
                hint="Caller sentiment runs from -1 (very unhappy) to 1"
                value={rule.params.threshold}
                step={0.05}
                problem={p('threshold')}
                testId="rule-threshold"
                onChange={(v) => param<AlertRuleOf<'sentiment'>, 'threshold'>(onChange, 'threshold', v)}
              />
            ) : (
              <NumberField
                label="Dropped by"
                hint="How far the caller's mood fell from their first lines"
                value={rule.params.drop}
                step={0.1}
                problem={p('drop')}
                testId="rule-drop"
                onChange={(v) => param<AlertRuleOf<'sentiment'>, 'drop'>(onChange, 'drop', v)}
              />
            )}
            <NumberField
              label="Averaged over"
              unit="caller lines"
              value={rule.params.overLines}
              problem={p('overLines')}
              testId="rule-over-lines"
              onChange={(v) => param<AlertRuleOf<'sentiment'>, 'overLines'>(onChange, 'overLines', v)}
            />
          </div>
        </div>
      );
    case 'silence':
      return (
        <NumberField
          label="Nobody speaks for"
          unit="seconds"
          hint="While the AI or the console has the line (not while you talk on your phone)"
          value={rule.params.afterS}
          problem={p('afterS')}
          testId="rule-after-s"
          onChange={(v) => param<AlertRuleOf<'silence'>, 'afterS'>(onChange, 'afterS', v)}
        />
      );
    case 'ai_loop':
    case 'caller_repeat':
      return (
        <div className="flex flex-wrap gap-x-5 gap-y-3">
          <NumberField
            label={rule.kind === 'ai_loop' ? 'The AI says the same line' : 'The caller says the same thing'}
            unit="times"
            value={rule.params.times}
            problem={p('times')}
            testId="rule-times"
            onChange={(v) => param<AlertRuleOf<'ai_loop'>, 'times'>(onChange, 'times', v)}
          />
          <NumberField
            label="Within their last"
            unit="lines"
            value={rule.params.withinLines}
            problem={p('withinLines')}
            testId="rule-within-lines"
            onChange={(v) => param<AlertRuleOf<'ai_loop'>, 'withinLines'>(onChange, 'withinLines', v)}
          />
          <NumberField
            label="Counts as the same at"
            hint="Share of words in common, 0.5 to 1"
            value={rule.params.similarity}
            step={0.05}
            problem={p('similarity')}
            testId="rule-similarity"
            onChange={(v) => param<AlertRuleOf<'ai_loop'>, 'similarity'>(onChange, 'similarity', v)}
          />
        </div>
      );
    case 'person_request':
      return (
        <div className="flex flex-col gap-3">
          <label className="flex cursor-pointer items-center gap-2 text-[12.5px] text-slate-300">
            <input
              type="checkbox"
              checked={rule.params.onTakeoverRequest}
              onChange={(e) => param<AlertRuleOf<'person_request'>, 'onTakeoverRequest'>(onChange, 'onTakeoverRequest', e.target.checked)}
              className="focus-ring size-3.5 accent-indigo-400"
              data-testid="rule-on-takeover-request"
            />
            When the AI asks for a person
          </label>
          <PhrasesField
            label="Or when the caller says (one per line)"
            hint="Leave empty to rely on the AI's request alone."
            phrases={rule.params.phrases}
            problem={p('phrases')}
            onChange={(phrases) => param<AlertRuleOf<'person_request'>, 'phrases'>(onChange, 'phrases', phrases)}
          />
        </div>
      );
    case 'barge_ins':
      return (
        <div className="flex flex-wrap gap-x-5 gap-y-3">
          <NumberField
            label="The caller cuts the AI off"
            unit="times"
            value={rule.params.count}
            problem={p('count')}
            testId="rule-count"
            onChange={(v) => param<AlertRuleOf<'barge_ins'>, 'count'>(onChange, 'count', v)}
          />
          <NumberField
            label="Within"
            unit="seconds"
            value={rule.params.withinS}
            problem={p('withinS')}
            testId="rule-within-s"
            onChange={(v) => param<AlertRuleOf<'barge_ins'>, 'withinS'>(onChange, 'withinS', v)}
          />
        </div>
      );
    case 'long_call':
      return (
        <NumberField
          label="The call lasts longer than"
          unit="minutes"
          value={rule.params.afterMin}
          problem={p('afterMin')}
          testId="rule-after-min"
          onChange={(v) => param<AlertRuleOf<'long_call'>, 'afterMin'>(onChange, 'afterMin', v)}
        />
      );
    case 'provider_trouble':
      return (
        <div className="flex flex-col gap-1.5">
          <label className="flex cursor-pointer items-center gap-2 text-[12.5px] text-slate-300">
            <input
              type="checkbox"
              checked={rule.params.fallbacks}
              onChange={(e) => param<AlertRuleOf<'provider_trouble'>, 'fallbacks'>(onChange, 'fallbacks', e.target.checked)}
              className="focus-ring size-3.5 accent-indigo-400"
            />
            A cloud engine failed and the offline one stood in
          </label>
          <label className="flex cursor-pointer items-center gap-2 text-[12.5px] text-slate-300">
            <input
              type="checkbox"
              checked={rule.params.errors}
              onChange={(e) => param<AlertRuleOf<'provider_trouble'>, 'errors'>(onChange, 'errors', e.target.checked)}
              className="focus-ring size-3.5 accent-indigo-400"
            />
            An error on the call (speech recognition, the AI&apos;s reply, storage)
          </label>
          {p('fallbacks') ? <FieldError testId="rule-problem">{p('fallbacks')}</FieldError> : null}
        </div>
      );
  }
}

function firstUnder(problems: Record<string, string>, prefix: string): string | undefined {
  for (const [field, message] of Object.entries(problems)) if (field.startsWith(prefix)) return message;
  return undefined;
}

/**
 * Phrases as lines of text. The text is kept as typed (so a new empty line can be started);
 * the rule gets the non-empty lines.
 */
function PhrasesField({
  label,
  hint,
  phrases,
  problem,
  onChange,
}: {
  label: string;
  hint: string;
  phrases: string[];
  problem: string | undefined;
  onChange: (phrases: string[]) => void;
}) {
  const [text, setText] = useState(phrases.join('\n'));
  return (
    <label className="flex flex-col gap-1">
      <span className="text-[11.5px] font-medium text-slate-400">{label}</span>
      <textarea
        className={cn(fieldClass, 'h-auto min-h-24 resize-y py-1.5 leading-5')}
        rows={Math.min(8, Math.max(3, phrases.length + 1))}
        value={text}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          onChange(
            e.target.value
              .split('\n')
              .map((line) => line.trim())
              .filter((line) => line !== ''),
          );
        }}
        aria-invalid={problem ? true : undefined}
        data-testid="rule-phrases"
      />
      {problem ? <FieldError testId="rule-problem">{problem}</FieldError> : <span className="text-[11px] text-faint">{hint}</span>}
    </label>
  );
}
