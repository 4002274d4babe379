/**
 * A campaign's leads (campaigns.leads), keyset-paged by lead id, optionally in one state. The
 * first page loads when the campaign or the filter changes (or the connection comes back);
 * `loadMore` follows nextCursor. While the campaign runs its leads change: `refresh` reads
 * the rows already on screen again (from the start up to where the loaded pages end), so
 * states and outcomes update in place without losing the scroll position. Past
 * REFRESH_MAX_ROWS loaded rows that would be too much to re-read on every change: the table
 * says the rows changed and offers a reload instead.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CampaignLead, LeadState } from '@shared/campaign';
import { SwitchboardError } from '@shared/client';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';
import { reportError } from '../toasts/store';

export const LEADS_PAGE = 100;
/** Pages read by a refresh (the command's largest). */
const REFRESH_PAGE = 500;
/** A refresh re-reads at most this many rows; beyond, the table offers a reload. */
export const REFRESH_MAX_ROWS = 1000;

export interface CampaignLeads {
  items: CampaignLead[];
  status: 'loading' | 'ready' | 'error';
  error: { message: string; code: string } | null;
  hasMore: boolean;
  loadingMore: boolean;
  /** The leads changed since they were read and there are too many loaded to re-read silently. */
  stale: boolean;
  loadMore(): void;
  /** Re-reads the loaded rows in place (or marks them stale past REFRESH_MAX_ROWS). */
  refresh(): void;
  /** Starts again from the first page. */
  reload(): void;
}

interface State {
  key: string;
  items: CampaignLead[];
  nextCursor: number | null;
  status: CampaignLeads['status'];
  error: CampaignLeads['error'];
  loadingMore: boolean;
  stale: boolean;
}

function describe(err: unknown): { message: string; code: string } {
  if (err instanceof SwitchboardError) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? err.message : 'Something went wrong', code: 'internal' };
}

function page(campaignId: string, state: LeadState | null, after: number, limit: number) {
  return client.invoke('campaigns.leads', { campaignId, after, limit, ...(state ? { state } : {}) });
}

/** Re-reads at most this often while the campaign changes (its events come a few times a second). */
const REFRESH_EVERY_MS = 1500;

/**
 * `changeKey`: what the rows depend on (the campaign's state and counts); when it changes the
 * loaded rows are re-read, at most every REFRESH_EVERY_MS.
 */
export function useCampaignLeads(campaignId: string, state: LeadState | null, changeKey: string | null): CampaignLeads {
  const epoch = useConnectEpoch();
  const [revision, setRevision] = useState(0);
  const key = `${revision}:${campaignId}:${state ?? ''}`;
  const [s, setS] = useState<State>({ key: '', items: [], nextCursor: null, status: 'loading', error: null, loadingMore: false, stale: false });
  const generation = useRef(0);
  const busy = useRef(false);
  /** A refresh asked for while another read was running: run it after. */
  const refreshPending = useRef(false);
  const latest = useRef(s);
  useEffect(() => {
    latest.current = s;
  });
  const refreshRef = useRef<() => Promise<void>>(async () => {});
  /** A read of generation `gen` is over: a refresh that waited for it runs now. */
  const settle = useCallback((gen: number) => {
    if (gen !== generation.current) return;
    busy.current = false;
    if (refreshPending.current) {
      refreshPending.current = false;
      // After React has the read's rows (the refresh starts from what is loaded).
      setTimeout(() => void refreshRef.current(), 0);
    }
  }, []);

  useEffect(() => {
    const gen = ++generation.current;
    busy.current = false;
    refreshPending.current = false;
    if (epoch < 0) return;
    busy.current = true;
    page(campaignId, state, 0, LEADS_PAGE)
      .then(
        (p) => gen === generation.current && setS({ key, items: p.leads, nextCursor: p.nextCursor, status: 'ready', error: null, loadingMore: false, stale: false }),
        (err: unknown) => gen === generation.current && setS({ key, items: [], nextCursor: null, status: 'error', error: describe(err), loadingMore: false, stale: false }),
      )
      .finally(() => settle(gen));
  }, [campaignId, state, key, epoch, settle]);

  const refreshNow = useCallback(async (): Promise<void> => {
    const gen = generation.current;
    const loaded = latest.current;
    if (loaded.status !== 'ready') return;
    if (loaded.items.length > REFRESH_MAX_ROWS) {
      setS((cur) => (cur.stale ? cur : { ...cur, stale: true }));
      return;
    }
    busy.current = true;
    try {
      // Read from the start up to where the loaded pages end (or to the end when all are loaded).
      const until = loaded.nextCursor;
      const items: CampaignLead[] = [];
      let cursor = 0;
      let next: number | null = null;
      for (;;) {
        const p = await page(campaignId, state, cursor, REFRESH_PAGE);
        if (gen !== generation.current) return;
        items.push(...p.leads);
        next = p.nextCursor;
        if (next === null || (until !== null && next >= until)) break;
        cursor = next;
      }
      setS((cur) => ({ ...cur, items, nextCursor: next }));
    } catch {
      // A failed refresh leaves the rows as they were; the next change tries again.
    } finally {
      settle(gen);
    }
  }, [campaignId, state, settle]);

  const refresh = useCallback(() => {
    if (busy.current) {
      refreshPending.current = true;
      return;
    }
    void refreshNow();
  }, [refreshNow]);

  useEffect(() => {
    refreshRef.current = refreshNow;
  });

  const loadMore = useCallback(() => {
    const cursor = latest.current.nextCursor;
    if (cursor === null || busy.current) return;
    const gen = generation.current;
    busy.current = true;
    setS((cur) => ({ ...cur, loadingMore: true }));
    page(campaignId, state, cursor, LEADS_PAGE)
      .then(
        (p) => {
          if (gen !== generation.current) return;
          setS((cur) => ({ ...cur, items: [...cur.items, ...p.leads], nextCursor: p.nextCursor, loadingMore: false }));
        },
        (err: unknown) => {
          if (gen !== generation.current) return;
          setS((cur) => ({ ...cur, loadingMore: false }));
          reportError("Couldn't load more leads", err);
        },
      )
      .finally(() => settle(gen));
  }, [campaignId, state, settle]);

  // Throttled (not debounced: a campaign that changes every second still refreshes).
  const seenChange = useRef(changeKey);
  const lastRefreshAt = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latestChange = useRef(changeKey);
  useEffect(() => {
    latestChange.current = changeKey;
    if (changeKey === null) return;
    if (seenChange.current === null) seenChange.current = changeKey; // the first answer: the first page is as new
    if (changeKey === seenChange.current || timer.current !== null) return;
    timer.current = setTimeout(
      () => {
        timer.current = null;
        lastRefreshAt.current = Date.now();
        // Changes while this waited are covered by this read: it starts after them.
        seenChange.current = latestChange.current;
        refresh();
      },
      Math.max(0, lastRefreshAt.current + REFRESH_EVERY_MS - Date.now()),
    );
  }, [changeKey, refresh]);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const reload = useCallback(() => setRevision((r) => r + 1), []);
  const current = s.key === key;
  return {
    // While a new filter loads, the previous rows stay (dimmed by the table), no flash of empty.
    items: s.items,
    status: current ? s.status : 'loading',
    error: current ? s.error : null,
    hasMore: current && s.nextCursor !== null,
    loadingMore: s.loadingMore,
    stale: current && s.stale,
    loadMore,
    refresh,
    reload,
  };
}
