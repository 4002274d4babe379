/**
 * The core on the cloud engines (Deepgram STT + Aura, Gemini), each the vendor's real SDK
 * pointed by environment override at its loopback fake. The fakes are left at their
 * defaults except where `options` says; `close()` puts the environment back.
 */
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake';
import { startGeminiFake, type GeminiFake } from '../fakes/gemini-fake';
import { startHarness, type CoreHarness } from './core-harness';

export const DEEPGRAM_TEST_KEY = 'dg-test-key-0123456789';
export const GEMINI_TEST_KEY = 'gm-test-key-0123456789';

export interface CloudCore {
  deepgram: DeepgramFake;
  gemini: GeminiFake;
  harness: CoreHarness;
  close(): Promise<void>;
}

/** `prepare` runs once the fakes are up and before the core starts (script them there). */
export async function startCloudCore(prepare: (fakes: { deepgram: DeepgramFake; gemini: GeminiFake }) => void = () => {}): Promise<CloudCore> {
  const saved = { ...process.env };
  const deepgram = await startDeepgramFake({ apiKey: DEEPGRAM_TEST_KEY });
  const gemini = await startGeminiFake({ apiKey: GEMINI_TEST_KEY });
  prepare({ deepgram, gemini });
  Object.assign(process.env, {
    DEEPGRAM_API_KEY: DEEPGRAM_TEST_KEY,
    GEMINI_API_KEY: GEMINI_TEST_KEY,
    SWITCHBOARD_DEEPGRAM_URL: deepgram.environment.base,
    SWITCHBOARD_GEMINI_URL: gemini.baseUrl,
  });
  const harness = await startHarness();
  await harness.call('providers.update', { stt: 'deepgram', llm: 'gemini', tts: 'deepgram' });
  return {
    deepgram,
    gemini,
    harness,
    async close() {
      await harness.core.close();
      await deepgram.close();
      await gemini.close();
      process.env = saved;
    },
  };
}
