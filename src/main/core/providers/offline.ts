/**
 * The offline engine set: runs with no API keys and no network. pocketsphinx STT with a
 * language model biased to the business, an intent + knowledge-base reply engine, flite TTS.
 *
 * PocketSphinx is a Debian library with a Debian model: builds for macOS, Windows and the
 * AppImage have neither. Without them the engine set still comes up, with a recogniser that
 * says why it cannot run (stt/unavailable.ts); cloud recognisers work as ever.
 */
import { createAssistEngine, type AssistEngine } from '../assist/assist-engine';
import { createOfflineReplyEngine } from './llm/offline-reply-engine';
import { createPocketsphinxStt } from './stt/pocketsphinx';
import { unavailableStt } from './stt/unavailable';
import { createFliteTts } from './tts/flite';
import { withClauseCache } from './tts/clause-cache';
import type { Logger } from '../log';
import type { Providers, SttProvider } from './types';

export interface OfflineEngines {
  providers: Providers;
  assist: AssistEngine;
}

export async function createOfflineProviders(options: {
  resourcesDir: string;
  cacheDir: string;
  /** The name, or a function reading the current one from Settings (so it applies to new calls). */
  businessName: string | (() => string);
  logger?: Logger;
}): Promise<OfflineEngines> {
  const assist = createAssistEngine({ resourcesDir: options.resourcesDir, businessName: options.businessName });
  const stt = await offlineStt(options);
  return {
    assist,
    providers: {
      stt,
      llm: createOfflineReplyEngine(assist, { businessName: options.businessName }),
      // slt (16 kHz, decimated) is the clearest flite voice on a phone line. Clauses every
      // call says (the greeting first) are synthesised once (issue 14: 20 calls at once).
      tts: withClauseCache(createFliteTts({ voice: 'slt' })),
    },
  };
}

async function offlineStt(options: { resourcesDir: string; cacheDir: string; logger?: Logger }): Promise<SttProvider> {
  try {
    return await createPocketsphinxStt({ resourcesDir: options.resourcesDir, cacheDir: options.cacheDir });
  } catch (error) {
    const reason = `Offline speech recognition cannot run on this machine: ${(error as Error).message}. Callers are heard only through a cloud recogniser (Settings → Engines).`;
    options.logger?.warn({ err: error }, 'offline speech recognition unavailable');
    return unavailableStt('pocketsphinx (offline)', reason);
  }
}
