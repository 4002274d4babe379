/** Team sync (issue 12): what the console knows about this desk's sync to the team's PostgreSQL. */
import { z } from 'zod';

/** libpq's names: require = encrypted; verify-full = encrypted and the certificate checked against a CA; disable = plain (local/trusted network only). */
export const TeamTlsMode = z.enum(['require', 'verify-full', 'disable']);
export type TeamTlsMode = z.infer<typeof TeamTlsMode>;

export const SyncState = z.enum(['off', 'connecting', 'connected', 'offline']);
export type SyncState = z.infer<typeof SyncState>;

export const SyncStatus = z.object({
  /** A team database URL is set (Settings or SWITCHBOARD_TEAM_DATABASE_URL). */
  configured: z.boolean(),
  /** Where the URL comes from; null when none is set. */
  urlSource: z.enum(['environment', 'file', 'keychain']).nullable(),
  /** "host:port/database" — never the user or password. */
  server: z.string().nullable(),
  deskName: z.string(),
  tls: TeamTlsMode,
  caFile: z.string(),
  state: SyncState,
  /** Rows and changes waiting to be sent. */
  backlog: z.number().int().nonnegative(),
  /** The rows stored before sync was set up are still being sent. */
  backfilling: z.boolean(),
  lastSyncedAt: z.number().nullable(),
  /** The last failure, in plain words; null while things work. */
  lastError: z.string().nullable(),
  /** When the next attempt is due, while the server is unreachable. */
  retryAt: z.number().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const SyncTestResult = z.object({
  ok: z.boolean(),
  message: z.string(),
  latencyMs: z.number().nullable(),
  checkedAt: z.number(),
});
export type SyncTestResult = z.infer<typeof SyncTestResult>;
