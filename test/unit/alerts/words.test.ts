/**
 * Alert phrases must match a line exactly when the store's full-text index would find it (the
 * backtest narrows with FTS5 and confirms with words.ts): checked against a real FTS5 table
 * with the store's tokenizer, on lines with punctuation, apostrophes, accents, digits and
 * word endings.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { findPhrase, phraseMatchers, phrasesFtsQuery, stemmedWords } from '../../../src/main/core/alerts/words';

const LINES = [
  "I'm cancelling my account today",
  'I want to CANCEL, my account!',
  'cancel the accounts please',
  'my lawyers will be in touch',
  'a flawyer is not a word',
  "It's the café's complaint form I can't find",
  'complaints complained complaining',
  'order 12345 never arrived',
  'speak to a real person please',
  'personal details',
  'supervisors and management',
  'this is ridiculous and unacceptable',
];
const PHRASES = ['cancel my account', 'lawyer', 'complaint', "can't find", 'cafe', 'order 12345', 'real person', 'person', 'supervisor', 'unacceptable', 'account'];

describe('alert phrase matching agrees with the full-text index', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE VIRTUAL TABLE t USING fts5 (text, tokenize = 'porter unicode61 remove_diacritics 2')`);
  const insert = db.prepare('INSERT INTO t (rowid, text) VALUES (?, ?)');
  LINES.forEach((line, i) => insert.run(i + 1, line));
  afterAll(() => db.close());

  it.each(PHRASES)('“%s”', (phrase) => {
    const byIndex = (db.prepare('SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid').pluck().all(phrasesFtsQuery([phrase])) as number[]).map((id) => LINES[id - 1]);
    const matchers = phraseMatchers([phrase]);
    const byRule = LINES.filter((line) => findPhrase(matchers, stemmedWords(line)) !== null);
    expect(byRule).toEqual(byIndex);
    expect(byRule.length).toBeGreaterThan(0);
  });

  it('matches whole words only, and stems endings', () => {
    const lawyer = phraseMatchers(['lawyer']);
    expect(findPhrase(lawyer, stemmedWords('a flawyer'))).toBeNull();
    expect(findPhrase(lawyer, stemmedWords('Lawyers!'))?.phrase).toBe('lawyer');
    expect(phrasesFtsQuery(['  ', '!!'])).toBeNull();
    expect(phrasesFtsQuery(['Cancel my account', 'lawyer'])).toBe('"cancel my account" OR "lawyer"');
  });
});
