// Worker threads for code running from the TypeScript sources (vitest, the CLI, benchmarks).
//
// A worker thread cannot run a .ts entry as it is, so the entry is bundled here, once per
// process and entry, with the same tool and settings as the app build (Vite; dependencies stay
// external and are loaded from node_modules), into node_modules/.cache/switchboard/. Tests and
// benchmarks then run the same kind of single-file worker the built app starts (out/main/
// <name>.js), without a module runner inside the thread (which would add ~90 MB and a second
// of start-up to every worker). Only ever loaded from worker-script.ts running as a .ts file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'vite';

const bundled = new Map();

/** Path of the bundled worker for `entry` (an absolute .ts path), built on first use in this process. */
export function buildWorker(entry) {
  let pending = bundled.get(entry);
  if (!pending) {
    pending = bundle(entry).catch((error) => {
      bundled.delete(entry);
      throw error;
    });
    bundled.set(entry, pending);
  }
  return pending;
}

async function bundle(entry) {
  let root = import.meta.dirname;
  while (!existsSync(join(root, 'package.json'))) {
    if (dirname(root) === root) throw new Error('worker bundle: no package.json above src/main/core/workers');
    root = dirname(root);
  }
  const result = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    resolve: { alias: { '@shared': join(root, 'src', 'shared') } },
    build: {
      ssr: entry,
      write: false,
      target: 'node20',
      minify: false,
      sourcemap: false,
      emptyOutDir: false,
      rollupOptions: { output: { format: 'es', codeSplitting: false } },
    },
  });
  const chunk = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output).find((o) => o.type === 'chunk');
  if (!chunk) throw new Error(`worker bundle: ${entry} came out empty`);
  // Named by content, so concurrent processes share one file and a changed source gets a new one.
  const hash = createHash('sha256').update(chunk.code).digest('hex').slice(0, 16);
  const dir = join(root, 'node_modules', '.cache', 'switchboard');
  const file = join(dir, `${basename(entry, '.ts')}-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, chunk.code);
    renameSync(tmp, file);
  }
  return file;
}
