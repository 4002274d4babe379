/**
 * The agent's softphone (a @twilio/voice-sdk Device in the renderer): the token the core
 * mints for it, and the names the core's take-over TwiML and the renderer agree on.
 *
 * Take-over TwiML (core) rings the agent's Device with the call it is taking over:
 *
 *   <Dial><Client>
 *     <Identity>{identity from softphone.token}</Identity>
 *     <Parameter name="callSid" value="CA…the caller's CallSid…"/>
 *     <Parameter name="purpose" value="takeover"/>
 *   </Client></Dial>
 *
 * The Device sees both as `call.customParameters`; it answers by itself when `callSid` is a
 * live call this console has taken over (controller 'agent').
 */
import { z } from 'zod';

/** `<Parameter name=…>` names on the `<Dial><Client>` that rings the agent. */
export const SOFTPHONE_PARAM = {
  /** The CallSid of the caller's call being taken over (CallSummary.callSid). */
  callSid: 'callSid',
  /** Why the agent's phone rings; see SOFTPHONE_PURPOSE. */
  purpose: 'purpose',
} as const;

/** Values of the `purpose` parameter. */
export const SOFTPHONE_PURPOSE = { takeover: 'takeover' } as const;

/** Twilio client identities: letters, digits and underscores keep every SDK and TwiML happy. */
export const SOFTPHONE_IDENTITY_PATTERN = /^[A-Za-z0-9_]{1,121}$/;

/**
 * What `softphone.token` answers. The token is a credential for the agent's own browser:
 * it may reach the renderer (that is its purpose) but is never logged.
 */
export const SoftphoneToken = z.object({
  /** Twilio Voice access token (a JWT). */
  token: z.string().min(1),
  /** The client identity Twilio rings: `<Dial><Client><Identity>` must use it. */
  identity: z.string().regex(SOFTPHONE_IDENTITY_PATTERN),
  /** Epoch ms after which Twilio refuses the token. */
  expiresAt: z.number().int(),
});
export type SoftphoneToken = z.infer<typeof SoftphoneToken>;
