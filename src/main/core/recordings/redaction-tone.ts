/**
 * What replaces a redacted span in a call recording (issue 10): a steady 1 kHz beep at
 * -12 dBFS, the convention of call-recording redaction (a listener hears at once that
 * something was removed, and nothing of the speech under it), on the channel of the speaker
 * only, so the other side's words at the same moment stay.
 *
 * The phase follows the sample's place in the file (8 kHz: one cycle every 8 samples), so a
 * span patched on disk and its continuation written later join without a click.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { blockAlign, readWavLayout } from './wav';

export const REDACTION_TONE_HZ = 1000;
/** -12 dBFS: clearly audible, never clipping, below the level of loud speech. */
export const REDACTION_TONE_AMPLITUDE = 8192;

/** The tone's sample at absolute sample index `n` of an 8 kHz recording. */
export function redactionToneSample(n: number, sampleRateHz = 8000): number {
  return Math.round(REDACTION_TONE_AMPLITUDE * Math.sin((2 * Math.PI * REDACTION_TONE_HZ * n) / sampleRateHz));
}

/**
 * Overwrites one channel of interleaved PCM16 little-endian frames with the tone.
 * `frames` holds frames from absolute frame index `firstFrame`; frames [from, to) are toned.
 */
export function toneChannel(frames: Buffer, firstFrame: number, channels: number, channel: number, from: number, to: number, sampleRateHz = 8000): void {
  const align = channels * 2;
  const start = Math.max(from, firstFrame);
  const end = Math.min(to, firstFrame + Math.floor(frames.length / align));
  for (let n = start; n < end; n++) frames.writeInt16LE(redactionToneSample(n, sampleRateHz), (n - firstFrame) * align + channel * 2);
}

/** One channel's stretch of a file to tone, in sample frames [fromFrame, toFrame). */
export interface ToneSpan {
  channel: number;
  fromFrame: number;
  toFrame: number;
}

/**
 * Tones spans of a WAV file in place, synchronously (start-up repair, before any call). Only
 * the samples of the spans' channels change; the header and the length never do. Toning a
 * span twice gives the same samples, so spans a live call already toned can be toned again.
 * Returns the frames toned.
 */
export function toneWavFile(path: string, spans: readonly ToneSpan[]): number {
  if (spans.length === 0) return 0;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, head, 0, head.length, 0);
    const layout = readWavLayout(head);
    const align = blockAlign(layout.format);
    const frames = Math.floor(Math.max(0, size - layout.dataOffset) / align);
    let toned = 0;
    for (const span of spans) {
      const from = Math.max(0, Math.floor(span.fromFrame));
      const to = Math.min(frames, Math.ceil(span.toFrame));
      if (to <= from || span.channel >= layout.format.channels) continue;
      const position = layout.dataOffset + from * align;
      const buffer = Buffer.alloc((to - from) * align);
      readSync(fd, buffer, 0, buffer.length, position);
      toneChannel(buffer, from, layout.format.channels, span.channel, from, to, layout.format.sampleRateHz);
      writeSync(fd, buffer, 0, buffer.length, position);
      toned += to - from;
    }
    return toned;
  } finally {
    closeSync(fd);
  }
}
