/**
 * Provider faults on a call (issue 10): a CallSession on a real MediaStream (its socket a stub
 * that echoes marks, as Twilio does once audio is played) with scripted providers. A cloud
 * recogniser that fails hands the call to the offline one (the agent is told once, as an
 * event, never as a transcript line); a cloud voice failing every turn is reported once; a
 * cloud engine left off the call because its key failed its check is reported at the start.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AnyEvent } from '@shared/contract';
import type { CallEvent, Utterance } from '@shared/domain';
import { CallSession } from '../../../src/main/core/calls/call-session';
import type { CallAssist, CallRecorder } from '../../../src/main/core/calls/ports';
import { silentLogger } from '../../../src/main/core/log';
import { FRAME_BYTES, MULAW_SILENCE, mulawAudio } from '../../../src/main/core/pipeline/audio';
import { EventQueue } from '../../../src/main/core/providers/event-queue';
import { ProviderFailure } from '../../../src/main/core/providers/failure';
import type { EngineLeftOut } from '../../../src/main/core/providers/provider-service';
import type { LlmProvider, SttEvent, SttProvider, TtsProvider } from '../../../src/main/core/providers/types';
import { MediaStream } from '../../../src/main/core/telephony/media-bridge';

/** A recogniser whose streams the test drives: push results, or end them with a failure. */
function drivenStt(label: string, offline: boolean) {
  const streams: Array<{ queue: EventQueue<SttEvent>; bytes: number }> = [];
  const provider: SttProvider = {
    label,
    offline,
    capabilities: { interimResults: true },
    open({ signal }) {
      const s = { queue: new EventQueue<SttEvent>(), bytes: 0 };
      streams.push(s);
      signal.addEventListener('abort', () => s.queue.end(true), { once: true });
      return {
        events: s.queue,
        write: (audio) => void (s.bytes += audio.bytes.length),
        close: () => Promise.resolve(s.queue.end()),
      };
    },
  };
  return { provider, streams };
}

const voice = (label: string, fail: Error | null): TtsProvider & { calls: number } => {
  const tts = {
    label,
    offline: fail === null,
    capabilities: { streaming: true },
    calls: 0,
    async *synthesize() {
      tts.calls++;
      if (fail) throw fail;
      yield mulawAudio(Buffer.alloc(FRAME_BYTES, MULAW_SILENCE));
    },
  };
  return tts;
};

