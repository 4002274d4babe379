/**
 * Turns what a person typed into a safe FTS5 query: every whitespace-separated word becomes a
 * quoted phrase (so `"`, `*`, `-`, `OR`, `NEAR(` and column filters are plain text, never
 * syntax errors or operators), and all words must match. Returns null when nothing searchable
 * is left. Porter stemming in the index makes "charge" match "charged".
 */
export function toFtsQuery(input: string): string | null {
  const terms = input
    .split(/\s+/u)
    // Words with no letters or digits tokenize to nothing; as phrases they would match nothing.
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .map((term) => `"${term.replaceAll('"', '""')}"`);
  return terms.length === 0 ? null : terms.join(' ');
}
