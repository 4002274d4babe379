// Runs the integration and browser suites at the same time (`npm test`'s last step).
//
// Both mostly wait on real-time calls (together ~1.2 of the 2 cores on average), and run one
// after the other they took 214 + 613 s of CI's 900 s budget. The browser suite's output is
// streamed as it comes; the integration suite's is kept and printed whole when it ends, so the
// two never interleave. Exits non-zero if either fails.
//   node scripts/run-parallel.mjs
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(args, { stream }) {
  return new Promise((resolve) => {
    const child = spawn(npm, args, { stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    if (!stream) {
      child.stdout.on('data', (c) => chunks.push(c));
      child.stderr.on('data', (c) => chunks.push(c));
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() }));
  });
}

const started = Date.now();
// Four integration files at once rather than six: the browser suite needs the rest of the CPU.
const integration = run(['run', 'test:integration', '--', '--maxWorkers=4'], { stream: false }).then((result) => {
  result.seconds = (Date.now() - started) / 1000;
  return result;
});
const e2e = await run(['run', 'test:e2e'], { stream: true });
const done = await integration;
process.stdout.write(`\n== integration (ran beside the browser suite, ${done.seconds.toFixed(1)} s) ==\n${done.output}\n`);
if (done.code !== 0) console.error(`run-parallel: the integration suite failed (exit ${done.code})`);
if (e2e.code !== 0) console.error(`run-parallel: the browser suite failed (exit ${e2e.code})`);
process.exit(done.code !== 0 || e2e.code !== 0 ? 1 : 0);
