import { describe, expect, it } from 'vitest';
import { Resampler2x, encodeMulawSample, mulawAudio, mulawToPcm, parseWav, pcmToMulaw, toTelephone } from '../../src/main/core/pipeline/audio';

function tone(freqHz: number, rateHz: number, ms: number, amplitude = 10000): Int16Array {
  const n = (rateHz * ms) / 1000;
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / rateHz)));
}

function rms(samples: Int16Array, skip = 64): number {
  let sum = 0;
  for (let i = skip; i < samples.length; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / (samples.length - skip));
}

describe('telephone audio', () => {
  it('round-trips mu-law within the codec step', () => {
    const pcm = tone(440, 8000, 20);
    const back = mulawToPcm(pcmToMulaw({ encoding: 'pcm16', sampleRateHz: 8000, samples: pcm }));
    expect(back.samples).toHaveLength(160);
    for (let i = 0; i < pcm.length; i++) expect(Math.abs(back.samples[i]! - pcm[i]!)).toBeLessThan(Math.abs(pcm[i]!) * 0.07 + 40);
  });

  it('matches G.711 mu-law reference points', () => {
    // Silence, the extremes, and the segment edges from the G.711 tables.
    expect(encodeMulawSample(0)).toBe(0xff);
    expect(encodeMulawSample(-1)).toBe(0x7f);
    expect(encodeMulawSample(32767)).toBe(0x80);
    expect(encodeMulawSample(-32768)).toBe(0x00);
    const decoded = mulawToPcm(mulawAudio(Buffer.from([0xff, 0x7f, 0x80, 0x00, 0xef, 0x6f]))).samples;
    expect([...decoded]).toEqual([0, 0, 32124, -32124, 132, -132]);
    // Every code decodes to a value that encodes back to the same code (except -0 -> +0).
    for (let code = 0; code < 256; code++) {
      if (code === 0x7f) continue;
      const pcm = mulawToPcm(mulawAudio(Buffer.from([code]))).samples;
      expect(encodeMulawSample(pcm[0]!)).toBe(code);
    }
  });

  it('upsamples 8 kHz speech-band tones to 16 kHz at the same level', () => {
    const out = new Resampler2x('up').process(tone(1000, 8000, 200));
    expect(out).toHaveLength(3200);
    expect(rms(out) / rms(tone(1000, 16000, 200))).toBeCloseTo(1, 1);
  });

  it('low-passes before decimating so 16 kHz content above 4 kHz does not alias', () => {
    const passband = new Resampler2x('down').process(tone(1000, 16000, 200));
    const stopband = new Resampler2x('down').process(tone(6000, 16000, 200));
    expect(rms(passband) / 7071).toBeCloseTo(1, 1);
    expect(rms(stopband) / 7071).toBeLessThan(0.05);
  });

  it('keeps filter state across chunks: chunked output equals one-shot output', () => {
    const input = tone(700, 8000, 100);
    const whole = new Resampler2x('up').process(input);
    const chunked = new Resampler2x('up');
    const parts = [chunked.process(input.subarray(0, 333)), chunked.process(input.subarray(333))];
    expect(Int16Array.from([...parts[0]!, ...parts[1]!])).toEqual(whole);
  });

  it('parses WAV and refuses what it cannot read', () => {
    const samples = tone(500, 16000, 10);
    const header = Buffer.alloc(44);
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + samples.byteLength, 4);
    header.write('WAVEfmt ', 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(16000, 24);
    header.writeUInt32LE(32000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36);
    header.writeUInt32LE(samples.byteLength, 40);
    const wav = Buffer.concat([header, Buffer.from(samples.buffer)]);
    const parsed = parseWav(wav);
    expect(parsed.sampleRateHz).toBe(16000);
    expect(parsed.samples).toEqual(samples);
    expect(toTelephone(parsed).bytes).toHaveLength(80);
    expect(() => parseWav(Buffer.from('hello world, not audio at all'))).toThrow(/not a RIFF/);
    expect(() => toTelephone({ encoding: 'pcm16', sampleRateHz: 44100, samples })).toThrow(/44100 Hz/);
  });
});
