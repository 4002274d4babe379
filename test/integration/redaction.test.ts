/**
 * PII redaction applied everywhere a call's words go (issue 10), through the real media
 * bridge, the real Deepgram and Gemini SDKs against their loopback fakes and a simulated
 * caller: a card number said on a call, a PIN keyed in when the AI asked for one, and a
 * whisper quoting the card never reach the SQLite file (raw bytes of the database and its
 * WAL), the call.* events the console receives, a CSV or JSON Lines export, or Gemini; the
 * recording's caller channel carries the redaction tone where the card was said. With the
 * policy keeping originals, the original is in its own column only, and reaches the console
 * or Gemini only when Settings say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallEvent, Utterance } from '../../src/shared/domain';
import type { ExportJob } from '../../src/shared/history';
import { redactionToneSample } from '../../src/main/core/recordings/redaction-tone';
import { decodeWav } from '../../src/main/core/recordings/wav';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import { DEFAULT_LISTEN_VAD } from '../fakes/deepgram-fake';
import { functionCallReply, textReply, type GeminiFake } from '../fakes/gemini-fake';
import { startCloudCore, type CloudCore } from '../support/cloud-core';
import type { CoreHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

/** A Luhn-valid test Visa number, as Deepgram writes digits. */
const CARD = '4111 1111 1111 1111';
const CARD_FORMS = [CARD, CARD.replaceAll(' ', ''), '4111-1111-1111-1111'];
const PIN = '730519';
/** The PIN as keyed: not inside a longer number (a timestamp or an id can hold its six digits by chance). */
const PIN_KEYED = new RegExp(`(?<!\\d)${PIN}(?!\\d)`);

