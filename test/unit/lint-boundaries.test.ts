/**
 * Proves the import-boundary lint rules (eslint.config.js, architecture.md house rule 2)
 * fire on violating code and stay quiet on clean code, through ESLint's Node API with the
 * project's real config. The files need not exist: lintText only uses filePath to pick
 * the config blocks that apply.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax', 'boundaries/no-import-into']);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function lint(file: string, code: string): Promise<ESLint.LintResult> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  if (!result) throw new Error(`no lint result for ${file}`);
  return result;
}

/** The boundary rule ids reported, in order. */
async function boundaryHits(file: string, code: string): Promise<string[]> {
  const result = await lint(file, code);
  return result.messages.flatMap((m) => (m.ruleId && BOUNDARY_RULES.has(m.ruleId) ? [m.ruleId] : []));
}

/** Clean snippets must produce no message at all (boundary or otherwise). */
async function expectClean(file: string, code: string): Promise<void> {
  const result = await lint(file, code);
  expect(result.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`)).toEqual([]);
}

describe('electron and electron-store only in the shell and the preload', () => {
  const violations: Array<[file: string, code: string, rule: string]> = [
    ['src/main/core/calls/x.ts', "import { app } from 'electron';\nexport const a = app;\n", 'no-restricted-imports'],
    ['src/main/core/x.ts', "import Store from 'electron-store';\nexport const s = Store;\n", 'no-restricted-imports'],
    ['src/main/core/x.ts', "import type { App } from 'electron';\nexport type A = App;\n", 'no-restricted-imports'],
    ['src/main/serve.ts', "export { app } from 'electron';\n", 'no-restricted-imports'],
    ['src/renderer/src/x.ts', "import { ipcRenderer } from 'electron/renderer';\nexport const i = ipcRenderer;\n", 'no-restricted-imports'],
    ['src/shared/x.ts', "export * from 'electron';\n", 'no-restricted-imports'],
    ['test/unit/x.test.ts', "export const load = () => import('electron');\n", 'no-restricted-syntax'],
    ['test/integration/x.test.ts', "export const load = () => import('electron-store');\n", 'no-restricted-syntax'],
    ['scripts/x.cjs', "const electron = require('electron');\nmodule.exports = electron;\n", 'no-restricted-syntax'],
    ['src/main/core/x.ts', "import electron = require('electron');\nexport const e = electron;\n", 'no-restricted-syntax'],
  ];
  it.each(violations)('%s: %j is refused by %s', async (file, code, rule) => {
    expect(await boundaryHits(file, code)).toContain(rule);
  });

  it("refuses them in the shell's other modules and its entry: Electron comes through the seam", async () => {
    expect(await boundaryHits('src/main/shell/tray.ts', "import { Tray } from 'electron';\nexport const t = Tray;\n")).toContain('no-restricted-imports');
    expect(await boundaryHits('src/main/index.ts', "import { app } from 'electron';\nexport const a = app;\n")).toContain('no-restricted-imports');
  });

  it("allows them in the shell's seam, src/main/shell/electron.ts", async () => {
    await expectClean(
      'src/main/shell/electron.ts',
      "import { app } from 'electron';\nimport Store from 'electron-store';\nexport const a = [app, Store];\n",
    );
  });

  it('allows electron in the preload', async () => {
    await expectClean(
      'src/preload/index.ts',
      "import { contextBridge } from 'electron';\ncontextBridge.exposeInMainWorld('x', {});\n",
    );
  });
});

describe('no Node builtins in shared code, the renderer or the preload', () => {
  const violations: Array<[file: string, code: string, rule: string]> = [
    ['src/shared/x.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n", 'no-restricted-imports'],
    ['src/shared/x.ts', "import path from 'path';\nexport const p = path;\n", 'no-restricted-imports'],
    ['src/shared/x.ts', "import { EventEmitter } from 'events';\nexport const e = EventEmitter;\n", 'no-restricted-imports'],
    ['src/shared/x.ts', "export { spawn } from 'child_process';\n", 'no-restricted-imports'],
    ['src/renderer/src/x.ts', "import fs from 'fs';\nexport const f = fs;\n", 'no-restricted-imports'],
    ['src/renderer/src/x.tsx', "import { join } from 'path/posix';\nexport const j = join;\n", 'no-restricted-imports'],
    ['src/renderer/src/x.ts', "export const load = () => import('node:os');\n", 'no-restricted-syntax'],
    ['src/shared/x.ts', "export const load = () => import('crypto');\n", 'no-restricted-syntax'],
    ['src/preload/index.ts', "import os from 'node:os';\nexport const o = os;\n", 'no-restricted-imports'],
  ];
  it.each(violations)('%s: %j is refused by %s', async (file, code, rule) => {
    expect(await boundaryHits(file, code)).toContain(rule);
  });

  it('allows packages in shared code', async () => {
    await expectClean('src/shared/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n");
  });

  it('allows builtins in the core, scripts and tests', async () => {
    await expectClean('src/main/core/x.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n");
    await expectClean('scripts/x.mjs', "import { spawnSync } from 'node:child_process';\nspawnSync('true');\n");
    await expectClean('test/unit/x.test.ts', "import path from 'node:path';\nexport const p = path.sep;\n");
  });
});

describe('the renderer does not import from src/main', () => {
  const violations: Array<[file: string, code: string]> = [
    ['src/renderer/src/features/calls/x.ts', "import { startCore } from '../../../../main/core/app';\nexport const s = startCore;\n"],
    ['src/renderer/src/x.ts', "import type { Core } from 'src/main/core/core-types';\nexport type C = Core;\n"],
    ['src/renderer/src/x.ts', "export * from '@shared/../main/core/core-types';\n"],
    ['src/renderer/src/x.ts', "export const load = () => import('../../main/serve');\n"],
  ];
  it.each(violations)('%s: %j is refused', async (file, code) => {
    expect(await boundaryHits(file, code)).toContain('boundaries/no-import-into');
  });

  it('allows the renderer its own files named main, and the shared contract', async () => {
    await expectClean(
      'src/renderer/src/x.ts',
      "import * as entry from './main';\nimport { commands } from '@shared/contract';\nexport const x = [entry, commands];\n",
    );
  });

  it('does not apply outside the renderer', async () => {
    await expectClean('src/main/serve.ts', "import type { Core } from './core/core-types';\nexport type C = Core;\n");
  });
});
