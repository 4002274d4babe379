import type { Migration } from './migration';
import { migration001Initial } from './001-initial';
import { migration002TurnMetrics } from './002-turn-metrics';
import { migration003History } from './003-history';
import { migration004Recordings } from './004-recordings';
import { migration005AgentDesk } from './005-agent-desk';
import { migration006AlertEvents } from './006-alert-events';
import { migration007RedactionOriginals } from './007-redaction-originals';
import { migration008SyncOutbox } from './008-sync-outbox';
import { migration009ProfilesCampaigns } from './009-profiles-campaigns';

export type { Migration } from './migration';
export { SWITCHBOARD_APPLICATION_ID } from './001-initial';

/** Every migration, in order. Versions are 1, 2, 3, ... with no gaps (checked by a test). */
export const MIGRATIONS: readonly Migration[] = [
  migration001Initial,
  migration002TurnMetrics,
  migration003History,
  migration004Recordings, // recordings (issue 7)
  migration005AgentDesk, // facts and wrap-ups (issue 8)
  migration006AlertEvents, // alert_count counts 'alert' events (issue 8)
  migration007RedactionOriginals, // originals beside redacted lines and events (issue 10)
  migration008SyncOutbox, // team sync outbox (issue 12)
  migration009ProfilesCampaigns, // AI profiles and campaigns (issue 15)
];

/** The schema version this build writes; a file with a higher PRAGMA user_version is refused. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;
