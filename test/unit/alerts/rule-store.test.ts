import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertRules, DEFAULT_ALERT_RULES, newAlertRule } from '../../../src/shared/alerts';
import { createAlertRuleStore } from '../../../src/main/core/alerts/rule-store';
import { silentLogger } from '../../../src/main/core/log';
import { makeTempDir } from '../store/helpers';

describe('alert rule storage', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir('switchboard-alerts-')));
  afterEach(() => cleanup());

  it('ships sensible defaults that validate, and keeps a saved list across restarts', () => {
    expect(AlertRules.safeParse(DEFAULT_ALERT_RULES).success).toBe(true);
    const phrases = DEFAULT_ALERT_RULES.flatMap((r) => (r.kind === 'phrase' ? r.params.phrases : []));
    expect(phrases).toEqual(expect.arrayContaining(['cancel my account', 'supervisor', 'lawyer', 'complaint']));
    // One of every kind ships.
    expect(new Set(DEFAULT_ALERT_RULES.map((r) => r.kind)).size).toBe(9);

    const store = createAlertRuleStore(dir, silentLogger);
    expect(store.get()).toEqual(DEFAULT_ALERT_RULES);
    const mine = [{ ...newAlertRule('phrase', 'mine'), params: { phrases: ['refund'], speaker: 'caller' as const } }];
    const seen: unknown[] = [];
    store.onChange((rules) => seen.push(rules));
    expect(store.save(mine)).toEqual(mine);
    expect(seen).toEqual([mine]);
    expect(createAlertRuleStore(dir, silentLogger).get()).toEqual(mine);
  });

  it('refuses an invalid list with a message naming the field, and keeps the old one', () => {
    const store = createAlertRuleStore(dir, silentLogger);
    const bad = { ...newAlertRule('phrase', 'x'), name: ' ' };
    expect(() => store.save([bad])).toThrow(/Give the rule a name/);
    const twins = [newAlertRule('silence', 'same'), newAlertRule('long_call', 'same')];
    expect(() => store.save(twins)).toThrow(/share the id same/);
    expect(store.get()).toEqual(DEFAULT_ALERT_RULES);
  });

  it('a bad stored rule falls back to the shipped rule with its id, or is left out; nothing crashes', () => {
    const good = newAlertRule('barge_ins', 'good');
    const brokenDefault = { ...DEFAULT_ALERT_RULES[0], severity: 'apocalyptic' };
    const brokenOwn = { ...newAlertRule('silence', 'own'), params: { afterS: 1 } };
    writeFileSync(join(dir, 'alert-rules.json'), JSON.stringify({ rules: [good, brokenDefault, brokenOwn, 42, null] }));
    expect(createAlertRuleStore(dir, silentLogger).get()).toEqual([good, DEFAULT_ALERT_RULES[0]]);
    // The file is left as it was until the user saves.
    expect(JSON.parse(readFileSync(join(dir, 'alert-rules.json'), 'utf8')).rules).toHaveLength(5);

    writeFileSync(join(dir, 'alert-rules.json'), JSON.stringify({ rules: 'all of them' }));
    expect(createAlertRuleStore(dir, silentLogger).get()).toEqual(DEFAULT_ALERT_RULES);
  });

  it('a file that is not JSON is moved aside (kept) and the shipped rules apply', () => {
    writeFileSync(join(dir, 'alert-rules.json'), '{"rules": [ oops');
    const store = createAlertRuleStore(dir, silentLogger);
    expect(store.get()).toEqual(DEFAULT_ALERT_RULES);
    const aside = readdirSync(dir).filter((f) => f.startsWith('alert-rules.invalid-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toBe('{"rules": [ oops');
    store.save([newAlertRule('long_call', 'after')]);
    expect(existsSync(join(dir, 'alert-rules.json'))).toBe(true);
    expect(createAlertRuleStore(dir, silentLogger).get().map((r) => r.id)).toEqual(['after']);
  });
});
