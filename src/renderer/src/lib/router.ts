/**
 * The console's one router: every view and selected call is a URL in the hash, query string
 * included (`#/history?range=7d&q=refund`), so it works the same under Electron's file:// and
 * the headless console, survives a reload and can be shared. wouter's own hash hook puts the
 * query in `location.search` (outside the hash); this one keeps it inside.
 */
import { useSyncExternalStore } from 'react';
import type { BaseLocationHook } from 'wouter';

export interface NavigateOptions {
  replace?: boolean;
  state?: unknown;
}

function subscribe(callback: () => void): () => void {
  addEventListener('hashchange', callback);
  addEventListener('popstate', callback);
  return () => {
    removeEventListener('hashchange', callback);
    removeEventListener('popstate', callback);
  };
}

/** The hash without its leading `#` and `/`, split at the first `?`. */
function hashParts(): [path: string, search: string] {
  const raw = location.hash.replace(/^#?\/?/, '');
  const q = raw.indexOf('?');
  return q < 0 ? [`/${raw}`, ''] : [`/${raw.slice(0, q)}`, raw.slice(q + 1)];
}


/** Goes to `to` ("/history?range=today"); a no-op when already there. */
export function navigate(to: string, options: NavigateOptions = {}): void {
  const target = `#${to.startsWith('/') ? to : `/${to}`}`;
  if (location.hash === target || (location.hash === '' && target === '#/')) return;
  const oldURL = location.href;
  history[options.replace ? 'replaceState' : 'pushState'](options.state ?? null, '', target);
  dispatchEvent(new HashChangeEvent('hashchange', { oldURL, newURL: location.href }));
}

function useHashPath(): [string, typeof navigate] {
  return [useSyncExternalStore(subscribe, currentPath), navigate];
}

function useHashSearch(): string {
  return useSyncExternalStore(subscribe, currentSearch);
}

/** wouter location hook: [path, navigate], with the query string read by its `searchHook`. */
export const useHashRoute: BaseLocationHook = Object.assign(useHashPath, {
  searchHook: useHashSearch,
  hrefs: (href: string) => `#${href}`,
});

/** `#/path?query` for an <a href>. */
export function hrefFor(path: string, search?: URLSearchParams | string): string {
  const query = typeof search === 'string' ? search : search?.toString();
  return `#${path}${query ? `?${query}` : ''}`;
}

/** The route's path with its query, for building links back to it. */
export function pathWithSearch(path: string, search: string): string {
  return search ? `${path}?${search}` : path;
}

/** Where each view lives. */
export const routes = {
  live: (callId?: string | null) => (callId ? `/live/${encodeURIComponent(callId)}` : '/'),
  history: (search = '') => pathWithSearch('/history', search),
  call: (callId: string, at?: { line?: string; from?: 'search' }) => {
    const q = new URLSearchParams();
    if (at?.line) q.set('line', at.line);
    if (at?.from) q.set('from', at.from);
    return pathWithSearch(`/calls/${encodeURIComponent(callId)}`, q.toString());
  },
  analytics: (search = '') => pathWithSearch('/analytics', search),
  campaigns: (search = '') => pathWithSearch('/campaigns', search),
  newCampaign: () => '/campaigns/new',
  campaign: (campaignId: string, search = '') => pathWithSearch(`/campaigns/${encodeURIComponent(campaignId)}`, search),
} as const;

/** The query string inside the hash right now (for updates that must not use a stale copy). */
export function currentSearch(): string {
  return hashParts()[1];
}

/** The path inside the hash right now. */
export function currentPath(): string {
  return hashParts()[0];
}
