/**
 * The headless shell (src/main/serve.ts) as its own process, run from source through
 * run-ts.mjs: what `npm start` prints and how it exits, without a build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ServeProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | NodeJS.Signals>;
  /** Waits until stdout+stderr match `pattern` (or the process ends, or `timeoutMs` passes). */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export function startServe(args: string[], env: Record<string, string>): ServeProcess {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'support', 'run-ts.mjs'), join(ROOT, 'src', 'main', 'serve.ts'), ...args], {
    cwd: ROOT,
    // Only what the shell needs: no SWITCHBOARD_* from the developer's environment leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = (out + err).match(pattern);
        if (match) return match;
        if (ended || Date.now() > deadline) throw new Error(`serve did not print ${pattern} (${ended ? 'it exited' : 'timed out'}):\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (!ended) child.kill('SIGTERM');
      await exited;
    },
  };
}
