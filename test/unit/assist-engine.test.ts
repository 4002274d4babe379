import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnowledgeArticleRef, Sentiment } from '@shared/domain';
import { createAssistEngine } from '../../src/main/core/assist/assist-engine';
import type { ChatMessage } from '../../src/main/core/providers/types';

const assist = createAssistEngine({ resourcesDir: resolve(import.meta.dirname, '../../resources') });

const wordCount = (s: string) => s.trim().split(/\s+/).length;

describe('assist engine', () => {
  it('analyses a caller line into intent, sentiment, articles, entities and a reply', () => {
    const a = assist.analyse('i was charged twice, my account is 45678912', []);
    expect(a.intent).toBe('billing_double_charge');
    expect(a.intentConfidence).toBeGreaterThan(0.5);
    expect(a.intentConfidence).toBeLessThanOrEqual(1);
    expect(Sentiment.parse(a.sentiment).label).toBe('negative');
    expect(a.articles[0]?.id).toBe('billing-double-charges-refunds');
    for (const article of a.articles) KnowledgeArticleRef.parse(article);
    expect(a.entities).toEqual([{ type: 'account_number', text: '45678912', value: '45678912' }]);
    // The account number is read back digit by digit, for text-to-speech.
    expect(a.suggestedReply).toContain('4 5 6 7 8 9 1 2');
    expect(a.action).toBeNull();
  });

  it('writes short spoken replies without markdown for every intent', () => {
    for (const intent of [...assist.intents.catalogue.intents]) {
      for (const example of intent.examples) {
        const reply = assist.analyse(example, []).suggestedReply;
        expect(reply, example).not.toBe('');
        expect(reply, example).not.toMatch(/[*#_`[\]{}]/);
        expect(wordCount(reply), reply).toBeLessThanOrEqual(45);
      }
    }
  });

  it('answers a bare yes or no from the question the AI just asked', () => {
    const history: ChatMessage[] = [
      { role: 'user', text: 'i want to make a complaint' },
      { role: 'assistant', text: assist.analyse('i want to make a complaint', []).suggestedReply },
    ];
    const yes = assist.analyse('yes please', history);
    expect(yes.intent).toBe('affirm');
    expect(yes.replyIntent).toBe('human_agent');
    expect(yes.action).toBe('transfer');
    const no = assist.analyse('no', history);
    expect(no.replyIntent).toBe('deny');
    expect(no.action).toBeNull();
  });

  it('carries on with the topic when the caller supplies the detail it asked for', () => {
    const ask = assist.analyse('my bill is wrong', []).suggestedReply;
    expect(ask).toMatch(/account number/);
    const history: ChatMessage[] = [
      { role: 'user', text: 'my bill is wrong' },
      { role: 'assistant', text: ask },
    ];
    const a = assist.analyse('yeah its one two three four five six', history);
    expect(a.replyIntent).toBe('billing_double_charge');
    expect(a.suggestedReply).toContain('1 2 3 4 5 6');
  });

  it('finds the right articles for the panel, the intent article first', () => {
    const a = assist.analyse('how do i reset the router', []);
    expect(a.articles[0]?.id).toBe('router-reset');
    expect(a.articles.length).toBeLessThanOrEqual(3);
    expect(assist.analyse('hello', []).articles).toEqual([]);
  });

  it('answers an unknown question from the knowledge base when it can', () => {
    const a = assist.analyse('do you do static ip addresses', []);
    expect(a.replyIntent).toBe('unknown');
    expect(a.suggestedReply).toMatch(/static IP address for five dollars/);
  });

  it('uses the business name given per call', () => {
    expect(assist.analyse('hello', [], { businessName: 'Acme Fibre' }).suggestedReply).toContain('Acme Fibre');
    expect(assist.greeting()).toMatch(/automated assistant/);
  });

  it('ignores a trailing copy of the line in the history', () => {
    const history: ChatMessage[] = [{ role: 'user', text: 'hello' }];
    expect(assist.analyse('hello', history).suggestedReply).toBe(assist.analyse('hello', []).suggestedReply);
  });
});
