/**
 * CallRecordings with a real SQLite store and real files: the recording policy (decided once
 * per call, so the greeting and the recording agree), a recorded call's line attached to it
 * and finished when it ends, routes that never leave the recordings folder, and the start-up
 * repair of what a crash left.
 */
import { storedCallLiveFields } from '@shared/domain';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AnyEvent } from '../../../src/shared/contract';
import type { CallEvent, PublicSettings } from '../../../src/shared/domain';
import { silentLogger } from '../../../src/main/core/log';
import { MULAW_SILENCE } from '../../../src/main/core/pipeline/audio';
import { CallRecordings } from '../../../src/main/core/recordings/recordings';
import { decodeWav, readWavLayout } from '../../../src/main/core/recordings/wav';
import { createCallStore, type CallStore } from '../../../src/main/core/store/call-store';
import { openDatabase, type Database } from '../../../src/main/core/store/db';
import type { AdmittedCall } from '../../../src/main/core/telephony/call-registry';
import { MediaStream } from '../../../src/main/core/telephony/media-bridge';
import { makeTempDir, newCall } from '../store/helpers';

const CALL_ID = '6f1c2b7e-0d7a-4c8e-9b1a-2f3e4d5c6b7a';
const demo = (callSid = 'CA-demo'): AdmittedCall => ({ callSid, direction: 'inbound', from: '+1', to: '+2', simulated: true, dial: null, transport: 'media' });
const real = (callSid = 'CA-real'): AdmittedCall => ({ ...demo(callSid), simulated: false });

