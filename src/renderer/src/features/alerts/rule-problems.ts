/** What is wrong with a draft of the rules, by rule and field, in the core's own words. */
import { AlertRules, type AlertRule } from '@shared/alerts';

/** Problems by rule id, then by field path ("name", "params.phrases", "params.phrases.2"…). */
export type RuleProblems = Record<string, Record<string, string>>;

/** zod issues -> plain messages by rule and field; a non-number is just "Enter a number". */
export function problemsOf(rules: readonly AlertRule[]): RuleProblems {
  const parsed = AlertRules.safeParse(rules);
  if (parsed.success) return {};
  const problems: RuleProblems = {};
  for (const issue of parsed.error.issues) {
    const [index, ...path] = issue.path;
    const rule = typeof index === 'number' ? rules[index] : undefined;
    const key = rule ? rule.id : '';
    const field = path.map(String).join('.');
    const message = issue.code === 'invalid_type' && issue.expected === 'number' ? 'Enter a number' : issue.message;
    (problems[key] ??= {})[field] ??= message;
  }
  return problems;
}