describe('PII redaction on a call (real SDKs against loopback fakes)', () => {
  let cloud: CloudCore;
  let gemini: GeminiFake;
  let harness: CoreHarness;
  /** What the Deepgram fake "hears" the caller say, by the order of their lines on a call. */
  let heard: string[] = [];

  beforeAll(async () => {
    cloud = await startCloudCore(({ deepgram, gemini }) => {
      deepgram.listenVad = { ...DEFAULT_LISTEN_VAD, transcript: (_connection, n) => heard[n] ?? 'Okay.' };
      deepgram.speak.firstByteDelayMs = 50;
      deepgram.speak.msPerChar = 20;
      gemini.auto = textReply('Certainly.');
    });
    ({ gemini, harness } = cloud);
    await harness.call('settings.update', { silenceRepromptMs: 30_000, recordDemoCalls: true });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  async function dial(lines: string[]) {
    heard = lines;
    const caller = new CallerSimulator({
      ...harness.core.simulatedCall(),
      bridgeUrl: harness.core.bridgeUrl,
      scenario: { id: 'pii', title: 'pii', description: '', from: '+15550104000', to: '+15550109999', voice: 'rms', turns: [{ say: 'I would like to pay my bill.', pauseMs: 200 }], afterLastTurn: 'stay' },
      voice: createFliteTts({ voice: 'rms' }),
      maxDurationMs: 60_000,
    });
    await caller.start();
    await until(() => harness.callIdFor(caller.callSid) !== undefined, 5000, 'the call to appear');
    const callId = harness.callIdFor(caller.callSid)!;
    const callerLines = () => harness.finals(callId).filter((l) => l.speaker === 'caller');
    return { caller, callId, callerLines };
  }

  async function hangUp(caller: CallerSimulator, callId: string) {
    caller.hangUp();
    await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
  }

  /** Everything the console was sent about calls (call.transcript, call.event, call.updated, …). */
  const consoleText = () => JSON.stringify(harness.events.filter((e) => e.name.startsWith('call.')));
  /** The database as bytes on disk: the file and its write-ahead log (where recent writes live). */
  const databaseBytes = () =>
    Buffer.concat(['switchboard.db', 'switchboard.db-wal'].map((f) => join(harness.dataDir, f)).filter((p) => existsSync(p)).map((p) => readFileSync(p))).toString('latin1');
  const geminiText = (from = 0) => JSON.stringify(gemini.requests.slice(from).map((r) => r.body));

  async function exported(format: 'csv' | 'jsonl'): Promise<string> {
    const job = await harness.call('export.start', { format, content: 'both' });
    let done: ExportJob | undefined;
    await until(() => {
      const last = harness.events.filter((e) => e.name === 'export.progress' && e.payload.id === job.id).at(-1);
      if (last?.name === 'export.progress' && last.payload.state !== 'running') done = last.payload;
      return done !== undefined;
    }, 30_000, 'the export');
    expect(done!.state).toBe('done');
    return readFileSync((await harness.core.file(done!.fileRoute!))!.path, 'utf8');
  }

  function expectNoCard(where: string, text: string): void {
    for (const form of CARD_FORMS) expect(text.includes(form), `${where} holds the card number (${form})`).toBe(false);
  }

  it('a card said, a PIN keyed and a whisper quoting the card: masked in the store, the console, exports, Gemini and the recording', async () => {
    const before = gemini.requests.length;
    gemini.script(
      textReply('Sure. What is the card number?'),
      textReply('Thank you. Now please key in your PIN, then press the hash key.'),
      textReply('Thanks, that is all noted.'),
      textReply('Okay, I will let you know.'),
    );
    const { caller, callId, callerLines } = await dial(['I would like to pay my bill.', `My card number is ${CARD}.`]);
    await until(() => callerLines().length >= 1 && harness.finals(callId).some((l) => l.text.includes('What is the card number')), 20_000, 'the AI to ask for the card');
    await caller.say(`My card number is ${CARD}.`);
    await until(() => harness.finals(callId).some((l) => l.text.includes('key in your PIN')), 20_000, 'the AI to ask for the PIN');
    await until(() => harness.latest(callId)?.aiActivity === 'listening', 10_000, 'the AI to listen');
    caller.pressKeys(`${PIN}#`);
    await until(() => gemini.requests.length - before >= 3, 10_000, 'the PIN to reach the model');
    await until(() => harness.latest(callId)?.aiActivity === 'listening', 10_000, 'the AI to answer');
    await harness.call('call.whisper', { callId, text: `The card ${CARD} was declined last month.` });
    await until(() => gemini.requests.length - before >= 4, 10_000, 'the whisper to reach the model');
    await hangUp(caller, callId);

    // The line as the console and the store have it: masked, the last four digits kept.
    const cardLine = callerLines()[1]!;
    expect(cardLine.text).toContain('[CARD ••••1111]');
    expect(cardLine.originalText).toBeUndefined();
    const detail = await harness.call('calls.get', { callId });
    expect(detail.utterances.find((u) => u.id === cardLine.id)?.text).toBe(cardLine.text);
    const events = detail.events as CallEvent[];
    expect(events.find((e) => e.type === 'keypad')?.data).toMatchObject({ digits: '[PIN]', kind: 'digits' });
    // Keys typed for the PIN are not stored one by one either.
    expect(events.filter((e) => e.type === 'dtmf').map((e) => e.data['digit'])).toEqual([...'••••••', '•']);
    expect(String(events.find((e) => e.type === 'whisper')?.data['text'])).toContain('[CARD ••••1111]');

    // Gemini got the masked forms, never the card or the PIN.
    const sent = geminiText(before);
    expect(sent).toContain('[CARD ••••1111]');
    expect(sent).toContain('(keypad: the caller keyed in [PIN])');
    expectNoCard('Gemini requests', sent);
    expect(sent).not.toMatch(PIN_KEYED);

    const consoleSaw = consoleText();
    expectNoCard('console events', consoleSaw);
    expect(consoleSaw).not.toMatch(PIN_KEYED);
    expect(consoleSaw).toContain('[CARD ••••1111]');

    for (const format of ['csv', 'jsonl'] as const) {
      const file = await exported(format);
      expect(file).toContain('[CARD ••••1111]');
      expectNoCard(`${format} export`, file);
    }

    const db = databaseBytes();
    expectNoCard('the database file', db);
    expect(db).not.toMatch(PIN_KEYED);

    // The recording: the card's words on the caller's channel are the tone, sample for sample;
    // the words before them ("My card number is", the first half of the line: Deepgram gives
    // word times) and the caller's first line are their speech, untouched.
    let recording = detail.recordings[0];
    for (const deadline = Date.now() + 5000; (recording?.durationMs ?? null) === null && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      recording = (await harness.call('calls.get', { callId })).recordings[0];
    }
    expect(recording?.durationMs, 'the recording, finished').toBeGreaterThan(0);
    const wav = decodeWav(readFileSync((await harness.core.file(recording!.route))!.path));
    const [left, right] = wav.channels as [Int16Array, Int16Array];
    const lineFrom = Math.floor(cardLine.startMs * 8);
    const to = Math.min(left.length, Math.ceil(cardLine.endMs * 8));
    expect(to - lineFrom).toBeGreaterThan(8000); // over a second of speech
    // Eight words spread evenly (the fake's word times): the card is words 5 to 8.
    const cardFrom = lineFrom + Math.ceil((to - lineFrom) * 0.5);
    const off: number[] = [];
    for (let n = cardFrom; n < to; n++) if (left[n] !== redactionToneSample(n)) off.push(n);
    expect(off, 'samples of the card words that are not the tone').toEqual([]);
    const from = lineFrom;
    const isTone = (channel: Int16Array, a: number, b: number) => {
      let same = 0;
      for (let n = a; n < b; n++) if (channel[n] === redactionToneSample(n) && channel[n] !== 0) same++;
      return same;
    };
    // (Speech can equal the tone's value at a sample by chance; a toned span matches at every one.)
    const wordsBeforeCard = lineFrom + Math.floor((to - lineFrom) * 0.4);
    expect(isTone(left, lineFrom, wordsBeforeCard), 'tone samples in "My card number is"').toBeLessThan((wordsBeforeCard - lineFrom) / 100);
    const first = callerLines()[0]!;
    const [a, b] = [Math.floor(first.startMs * 8), Math.ceil(first.endMs * 8)];
    expect(isTone(left, a, b), 'tone samples in the first caller line').toBeLessThan((b - a) / 100);
    expect(isTone(right, from, to), 'tone samples on the AI channel during the card line').toBeLessThan((to - from) / 100);
  });

  it('keeping originals: in their own column only; to the console and Gemini only as Settings allow', async () => {
    await harness.call('settings.update', { redactionMode: 'redacted_and_original', showOriginalToConsole: false, redactBeforeCloudLlm: false });
    const before = gemini.requests.length;
    const eventsBefore = harness.events.length;
    gemini.script(
      functionCallReply('record_fact', { name: 'card number', value: CARD }, 'Thank you, I have noted the card.'),
      textReply('Anything else?'),
    );
    const { caller, callId, callerLines } = await dial([`My card number is ${CARD}.`]);
    await until(() => harness.finals(callId).some((l) => l.text.includes('noted the card')), 20_000, 'the AI to note the card');
    await hangUp(caller, callId);

    const line = callerLines()[0]!;
    expect(line.text).toContain('[CARD ••••1111]');
    // "Redact before the cloud LLM" off, originals kept: Gemini heard the caller's words.
    expect(geminiText(before)).toContain(CARD);
    // The console saw neither the line's nor the fact's original.
    const consoleSaw = JSON.stringify(harness.events.slice(eventsBefore).filter((e) => e.name.startsWith('call.')));
    expectNoCard('console events', consoleSaw);
    const fact = (harness.events.slice(eventsBefore).find((e) => e.name === 'call.event' && e.payload.type === 'tool_call')?.payload as CallEvent).data;
    expect(fact).toMatchObject({ tool: 'record_fact', args: { name: 'card number', value: '[CARD ••••1111]' } });
    const hidden = await harness.call('calls.get', { callId });
    expectNoCard('calls.get without showOriginalToConsole', JSON.stringify(hidden));
    expectNoCard('the recorded facts', JSON.stringify(hidden.facts));

    // On disk, the original is there, in the original column only.
    expect(databaseBytes()).toContain(CARD);
    for (const format of ['csv', 'jsonl'] as const) expectNoCard(`${format} export`, await exported(format));

    // Settings now let the console see originals: calls.get carries them, beside the redacted text.
    await harness.call('settings.update', { showOriginalToConsole: true });
    const shown = await harness.call('calls.get', { callId });
    const stored = shown.utterances.find((u: Utterance) => u.id === line.id)!;
    expect(stored.text).toBe(line.text);
    expect(stored.originalText).toBe(`My card number is ${CARD}.`);
    expect(shown.events.find((e) => e.type === 'tool_call')?.originalData).toMatchObject({ args: { value: CARD } });
    // The search index knows only the redacted words.
    const search = await harness.call('history.search', { filter: { search: '4111' } });
    expect(search.hits).toEqual([]);
    await harness.call('settings.update', { redactionMode: 'redacted', showOriginalToConsole: false, redactBeforeCloudLlm: true });
  });
});
