/**
 * A configured cloud key that failed its last connection test, in the words the engine badge
 * and Settings use: "Deepgram key rejected", "Deepgram unreachable". Such a key is kept off
 * new calls by the core (they run offline) until it changes or a test passes.
 */
import { CloudProvider, type EngineInfo, type ProviderCheck, type ProviderChecks } from '@shared/domain';

const VENDOR: Record<CloudProvider, string> = { deepgram: 'Deepgram', gemini: 'Gemini', openai: 'OpenAI', elevenlabs: 'ElevenLabs', smallest: 'Smallest.AI' };

/** "Deepgram key rejected" / "Deepgram unreachable"; null when the check passed, or failed in another way. */
export function keyTrouble(provider: CloudProvider, check: ProviderCheck | null): string | null {
  if (!check || check.ok) return null;
  if (check.problem === 'rejected') return `${VENDOR[provider]} key rejected`;
  if (check.problem === 'unreachable') return `${VENDOR[provider]} unreachable`;
  return null;
}

/** The badge's words where the top bar is narrow (the tooltip says the rest). */
export function shortEngineTrouble(checks: ProviderChecks): string | null {
  const problems = CloudProvider.options.flatMap((p) => (keyTrouble(p, checks[p]) ? [checks[p]!.problem] : []));
  if (problems.length === 0) return null;
  return problems.length > 1 ? 'Keys in trouble' : problems[0] === 'rejected' ? 'Key rejected' : 'Unreachable';
}

/** Every configured key in trouble, joined for the badge; null when none is. */
export function engineTrouble(checks: ProviderChecks): string | null {
  const troubles = CloudProvider.options.flatMap((p) => keyTrouble(p, checks[p]) ?? []);
  return troubles.length > 0 ? troubles.join(', ') : null;
}

/**
 * What the engine badge warns of: configured keys in trouble, else a recogniser that cannot
 * run on this machine (a build without PocketSphinx, issue 13: callers go unheard); null when
 * all is well.
 */
export function badgeTrouble(info: { checks: ProviderChecks; engines: readonly EngineInfo[] }): string | null {
  return engineTrouble(info.checks) ?? (info.engines.some((e) => e.unavailable) ? 'No speech recognition' : null);
}
