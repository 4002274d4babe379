/**
 * Turn-taking pieces without a call (issue 14): the voice onset detector on real (flite)
 * speech and on noise, the spoken turn's pause and resume (what is sent again, from where,
 * with which marks), and the decisions TurnYield makes on onset, words and the clock.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FRAME_BYTES, MULAW_DECODE, MULAW_SILENCE, encodeMulawSample, parseWav, toTelephone } from '../../src/main/core/pipeline/audio';
import { loadVad, VOICE_FLOOR, VoiceOnsetDetector, type FvadModule } from '../../src/main/core/pipeline/voice-onset';
import { SpokenTurn, type ResumeStep } from '../../src/main/core/calls/spoken-turn';
import { MAX_PAUSE_MS, TurnYield, type FalseAlarm } from '../../src/main/core/calls/turn-yield';

let vad: FvadModule;
const dir = mkdtempSync(join(tmpdir(), 'switchboard-turn-taking-'));

function flite(text: string): Buffer {
  const file = join(dir, `${text.replace(/\W+/g, '-')}.wav`);
  execFileSync('flite', ['-voice', 'rms', '-t', text, '-o', file]);
  return toTelephone(parseWav(readFileSync(file))).bytes;
}

/** Mean |sample| of a mu-law frame. */
const level = (frame: Buffer) => frame.reduce((sum, byte) => sum + Math.abs(MULAW_DECODE[byte]!), 0) / frame.length;
const frames = (audio: Buffer) => Array.from({ length: Math.floor(audio.length / FRAME_BYTES) }, (_, i) => audio.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES));
const silence = (ms: number) => Buffer.alloc((ms / 20) * FRAME_BYTES, MULAW_SILENCE);
/** A tone of `ms` at `level` (16-bit amplitude): the AI's "speech" in turn tests. */
const tone = (ms: number, level = 8000) => Buffer.from(Array.from({ length: ms * 8 }, (_, i) => encodeMulawSample(Math.round(level * Math.sin((2 * Math.PI * 300 * i) / 8000)))));

beforeAll(async () => {
  vad = await loadVad();
});

describe('voice onset (WebRTC VAD on 8 kHz mu-law)', () => {
  it('fires within 100 ms of the voice starting, once per voiced stretch, and never on silence', () => {
    const detector = new VoiceOnsetDetector(vad, { mode: 1, minVoicedMs: 60 });
    const speech = flite('Actually, I have another question.');
    const audio = Buffer.concat([silence(400), speech, silence(200)]);
    // Where the voice starts: flite's files begin with a quiet lead-in.
    const voiceAt = frames(audio).findIndex((f) => level(f) >= 300) * 20;
    expect(voiceAt).toBeGreaterThan(400);
    const onsets = frames(audio).flatMap((frame, i) => (detector.push(frame) ? [i * 20] : []));
    expect(onsets[0]! - voiceAt).toBeGreaterThanOrEqual(0);
    expect(onsets[0]! - voiceAt).toBeLessThanOrEqual(100);
    // A comma's pause ends a stretch; every onset is inside the line.
    for (const at of onsets) expect(at).toBeLessThan(400 + speech.length / 8);
    expect(detector.voicedWithin(400)).toBe(true);
    for (const frame of frames(silence(1000))) expect(detector.push(frame)).toBe(false);
    expect(detector.voicedWithin(400)).toBe(false);
    detector.close();
  });

  it('never fires on line hiss or the lead-in of a line, however the VAD judges them', () => {
    const detector = new VoiceOnsetDetector(vad, { mode: 0, minVoicedMs: 20 });
    let seed = 7;
    const hiss = Buffer.from(
      Array.from({ length: 16_000 }, () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return encodeMulawSample(Math.round(VOICE_FLOOR * 0.6 * ((seed / 0x1_0000_0000) * 2 - 1)));
      }),
    );
    expect(frames(hiss).some((f) => detector.push(f))).toBe(false);
    const lead = flite('Uh huh.').subarray(0, 6 * FRAME_BYTES);
    expect(frames(lead).every((f) => level(f) < VOICE_FLOOR)).toBe(true);
    expect(frames(lead).some((f) => detector.push(f))).toBe(false);
    detector.close();
  });

  it('fires later with a longer minimum', () => {
    const quick = new VoiceOnsetDetector(vad, { mode: 1, minVoicedMs: 60 });
    const slow = new VoiceOnsetDetector(vad, { mode: 1, minVoicedMs: 200 });
    const speech = flite('Actually, I have another question.');
    const at = (d: VoiceOnsetDetector) => frames(speech).findIndex((f) => d.push(f)) * 20;
    expect(at(slow)).toBeGreaterThan(at(quick));
    quick.close();
    slow.close();
  });

  it('skips frames that are not 20 ms and does nothing once closed', () => {
    const detector = new VoiceOnsetDetector(vad, { mode: 3, minVoicedMs: 20 });
    expect(detector.push(Buffer.alloc(10))).toBe(false);
    detector.close();
    detector.close();
    expect(detector.push(tone(20))).toBe(false);
  });
});

