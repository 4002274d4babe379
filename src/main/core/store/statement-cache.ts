import type { Database, Statement } from 'better-sqlite3';

/**
 * Prepares each SQL text once. Filters build their SQL from a handful of fixed fragments, so a
 * reader sees a few dozen shapes at most; the bound keeps a pathological caller from growing it
 * without limit (the oldest shape goes first).
 */
export function createStatementCache(db: Database, maxSize = 256): (sql: string) => Statement {
  const statements = new Map<string, Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      if (statements.size >= maxSize) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
    }
    return statement;
  };
}
