/** The native addon's JS surface: bad arguments are JS errors, never crashes. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DICT_FILE, DEFAULT_HMM_DIR, DEFAULT_LM_FILE, loadPocketsphinxAddon } from '../../src/main/core/providers/stt/pocketsphinx-addon';

const { Decoder } = loadPocketsphinxAddon();
const paths = { hmm: DEFAULT_HMM_DIR, dict: DEFAULT_DICT_FILE, lm: DEFAULT_LM_FILE };

describe('pocketsphinx addon', () => {
  it('rejects bad constructor arguments with JS errors', () => {
    const construct = Decoder as unknown as (...args: unknown[]) => unknown;
    const New = Decoder as unknown as new (...args: unknown[]) => unknown;
    expect(() => construct({})).toThrow(/called with new/);
    expect(() => new New()).toThrow(TypeError);
    expect(() => new New('hmm')).toThrow(TypeError);
    expect(() => new New({ hmm: 1, dict: 'd', lm: 'l' })).toThrow(/options.hmm must be a string/);
    expect(() => new New({ ...paths, options: 'fast' })).toThrow(TypeError);
    expect(() => new New({ ...paths, options: { lw: 3 } })).toThrow(/start with '-'/);
    expect(() => new New({ ...paths, options: { '-lw': {} } })).toThrow(TypeError);
    expect(() => new New({ ...paths, options: { '-no_such_flag': 1 } })).toThrow(/invalid PocketSphinx option/);
    expect(() => new New({ hmm: '/nonexistent', dict: '/nonexistent', lm: '/nonexistent' })).toThrow(/could not load the model/);
  });

  it('rejects bad method arguments and use after free', () => {
    const d = new Decoder({ ...paths, options: { '-vad_postspeech': 40 } });
    const raw = d.processRaw as unknown as (x: unknown) => number;
    expect(() => raw.call(d, new Int16Array(160))).toThrow(/outside an utterance/);
    d.startUtt();
    expect(() => raw.call(d, [1, 2, 3])).toThrow(TypeError);
    expect(() => raw.call(d, new Float32Array(4))).toThrow(TypeError);
    expect(() => raw.call(d, undefined)).toThrow(TypeError);
    expect(d.processRaw(new Int16Array(3200))).toBeGreaterThanOrEqual(0);
    expect(d.inSpeech()).toBe(false);
    expect(() => d.endUtt()).not.toThrow();
    expect(() => d.endUtt()).toThrow(/outside an utterance/);
    expect(() => (d.startUtt as () => void).call({})).toThrow(TypeError);
    d.free();
    d.free(); // idempotent
    expect(() => d.startUtt()).toThrow(/freed/);
    expect(() => d.hypothesis()).toThrow(/freed/);
  });
});
