import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

export default defineConfig({
  resolve: { alias: { '@shared': resolve(root, 'src/shared') } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Calls run in real time and mostly wait (CI measured the whole project at ~0.3 cores
          // one file at a time), so two files at once halve the wall time without starving
          // either; more would let the STT-heavy files contend on 2 cores.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