describe('a spoken turn paused and resumed', () => {
  /** Sends `clauses` (ms of tone each, separated by 100 ms of silence) at t=0. */
  function turnWith(clauses: Array<[text: string, ms: number]>): SpokenTurn {
    const turn = new SpokenTurn('t1', 'ai', true);
    for (const [text, ms] of clauses) {
      const audio = Buffer.concat([tone(ms - 100), silence(100)]);
      expect(turn.addAudio(audio, 0)).toBe(true);
      turn.addClause(text, ms, 0);
    }
    return turn;
  }
  const audioMs = (steps: ResumeStep[]) => steps.reduce((ms, s) => ms + ('audio' in s ? s.audio.length / 8 : 0), 0);

  it('freezes what the caller heard at the pause, and keeps audio made during it', () => {
    const turn = turnWith([['One two three four.', 1000]]);
    turn.pause(500);
    expect(turn.heardText(5000)).toBe('One two');
    expect(turn.addAudio(tone(400), 600)).toBe(false); // generated while paused: kept, not sent
    turn.addClause('Five six.', 400, 700);
    expect(turn.markHeard('t1:0', 800)).toBe(false); // echoes of cleared marks mean nothing
  });

  it('resumes from the gap between words before where the caller stopped, with renamed marks', () => {
    // Clause 0 is 0–1000 ms (tone to 900, gap to 1000); clause 1 is 1000–2000.
    const turn = turnWith([
      ['Thanks for waiting.', 1000],
      ['Your refund was sent.', 1000],
    ]);
    turn.pause(1300); // 300 ms into clause 1: no gap there since 1000, so from the gap at 900–1000
    const { steps, fromMs, marks } = turn.resume(2000);
    expect(fromMs).toBeGreaterThanOrEqual(900);
    expect(fromMs).toBeLessThanOrEqual(1000);
    expect(marks).toEqual(['t1:0:r1', 't1:1:r1']);
    // Everything from there is sent again, each clause's mark right after its audio.
    expect(audioMs(steps)).toBe(2000 - fromMs);
    expect(steps.map((s) => ('mark' in s ? s.mark : 'audio'))).toEqual(['audio', 't1:0:r1', 'audio', 't1:1:r1']);
    expect(turn.markHeard('t1:1', 2100)).toBe(false); // the old name is gone
    expect(turn.markHeard('t1:0:r1', 2100)).toBe(true);
    expect(turn.markHeard('t1:1:r1', 3100)).toBe(true);
    turn.finishGeneration();
    expect(turn.complete).toBe(true);
    expect(turn.heardText(3100)).toBe('Thanks for waiting. Your refund was sent.');
  });

  it('a clause heard (its mark echoed) before the pause is never sent again', () => {
    const turn = turnWith([
      ['First.', 1000],
      ['Second.', 1000],
      ['Third.', 1000],
    ]);
    turn.markHeard('t1:0', 1000);
    turn.pause(2050); // 50 ms into clause 2; its mark and clause 1's went with the clear
    const { steps, fromMs, marks } = turn.resume(2500);
    expect(fromMs).toBeGreaterThanOrEqual(1900); // the gap at the end of clause 1
    expect(marks).toEqual(['t1:1:r1', 't1:2:r1']);
    expect(audioMs(steps)).toBe(3000 - fromMs);
  });

  it('with nothing paused, resume sends nothing', () => {
    const turn = turnWith([['Hello.', 500]]);
    expect(turn.resume(100).steps).toEqual([]);
  });
});

