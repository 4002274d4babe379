/**
 * Redaction where a call's words are made (issue 10): a CallSession on a real MediaStream
 * (its socket a stub that echoes marks, as Twilio does once audio is played), with scripted
 * STT, LLM and TTS providers. Caller lines (interim and final), AI lines, keypad entries and
 * whispers are masked for the store, the console and the LLM; originals go where the policy
 * says, and only there; a redacted span's audio is reported for the recording, word-exact
 * when the recogniser gave word times.
 */
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AnyEvent } from '@shared/contract';
import type { CallEvent, PublicSettings, Utterance } from '@shared/domain';
import { createAssistEngine } from '../../../src/main/core/assist/assist-engine';
import { CallSession } from '../../../src/main/core/calls/call-session';
import { keypadHistoryText, parseKeypadHistoryText } from '../../../src/main/core/calls/keypad';
import type { CallAssist, CallRecorder } from '../../../src/main/core/calls/ports';
import { callPrivacy } from '../../../src/main/core/calls/privacy';
import type { RedactedAudio } from '../../../src/main/core/calls/redacted-audio';
import { DEFAULT_SETTINGS } from '../../../src/main/core/config/settings';
import { silentLogger } from '../../../src/main/core/log';
import { FRAME_BYTES, MULAW_SILENCE, mulawAudio } from '../../../src/main/core/pipeline/audio';
import { createOfflineReplyEngine } from '../../../src/main/core/providers/llm/offline-reply-engine';
import type { LlmProvider, LlmRequest, SttEvent, SttProvider, TtsProvider } from '../../../src/main/core/providers/types';
import { MediaStream } from '../../../src/main/core/telephony/media-bridge';

const RESOURCES_DIR = resolve(import.meta.dirname, '../../../resources');
const CARD = '4111 1111 1111 1111';
const MASK = '[CARD ••••1111]';

/** A queue the session's STT stream reads from; the test pushes recognition results into it. */
function scriptedStt(): { provider: SttProvider; push(event: SttEvent): void } {
  const queue: SttEvent[] = [];
  let wake: (() => void) | null = null;
  const provider: SttProvider = {
    label: 'scripted',
    offline: true,
    capabilities: { interimResults: true },
    open: ({ signal }) => ({
      write() {},
      close: async () => {},
      events: (async function* () {
        while (!signal.aborted) {
          const next = queue.shift();
          if (next) yield next;
          else await new Promise<void>((r) => (wake = r));
        }
      })(),
    }),
  };
  return {
    provider,
    push(event) {
      queue.push(event);
      wake?.();
    },
  };
}

