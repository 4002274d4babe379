import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CallSummary, Utterance } from '@shared/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallStore } from '../../../src/main/core/store/call-store';
import { openDatabase } from '../../../src/main/core/store/db';
import { crashLine } from './fixtures/crash-lines';
import { makeTempDir } from './helpers';

const RUN_TS = resolve(import.meta.dirname, '../../support/run-ts.mjs');
const WRITER = resolve(import.meta.dirname, 'fixtures/crash-writer.ts');

interface KilledRun {
  reported: string[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Complete lines of the report file (a line is only counted once its newline is there). */
function readReport(reportFile: string): string[] {
  if (!existsSync(reportFile)) return [];
  const lines = readFileSync(reportFile, 'utf8').split('\n');
  lines.pop();
  return lines;
}

/** Runs the writer in a separate Node process and SIGKILLs it once `killAfter` lines are reported. */
function runWriterUntilKilled(file: string, callId: string, killAfter: number): Promise<KilledRun> {
  const reportFile = `${file}.${callId}.report`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [RUN_TS, WRITER, file, callId, reportFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const poll = setInterval(() => {
      if (!child.killed && readReport(reportFile).length >= killAfter) child.kill('SIGKILL');
    }, 5);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not reach ${killAfter} lines in time; stderr: ${stderr}`));
    }, 25_000);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      // Read only after the process is gone: the report is then complete.
      resolvePromise({ reported: readReport(reportFile), signal, stderr });
    });
  });
}

describe('crash safety', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('keeps every line a SIGKILLed writer reported as committed, across repeated crashes', { timeout: 90_000 }, async () => {
    const file = join(dir, 'calls.db');
    const rounds = [
      { callId: 'crash-a', killAfter: 150 },
      { callId: 'crash-b', killAfter: 1500 },
      { callId: 'crash-c', killAfter: 5000 },
    ];

    for (const { callId, killAfter } of rounds) {
      const run = await runWriterUntilKilled(file, callId, killAfter);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      expect(run.reported.length).toBeGreaterThanOrEqual(killAfter);

      // What a restarting app does: open (recovers the WAL), then close calls the crash left live.
      const db = openDatabase(file);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        db.exec(`INSERT INTO utterances_fts (utterances_fts, rank) VALUES ('integrity-check', 1)`);
        const store = createCallStore(db);
        expect(store.markInterruptedCallsEnded(Date.now())).toEqual([callId]);

        const record = store.getCall(callId);
        const stored = record?.utterances ?? [];
        const storedIds = new Set(stored.map((u) => u.id));
        const lost = run.reported.filter((id) => !storedIds.has(id));
        expect(lost, 'lines reported as committed but missing after the crash').toEqual([]);

        // Nothing torn or reordered: exactly lines 1..n, each as written (n may exceed what was reported).
        expect(stored.length).toBeGreaterThanOrEqual(run.reported.length);
        stored.forEach((u, index) => expect(Utterance.parse(u)).toEqual(crashLine(callId, index + 1)));
        expect(CallSummary.parse(record?.call)).toMatchObject({
          status: 'ended',
          endReason: 'interrupted',
          utteranceCount: stored.length,
        });
        expect(store.searchUtterances(`end ${stored.length}`).some((h) => h.utterance.callId === callId)).toBe(true);
      } finally {
        db.close();
      }
    }
  });
});
