/**
 * Campaigns' data: the list (campaigns.list) and one campaign (campaigns.get), both kept live
 * by `campaign.updated`, reloaded when the connection comes back; and the run controls
 * (campaigns.control) with the core's refusal kept for the page to show.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { CampaignSummary } from '@shared/campaign';
import { SwitchboardError } from '@shared/client';
import { client } from '../../lib/client';
import { useConnectEpoch } from '../connection/useConnection';

export interface LoadError {
  message: string;
  code: string;
}

function describe(err: unknown): LoadError {
  if (err instanceof SwitchboardError) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? err.message : 'Something went wrong', code: 'internal' };
}

export interface CampaignsList {
  status: 'loading' | 'ready' | 'error';
  campaigns: CampaignSummary[];
  error: LoadError | null;
  reload(): void;
}

/** Every campaign (and the callbacks queue), live. */
export function useCampaigns(): CampaignsList {
  const epoch = useConnectEpoch();
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<{ status: CampaignsList['status']; byId: ReadonlyMap<string, CampaignSummary>; error: LoadError | null }>({
    status: 'loading',
    byId: new Map(),
    error: null,
  });

  useEffect(() => {
    if (epoch < 0) return;
    let live = true;
    // Subscribed before asking, so no update between the answer and the subscription is lost;
    // updates that arrive before the answer are folded into it.
    const early = new Map<string, CampaignSummary>();
    let answered = false;
    const off = client.on('campaign.updated', (c) => {
      if (!answered) {
        early.set(c.id, c);
        return;
      }
      setState((s) => ({ ...s, byId: new Map(s.byId).set(c.id, c) }));
    });
    client.invoke('campaigns.list').then(
      (list) => {
        if (!live) return;
        answered = true;
        const byId = new Map(list.map((c) => [c.id, c]));
        for (const c of early.values()) {
          const listed = byId.get(c.id);
          if (!listed || c.updatedAt > listed.updatedAt) byId.set(c.id, c);
        }
        setState({ status: 'ready', byId, error: null });
      },
      (err: unknown) => {
        if (!live) return;
        answered = true;
        setState((s) => ({ ...s, status: 'error', error: describe(err) }));
      },
    );
    return () => {
      live = false;
      off();
    };
  }, [epoch, revision]);

  const reload = useCallback(() => setRevision((r) => r + 1), []);
  const campaigns = useMemo(() => [...state.byId.values()], [state.byId]);
  return { status: state.status, campaigns, error: state.error, reload };
}

export interface OneCampaign {
  status: 'loading' | 'ready' | 'error';
  campaign: CampaignSummary | null;
  error: LoadError | null;
  reload(): void;
  /** The core's answer to a control: shown at once, before its event arrives. */
  replace(campaign: CampaignSummary): void;
}

/** One campaign by id, live (the page is keyed by the id, so a new id starts afresh). */
export function useCampaign(campaignId: string): OneCampaign {
  const epoch = useConnectEpoch();
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<{ status: OneCampaign['status']; campaign: CampaignSummary | null; error: LoadError | null }>({
    status: 'loading',
    campaign: null,
    error: null,
  });

  useEffect(() => {
    if (epoch < 0) return;
    let live = true;
    const off = client.on('campaign.updated', (c) => {
      if (c.id === campaignId) setState({ status: 'ready', campaign: c, error: null });
    });
    client.invoke('campaigns.get', { campaignId }).then(
      (c) => {
        // An update that came first is as new as this answer, or newer.
        if (live) setState((s) => (s.campaign && s.campaign.updatedAt > c.updatedAt ? s : { status: 'ready', campaign: c, error: null }));
      },
      (err: unknown) => {
        if (live) setState((s) => ({ ...s, status: s.campaign ? 'ready' : 'error', error: describe(err) }));
      },
    );
    return () => {
      live = false;
      off();
    };
  }, [campaignId, epoch, revision]);

  const reload = useCallback(() => setRevision((r) => r + 1), []);
  const replace = useCallback((c: CampaignSummary) => {
    if (c.id === campaignId) setState({ status: 'ready', campaign: c, error: null });
  }, [campaignId]);
  return { ...state, reload, replace };
}

export type ControlAction = 'start' | 'pause' | 'resume' | 'cancel';

export interface CampaignControl {
  /** The action on its way to the core, if any. */
  busy: ControlAction | null;
  /** The core's refusal of the last action, in its words. */
  problem: { action: ControlAction; message: string } | null;
  run(action: ControlAction): void;
  dismiss(): void;
}

/** start / pause / resume / cancel; the answer goes to `onDone` (the page shows it at once). */
export function useCampaignControl(campaignId: string, onDone: (campaign: CampaignSummary) => void): CampaignControl {
  const [busy, setBusy] = useState<ControlAction | null>(null);
  const [problem, setProblem] = useState<CampaignControl['problem']>(null);

  const run = useCallback(
    (action: ControlAction) => {
      setBusy(action);
      setProblem(null);
      client.invoke('campaigns.control', { campaignId, action }).then(
        (c) => {
          setBusy(null);
          onDone(c);
        },
        (err: unknown) => {
          setBusy(null);
          setProblem({ action, message: describe(err).message });
        },
      );
    },
    [campaignId, onDone],
  );
  const dismiss = useCallback(() => setProblem(null), []);
  return { busy, problem, run, dismiss };
}