describe('TurnYield: pause on onset, let the words decide', () => {
  afterEach(() => vi.useRealTimers());

  function setup(resumeWindowMs = 600) {
    vi.useFakeTimers();
    const turn = new SpokenTurn('t1', 'ai', true);
    turn.addAudio(tone(3000), 0);
    turn.addClause('A long reply the caller may talk over.', 3000, 0);
    const log: string[] = [];
    let current: SpokenTurn | null = turn;
    const yieldTo = new TurnYield(
      {
        yieldableTurn: () => (current && !current.paused ? current : null),
        pauseTurn: (t, source) => {
          t.pause(0);
          log.push(`pause ${source}`);
        },
        resumeTurn: (t, why: FalseAlarm) => {
          t.resume(0);
          log.push(`resume ${why}`);
        },
      },
      { vadMode: 1, minVoicedMs: 60, resumeWindowMs },
      vad,
    );
    return { turn, log, yieldTo, end: () => (current = null) };
  }

  it('a voiced onset pauses; a backchannel final resumes at once', () => {
    const { log, yieldTo } = setup();
    for (const frame of frames(flite('uh huh'))) yieldTo.callerAudio(frame);
    expect(log).toEqual(['pause voice']);
    yieldTo.callerFinal('uh-huh');
    expect(log).toEqual(['pause voice', 'resume backchannel']);
    yieldTo.close();
  });

  it('says when the caller is listening quietly (the recogniser may batch): quiet frames under the AI, never voice or the moments after it', () => {
    const { yieldTo, end } = setup();
    const quiet = frames(silence(200)).map((f) => yieldTo.callerAudio(f));
    expect(quiet.every(Boolean)).toBe(true);
    // The caller starts to speak: not relaxed from the first voiced frame on, nor while paused.
    const speech = frames(flite('hello there')).map((f) => yieldTo.callerAudio(f));
    const firstVoiced = frames(flite('hello there')).findIndex((f) => level(f) >= VOICE_FLOOR);
    expect(speech.slice(firstVoiced).some(Boolean)).toBe(false);
    yieldTo.close();
    // No AI turn to listen to: every frame is urgent (the caller's turn, or its end, is being heard).
    const { yieldTo: other, end: endOther } = setup();
    endOther();
    expect(frames(silence(200)).map((f) => other.callerAudio(f)).some(Boolean)).toBe(false);
    end();
    other.close();
  });

  it('no words within the window (a cough) resumes when the caller has gone quiet', () => {
    const { log, yieldTo } = setup();
    yieldTo.speechStarted();
    expect(log).toEqual(['pause stt']);
    vi.advanceTimersByTime(599);
    expect(log).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['pause stt', 'resume no_words']);
  });

  it('waits while the caller is still voicing, but not for ever', () => {
    const { log, yieldTo } = setup();
    const speech = frames(flite('Actually, I have another question about my bill and the charges on it.'));
    let i = 0;
    for (; i < speech.length && log.length === 0; i++) yieldTo.callerAudio(speech[i]!);
    expect(log).toEqual(['pause voice']);
    // Voice keeps coming, 20 ms at a time, past the 600 ms window: no resume yet.
    for (let t = 0; t < 700; t += 20) {
      yieldTo.callerAudio(speech[Math.min(i++, speech.length - 1)]!);
      vi.advanceTimersByTime(20);
    }
    expect(log).toEqual(['pause voice']);
    vi.advanceTimersByTime(MAX_PAUSE_MS);
    expect(log).toEqual(['pause voice', 'resume no_words']);
  });

  it('a turn that ends otherwise (a barge-in) is forgotten: no resume after it', () => {
    const { turn, log, yieldTo, end } = setup();
    yieldTo.speechStarted();
    end();
    yieldTo.settled(turn);
    vi.advanceTimersByTime(5000);
    expect(log).toEqual(['pause stt']);
    expect(yieldTo.isPaused).toBe(false);
  });

  it('a substantive final does not resume (the session has cut the turn off)', () => {
    const { log, yieldTo } = setup();
    yieldTo.speechStarted();
    yieldTo.callerFinal('wait, that is wrong');
    expect(log).toEqual(['pause stt']);
  });
});

describe('TurnYield: a backchannel carries on as soon as the voice stops', () => {
  afterEach(() => vi.useRealTimers());

  it('an interim "uh huh" and then quiet resumes before the window and before any final', () => {
    vi.useFakeTimers();
    const turn = new SpokenTurn('t1', 'ai', true);
    turn.addAudio(tone(3000), 0);
    turn.addClause('A long reply.', 3000, 0);
    const log: string[] = [];
    const y = new TurnYield(
      {
        yieldableTurn: () => (turn.paused ? null : turn),
        pauseTurn: (t) => (t.pause(0), log.push('pause')),
        resumeTurn: (t, why) => (t.resume(0), log.push(`resume ${why}`)),
      },
      { vadMode: 1, minVoicedMs: 60, resumeWindowMs: 3000 },
      vad,
    );
    for (const frame of frames(flite('uh huh'))) y.callerAudio(frame);
    expect(log).toEqual(['pause']);
    // Quiet, but no word has come, and the window is 3 s: the words may still be on their way.
    for (const frame of frames(silence(400))) y.callerAudio(frame);
    expect(log).toEqual(['pause']);
    y.callerInterim('uh huh');
    y.callerAudio(silence(20));
    expect(log).toEqual(['pause', 'resume backchannel']);
    y.close();
  });
});
