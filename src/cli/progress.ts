/**
 * Export progress on stderr: a bar with rows, rate and estimate on a terminal (cli-progress),
 * plain lines at most once a second otherwise (logs, CI, pipes).
 */
import cliProgress from 'cli-progress';

export interface ExportProgress {
  start(total: number): void;
  update(written: number): void;
  /** `written` null: the export did not finish (the bar is just cleared away). */
  stop(written: number | null): void;
}

const PLAIN_EVERY_MS = 1000;

export function exportProgress(stderr: NodeJS.WritableStream & { isTTY?: boolean }): ExportProgress {
  if (stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stderr,
        format: 'export [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    let startedAt = 0;
    return {
      start(total) {
        started = true;
        startedAt = performance.now();
        bar.start(total, 0, { rate: 0 });
      },
      update(written) {
        const seconds = (performance.now() - startedAt) / 1000;
        bar.update(written, { rate: seconds > 0 ? Math.round(written / seconds) : 0 });
      },
      stop(written) {
        if (!started) return;
        if (written !== null) bar.update(written);
        bar.stop();
      },
    };
  }
  let total = 0;
  let lastAt = 0;
  const say = (written: number) => {
    const pct = total > 0 ? ` (${Math.floor((written / total) * 100)} %)` : '';
    stderr.write(`export: ${written} of ${total} rows${pct}\n`);
  };
  return {
    start(n) {
      total = n;
      lastAt = performance.now();
      stderr.write(`export: ${n} rows to write\n`);
    },
    update(written) {
      const now = performance.now();
      if (now - lastAt < PLAIN_EVERY_MS) return;
      lastAt = now;
      say(written);
    },
    stop(written) {
      if (written !== null) say(written);
    },
  };
}
