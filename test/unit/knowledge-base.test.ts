import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/main/core/assist/knowledge-base';

const folder = resolve(import.meta.dirname, '../../resources/knowledge-base');
const kb = loadKnowledgeBase(folder);

describe('knowledge base', () => {
  it('loads every article with a title and 80-250 words of plain prose', () => {
    const files = readdirSync(folder).filter((f) => f.endsWith('.md'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(kb.articles).toHaveLength(files.length);
    for (const article of kb.articles) {
      expect(article.title.length).toBeGreaterThan(3);
      const words = article.body.split(/\s+/).length;
      expect(words).toBeGreaterThanOrEqual(80);
      expect(words).toBeLessThanOrEqual(250);
      // Spoken English for the recogniser's language model: no markdown beyond the title.
      expect(readFileSync(resolve(folder, `${article.id}.md`), 'utf8').split('\n').slice(1).join('\n')).not.toMatch(/[#*_`>[\]]/);
    }
  });

  it('finds the right article for caller questions, noisy ones included', () => {
    const cases: Array<[string, string]> = [
      ['i was charged twice', 'billing-double-charges-refunds'],
      ['when is my bill due', 'payment-methods-due-dates'],
      ['how do i factory reset the rooter', 'router-reset'],
      ['is there an outage in my area', 'outages-service-status'],
      ['how much does the ultra plan cost', 'plans-upgrades-prices'],
      ['what happens if i pay late', 'late-fees'],
      ['are you open on saturday', 'opening-hours-contact'],
      ['im moving to a new address', 'moving-house'],
      ['how much notice to cancel', 'cancellation-policy'],
      ['do you sell my data', 'data-privacy'],
      ['the engineer missed my installation appointment', 'installation-appointments'],
      ['my wifi speed is slow upstairs', 'slow-internet-troubleshooting'],
    ];
    for (const [query, id] of cases) expect(kb.search(query, 3)[0]?.id, query).toBe(id);
  });

  it('returns 1-2 relevant sentences as the snippet', () => {
    const [top] = kb.search('how much is the late fee', 1);
    expect(top?.snippet).toMatch(/late payment fee of ten dollars/);
    expect(top?.snippet.split(/(?<=[.!?])\s+/).length).toBeLessThanOrEqual(2);
    expect(kb.search('how long does a refund take', 1)[0]?.snippet).toMatch(/working days/);
  });

  it('returns nothing for lines with no topic', () => {
    expect(kb.search('purple elephant trombone')).toEqual([]);
    expect(kb.search('yes')).toEqual([]);
    expect(kb.search('')).toEqual([]);
  });

  it('honours the limit', () => {
    expect(kb.search('internet router bill payment', 2).length).toBeLessThanOrEqual(2);
  });
});
