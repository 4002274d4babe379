/**
 * An AI profile's greeting (issue 15): the profile's words, but never without the AI
 * disclosure, and on a recorded call never without the recording notice.
 */
import { describe, expect, it } from 'vitest';
import { AI_DISCLOSURE, AiProfileFields, composeGreeting, DEFAULT_AI_PROFILE_FIELDS, RECORDING_NOTICE } from '../../../src/shared/ai-profile';
import { buildPersona } from '../../../src/main/core/persona';
import { DEFAULT_SETTINGS } from '../../../src/main/core/config/settings';

const business = 'Brightwave Broadband';

describe('composeGreeting', () => {
  it("the default profile's greetings are today's words, recorded or not, inbound and outbound (and the persona uses them)", () => {
    const inbound = composeGreeting(DEFAULT_AI_PROFILE_FIELDS.inboundGreeting, { business, recorded: true });
    expect(inbound).toBe(`Hello, you're through to ${business}. I'm an automated assistant, and a member of our team can join at any time. This call is recorded. How can I help you today?`);
    expect(composeGreeting(DEFAULT_AI_PROFILE_FIELDS.inboundGreeting, { business, recorded: false })).toBe(inbound.replace(' This call is recorded.', ''));
    const outbound = composeGreeting(DEFAULT_AI_PROFILE_FIELDS.outboundGreeting, { business, recorded: true });
    expect(outbound).toBe(`Hello, this is an automated assistant calling from ${business}. This call is recorded. A member of our team can join at any time.`);
    const settings = { ...DEFAULT_SETTINGS, businessName: business };
    const dial = { purpose: 'a follow-up', script: null } as unknown as Parameters<typeof buildPersona>[1];
    expect(buildPersona(settings, null, { recorded: true }).greeting).toBe(inbound);
    expect(buildPersona(settings, dial, { recorded: true }).greeting).toBe(outbound);
  });

  it('a greeting that hides the AI gets the disclosure after its first sentence, and the recording notice after that', () => {
    expect(composeGreeting('Hi, thanks for calling {business}! How can I help?', { business, recorded: false })).toBe(
      `Hi, thanks for calling ${business}! ${AI_DISCLOSURE} How can I help?`,
    );
    expect(composeGreeting('Hi, thanks for calling {business}! How can I help?', { business, recorded: true })).toBe(
      `Hi, thanks for calling ${business}! ${AI_DISCLOSURE} ${RECORDING_NOTICE} How can I help?`,
    );
    expect(composeGreeting('Hello', { business, recorded: true })).toBe(`Hello ${AI_DISCLOSURE} ${RECORDING_NOTICE}`);
  });

  it('its own disclosure and notice are kept as written, not doubled', () => {
    const own = 'Good morning, I am an AI receptionist for {business}. This conversation may be recorded. What can I do for you?';
    expect(composeGreeting(own, { business, recorded: true })).toBe(own.replace('{business}', business));
  });

  it('"human" words do not count as a disclosure', () => {
    const text = composeGreeting('Hi, this is Sarah from {business}, your account assistant.', { business, recorded: false });
    expect(text).toContain(AI_DISCLOSURE);
  });
});

describe('AI profile fields', () => {
  it('the default is valid, and an empty name or greeting is refused with a reason', () => {
    expect(AiProfileFields.parse(DEFAULT_AI_PROFILE_FIELDS)).toEqual(DEFAULT_AI_PROFILE_FIELDS);
    const bad = AiProfileFields.safeParse({ ...DEFAULT_AI_PROFILE_FIELDS, name: '  ', inboundGreeting: '' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['a profile needs a name', 'a greeting is needed']);
  });
});
