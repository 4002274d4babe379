/**
 * Prints (as JSON) a synthetic call store big enough to page through, chart and export for a
 * while: the history benchmark's generator at a smaller size, cached in the temp folder.
 *   node test/support/run-ts.mjs test/e2e/support/volume-store.ts
 */
import { historyStore } from '../../bench/support/history-store';

const store = historyStore({ calls: 8000, lines: 100_000, days: 60, log: (m) => console.error(m) });
console.log(JSON.stringify(store));
