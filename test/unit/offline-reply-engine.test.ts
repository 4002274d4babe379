import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAssistEngine } from '../../src/main/core/assist/assist-engine';
import { createOfflineReplyEngine, splitIntoClauses } from '../../src/main/core/providers/llm/offline-reply-engine';
import type { ChatMessage, LlmChunk } from '../../src/main/core/providers/types';

const assist = createAssistEngine({ resourcesDir: resolve(import.meta.dirname, '../../resources') });
const llm = createOfflineReplyEngine(assist, { businessName: 'Brightwave Broadband' });

async function reply(history: readonly ChatMessage[], signal = new AbortController().signal) {
  const chunks: LlmChunk[] = [];
  for await (const chunk of llm.generate({ system: 'You are the Brightwave assistant.', history }, signal)) chunks.push(chunk);
  const text = chunks.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
  const tools = chunks.flatMap((c) => (c.type === 'tool-call' ? [c] : []));
  return { chunks, text: text.trim(), tools };
}

/** Plays caller lines one by one, as the pipeline would, and returns the AI's replies. */
async function converse(lines: readonly string[]) {
  const history: ChatMessage[] = [];
  const turns: Array<Awaited<ReturnType<typeof reply>>> = [];
  for (const line of lines) {
    history.push({ role: 'user', text: line });
    const turn = await reply(history);
    turns.push(turn);
    history.push({ role: 'assistant', text: turn.text });
  }
  return turns;
}

describe('offline reply engine', () => {
  it('describes itself as an offline LLM with tools', () => {
    expect(llm.label).toBe('intent + knowledge base (offline)');
    expect(llm.offline).toBe(true);
    expect(llm.capabilities.tools).toBe(true);
  });

  it('ignores whispers, takes a menu key as its choice, and never reads a keyed-in number back in full', async () => {
    const whispered = await reply([
      { role: 'user', text: 'hi there' },
      { role: 'supervisor', text: 'I was charged twice' },
    ]);
    const plain = await reply([{ role: 'user', text: 'hi there' }]);
    expect(whispered.text).toBe(plain.text);

    const menu = await reply([
      { role: 'assistant', text: 'Press 1 for billing or 2 for a fault.' },
      { role: 'user', text: '(keypad: the caller pressed 1 for I was charged twice)' },
    ]);
    const said = await reply([{ role: 'user', text: 'I was charged twice' }]);
    expect(menu.text).toBe(said.text);

    const digits = await reply([{ role: 'user', text: '(keypad: the caller keyed in 98765432)' }]);
    expect(digits.text).toContain('ending 5 4 3 2');
    expect(digits.text).not.toMatch(/9\s*8\s*7\s*6/);
  });

  it('holds a sensible six-turn conversation', async () => {
    const turns = await converse([
      'hi there',
      'i think i was charged twice on my bill this month',
      'yeah its four five six seven eight nine one two',
      'also my internet is really slow in the evenings',
      'yeah go on then',
      'brilliant thats working now thanks very much bye',
    ]);
    const [greet, billing, account, slow, reset, bye] = turns.map((t) => t.text);
    expect(greet).toMatch(/Brightwave Broadband/);
    expect(billing).toMatch(/account number/);
    expect(account).toMatch(/4 5 6 7 8 9 1 2/);
    expect(account).toMatch(/refund/);
    expect(slow).toMatch(/restart/);
    expect(reset).toMatch(/thirty seconds/);
    expect(bye).toMatch(/[Gg]oodbye/);
    for (const t of turns.slice(0, 5)) expect(t.tools).toEqual([]);
    expect(turns[5]?.tools).toEqual([{ type: 'tool-call', name: 'end_call', args: { reason: expect.any(String) } }]);
    for (const t of turns) {
      expect(t.text).not.toMatch(/[*#_`{}]/);
      expect(t.text.split(/\s+/).length).toBeLessThanOrEqual(45);
    }
  });

  it('streams several clause-sized text chunks, then the tool call', async () => {
    const { chunks, tools } = await reply([{ role: 'user', text: 'can i speak to a real person please' }]);
    expect(chunks.filter((c) => c.type === 'text').length).toBeGreaterThanOrEqual(2);
    expect(chunks.at(-1)).toEqual({ type: 'tool-call', name: 'transfer_to_agent', args: { reason: expect.any(String) } });
    expect(tools).toHaveLength(1);
  });

  it('does not say the same thing twice in a row', async () => {
    const turns = await converse(['my bill is wrong', 'my bill is wrong', 'purple elephant', 'banana trombone']);
    for (let i = 1; i < turns.length; i++) expect(turns[i]?.text).not.toBe(turns[i - 1]?.text);
    // A second line it can't place offers a person instead of asking again.
    expect(turns[3]?.text).toMatch(/put you through/);
  });

  it('routes "no" after a failed restart to a transfer', async () => {
    const turns = await converse(['how do i restart my router', 'no its still not working']);
    expect(turns[1]?.tools[0]).toMatchObject({ name: 'transfer_to_agent' });
  });

  it('greets when the caller has not spoken yet', async () => {
    const { text } = await reply([]);
    expect(text).toMatch(/automated assistant/);
  });

  it('stops with an AbortError when aborted mid-stream', async () => {
    const controller = new AbortController();
    const seen: LlmChunk[] = [];
    const run = async () => {
      for await (const chunk of llm.generate(
        { system: '', history: [{ role: 'user', text: 'my internet is really slow' }] },
        controller.signal,
      )) {
        seen.push(chunk);
        controller.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(1);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(reply([{ role: 'user', text: 'hello' }], controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('splits at sentence and clause boundaries without losing characters', () => {
    const text = "Sure. Switch it off at the socket, wait thirty seconds, then switch it back on. Did that help?";
    const clauses = splitIntoClauses(text);
    expect(clauses.join('')).toBe(text);
    expect(clauses[0]).toBe('Sure. Switch it off at the socket, ');
    expect(clauses.length).toBe(4);
  });
});