function callOn(options: { stt: SttProvider; fallbackStt: SttProvider; tts: TtsProvider; fallbackTts: TtsProvider; leftOut?: EngineLeftOut[] }) {
  const llm: LlmProvider = {
    label: 'offline replies',
    offline: true,
    capabilities: { tools: false },
    async *generate() {
      yield { type: 'text', text: 'Thank you.' };
    },
  };
  const socket = {
    readyState: WebSocket.OPEN,
    send(json: string) {
      const frame = JSON.parse(json) as { event: string; mark?: { name: string } };
      if (frame.event === 'mark') setImmediate(() => stream.emit('mark', frame.mark!.name));
    },
    close() {},
  } as unknown as WebSocket;
  const stream: MediaStream = new MediaStream(socket, {
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
  const session = new CallSession({
    stream,
    providers: { stt: options.stt, llm, tts: options.tts },
    fallback: { llm, tts: options.fallbackTts, stt: options.fallbackStt },
    leftOut: options.leftOut,
    assist,
    recorder,
    emit: (e) => void emitted.push(structuredClone(e)),
    logger: silentLogger,
    systemPrompt: 'You are a test.',
    greeting: 'Hello, how can I help?',
  });
  session.start();
  const events = () => emitted.flatMap((e) => (e.name === 'call.event' ? [e.payload] : []));
  const lines = () => emitted.flatMap((e) => (e.name === 'call.transcript' ? [e.payload] : []));
  return { session, stream, stored, events, lines };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const frame = () => mulawAudio(Buffer.alloc(FRAME_BYTES, MULAW_SILENCE));

describe('provider faults on a call', () => {
  it('a cloud recogniser that fails hands the caller to the offline one: an event and an alert-worthy fallback, never a line', async () => {
    const cloud = drivenStt('Deepgram Nova-3', false);
    const offline = drivenStt('pocketsphinx (offline)', true);
    const call = callOn({ stt: cloud.provider, fallbackStt: offline.provider, tts: voice('flite', null), fallbackTts: voice('flite', null) });
    await settle();
    for (let i = 0; i < 10; i++) call.stream.emit('media', frame(), i * 20);
    cloud.streams[0]!.queue.end(false, new ProviderFailure('Deepgram STT: could not connect (getaddrinfo ENOTFOUND deepgram.invalid)', 'unreachable', 'Could not reach Deepgram at deepgram.invalid (ENOTFOUND).', 0));
    await settle();
    // The offline recogniser has the stream, including the audio before the switch.
    expect(offline.streams).toHaveLength(1);
    expect(offline.streams[0]!.bytes).toBe(10 * FRAME_BYTES);
    offline.streams[0]!.queue.push({ type: 'final', text: 'I want to cancel my contract', startMs: 0, endMs: 180, confidence: null });
    await settle();

    const fallbacks = call.events().filter((e) => e.type === 'fallback');
    expect(fallbacks.map((e) => e.data)).toEqual([
      { role: 'stt', standIn: 'pocketsphinx (offline)', reason: 'Could not reach Deepgram at deepgram.invalid (ENOTFOUND).', partial: false, failedAtMs: 0, switchedAtMs: 200, replayedMs: 200 },
    ]);
    expect(call.events().filter((e) => e.type === 'error')).toEqual([]);
    const callerLines = call.lines().filter((l) => l.speaker === 'caller' && l.final);
    expect(callerLines.map((l) => l.text)).toEqual(['I want to cancel my contract']);
    // No provider error text anywhere in what the transcript shows or stores.
    const shown = JSON.stringify([call.lines(), call.stored.lines]);
    expect(shown).not.toMatch(/ENOTFOUND|getaddrinfo|Deepgram/);
    await call.session.end('completed');
  });

  it('a cloud voice failing every turn is reported once, not once a turn', async () => {
    const stt = drivenStt('pocketsphinx (offline)', true);
    const cloudVoice = voice('Deepgram Aura-2', new Error('Deepgram TTS: could not connect (getaddrinfo ENOTFOUND deepgram.invalid)'));
    const call = callOn({ stt: stt.provider, fallbackStt: stt.provider, tts: cloudVoice, fallbackTts: voice('flite', null) });
    await settle();
    for (const text of ['I was charged twice', 'Can you refund it']) {
      stt.streams[0]!.queue.push({ type: 'final', text, startMs: 0, endMs: 100, confidence: null });
      await settle();
    }
    expect(cloudVoice.calls).toBeGreaterThanOrEqual(3); // greeting and two replies, each tried on the cloud voice
    expect(call.events().filter((e) => e.type === 'fallback').map((e) => e.data.role)).toEqual(['tts']);
    await call.session.end('completed');
  });

  it('a cloud engine left off the call (its key failed the last check) is on the call from the start, with the reason', async () => {
    const stt = drivenStt('pocketsphinx (offline)', true);
    const call = callOn({
      stt: stt.provider,
      fallbackStt: stt.provider,
      tts: voice('flite', null),
      fallbackTts: voice('flite', null),
      leftOut: [{ role: 'stt', standIn: 'pocketsphinx (offline)', reason: 'Deepgram: the API key was refused (HTTP 401).' }],
    });
    await settle();
    expect(call.events().map((e) => e.type).slice(0, 2)).toEqual(['started', 'fallback']);
    expect(call.events()[1]!.data).toEqual({ role: 'stt', standIn: 'pocketsphinx (offline)', reason: 'Deepgram: the API key was refused (HTTP 401).', partial: false, atStart: true });
    await call.session.end('completed');
  });
});
