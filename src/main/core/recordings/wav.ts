/**
 * RIFF/WAVE for recordings: the canonical 44-byte PCM header our writer emits, and a reader
 * that walks the chunks of any PCM16 file (Twilio's downloads may carry extra chunks such
 * as LIST before `data`).
 *
 * Why PCM16 and not stereo mu-law (format 7): both sides of a call are G.711 already, so
 * mu-law would halve the size for no loss, but a format-7 WAV plays only where the media
 * stack ships a G.711 decoder (not every Chromium/Electron build, nor every player a team
 * lead opens an export with); PCM16 plays everywhere, at 32 KB/s for 8 kHz stereo
 * (~115 MB an hour).
 */

export interface WavFormat {
  channels: 1 | 2;
  sampleRateHz: number;
  /** Always 16: PCM16 little-endian. */
  bitsPerSample: 16;
}

/** Line recordings: caller on the left, what the caller heard (AI/agent) on the right, 8 kHz. */
export const LINE_FORMAT: WavFormat = { channels: 2, sampleRateHz: 8000, bitsPerSample: 16 };

/** Our writer's header size: RIFF(12) + fmt (8 + 16) + data header (8). */
export const WAV_HEADER_BYTES = 44;
/** The RIFF size field is 32 bits: a data chunk can hold at most this many bytes. */
export const MAX_WAV_DATA_BYTES = 0xffffffff - (WAV_HEADER_BYTES - 8);

export function blockAlign(format: WavFormat): number {
  return format.channels * (format.bitsPerSample / 8);
}

export function bytesPerSecond(format: WavFormat): number {
  return format.sampleRateHz * blockAlign(format);
}

/** ms of audio in `dataBytes` of PCM data. */
export function wavDurationMs(format: WavFormat, dataBytes: number): number {
  return Math.round((dataBytes / bytesPerSecond(format)) * 1000);
}

/** The 44-byte header for `dataBytes` of PCM data following it. */
export function wavHeader(format: WavFormat, dataBytes: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRateHz, 24);
  header.writeUInt32LE(bytesPerSecond(format), 28);
  header.writeUInt16LE(blockAlign(format), 32);
  header.writeUInt16LE(format.bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export interface WavLayout {
  format: WavFormat;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** What the header says the data chunk holds (may be 0 or wrong in a file a crash left). */
  declaredDataBytes: number;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

/**
 * Reads the layout of a PCM16 mono/stereo WAV from its first bytes (`head`, at least up to
 * the data chunk's header). Throws WavFormatError for anything else.
 */
export function readWavLayout(head: Buffer): WavLayout {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let format: WavFormat | null = null;
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = head.toString('ascii', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + 16 > head.length) break;
      const audioFormat = head.readUInt16LE(body);
      const channels = head.readUInt16LE(body + 2);
      const sampleRateHz = head.readUInt32LE(body + 4);
      const bits = head.readUInt16LE(body + 14);
      // 0xFFFE (WAVE_FORMAT_EXTENSIBLE) carries plain PCM too in some writers.
      if ((audioFormat !== 1 && audioFormat !== 0xfffe) || bits !== 16 || (channels !== 1 && channels !== 2) || sampleRateHz <= 0) {
        throw new WavFormatError(`unsupported WAV: format ${audioFormat}, ${bits}-bit, ${channels} channels`);
      }
      format = { channels, sampleRateHz, bitsPerSample: 16 };
    } else if (id === 'data') {
      if (!format) throw new WavFormatError('WAV data chunk before its fmt chunk');
      return { format, dataOffset: body, declaredDataBytes: size };
    }
    offset = body + size + (size % 2);
  }
  throw new WavFormatError('WAV has no data chunk in its first bytes');
}

/** A whole PCM16 WAV in memory, one Int16Array per channel (tests, validation of downloads). */
export function decodeWav(file: Buffer): { format: WavFormat; channels: Int16Array[] } {
  const layout = readWavLayout(file);
  const available = file.length - layout.dataOffset;
  // A crash can leave the declared size short (or 0); what is there is what was recorded.
  const dataBytes = layout.declaredDataBytes > 0 && layout.declaredDataBytes <= available ? layout.declaredDataBytes : available;
  const align = blockAlign(layout.format);
  const frames = Math.floor(dataBytes / align);
  const channels = Array.from({ length: layout.format.channels }, () => new Int16Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels.length; c++) channels[c]![i] = file.readInt16LE(layout.dataOffset + i * align + c * 2);
  }
  return { format: layout.format, channels };
}
