/** What the AI on the call is told about itself, built from the settings for each call. */
import type { PublicSettings } from '@shared/domain';
import { composeGreeting, DEFAULT_AI_PROFILE_FIELDS } from '@shared/ai-profile';
import type { DialIntent } from './telephony/call-registry';
import { softphoneIdentity } from './telephony/softphone-token';

export interface Persona {
  systemPrompt: string;
  greeting: string;
  silenceRepromptMs: number;
  /** Who a real call is put through to on take-over (the agent's softphone). */
  agentIdentity: string;
  /** How the AI behaves while the agent steers it (pause) and while a caller waits for a person. */
  steering: Pick<PublicSettings, 'pauseHoldLineMs' | 'waitCompanyMs' | 'waitOfferMs'>;
  /** Turn-taking: how the caller's voice pauses the AI, and how long the words have to confirm it. */
  bargeIn: BargeInSettings;
}

export interface BargeInSettings {
  vadMode: 0 | 1 | 2 | 3;
  minVoicedMs: number;
  resumeWindowMs: number;
}

export interface PersonaOptions {
  /**
   * The call is being recorded (Settings → Recording): the greeting says so before anything
   * else is said, and the AI answers truthfully if asked.
   */
  recorded?: boolean;
}

/** `dial`: the brief of an outbound call the console placed (its purpose and script). */
export function buildPersona(settings: PublicSettings, dial: DialIntent | null = null, options: PersonaOptions = {}): Persona {
  const business = settings.businessName;
  const recorded = options.recorded === true;
  const rules = [
    'Speak in short, natural sentences (one to three per reply, no lists, no markdown), because everything you write is read aloud.',
    'You are an automated assistant: never claim to be human. If the caller asks for a person, or is upset and not getting anywhere, call transfer_to_agent with a short reason.',
    'Use lookup_knowledge for policies, prices and procedures; never invent account details.',
    'When the caller is finished and has said goodbye, say a brief goodbye and call end_call.',
    'Lines in square brackets starting "Supervisor" come from the human agent watching this call: the caller never heard them. Follow them on your next reply and never read them aloud or mention them.',
    'Keypad input appears as "(keypad: …)". Never read a number the caller keyed in back in full; at most its last four digits.',
    ...(recorded ? ['This call is being recorded, and the caller was told so; if they ask, say it is.'] : []),
  ];
  const steering = { pauseHoldLineMs: settings.pauseHoldLineMs, waitCompanyMs: settings.waitCompanyMs, waitOfferMs: settings.waitOfferMs };
  const bargeIn: BargeInSettings = {
    vadMode: settings.bargeInVadMode as BargeInSettings['vadMode'],
    minVoicedMs: settings.bargeInMinVoicedMs,
    resumeWindowMs: settings.bargeInResumeWindowMs,
  };
  if (dial) {
    return {
      silenceRepromptMs: settings.silenceRepromptMs,
      steering,
      bargeIn,
      agentIdentity: softphoneIdentity(settings.agentName),
      greeting: composeGreeting(DEFAULT_AI_PROFILE_FIELDS.outboundGreeting, { business, recorded }),
      systemPrompt: [
        `You are the phone assistant for ${business}, and you placed this call.`,
        `Why you are calling: ${dial.purpose}`,
        ...(dial.script ? [`Follow this script where it fits: ${dial.script}`] : []),
        ...rules,
      ].join('\n'),
    };
  }
  return {
    silenceRepromptMs: settings.silenceRepromptMs,
    steering,
    bargeIn,
    agentIdentity: softphoneIdentity(settings.agentName),
    greeting: composeGreeting(DEFAULT_AI_PROFILE_FIELDS.inboundGreeting, { business, recorded }),
    systemPrompt: [`You are the phone assistant for ${business}. You are speaking to a caller on a phone line.`, ...rules].join('\n'),
  };
}
