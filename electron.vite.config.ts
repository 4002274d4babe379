import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import type { Plugin } from 'vite';
import { META_CSP, META_CSP_PLACEHOLDER } from './src/shared/csp';

const root = import.meta.dirname;
const shared = { '@shared': resolve(root, 'src/shared') };

/**
 * Writes the console's meta-tag CSP (src/shared/csp.ts, the same module the shells take their
 * header policies from) into index.html. The dev server needs inline scripts for React refresh,
 * so there the tag goes and the shell's dev header policy is the one that applies.
 */
function metaCsp(): Plugin {
  const tag = new RegExp(`\\s*<meta http-equiv="Content-Security-Policy" content="${META_CSP_PLACEHOLDER}" />`);
  return {
    name: 'switchboard-meta-csp',
    transformIndexHtml: {
      order: 'pre',
      handler(html, context) {
        if (!tag.test(html)) throw new Error(`index.html must hold <meta http-equiv="Content-Security-Policy" content="${META_CSP_PLACEHOLDER}" />`);
        if (context.server) return html.replace(tag, '');
        return html.replace(META_CSP_PLACEHOLDER, META_CSP);
      },
    },
  };
}

export default defineConfig({
  main: {
    resolve: { alias: shared },
    build: {
      rollupOptions: {
        // index.js is the Electron shell; serve.js the headless shell. Both start the same core.
        // export-worker.js and analytics-worker.js are the core's worker threads (issue 7),
        // found beside the bundle by core/workers/worker-script.ts (from src/, dev-worker.mjs
        // bundles the same entries on first use).
        input: {
          index: resolve(root, 'src/main/index.ts'),
          serve: resolve(root, 'src/main/serve.ts'),
          'export-worker': resolve(root, 'src/main/core/export/worker.ts'),
          'analytics-worker': resolve(root, 'src/main/core/history/analytics-worker.ts'),
          'alerts-backtest-worker': resolve(root, 'src/main/core/alerts/backtest-worker.ts'), // alerts (issue 8)
          'elevenlabs-probe-worker': resolve(root, 'src/main/core/providers/tts/elevenlabs-probe-worker.ts'), // issue 11
          'sync-worker': resolve(root, 'src/main/core/sync/sync-worker.ts'), // team sync (issue 12)
        },
      },
    },
  },
  preload: {
    resolve: { alias: shared },
    build: {
      // A sandboxed preload cannot require() packages, so everything it uses is bundled,
      // and it must be CommonJS.
      externalizeDeps: false,
      rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    resolve: { alias: shared },
    plugins: [react(), tailwindcss(), metaCsp()],
  },
});
