/**
 * The source a view reads (URL `source`), and whether the switch is offered: only once Team
 * sync is set up. A `source=team` link on a desk without Team sync reads the desk.
 */
import { useCallback } from 'react';
import type { DataSource } from '@shared/history';
import { parseSource } from './source';
import { useTeamSync } from './useTeamSync';

export interface SourceState {
  source: DataSource;
  /** Team sync is set up: show the switch. */
  teamAvailable: boolean;
  /** This desk's name in the team view, when known. */
  deskName: string | null;
  setSource(source: DataSource): void;
}

export function useSource(search: string, setParams: (params: Record<string, string | null>) => void): SourceState {
  const { configured, deskName } = useTeamSync();
  const requested = parseSource(search);
  // While the first status is on its way, a team URL stays a team URL (no flash of desk rows).
  const source: DataSource = requested === 'team' && configured !== false ? 'team' : 'desk';
  const setSource = useCallback((next: DataSource) => setParams({ source: next === 'team' ? 'team' : null }), [setParams]);
  return { source, teamAvailable: configured === true, deskName, setSource };
}
