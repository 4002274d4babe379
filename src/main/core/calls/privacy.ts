/**
 * What a call may keep and show of the private things said on it (issue 10), decided once
 * per call from Settings, like its engines: a change applies from the next call on.
 *
 * Every line and event is redacted where the session creates it (call-session.ts): the
 * store, the console, the alerts, the wrap-up, the export and the log all see the masked
 * text. The words as said go only where this allows.
 */
import type { PublicSettings } from '@shared/domain';
import { redactionPolicy, type RedactionPolicy } from '../privacy/redaction';

export interface CallPrivacy {
  /** What is masked (cards, CVVs, SSNs and IBANs always; emails and phone numbers per Settings). */
  policy: RedactionPolicy;
  /** redactionMode 'redacted_and_original': the words as said are stored beside the redacted ones. */
  keepOriginals: boolean;
  /** ...and the console is sent them (Settings → "show originals to the console"). */
  showOriginals: boolean;
  /**
   * The cloud LLM is sent the words as said: only when originals are kept anyway and
   * Settings turned "redact before the cloud LLM" off. The offline engines run in this
   * process, on this machine, so they get the originals whenever the policy keeps them
   * (nothing leaves the machine that is not already stored on it) and the redacted text
   * otherwise (a 'redacted' policy keeps no original anywhere, not even in a prompt).
   */
  cloudLlmSeesOriginals: boolean;
}

export function callPrivacy(
  settings: Pick<PublicSettings, 'redactionMode' | 'redactEmails' | 'redactPhoneNumbers' | 'redactBeforeCloudLlm' | 'showOriginalToConsole'>,
): CallPrivacy {
  const keepOriginals = settings.redactionMode === 'redacted_and_original';
  return {
    policy: redactionPolicy(settings),
    keepOriginals,
    showOriginals: keepOriginals && settings.showOriginalToConsole,
    cloudLlmSeesOriginals: keepOriginals && !settings.redactBeforeCloudLlm,
  };
}

/** Whether the console may read stored originals now (calls.get). */
export function consoleSeesOriginals(settings: Pick<PublicSettings, 'redactionMode' | 'showOriginalToConsole'>): boolean {
  return settings.redactionMode === 'redacted_and_original' && settings.showOriginalToConsole;
}
