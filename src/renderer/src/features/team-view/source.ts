/**
 * Which database History, Analytics and Export read (issue 12), as the URL says it:
 * `source=team` for the team database, nothing for this desk's own store (the default), so
 * a view and its reload, and a link from one view to another, read the same place.
 */
import type { DataSource } from '@shared/history';

export function parseSource(search: string | URLSearchParams): DataSource {
  const p = typeof search === 'string' ? new URLSearchParams(search) : search;
  return p.get('source') === 'team' ? 'team' : 'desk';
}

/** `query` (a filter's query string) with the source added when it is the team. */
export function withSource(query: string, source: DataSource): string {
  if (source !== 'team') return query;
  const p = new URLSearchParams(query);
  p.set('source', 'team');
  return p.toString();
}
