/**
 * The alert chimes, next to the page in sounds/ (Vite copies public/ into the build as-is, so
 * they load the same over http:// and file://; no request leaves the machine). Generated as
 * 22.05 kHz 16-bit mono WAVs: alert.wav a soft two-note chime (E5 then A5 with an octave
 * overtone, 0.5 s); alert-critical.wav three quick B5 beeps (0.55 s), so the two differ by ear.
 */
import type { AlertSeverity } from '@shared/domain';

export function alertSoundUrl(severity: AlertSeverity, base: string = document.baseURI): string {
  return new URL(severity === 'critical' ? 'sounds/alert-critical.wav' : 'sounds/alert.wav', base).href;
}

/** Plays the chime; a browser that refuses (no user gesture yet, no audio device) stays quiet: the badge and banner still show. */
export function playAlertSound(severity: AlertSeverity): void {
  try {
    const audio = new Audio(alertSoundUrl(severity));
    audio.volume = 0.8;
    void audio.play().catch(() => undefined);
  } catch {
    // No Audio in this environment.
  }
}
