// Runs one TypeScript file under plain Node, with the transforms and `@shared` alias vitest
// uses (Vite's module runner; vite is already a dev dependency, no tsx/ts-node needed).
// Used where a test needs a *separate process* running the real TypeScript code (the store's
// crash test kills one with SIGKILL) and for benchmark scripts.
//   node test/support/run-ts.mjs <file.ts> [args...]   -> the file sees process.argv[2..] = args
import { resolve } from 'node:path';
import { runnerImport } from 'vite';

const root = resolve(import.meta.dirname, '../..');
const [script, ...args] = process.argv.slice(2);
if (script === undefined) {
  console.error('usage: node test/support/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const file = resolve(script);
process.argv = [process.argv[0] ?? process.execPath, file, ...args];
await runnerImport(file, {
  configFile: false,
  root,
  logLevel: 'error',
  resolve: { alias: { '@shared': resolve(root, 'src/shared') } },
});
