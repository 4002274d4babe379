/**
 * Moves a live Twilio call between the AI's media stream and the agent's softphone, with
 * the REST API: a take-over redirects the call to `<Dial><Client>`; hold to hold music and
 * back; a hand-back to a fresh `<Connect><Stream>` (or `<ConversationRelay>` for a relay
 * call); ending completes the call. A relay call's take-over ends its relay session instead,
 * and Twilio's action callback gets `agentTwiml` (call-session.ts).
 */
import twilio from 'twilio';
import { SOFTPHONE_PARAM, SOFTPHONE_PURPOSE } from '@shared/softphone';
import type { RelaySpeech } from '@shared/telephony';
import type { CallControl } from '../calls/ports';
import type { AdmittedCall, CallRegistry } from './call-registry';
import type { TwilioRestClient } from './twilio-client';
import { relayTwiml, streamTwiml } from './twilio-webhooks';

/** Twilio's own hold music (Twilio fetches it, not us). */
export const HOLD_MUSIC_URL = 'http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3';

export interface TwilioCallControlOptions {
  call: AdmittedCall;
  registry: CallRegistry;
  /** A REST client for the current settings (throws a clear `unavailable` error if unconfigured). */
  client(): TwilioRestClient;
  /** The public https origin Twilio reaches us on. */
  origin(): string | null;
  /** Turns a REST failure into an error the agent can read. */
  describe(error: unknown, what: string): Error;
  /**
   * Whether Twilio records the agent's leg (the bridge hears nothing while the call is on the
   * softphone), and where it reports the recording; null: not recorded. Asked at each
   * redirect to the softphone: a resume after hold is a new <Dial>, so a new recording.
   */
  agentRecording?(): { statusCallback: string } | null;
  /** The call runs on ConversationRelay (its number uses it): the speech settings; null for Media Streams. */
  relaySpeech?(): RelaySpeech | null;
}

export function createTwilioCallControl(o: TwilioCallControlOptions): CallControl {
  const update = async (params: { twiml?: string; status?: 'completed' }, what: string) => {
    try {
      await o.client().calls(o.call.callSid).update(params);
    } catch (error) {
      throw o.describe(error, what);
    }
  };
  /** `<Dial><Client>`: the caller put through to the agent's softphone. */
  const agentTwiml = (identity: string): string => {
    const response = new twilio.twiml.VoiceResponse();
    const recording = o.agentRecording?.() ?? null;
    // Dual channel: the parent call (the caller) and the softphone on separate channels,
    // which Twilio's guides give as caller first (left), agent second, like our line
    // recordings ([?] in protocols-2.md: not confirmed for <Dial>). Recording starts when the
    // softphone answers; `absent` tells us when there was nothing to record.
    const client = (
      recording
        ? response.dial({
            record: 'record-from-answer-dual',
            recordingStatusCallback: recording.statusCallback,
            recordingStatusCallbackMethod: 'POST',
            recordingStatusCallbackEvent: ['completed', 'absent'],
          })
        : response.dial()
    ).client();
    client.identity(identity);
    client.parameter({ name: SOFTPHONE_PARAM.callSid, value: o.call.callSid });
    client.parameter({ name: SOFTPHONE_PARAM.purpose, value: SOFTPHONE_PURPOSE.takeover });
    return response.toString();
  };
  return {
    kind: 'twilio',
    async redirectToAgent(identity) {
      await update({ twiml: agentTwiml(identity) }, 'put the caller through to your softphone');
    },
    agentTwiml,
    async returnToAi() {
      const origin = o.origin();
      if (!origin) throw new Error('the public base URL is not set, so Twilio cannot reach the AI');
      // The hand-back mints its own token: the voice webhook's was single use and is spent.
      const token = o.registry.issueForHandBack(o.call);
      // A ConversationRelay call comes back on a new relay session; the AI speaks first
      // (it says who the caller is with now), so no welcome greeting.
      const speech = o.relaySpeech?.() ?? null;
      const twiml = speech ? relayTwiml(origin, o.call, token, { speech, greeting: null }) : streamTwiml(origin, o.call, token);
      await update({ twiml }, 'hand the caller back to the AI');
    },
    async hangUp() {
      await update({ status: 'completed' }, 'end the call');
    },
    async hold() {
      // Redirecting the caller ends the <Dial> to the agent; resuming rings the softphone
      // again (it answers by itself: the console still has the call taken over).
      const response = new twilio.twiml.VoiceResponse();
      response.say('Please hold. Someone will be right with you.');
      response.play({ loop: 0 }, HOLD_MUSIC_URL);
      await update({ twiml: response.toString() }, 'put the caller on hold');
    },
  };
}
