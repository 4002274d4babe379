/**
 * The offline engine set: runs with no API keys and no network. pocketsphinx STT with a
 * language model biased to the business, an intent + knowledge-base reply engine, flite TTS.
 */
import { createAssistEngine, type AssistEngine } from '../assist/assist-engine';
import { createOfflineReplyEngine } from './llm/offline-reply-engine';
import { createPocketsphinxStt } from './stt/pocketsphinx';
import { createFliteTts } from './tts/flite';
import type { Providers } from './types';

export interface OfflineEngines {
  providers: Providers;
  assist: AssistEngine;
}

export async function createOfflineProviders(options: {
  resourcesDir: string;
  cacheDir: string;
  /** The name, or a function reading the current one from Settings (so it applies to new calls). */
  businessName: string | (() => string);
}): Promise<OfflineEngines> {
  const assist = createAssistEngine({ resourcesDir: options.resourcesDir, businessName: options.businessName });
  const stt = await createPocketsphinxStt({ resourcesDir: options.resourcesDir, cacheDir: options.cacheDir });
  return {
    assist,
    providers: {
      stt,
      llm: createOfflineReplyEngine(assist, { businessName: options.businessName }),
      // slt (16 kHz, decimated) is the clearest flite voice on a phone line.
      tts: createFliteTts({ voice: 'slt' }),
    },
  };
}
