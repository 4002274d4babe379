/** The engine badge's words for a configured key that failed its last check (provider faults, issue 10). */
import { describe, expect, it } from 'vitest';
import type { CallEvent, ProviderCheck, ProviderChecks } from '../../src/shared/domain';
import { eventLabel } from '../../src/renderer/src/features/call-view/timeline';
import { engineTrouble, keyTrouble, shortEngineTrouble } from '../../src/renderer/src/features/topbar/engine-trouble';

const check = (ok: boolean, problem: ProviderCheck['problem']): ProviderCheck => ({ ok, latencyMs: ok ? 40 : null, message: '…', problem, checkedAt: 0 });
/** The last checks of Deepgram and Gemini as given; the other vendors' keys unchecked. */
const checks = (given: Pick<ProviderChecks, 'deepgram' | 'gemini'> & Partial<ProviderChecks>): ProviderChecks => ({ openai: null, elevenlabs: null, smallest: null, ...given });

describe('engine trouble in words', () => {
  it('names a rejected key and an unreachable vendor; a passed, unknown or other failure is no trouble', () => {
    expect(keyTrouble('deepgram', check(false, 'rejected'))).toBe('Deepgram key rejected');
    expect(keyTrouble('gemini', check(false, 'unreachable'))).toBe('Gemini unreachable');
    expect(keyTrouble('deepgram', check(true, null))).toBeNull();
    expect(keyTrouble('deepgram', check(false, 'failed'))).toBeNull();
    expect(keyTrouble('deepgram', null)).toBeNull();
  });

  it('joins every provider in trouble for the badge', () => {
    expect(engineTrouble(checks({ deepgram: check(false, 'rejected'), gemini: check(false, 'unreachable') }))).toBe('Deepgram key rejected, Gemini unreachable');
    expect(engineTrouble(checks({ deepgram: check(true, null), gemini: null }))).toBeNull();
    expect(engineTrouble(checks({ deepgram: null, gemini: null, openai: check(false, 'rejected'), smallest: check(false, 'unreachable') }))).toBe(
      'OpenAI key rejected, Smallest.AI unreachable',
    );
  });
});

describe('fallback events on the call timeline', () => {
  const event = (data: Record<string, unknown>): CallEvent => ({ id: 'e1', callId: 'c1', type: 'fallback', atMs: 1000, data });

  it('says the recogniser failed mid-call, or was left off from the start, with the reason in plain words', () => {
    expect(eventLabel(event({ role: 'stt', standIn: 'pocketsphinx (offline)', reason: 'Could not reach Deepgram at deepgram.invalid (ENOTFOUND).', partial: false }))).toBe(
      "Deepgram speech-to-text failed — offline engine is listening: Could not reach Deepgram at deepgram.invalid: the address wasn't found (is this computer online?).",
    );
    expect(eventLabel(event({ role: 'stt', standIn: 'pocketsphinx (offline)', reason: 'Deepgram: the API key was refused (HTTP 401).', partial: false, atStart: true }))).toBe(
      'Deepgram speech-to-text not used on this call — offline engine is listening: Deepgram: the API key was refused (HTTP 401).',
    );
  });

  it('names the vendor that failed as its reason does (OpenAI, ElevenLabs, Smallest.AI), and Gemini/Deepgram when it does not say', () => {
    const reason = 'OpenAI unavailable after 2 attempts: HTTP 500';
    expect(eventLabel(event({ role: 'llm', standIn: 'intent + knowledge base (offline)', reason, partial: false }))).toBe(`OpenAI failed — offline engine answered: ${reason}`);
    expect(eventLabel(event({ role: 'tts', standIn: 'flite slt (offline)', reason: 'ElevenLabs: the connection was lost mid-clause.', partial: false }))).toBe(
      'ElevenLabs voice failed — offline voice is speaking: ElevenLabs: the connection was lost mid-clause.',
    );
    expect(eventLabel(event({ role: 'tts', standIn: 'flite slt (offline)', reason: 'Smallest.AI: the API key was refused (HTTP 401).', partial: false, atStart: true }))).toBe(
      'Smallest.AI voice not used on this call — offline voice is speaking: Smallest.AI: the API key was refused (HTTP 401).',
    );
    expect(eventLabel(event({ role: 'llm', standIn: 'intent + knowledge base (offline)', reason: 'no reply within 1600 ms', partial: false }))).toBe(
      'Gemini failed — offline engine answered: no reply within 1600 ms',
    );
  });
});

describe('the narrow badge', () => {
  it('says the trouble in short', () => {
    expect(shortEngineTrouble(checks({ deepgram: check(false, 'rejected'), gemini: null }))).toBe('Key rejected');
    expect(shortEngineTrouble(checks({ deepgram: null, gemini: check(false, 'unreachable') }))).toBe('Unreachable');
    expect(shortEngineTrouble(checks({ deepgram: check(false, 'rejected'), gemini: check(false, 'unreachable') }))).toBe('Keys in trouble');
    expect(shortEngineTrouble(checks({ deepgram: check(true, null), gemini: null }))).toBeNull();
  });
});
