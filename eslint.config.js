// @ts-check
/**
 * Lint config (flat, ESM). Fast on purpose: typescript-eslint's recommended rules without
 * type information. Its main job beyond style is to enforce the process boundaries
 * (architecture.md, house rule 2):
 *
 *  - `electron` / `electron-store` only in the Electron shell's seam (src/main/shell/electron.ts,
 *    which the shell imports Electron through, so tests can stub it) and the preload
 *    (src/preload/**). Everything else — the core, tests, scripts — must run under plain
 *    Node, where importing electron tries to download a binary.
 *  - No Node builtins (`node:*`, `fs`, `path`, …) in src/shared/** and src/renderer/**
 *    (they run in the browser), nor in the sandboxed preload.
 *  - src/renderer may not import anything that resolves into src/main.
 *
 * Static imports/re-exports are caught by `no-restricted-imports`; `import()`, `require()`
 * and `import x = require()` by `no-restricted-syntax`; renderer → main by a tiny local
 * rule that resolves the specifier (a path test can't tell `../main/x` from `./main`).
 * test/unit/lint-boundaries.test.ts proves each rule fires.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

// ---------------------------------------------------------------------------------------
// Boundary rules

const ELECTRON_MODULES = ['electron', 'electron-store'];
const ELECTRON_MESSAGE =
  'electron and electron-store are for the Electron shell (through src/main/shell/electron.ts) and the preload only; the core, shared code, renderer, tests and scripts must run without them.';
const BUILTIN_MESSAGE =
  'Node builtins are not available here (shared code and the renderer run in a browser; the preload is sandboxed).';

/** Every builtin name without its `node:` prefix (fs, fs/promises, path, child_process, …). */
const NODE_BUILTINS = [...new Set(builtinModules.filter((name) => !name.startsWith('_')))]
  .map((name) => name.replace(/^node:/, ''))
  .sort();

/** Escapes a module name for a regex inside an esquery selector (which cannot hold a `/`). */
function escapeName(name) {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\//g, '\\u002F');
}

/** A regex literal matching the given (escaped) alternatives and any subpath of them. */
function selectorRegex(alternatives) {
  return `/^(${alternatives.join('|')})(\\u002F.*)?$/`;
}

/**
 * `no-restricted-imports` + `no-restricted-syntax` options for a set of bans. Flat config
 * replaces (does not merge) a rule's options when several blocks match a file, so each
 * block states its complete set.
 */
function boundaryRules({ electron = false, builtins = false }) {
  const paths = [];
  const patterns = [];
  const syntax = [];
  const forbid = (alternatives, message) => {
    const regex = selectorRegex(alternatives);
    syntax.push(
      { selector: `ImportExpression[source.value=${regex}]`, message },
      { selector: `CallExpression[callee.name='require'][arguments.0.value=${regex}]`, message },
      { selector: `TSImportEqualsDeclaration[moduleReference.expression.value=${regex}]`, message },
    );
  };
  if (electron) {
    for (const name of ELECTRON_MODULES) paths.push({ name, message: ELECTRON_MESSAGE });
    patterns.push({ group: ELECTRON_MODULES.map((name) => `${name}/*`), message: ELECTRON_MESSAGE });
    forbid(ELECTRON_MODULES.map(escapeName), ELECTRON_MESSAGE);
  }
  if (builtins) {
    for (const name of NODE_BUILTINS) paths.push({ name, message: BUILTIN_MESSAGE });
    patterns.push({ group: ['node:*'], message: BUILTIN_MESSAGE });
    forbid(['node:.+', ...NODE_BUILTINS.map(escapeName)], BUILTIN_MESSAGE);
  }
  const on = paths.length > 0;
  return {
    'no-restricted-imports': on ? ['error', { paths, patterns }] : 'off',
    'no-restricted-syntax': on ? ['error', ...syntax] : 'off',
  };
}

/** Aliases from tsconfig/electron.vite.config (`@shared/*`), so `@shared/../main` is caught too. */
const ALIASES = { '@shared/': 'src/shared/' };

/** Resolves an import specifier to an absolute path, or null for a package name. */
function resolveSpecifier(fromFile, specifier) {
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    return path.resolve(path.dirname(fromFile), specifier);
  }
  if (path.isAbsolute(specifier)) return path.resolve(specifier);
  for (const [alias, target] of Object.entries(ALIASES)) {
    if (specifier.startsWith(alias)) return path.resolve(root, target, specifier.slice(alias.length));
  }
  // `src/…` as a bare specifier (resolvable when tsconfig has baseUrl ".").
  if (specifier === 'src' || specifier.startsWith('src/')) return path.resolve(root, specifier);
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const noImportInto = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid imports that resolve into the given folders.' },
    schema: [
      {
        type: 'object',
        properties: {
          dirs: { type: 'array', items: { type: 'string' } },
          message: { type: 'string' },
        },
        required: ['dirs'],
        additionalProperties: false,
      },
    ],
    messages: { forbidden: "'{{specifier}}' resolves into {{dir}}/. {{message}}" },
  },
  create(context) {
    const { dirs, message = '' } = context.options[0] ?? { dirs: [] };
    const targets = dirs.map((dir) => ({ dir, abs: path.resolve(root, dir) }));
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const resolved = resolveSpecifier(context.filename, source.value);
      if (!resolved) return;
      const hit = targets.find(({ abs }) => resolved === abs || resolved.startsWith(abs + path.sep));
      if (hit) {
        context.report({ node, messageId: 'forbidden', data: { specifier: source.value, dir: hit.dir, message } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, node.arguments[0]);
      },
      /** @param {any} node TSImportEqualsDeclaration (typescript-eslint AST) */
      TSImportEqualsDeclaration: (node) => {
        if (node.moduleReference.type === 'TSExternalModuleReference') check(node, node.moduleReference.expression);
      },
    };
  },
};

const boundaries = { rules: { 'no-import-into': noImportInto } };

// ---------------------------------------------------------------------------------------

const ALL = ['**/*.{js,mjs,cjs,ts,mts,cts,tsx,jsx}'];

export default defineConfig(
  globalIgnores([
    'out/',
    'dist/',
    'node_modules/',
    'test-results/',
    'playwright-report/',
    'native/*/build/',
    '.cache/',
  ]),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ALL,
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // Globals: Node for the core, scripts, tests and configs; browser for what runs in a page.
  {
    files: ALL,
    ignores: ['src/renderer/**', 'src/shared/**', 'src/preload/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  // Renderer: browser globals and the rules of hooks.
  {
    files: ['src/renderer/**/*.{ts,tsx,js,jsx}'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/shared/**'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
  },
  {
    files: ['src/preload/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },

  // Boundaries. Later blocks win for the files they match, so each states every ban it needs.
  { files: ALL, plugins: { boundaries }, rules: boundaryRules({ electron: true }) },
  { files: ['src/main/shell/electron.ts'], rules: boundaryRules({}) },
  { files: ['src/preload/**'], rules: boundaryRules({ builtins: true }) },
  { files: ['src/shared/**'], rules: boundaryRules({ electron: true, builtins: true }) },
  {
    files: ['src/renderer/**'],
    rules: {
      ...boundaryRules({ electron: true, builtins: true }),
      'boundaries/no-import-into': [
        'error',
        {
          dirs: ['src/main'],
          message: 'The renderer reaches the core only through the contract (src/shared) and its client.',
        },
      ],
    },
  },
);