function openStream(): MediaStream {
  const socket = { readyState: WebSocket.OPEN, send: () => {}, close() {} } as unknown as WebSocket;
  return new MediaStream(socket, {
    event: 'start',
    sequenceNumber: '1',
    streamSid: 'MZ1',
    start: { streamSid: 'MZ1', accountSid: 'AC1', callSid: 'CA1', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
  });
}

/** Polls `predicate` (the writer flushes on a timer) for up to 5 s. */
async function until(predicate: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !predicate(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the recording to be flushed');
  }
}

describe('CallRecordings', () => {
  let dir: string;
  let cleanup: () => void;
  let db: Database;
  let store: CallStore;
  let settings: Pick<PublicSettings, 'recordDemoCalls' | 'recordRealCalls'>;
  let events: AnyEvent[];
  const open = () =>
    new CallRecordings({
      dataDir: dir,
      db,
      settings: () => settings,
      twilioMedia: () => null,
      appendEvent: (event: CallEvent) => store.appendEvent(event),
      emit: (event) => events.push(event),
      logger: silentLogger,
      flushIntervalMs: 20,
    });

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir('switchboard-recordings-'));
    db = openDatabase(join(dir, 'switchboard.db'));
    store = createCallStore(db);
    store.insertCall(newCall({ id: CALL_ID, callSid: 'CA-demo' }));
    settings = { recordDemoCalls: true, recordRealCalls: false };
    events = [];
  });
  afterEach(() => {
    db.close();
    cleanup();
  });

  it('records demo calls and not real ones by default, and keeps each call to its first answer', async () => {
    const recordings = open();
    expect(recordings.decide(demo('CA-a'))).toBe(true);
    expect(recordings.decide(real('CA-b'))).toBe(false);
    expect(recordings.recordsAgentLeg(real('CA-b'))).toBe(false);
    // Turning real calls on applies to the next call; the live one was told nothing.
    settings = { recordDemoCalls: false, recordRealCalls: true };
    expect(recordings.decide(real('CA-b'))).toBe(false);
    expect(recordings.decide(demo('CA-a'))).toBe(true);
    expect(recordings.decide(real('CA-c'))).toBe(true);
    expect(recordings.recordsAgentLeg(real('CA-c'))).toBe(true);
    expect(recordings.recordsAgentLeg(demo('CA-d'))).toBe(false); // simulated: no Twilio leg
    expect(recordings.decide(null)).toBe(false);
    await recordings.close();
  });

  it("records a call's line into a 0600 file, lists it on the call, and finishes it when the call ends", async () => {
    const recordings = open();
    const stream = openStream();
    let clock = 0;
    recordings.onStream({ id: CALL_ID, get clockMs() { return clock; }, mediaStream: stream }, demo());
    const [live] = recordings.list(CALL_ID);
    expect(live).toMatchObject({ kind: 'line', route: `recordings/${CALL_ID}/${live!.id}`, startMs: 0, durationMs: null, channels: 2, contentType: 'audio/wav' });
    const file = recordings.file(`${CALL_ID}/${live!.id}`)!;
    expect(file.path.startsWith(recordings.dir)).toBe(true);
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    expect(statSync(recordings.dir).mode & 0o777).toBe(0o700);
    for (let k = 0; k < 100; k++) {
      clock = k * 20;
      stream.handle({ event: 'media', sequenceNumber: '2', streamSid: 'MZ1', media: { track: 'inbound', chunk: '1', timestamp: String(k * 20), payload: Buffer.alloc(160, MULAW_SILENCE).toString('base64') } });
    }
    // Written as it goes: the file grows (and stays a valid WAV) before the call ends.
    await until(() => readWavLayout(readFileSync(file.path)).declaredDataBytes > 0);

    recordings.onEvent({ name: 'call.updated', payload: { ...newCall({ id: CALL_ID }), status: 'ended', aiActivity: 'idle', utteranceCount: 0, callerSentiment: null, ...storedCallLiveFields('ended', 'ai') } });
    await recordings.close();
    expect(recordings.list(CALL_ID)).toEqual([{ ...live, durationMs: 2000 }]);
    expect(decodeWav(readFileSync(file.path)).channels[0]!.length).toBe(16_000);
  });

  it('answers only its own routes, inside its folder', async () => {
    const recordings = open();
    recordings.onStream({ id: CALL_ID, clockMs: 0, mediaStream: openStream() }, demo());
    const id = recordings.list(CALL_ID)[0]!.id;
    expect(recordings.file(`${CALL_ID}/${id}`)).not.toBeNull();
    const other = '0b6d9e52-5a43-4c1e-8d7f-1a2b3c4d5e6f';
    for (const bad of [
      '',
      CALL_ID,
      `${CALL_ID}/`,
      `${other}/${id}`, // someone else's call
      `${CALL_ID}/${other}`,
      `${CALL_ID}/${id}/x`,
      `${CALL_ID}/${id.toUpperCase()}`,
      `${CALL_ID}/../${id}`,
      `../../etc/passwd`,
      `${CALL_ID}/%2e%2e%2f${id}`,
      `${CALL_ID}/${id}\u0000`,
      `${CALL_ID}\\${id}`,
    ]) {
      expect(recordings.file(bad), bad).toBeNull();
    }
    await recordings.close();
  });

  it('repairs at start what a crash left: the header fixed, the length stored, leftovers tidied', async () => {
    const first = open();
    const stream = openStream();
    let clock = 0;
    first.onStream({ id: CALL_ID, get clockMs() { return clock; }, mediaStream: stream }, demo());
    for (let k = 0; k < 100; k++) {
      clock = k * 20;
      stream.handle({ event: 'media', sequenceNumber: '2', streamSid: 'MZ1', media: { track: 'inbound', chunk: '1', timestamp: String(k * 20), payload: Buffer.alloc(160, 0x80).toString('base64') } });
    }
    const { id } = first.list(CALL_ID)[0]!;
    const path = first.file(`${CALL_ID}/${id}`)!.path;
    await until(() => readWavLayout(readFileSync(path)).declaredDataBytes === 64_000); // flushed
    // The crash: the process dies with a torn frame on disk after its last header update,
    // a half-fetched Twilio download, and a row whose file never got written.
    appendFileSync(path, Buffer.alloc(6, 1));
    writeFileSync(join(first.dir, 'x.wav.part'), 'partial');
    store.insertCall(newCall({ id: 'c2', callSid: 'CA2' }));
    db.prepare(
      `INSERT INTO recordings (id, call_id, kind, file_name, content_type, channels, sample_rate_hz, start_ms, created_at)
       VALUES ('lost', 'c2', 'line', 'c2.lost.wav', 'audio/wav', 2, 8000, 0, 0)`,
    ).run();

    const restarted = open();
    // 2 s flushed before the crash, plus the one whole frame of the 6 stray bytes.
    expect(restarted.list(CALL_ID)).toEqual([expect.objectContaining({ id, durationMs: 2000 })]);
    const wav = readFileSync(path);
    expect(readWavLayout(wav).declaredDataBytes).toBe(64_004);
    expect(wav.length).toBe(44 + 64_004);
    expect(decodeWav(wav).channels[0]!.length).toBe(16_001);
    expect(existsSync(join(first.dir, 'x.wav.part'))).toBe(false);
    expect(db.prepare(`SELECT count(*) FROM recordings WHERE id = 'lost'`).pluck().get()).toBe(0);
    await restarted.close();
  });
});