function harness(options: { settings?: Partial<PublicSettings>; llmOffline: boolean; greeting?: string; reply?: string }) {
  const requests: LlmRequest[] = [];
  const llm: LlmProvider = {
    label: 'scripted llm',
    offline: options.llmOffline,
    capabilities: { tools: true },
    async *generate(request) {
      requests.push(structuredClone(request));
      yield { type: 'text', text: options.reply ?? 'Thank you.' };
    },
  };
  const tts: TtsProvider = {
    label: 'scripted tts',
    offline: true,
    capabilities: { streaming: true },
    async *synthesize() {
      yield mulawAudio(Buffer.alloc(FRAME_BYTES, MULAW_SILENCE));
    },
  };
  const stt = scriptedStt();
  // Twilio plays the audio and echoes each mark; the stub does so on the next turn of the loop.
  const socket = {
    readyState: WebSocket.OPEN,
    send(json: string) {
      const frame = JSON.parse(json) as { event: string; mark?: { name: string } };
      if (frame.event === 'mark') setImmediate(() => stream.emit('mark', frame.mark!.name));
    },
    close() {},
  } as unknown as WebSocket;
  const stream = new MediaStream(socket, {
    event: 'start',
    sequenceNumber: '1',
    streamSid: 'MZ1',
    start: { streamSid: 'MZ1', accountSid: 'AC1', callSid: 'CA1', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
  });
  const stored = { lines: [] as Utterance[], events: [] as CallEvent[] };
  const recorder: CallRecorder = {
    insertCall() {},
    updateCall() {},
    appendUtterance: (u) => void stored.lines.push(structuredClone(u)),
    appendEvent: (e) => void stored.events.push(structuredClone(e)),
    appendTurnMetrics() {},
  };
  const assist: CallAssist = {
    analyse: () => ({ intent: 'other', intentConfidence: 0, sentiment: { score: 0, label: 'neutral' }, articles: [], suggestedReply: '' }),
  };
  const emitted: AnyEvent[] = [];
  const tones: RedactedAudio[] = [];
  const session = new CallSession({
    stream,
    providers: { stt: stt.provider, llm, tts },
    assist,
    recorder,
    emit: (e) => void emitted.push(structuredClone(e)),
    logger: silentLogger,
    systemPrompt: 'You are a test.',
    greeting: options.greeting ?? 'Hello, how can I help?',
    privacy: callPrivacy({ ...DEFAULT_SETTINGS, ...options.settings }),
    onRedactedAudio: (_callId, span) => void tones.push(span),
  });
  session.start();
  const transcripts = () => emitted.flatMap((e) => (e.name === 'call.transcript' ? [e.payload] : []));
  const events = () => emitted.flatMap((e) => (e.name === 'call.event' ? [e.payload] : []));
  return { session, stream, stt, requests, stored, emitted, transcripts, events, tones };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Harness = ReturnType<typeof harness>;
let current: Harness | null = null;
afterEach(async () => {
  await current?.session.end('test over');
  current = null;
});

/** The greeting heard, then the caller says `text` (an interim first), with word times. */
async function callerSays(h: Harness, text: string): Promise<void> {
  await until(() => h.stored.lines.some((l) => l.speaker === 'ai'), 'the greeting to be heard');
  const words = text.split(' ').map((w, i) => ({ text: w.replace(/[.,]$/, ''), startMs: 1000 + i * 300, endMs: 1000 + i * 300 + 250 }));
  // The interim holds all but the last word (a card's digits already complete in it).
  h.stt.push({ type: 'interim', text: text.split(' ').slice(0, -1).join(' '), startMs: 1000, endMs: 2000 });
  h.stt.push({ type: 'final', text, startMs: 1000, endMs: 1000 + words.length * 300, confidence: 0.9, words });
  await until(() => h.requests.length > 0 && h.stored.lines.some((l) => l.speaker === 'caller'), 'the caller line and the reply');
}

const everything = (h: Harness) => JSON.stringify([h.emitted, h.stored]);

describe('CallSession redaction', () => {
  it("default policy: the caller's card is masked live, stored, and for the LLM; its words' audio is reported", async () => {
    const h = (current = harness({ llmOffline: true }));
    await callerSays(h, `My card is ${CARD} thanks.`);
    const interim = h.transcripts().find((u) => u.speaker === 'caller' && !u.final)!;
    expect(interim.text).toBe(`My card is ${MASK}`);
    const line = h.stored.lines.find((l) => l.speaker === 'caller')!;
    expect(line.text).toBe(`My card is ${MASK} thanks.`);
    expect(line.originalText).toBeUndefined();
    expect(JSON.stringify(h.requests)).toContain(MASK);
    expect(everything(h) + JSON.stringify(h.requests)).not.toContain(CARD);
    // Word times: the four groups of the card (words 3 to 6) padded, not the whole line.
    expect(h.tones).toEqual([{ speaker: 'caller', startMs: 1900 - 80, endMs: 3050 + 80 }]);
  });

  it('keeping originals: stored beside the line; the offline LLM gets them, the console does not', async () => {
    const h = (current = harness({ llmOffline: true, settings: { redactionMode: 'redacted_and_original' } }));
    await callerSays(h, `My card is ${CARD} thanks.`);
    expect(h.stored.lines.find((l) => l.speaker === 'caller')).toMatchObject({ text: `My card is ${MASK} thanks.`, originalText: `My card is ${CARD} thanks.` });
    expect(JSON.stringify(h.requests)).toContain(CARD);
    expect(JSON.stringify(h.emitted)).not.toContain(CARD);
  });

  it('keeping originals: a cloud LLM gets them only with "redact before the cloud LLM" off; the console only with "show originals"', async () => {
    const redacting = (current = harness({ llmOffline: false, settings: { redactionMode: 'redacted_and_original' } }));
    await callerSays(redacting, `My card is ${CARD} thanks.`);
    expect(JSON.stringify(redacting.requests)).not.toContain(CARD);
    await redacting.session.end('next');

    const open = (current = harness({ llmOffline: false, settings: { redactionMode: 'redacted_and_original', redactBeforeCloudLlm: false, showOriginalToConsole: true } }));
    await callerSays(open, `My card is ${CARD} thanks.`);
    expect(JSON.stringify(open.requests)).toContain(CARD);
    const shown = open.transcripts().find((u) => u.speaker === 'caller' && u.final)!;
    expect(shown).toMatchObject({ text: `My card is ${MASK} thanks.`, originalText: `My card is ${CARD} thanks.` });
    // "Redacted only" never keeps an original, whatever the other switches say.
    await open.session.end('next');
    const strict = (current = harness({ llmOffline: false, settings: { redactBeforeCloudLlm: false, showOriginalToConsole: true } }));
    await callerSays(strict, `My card is ${CARD} thanks.`);
    expect(everything(strict) + JSON.stringify(strict.requests)).not.toContain(CARD);
  });

  it('a card read in two breaths: the second line completes it, and the first is masked after all, everywhere', async () => {
    const h = (current = harness({ llmOffline: true }));
    await callerSays(h, 'My card is 4111 1111');
    const first = h.stored.lines.find((l) => l.speaker === 'caller')!;
    expect(first.text).toBe('My card is 4111 1111'); // eight digits are no card, yet
    const asked = h.requests.length;
    h.stt.push({ type: 'final', text: '1111 1111 thanks.', startMs: 3500, endMs: 5000, confidence: 0.9 });
    await until(() => h.requests.length > asked, 'the reply to the second line');
    const lines = h.stored.lines.filter((l) => l.speaker === 'caller');
    // The same line id stored again (an upsert) and shown again (replaced in place).
    expect(lines.filter((l) => l.id === first.id).at(-1)!.text).toBe('My card is [CARD]');
    expect(lines.find((l) => l.id !== first.id)!.text).toBe('[CARD ••••1111] thanks.');
    expect(h.transcripts().filter((u) => u.id === first.id).at(-1)!.text).toBe('My card is [CARD]');
    // The AI's history is masked too, for every later request.
    expect(JSON.stringify(h.requests.at(-1))).not.toContain('4111');
    // The first line's digits (its words 4 and 5) and the whole second line (no word times) are toned.
    expect(h.tones).toEqual([
      { speaker: 'caller', startMs: 1900 - 80, endMs: 2500 }, // padded, clipped at the line's end
      { speaker: 'caller', startMs: 3500, endMs: 5000 }, // no word times: the whole line
    ]);
  });

  it('the two breaths back to back (the first line not yet recorded): the first is still stored masked, last', async () => {
    const h = (current = harness({ llmOffline: true }));
    await until(() => h.stored.lines.some((l) => l.speaker === 'ai'), 'the greeting to be heard');
    // Both finals reach the session in one turn of the event loop: the first line's record
    // (deferred until the reply's request has left) must not land after the remask.
    h.stt.push({ type: 'final', text: 'My card is 4111 1111', startMs: 1000, endMs: 2500, confidence: 0.9 });
    h.stt.push({ type: 'final', text: '1111 1111 thanks.', startMs: 3500, endMs: 5000, confidence: 0.9 });
    await until(() => h.stored.lines.filter((l) => l.speaker === 'caller').length >= 3, 'both lines stored');
    await new Promise((r) => setImmediate(r));
    const callerLines = h.stored.lines.filter((l) => l.speaker === 'caller');
    const firstId = callerLines[0]!.id;
    // Whatever was written first, the last word on the first line is masked, in the store and on the console.
    expect(callerLines.filter((l) => l.id === firstId).at(-1)!.text).toBe('My card is [CARD]');
    expect(h.transcripts().filter((u) => u.id === firstId).at(-1)!.text).toBe('My card is [CARD]');
    expect(JSON.stringify(h.stored.lines)).not.toContain('4111 1111 1111');
  });

  it("a security code answering the AI's question is masked, though the line says only the digits", async () => {
    const h = (current = harness({ llmOffline: true, greeting: "What's the security code on the back of the card?" }));
    await callerSays(h, 'It is 737.');
    expect(h.stored.lines.find((l) => l.speaker === 'caller')!.text).toBe('It is [CVV].');
    // Words only (timestamps and ids may hold "737" by chance): the lines shown, stored and sent to the LLM.
    const words = [...h.transcripts(), ...h.stored.lines, ...h.requests.flatMap((r) => r.history)].map((m) => m.text);
    expect(words.filter((text) => text.includes('737'))).toEqual([]);
  });

  it("the AI's own lines are masked, and the whole line's audio is reported (TTS has no word times)", async () => {
    const h = (current = harness({ llmOffline: true, reply: `I have the card ${CARD} on file.` }));
    await callerSays(h, 'What card do you have?');
    await until(() => h.stored.lines.filter((l) => l.speaker === 'ai').length >= 2, 'the reply to be heard');
    const reply = h.stored.lines.filter((l) => l.speaker === 'ai')[1]!;
    expect(reply.text).toBe(`I have the card ${MASK} on file.`);
    expect(everything(h)).not.toContain(CARD);
    expect(h.tones).toEqual([{ speaker: 'ai', startMs: reply.startMs, endMs: reply.endMs }]);
  });

  it('a PIN keyed in when asked is masked in events, key by key, and for the LLM; a whisper quoting a card is masked', async () => {
    const h = (current = harness({ llmOffline: false, greeting: 'Please key in your PIN, then press hash.' }));
    await until(() => h.stored.lines.some((l) => l.speaker === 'ai'), 'the greeting to be heard');
    for (const key of '2468#') h.stream.emit('dtmf', key);
    await until(() => h.requests.length > 0, 'the entry to reach the LLM');
    expect(h.events().filter((e) => e.type === 'dtmf').map((e) => e.data)).toEqual(Array(5).fill({ digit: '•', masked: 'pin' }));
    expect(h.events().find((e) => e.type === 'keypad')?.data).toEqual({ digits: '[PIN]', kind: 'digits', option: null });
    expect(JSON.stringify(h.requests)).toContain('(keypad: the caller keyed in [PIN])');
    await until(() => h.session.snapshot.aiActivity === 'listening', 'the AI to listen');
    const { event } = h.session.whisper(`Card ${CARD} was declined.`);
    expect(event.data['text']).toBe(`Card ${MASK} was declined.`);
    await until(() => h.requests.length > 1, 'the whisper to reach the LLM');
    expect(everything(h) + JSON.stringify(h.requests)).not.toMatch(/2468|4111 1111/);
  });
});

describe('masked keypad entries in the history', () => {
  it('read back as entries, and the offline engine never spells a mask out', async () => {
    expect(parseKeypadHistoryText(keypadHistoryText({ digits: '[CARD ••••1111]', kind: 'digits', option: null }))).toEqual({ digits: '[CARD ••••1111]', kind: 'digits', option: null });
    expect(parseKeypadHistoryText('(keypad: the caller keyed in [PIN])')).toEqual({ digits: '[PIN]', kind: 'digits', option: null });
    const llm = createOfflineReplyEngine(createAssistEngine({ resourcesDir: RESOURCES_DIR }), { businessName: 'Brightwave' });
    for (const mask of ['[PIN]', '[CARD ••••1111]']) {
      let text = '';
      for await (const chunk of llm.generate({ system: '', history: [{ role: 'user', text: `(keypad: the caller keyed in ${mask})` }] }, new AbortController().signal)) {
        if (chunk.type === 'text') text += chunk.text;
      }
      expect(text.trim()).toBe('Thank you, I have that. How else can I help?');
    }
  });
});
