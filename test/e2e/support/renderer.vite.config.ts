/**
 * Dev-only: builds just the renderer (same plugins and alias as electron.vite.config.ts) so the
 * UI can be screenshotted against the fake backend before the main process builds.
 *   npx vite build -c test/e2e/support/renderer.vite.config.ts --outDir /tmp/sb-renderer
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const root = resolve(import.meta.dirname, '../../..');

export default defineConfig({
  root: resolve(root, 'src/renderer'),
  base: './',
  resolve: { alias: { '@shared': resolve(root, 'src/shared') } },
  plugins: [react(), tailwindcss()],
  build: { emptyOutDir: true },
});
