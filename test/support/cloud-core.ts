/**
 * The core on the cloud engines, each the vendor's real SDK (or, for Smallest.AI, our client)
 * pointed by environment override at its loopback fake: Deepgram STT + Aura, Gemini, OpenAI,
 * ElevenLabs and Smallest.AI. Every fake runs, with its key set, so a test picks the engines
 * per role with `choice` (default Deepgram + Gemini + Aura). The fakes are left at their
 * defaults except where `prepare` says; `close()` puts the environment back.
 */
import type { ProviderChoice } from '../../src/shared/domain';
import { startDeepgramFake, type DeepgramFake } from '../fakes/deepgram-fake';
import { startElevenLabsFake, type ElevenLabsFake } from '../fakes/elevenlabs-fake';
import { startGeminiFake, type GeminiFake } from '../fakes/gemini-fake';
import { startOpenAiFake, type OpenAiFake } from '../fakes/openai-fake';
import { startSmallestFake, type SmallestFake } from '../fakes/smallest-fake';
import { startHarness, type CoreHarness } from './core-harness';

export const DEEPGRAM_TEST_KEY = 'dg-test-key-0123456789';
export const GEMINI_TEST_KEY = 'gm-test-key-0123456789';
export const OPENAI_TEST_KEY = 'sk-test-key-0123456789';
export const ELEVENLABS_TEST_KEY = 'sk_el-test-key-0123456789';
export const SMALLEST_TEST_KEY = 'sm-test-key-0123456789';

export interface CloudFakes {
  deepgram: DeepgramFake;
  gemini: GeminiFake;
  openai: OpenAiFake;
  elevenlabs: ElevenLabsFake;
  smallest: SmallestFake;
}

export interface CloudCore extends CloudFakes {
  harness: CoreHarness;
  close(): Promise<void>;
}

/** `prepare` runs once the fakes are up and before the core starts (script them there). */
export async function startCloudCore(
  prepare: (fakes: CloudFakes) => void = () => {},
  choice: Partial<ProviderChoice> = { stt: 'deepgram', llm: 'gemini', tts: 'deepgram' },
): Promise<CloudCore> {
  const saved = { ...process.env };
  const fakes: CloudFakes = {
    deepgram: await startDeepgramFake({ apiKey: DEEPGRAM_TEST_KEY }),
    gemini: await startGeminiFake({ apiKey: GEMINI_TEST_KEY }),
    openai: await startOpenAiFake({ apiKey: OPENAI_TEST_KEY }),
    elevenlabs: await startElevenLabsFake({ apiKey: ELEVENLABS_TEST_KEY }),
    smallest: await startSmallestFake({ apiKey: SMALLEST_TEST_KEY }),
  };
  prepare(fakes);
  Object.assign(process.env, {
    DEEPGRAM_API_KEY: DEEPGRAM_TEST_KEY,
    GEMINI_API_KEY: GEMINI_TEST_KEY,
    OPENAI_API_KEY: OPENAI_TEST_KEY,
    ELEVENLABS_API_KEY: ELEVENLABS_TEST_KEY,
    SMALLEST_API_KEY: SMALLEST_TEST_KEY,
    SWITCHBOARD_DEEPGRAM_URL: fakes.deepgram.environment.base,
    SWITCHBOARD_GEMINI_URL: fakes.gemini.baseUrl,
    SWITCHBOARD_OPENAI_URL: fakes.openai.baseUrl,
    SWITCHBOARD_ELEVENLABS_URL: fakes.elevenlabs.baseUrl,
    SWITCHBOARD_SMALLEST_URL: fakes.smallest.baseUrl,
  });
  const harness = await startHarness();
  await harness.call('providers.update', choice);
  return {
    ...fakes,
    harness,
    async close() {
      await harness.core.close();
      await Promise.all(Object.values(fakes).map((fake: { close(): Promise<void> }) => fake.close()));
      process.env = saved;
    },
  };
}
