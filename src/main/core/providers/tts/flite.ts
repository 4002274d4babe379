/**
 * Offline text-to-speech with Debian's `flite` (BSD-style licence). flite synthesises a
 * sentence in a few ms (real-time factor ~0.003), so it runs per clause and is not
 * streamed. The 16 kHz voices (slt, rms) sound far better than the native 8 kHz `kal`;
 * they are low-passed and decimated to telephone audio.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MulawAudio, TtsProvider } from '../types';
import { parseWav, toTelephone } from '../../pipeline/audio';

export type FliteVoice = 'slt' | 'rms' | 'awb' | 'kal' | 'kal16';

export function createFliteTts(options: { voice?: FliteVoice; binary?: string } = {}): TtsProvider {
  const voice = options.voice ?? 'slt';
  const binary = options.binary ?? 'flite';
  return {
    label: `flite ${voice} (offline)`,
    offline: true,
    capabilities: { streaming: false },
    async *synthesize(text: string, signal: AbortSignal): AsyncIterable<MulawAudio> {
      const clean = text.replace(/\s+/g, ' ').trim();
      if (!clean) return;
      const wav = await runFlite(binary, voice, clean, signal);
      yield toTelephone(parseWav(wav));
    },
  };
}

/**
 * flite writes WAV only to a file it can open by name; Node's child stdout is a socket,
 * which /dev/stdout cannot be opened on, so each clause goes through a private temp file.
 */
async function runFlite(binary: string, voice: string, text: string, signal: AbortSignal): Promise<Buffer> {
  const file = join(tmpdir(), `switchboard-flite-${randomUUID()}.wav`);
  try {
    await spawnFlite(binary, ['-voice', voice, '-t', text, '-o', file], signal);
    return await readFile(file);
  } finally {
    await rm(file, { force: true });
  }
}

function spawnFlite(binary: string, args: string[], signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    // Arguments go straight to execve: no shell, so no quoting concerns with caller text.
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(error);
      else if (error.code === 'ENOENT') reject(new Error(`flite is not installed (${binary} not found); run npm run setup`));
      else reject(error);
    });
    child.on('close', (code) => {
      if (signal.aborted) return reject(signal.reason);
      if (code !== 0) return reject(new Error(`flite exited with code ${code}: ${stderr.trim().slice(0, 200)}`));
      resolve();
    });
  });
}
