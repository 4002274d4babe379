/**
 * The core on a machine without PocketSphinx (issue 13): the macOS, Windows and AppImage
 * builds ship neither Debian's library nor its model. The core starts, says in app.info and
 * providers.get why offline speech recognition cannot run, a call on it goes on without
 * transcription (its record says why), and a cloud recogniser hears the caller as ever.
 * SWITCHBOARD_POCKETSPHINX_ADDON points at an addon that is not there, as on those builds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN_VAD } from '../fakes/deepgram-fake';
import { textReply } from '../fakes/gemini-fake';
import { startCloudCore } from '../support/cloud-core';
import { dialCaller, startHarness } from '../support/core-harness';
import { until } from '../support/raw-twilio';

const dir = mkdtempSync(join(tmpdir(), 'no-pocketsphinx-'));
const missingAddon = join(dir, 'resources', 'pocketsphinx.node');
const saved = process.env['SWITCHBOARD_POCKETSPHINX_ADDON'];
beforeAll(() => {
  process.env['SWITCHBOARD_POCKETSPHINX_ADDON'] = missingAddon;
});
afterAll(() => {
  if (saved === undefined) delete process.env['SWITCHBOARD_POCKETSPHINX_ADDON'];
  else process.env['SWITCHBOARD_POCKETSPHINX_ADDON'] = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('the core without PocketSphinx (a macOS, Windows or AppImage build)', () => {
  it('starts on the offline engines, says why callers are not transcribed, and a call goes on without it', async () => {
    const harness = await startHarness(mkdtempSync(join(dir, 'offline-')));
    try {
      const info = await harness.call('app.info');
      const stt = info.engines.find((e) => e.role === 'stt')!;
      expect(stt.offline).toBe(true);
      expect(stt.unavailable).toMatch(/^Offline speech recognition cannot run on this machine: PocketSphinx addon not built \(.*pocketsphinx\.node missing\)/);
      expect(stt.unavailable).toContain('Settings → Engines');
      expect(info.engines.filter((e) => e.unavailable)).toHaveLength(1);
      expect((await harness.call('providers.get')).engines.find((e) => e.role === 'stt')?.unavailable).toBe(stt.unavailable);

      const { caller, callId, events } = await dialCaller(harness, 'I was charged twice.', 60_000);
      // The AI still greets the caller (flite needs no PocketSphinx) ...
      await until(() => harness.finals(callId).some((l) => l.speaker === 'ai'), 15_000, 'the greeting');
      // ... and the call's record says why nothing the caller says appears.
      await until(() => events().some((e) => e.type === 'error'), 5000, 'the recogniser error');
      expect(events().find((e) => e.type === 'error')?.data).toMatchObject({ stage: 'stt', message: stt.unavailable });
      expect(harness.latest(callId)?.status).toBe('active');
      const taken = await harness.call('call.takeOver', { callId });
      expect(taken.controller).toBe('agent');
      caller.hangUp();
      await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
    } finally {
      await harness.core.close();
    }
  });

  it('a cloud recogniser hears the caller; the badge has nothing to say about the offline one', async () => {
    const cloud = await startCloudCore(({ deepgram, gemini }) => {
      deepgram.listenVad = { ...DEFAULT_LISTEN_VAD, transcript: () => 'I was charged twice.' };
      gemini.auto = textReply('I can help with that.');
    });
    try {
      const { harness } = cloud;
      const info = await harness.call('app.info');
      expect(info.engines.find((e) => e.role === 'stt')).toMatchObject({ offline: false });
      expect(info.engines.some((e) => e.unavailable)).toBe(false);
      const { caller, callId } = await dialCaller(harness, 'I was charged twice.', 60_000);
      await until(() => harness.finals(callId).some((l) => l.speaker === 'caller' && l.text === 'I was charged twice.'), 20_000, 'the caller heard');
      await until(() => harness.finals(callId).some((l) => l.speaker === 'ai' && l.text === 'I can help with that.'), 15_000, 'the reply');
      caller.hangUp();
      await until(() => harness.latest(callId)?.status === 'ended', 5000, 'the call to end');
    } finally {
      await cloud.close();
    }
  });
});
