/**
 * The alert rules, kept with `conf` (a JSON file with atomic writes) as alert-rules.json in
 * the data folder, beside settings.json. Until the team saves its own list, the shipped
 * defaults apply (so improvements to them arrive with updates).
 *
 * A bad file never stops the console: a rule that no longer validates falls back to the
 * shipped rule with the same id, or is left out (and logged); a file that is not JSON at all
 * is moved aside to alert-rules.invalid-<time>.json, kept for the user, and the defaults apply.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { AlertRule, AlertRules, DEFAULT_ALERT_RULES } from '@shared/alerts';
import type { Logger } from '../log';
import { PRIVATE_FILE_MODE, tightenFile } from '../privacy/private-files';

const CONFIG_NAME = 'alert-rules';

interface StoredRules {
  /** Absent until the team first saves its own list. */
  rules?: unknown;
}

export interface AlertRuleStore {
  get(): AlertRule[];
  /** Replaces the whole list (already validated by the contract; checked again here). */
  save(rules: readonly AlertRule[]): AlertRule[];
  /** Called after every save with the new list. */
  onChange(listener: (rules: AlertRule[]) => void): () => void;
}

export function createAlertRuleStore(dataDir: string, logger: Logger): AlertRuleStore {
  const conf = openConf(dataDir, logger);
  const listeners = new Set<(rules: AlertRule[]) => void>();
  let cached: AlertRule[] | null = null;

  const read = (): AlertRule[] => {
    const stored = conf.get('rules');
    if (stored === undefined) return DEFAULT_ALERT_RULES.map((r) => structuredClone(r));
    if (!Array.isArray(stored)) {
      logger.warn({ file: conf.path }, 'alert rules: "rules" is not a list; using the shipped rules');
      return DEFAULT_ALERT_RULES.map((r) => structuredClone(r));
    }
    const defaults = new Map(DEFAULT_ALERT_RULES.map((r) => [r.id, r]));
    const rules: AlertRule[] = [];
    const ids = new Set<string>();
    stored.forEach((raw: unknown, index) => {
      const parsed = AlertRule.safeParse(raw);
      let rule: AlertRule | undefined = parsed.success ? parsed.data : undefined;
      if (!rule) {
        const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? (raw as { id: string }).id : null;
        rule = id ? defaults.get(id) : undefined;
        logger.warn(
          { file: conf.path, index, ruleId: id, issue: parsed.error?.issues[0]?.message },
          rule ? 'alert rules: a stored rule is invalid; using the shipped rule with its id' : 'alert rules: a stored rule is invalid; left out',
        );
        if (rule) rule = structuredClone(rule);
      }
      if (rule && !ids.has(rule.id)) {
        ids.add(rule.id);
        rules.push(rule);
      }
    });
    return rules;
  };

  return {
    get() {
      cached ??= read();
      return cached.map((r) => structuredClone(r));
    },
    save(rules) {
      const next = AlertRules.parse(rules);
      conf.set('rules', next);
      cached = next;
      for (const listener of listeners) listener(next.map((r) => structuredClone(r)));
      return next.map((r) => structuredClone(r));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function openConf(dataDir: string, logger: Logger): Conf<StoredRules> {
  // privacy (issue 10): 0600, also when an older build wrote it 0644.
  const options = { cwd: dataDir, configName: CONFIG_NAME, configFileMode: PRIVATE_FILE_MODE };
  tightenFile(join(dataDir, `${CONFIG_NAME}.json`));
  try {
    return new Conf<StoredRules>(options);
  } catch (error) {
    const file = join(dataDir, `${CONFIG_NAME}.json`);
    if (!(error instanceof SyntaxError) || !existsSync(file)) throw error;
    // Keep what the user had (they may want it back) and start from the shipped rules.
    const aside = join(dataDir, `${CONFIG_NAME}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    renameSync(file, aside);
    logger.warn({ file, movedTo: aside, reason: error.message }, 'alert rules: the file is not valid JSON; moved aside, using the shipped rules');
    return new Conf<StoredRules>(options);
  }
}
