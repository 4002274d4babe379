import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/main/core/log';
import { mulawAudio } from '../../src/main/core/pipeline/audio';
import { createFliteTts } from '../../src/main/core/providers/tts/flite';
import { CallerSimulator } from '../../src/main/core/telephony/caller-simulator';
import type { CallerScenario } from '../../src/main/core/telephony/scenario';
import { startMediaBridge, type MediaBridge, type MediaStream } from '../../src/main/core/telephony/media-bridge';
import { until } from '../support/raw-twilio';

const scenario: CallerScenario = {
  id: 'sim-test',
  title: 'sim',
  description: 'sim',
  from: '+15550000001',
  to: '+15550000002',
  voice: 'slt',
  turns: [{ say: 'Hello there.', pauseMs: 0 }],
  afterLastTurn: 'stay',
};

describe('caller simulator (behaves as Twilio towards the bridge)', () => {
  let bridge: MediaBridge;
  let stream: MediaStream | null;
  let marks: Array<{ name: string; atMs: number }>;
  let inboundBytes: number;
  let t0: number;

  beforeEach(async () => {
    stream = null;
    marks = [];
    inboundBytes = 0;
    bridge = await startMediaBridge({
      logger: silentLogger,
      onStream(s) {
        stream = s;
        t0 = performance.now();
        s.on('mark', (name) => marks.push({ name, atMs: performance.now() - t0 }));
        s.on('media', (audio) => (inboundBytes += audio.bytes.length));
      },
    });
  });
  afterEach(() => bridge.close());

  it('streams caller audio in real time, plays app audio in real time and echoes marks when played', async () => {
    const caller = new CallerSimulator({ bridgeUrl: bridge.url, scenario, voice: createFliteTts({ voice: 'slt' }), turnGapMs: 100 });
    await caller.start();
    await until(() => stream !== null);
    expect(stream!.customParameters).toMatchObject({ from: scenario.from, scenario: 'sim-test' });
    // 600 ms of audio, then a mark: the echo must come after the audio has played.
    stream!.sendAudio(mulawAudio(Buffer.alloc(4800, 0x10)));
    stream!.sendMark('a');
    await until(() => marks.length === 1, 3000, 'mark echo');
    expect(marks[0]!.name).toBe('a');
    expect(marks[0]!.atMs).toBeGreaterThanOrEqual(560);
    // Having heard the app, the caller speaks its line.
    await until(() => caller.spoken.length === 1, 5000, 'caller line');
    expect(inboundBytes).toBeGreaterThan(8000 * 1.2);
    caller.hangUp();
    const report = await caller.done;
    expect(report.endedBy).toBe('caller');
    expect(report.played.reduce((n, p) => n + p.bytes.length, 0)).toBe(4800);
    expect(report.spoken.map((s) => s.text)).toEqual(['Hello there.']);
    expect(report.protocolErrors).toEqual([]);
  });

  it('drops queued audio on clear and returns pending marks at once', async () => {
    const caller = new CallerSimulator({ bridgeUrl: bridge.url, scenario, voice: createFliteTts({ voice: 'slt' }) });
    await caller.start();
    await until(() => stream !== null);
    stream!.sendAudio(mulawAudio(Buffer.alloc(8000 * 5, 0x10)));
    stream!.sendMark('long');
    await new Promise((r) => setTimeout(r, 300));
    stream!.clear();
    await until(() => marks.length === 1, 1000, 'pending mark after clear');
    expect(marks[0]!.atMs).toBeLessThan(1500);
    caller.hangUp();
    const report = await caller.done;
    const playedMs = report.played.reduce((n, p) => n + p.bytes.length, 0) / 8;
    expect(playedMs).toBeLessThan(1000);
    expect(report.clears).toHaveLength(1);
  });
});
