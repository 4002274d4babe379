/** Plain-text tables for the terminal. Values are sanitised: no control characters reach it. */
import type { Analytics, CallHistoryRow } from '@shared/history';

/** Strips control characters (a stored value must not move the cursor or change colours). */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall time, to the second: 2026-01-15 10:12:03. */
export function localTime(ms: number, withSeconds = true): string {
  const d = new Date(ms);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  return `${date} ${pad2(d.getHours())}:${pad2(d.getMinutes())}${withSeconds ? `:${pad2(d.getSeconds())}` : ''}`;
}

/** 95.25 s -> 1:35; an hour or more -> 1:02:05. */
export function clock(seconds: number | null): string {
  if (seconds === null) return '';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s % 60)}` : `${m}:${pad2(s % 60)}`;
}

const score = (v: number | null) => (v === null ? '' : v.toFixed(2));
const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const all = [header, ...rows].map((r) => r.map(clean));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}

/** The calls as a table; team rows (issue 12) lead with their desk. */
export function callsTable(calls: CallHistoryRow[]): string {
  const withDesk = calls.some((c) => c.desk !== undefined);
  const header = ['STARTED', 'DIRECTION', 'FROM', 'TO', 'DURATION', 'ENDED', 'TAKEN OVER', 'SENTIMENT', 'LINES', 'ALERTS', 'WRAP-UP', 'CALL ID'];
  const rows = calls.map((c) => [
    localTime(c.startedAt),
    c.direction,
    c.from,
    c.to,
    c.durationMs === null ? 'live' : clock(c.durationMs / 1000),
    c.endReason ?? '',
    c.takenOver ? `yes, at ${clock((c.takeoverAtMs ?? 0) / 1000)}` : 'no',
    score(c.callerSentiment),
    String(c.utteranceCount),
    String(c.alertCount),
    c.disposition ?? '',
    c.id,
  ]);
  const numeric = [4, 7, 8, 9];
  if (!withDesk) return table(header, rows, new Set(numeric));
  return table(
    ['DESK', ...header],
    rows.map((row, i) => [calls[i]!.desk ?? '', ...row]),
    new Set(numeric.map((n) => n + 1)),
  );
}

export function statsText(a: Analytics): string {
  const t = a.totals;
  const out: string[] = [];
  const kv = (rows: [string, string][]) => table(['', ''], rows).split('\n').slice(1).join('\n');
  out.push(
    kv([
      ['Calls', `${t.calls} (inbound ${t.inbound}, outbound ${t.outbound})`],
      ['Handle time', t.avgHandleS === null ? '–' : `avg ${clock(t.avgHandleS)}, p90 ${clock(t.p90HandleS)}`],
      ['AI containment', percent(t.containmentRate)],
      ['Take-over rate', `${percent(t.takeoverRate)}${t.avgTimeToTakeoverS === null ? '' : `, after ${clock(t.avgTimeToTakeoverS)} on average`}`],
      ['Abandoned', `${t.abandoned} (${percent(t.abandonmentRate)})`],
      ['Caller sentiment', t.sentimentStartAvg === null ? '–' : `start ${score(t.sentimentStartAvg)}, end ${score(t.sentimentEndAvg)}; negative calls ${percent(t.negativeShare)}`],
      ['Fallbacks, errors', `${t.fallbacks}, ${t.errors}`],
    ]),
  );
  if (a.buckets.length > 0) {
    out.push(`By ${a.groupBy}`);
    out.push(
      table(
        ['START', 'INBOUND', 'OUTBOUND', 'AVG HANDLE', 'P90 HANDLE', 'TAKEN OVER', 'ABANDONED', 'SENTIMENT START', 'SENTIMENT END'],
        a.buckets.map((b) => [
          localTime(b.startAt, false),
          String(b.inbound),
          String(b.outbound),
          clock(b.avgHandleS),
          clock(b.p90HandleS),
          String(b.takenOver),
          String(b.abandoned),
          score(b.sentimentStartAvg),
          score(b.sentimentEndAvg),
        ]),
        new Set([1, 2, 3, 4, 5, 6, 7, 8]),
      ),
    );
  }
  if (a.intents.length > 0) out.push('Top intents', table(['INTENT', 'CALLS'], a.intents.map((i) => [i.intent, String(i.calls)]), new Set([1])));
  // wrap-up (issue 8)
  const dispositions = a.dispositions ?? [];
  if (dispositions.length > 0) out.push('Wrap-up dispositions', table(['DISPOSITION', 'CALLS'], dispositions.map((d) => [d.disposition, String(d.calls)]), new Set([1])));
  if (a.incidents.length > 0) out.push('Incidents', table(['KIND', 'COUNT'], a.incidents.map((i) => [i.kind, String(i.count)]), new Set([1])));
  const ms = (v: number | null) => (v === null ? '' : String(Math.round(v)));
  if (a.latency.some((l) => l.turns > 0)) {
    out.push('Latency (ms)', table(['STAGE', 'TURNS', 'P50', 'P95'], a.latency.map((l) => [l.stage, String(l.turns), ms(l.p50Ms), ms(l.p95Ms)]), new Set([1, 2, 3])));
  }
  return `${out.join('\n')}`;
}
