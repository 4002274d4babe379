/**
 * How the team database's values come back to JavaScript: bigint results (counts, sums of
 * integers) as numbers, like better-sqlite3 gives them on the desk, instead of pg's default
 * strings. Every count here is far below 2^53. Passed per client/pool, never
 * set globally, so nothing else using pg in the process is affected.
 */
import pg from 'pg';

const INT8_OID = 20;

export const TEAM_PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;
