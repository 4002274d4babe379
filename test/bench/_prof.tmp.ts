import { exportFromDatabase } from '../../src/main/core/export/export-file';
const fmt = (process.argv[3] ?? 'csv') as 'csv';
const t = performance.now();
const r = await exportFromDatabase({ dbPath: process.argv[2]!, path: `/tmp/prof.${fmt}`, request: { filter: {}, format: fmt, content: 'lines' } });
console.log(r.rowsWritten, Math.round(performance.now() - t), 'ms', Math.round(r.rowsWritten / ((performance.now() - t) / 1000)), 'rows/s');
