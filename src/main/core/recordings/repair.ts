/**
 * Repairs a WAV file a crash left behind: the sizes in its header are whatever the last flush
 * wrote (or 0), and its last write may have stopped mid-frame. Run at the next start on
 * every recording the store says was never finished. Only the header's two size fields are
 * rewritten and a torn trailing frame is cut; the audio itself is never touched.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { blockAlign, readWavLayout, wavDurationMs, wavHeader, WavFormatError, WAV_HEADER_BYTES, type WavFormat } from './wav';

/** Headers are small; a data chunk further in than this is not a file we wrote or fetched. */
const MAX_HEADER_BYTES = 64 * 1024;

export interface RepairResult {
  format: WavFormat;
  dataBytes: number;
  durationMs: number;
  /** Whether anything had to be fixed. */
  changed: boolean;
}

/**
 * Makes `path`'s header match the audio in it. `expected` is the format the file was created
 * with: a file cut before its first header write completed gets a fresh, empty header.
 * Throws WavFormatError for a file that is not a PCM16 WAV (left as it is).
 */
export function repairWav(path: string, expected?: WavFormat): RepairResult {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    readSync(fd, head, 0, head.length, 0);
    if (size < WAV_HEADER_BYTES && expected && isPrefixOfRiff(head)) {
      writeSync(fd, wavHeader(expected, 0), 0, WAV_HEADER_BYTES, 0);
      ftruncateSync(fd, WAV_HEADER_BYTES);
      return { format: expected, dataBytes: 0, durationMs: 0, changed: true };
    }
    const layout = readWavLayout(head);
    const align = blockAlign(layout.format);
    const available = Math.max(0, size - layout.dataOffset);
    const dataBytes = available - (available % align);
    let changed = false;
    if (layout.dataOffset + dataBytes < size) {
      // A write cut mid-frame: drop the torn frame so the channels stay interleaved.
      ftruncateSync(fd, layout.dataOffset + dataBytes);
      changed = true;
    }
    const riffSize = layout.dataOffset - 8 + dataBytes;
    if (head.readUInt32LE(4) !== riffSize || layout.declaredDataBytes !== dataBytes) {
      const field = Buffer.alloc(4);
      field.writeUInt32LE(riffSize, 0);
      writeSync(fd, field, 0, 4, 4);
      field.writeUInt32LE(dataBytes, 0);
      writeSync(fd, field, 0, 4, layout.dataOffset - 4);
      changed = true;
    }
    return { format: layout.format, dataBytes, durationMs: wavDurationMs(layout.format, dataBytes), changed };
  } finally {
    closeSync(fd);
  }
}

/** The first bytes of a header we started writing (or nothing at all). */
function isPrefixOfRiff(head: Buffer): boolean {
  const riff = Buffer.from('RIFF');
  return head.subarray(0, Math.min(4, head.length)).equals(riff.subarray(0, Math.min(4, head.length)));
}

export { WavFormatError };
