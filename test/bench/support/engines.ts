/**
 * Which cloud engines a benchmark's replies come from. Its own module because world.ts is a
 * script (it starts the fakes when loaded): the app's process may import types from it only.
 */

/** The LLM and TTS a benchmark uses (speech-to-text is always Deepgram's). */
export interface BenchEngines {
  llm: 'gemini' | 'openai';
  tts: 'deepgram' | 'elevenlabs' | 'smallest';
}

export const DEFAULT_BENCH_ENGINES: BenchEngines = { llm: 'gemini', tts: 'deepgram' };
