#!/usr/bin/env node
// The `switchboard` command (package.json "bin"; `npm run cli -- <args>` in a clone).
//
// It runs the TypeScript sources directly (src/cli/bin.ts), with the transforms and `@shared`
// alias vitest uses, through Vite's module runner, as test/support/run-ts.mjs does for tests
// and benchmarks: so it works from a fresh clone after `npm ci`, with no build step, and can
// never run stale built code. Vite is a dev dependency, which every clone installs.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runnerImport } from 'vite';

let root = import.meta.dirname;
while (!existsSync(join(root, 'package.json'))) {
  if (dirname(root) === root) {
    console.error('switchboard: cannot find the Switchboard folder (no package.json above src/cli)');
    process.exit(1);
  }
  root = dirname(root);
}
await runnerImport(join(root, 'src', 'cli', 'bin.ts'), {
  configFile: false,
  root,
  logLevel: 'error',
  resolve: { alias: { '@shared': join(root, 'src', 'shared') } },
});
