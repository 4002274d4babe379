/**
 * Local sound files for the Twilio Device. Without them the SDK downloads 15 files from
 * sdk.twilio.com when a Device is constructed; the console makes no request it does not need.
 *
 * @twilio/voice-sdk ships no sound files in its package, so these are generated: 8 kHz 16-bit
 * mono PCM WAVs in src/renderer/public/sounds/ (Vite copies public/ into the build as-is):
 * real DTMF tone pairs (120 ms, -12 dBFS) for keypad feedback, a double ring (400+450 Hz,
 * looped by the SDK while a call rings), a short 480+620 Hz disconnect tone, and 100 ms of
 * silence for `outgoing` (the console never places calls that need a ringback).
 */

/** The SDK's sound names (Device.SoundName values). */
export const SOUND_NAMES = [
  'incoming',
  'outgoing',
  'disconnect',
  'dtmf0',
  'dtmf1',
  'dtmf2',
  'dtmf3',
  'dtmf4',
  'dtmf5',
  'dtmf6',
  'dtmf7',
  'dtmf8',
  'dtmf9',
  'dtmfs',
  'dtmfh',
] as const;
export type SoundName = (typeof SOUND_NAMES)[number];

/** Absolute URLs of the bundled sounds, next to the page (works for http:// and file://). */
export function localSounds(base: string = document.baseURI): Record<SoundName, string> {
  return Object.fromEntries(SOUND_NAMES.map((name) => [name, new URL(`sounds/${name}.wav`, base).href])) as Record<
    SoundName,
    string
  >;
}
