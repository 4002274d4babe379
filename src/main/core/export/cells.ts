/**
 * How one value becomes a cell: the few rules every export format shares.
 */

/** Formula injection (one rule for the core's exports and the console's chart CSVs). */
export { safeText } from '@shared/spreadsheet';

/**
 * ISO 8601 with milliseconds and this machine's UTC offset at that instant (DST-aware),
 * e.g. `2026-11-30T09:12:03.120+01:00`. Team leads read local times; the offset keeps the
 * instant unambiguous. Sub-millisecond parts are dropped, as Date does.
 */
export const isoLocal: (epochMs: number) => string = createIsoFormatter();

/**
 * An isoLocal with its own caches, for a hot column (exports format two times per line):
 * the offset is looked up once per quarter hour of time (today's offsets and their changes
 * all fall on quarter hours, also in zones such as +05:45 or Newfoundland's -03:30), the
 * date-hour-minute text once per minute, and an instant equal to the previous one (a call's
 * start on each of its lines) is answered from the last result.
 */
export function createIsoFormatter(): (epochMs: number) => string {
  let offsetQuarter = Number.NaN;
  let offsetMs = 0;
  let offsetText = '';
  let prefixMinute = Number.NaN;
  let prefix = '';
  let lastMs = Number.NaN;
  let lastIso = '';
  return (epochMs) => {
    const ms = Math.floor(epochMs);
    if (ms === lastMs) return lastIso;
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    if (quarter !== offsetQuarter) {
      offsetQuarter = quarter;
      const offsetMin = -new Date(ms).getTimezoneOffset();
      const abs = Math.abs(offsetMin);
      offsetMs = offsetMin * 60_000;
      offsetText = `${offsetMin < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
      prefixMinute = Number.NaN; // the same instant may now be another local minute
    }
    const local = ms + offsetMs;
    const minute = Math.floor(local / 60_000);
    if (minute !== prefixMinute) {
      prefixMinute = minute;
      prefix = new Date(minute * 60_000).toISOString().slice(0, 17); // "YYYY-MM-DDTHH:MM:" (local wall time)
    }
    const inMinute = local - minute * 60_000;
    const sec = Math.floor(inMinute / 1000);
    const milli = inMinute - sec * 1000;
    lastMs = ms;
    lastIso = `${prefix}${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}${offsetText}`;
    return lastIso;
  };
}

const QUARTER_HOUR_MS = 900_000;

/** ms -> seconds, to the millisecond (no float noise such as 3.2000000000000001). */
export function msToSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
