/**
 * An export from the team database (issue 12): the desk's writers (export/export-file.ts)
 * over the team's rows, streamed through SQL cursors from one read-only snapshot, with the
 * desk column. Runs where exportFromDatabase runs: in the export worker thread for the
 * console (on its own connection, made from the connection handed in its workerData), in the
 * CLI's own process.
 */
import pg from 'pg';
import { HistoryError } from '../history/history-error';
import { writeExport, type ExportResult, type WriteExportOptions } from '../export/export-file';
import { ExportCancelled, ExportError } from '../export/sink';
import { pgConfig, type TeamConnection } from '../sync/team-database';
import { describeTeamReadError, isTeamDatabaseError } from './team-errors';
import { createTeamExportSource } from './team-rows';

export interface ExportFromTeamOptions extends Omit<WriteExportOptions, 'source'> {
  /** The team database (its URL is a secret: it never appears in an error or a log). */
  connection: TeamConnection;
}

/** The team database's failures as the export's error: 'unavailable', in plain words. */
function asExportError(error: unknown, url: string): unknown {
  if (error instanceof ExportCancelled || error instanceof HistoryError) return error;
  const cause = error instanceof ExportError ? error.cause : error;
  if (isTeamDatabaseError(cause)) return new ExportError(describeTeamReadError(cause, url), 'unavailable', { cause });
  return error;
}

export async function exportFromTeam(options: ExportFromTeamOptions): Promise<ExportResult> {
  const { connection, ...rest } = options;
  let client: pg.Client;
  try {
    client = new pg.Client(pgConfig(connection));
    // A connection the server drops mid-export fails the query in hand; the event must not crash the thread.
    client.on('error', () => undefined);
    await client.connect();
  } catch (error) {
    throw asExportError(error, connection.url);
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await writeExport({ ...rest, request: { ...rest.request, source: 'team' }, source: createTeamExportSource(client) });
  } catch (error) {
    throw asExportError(error, connection.url);
  } finally {
    await client.end().catch(() => undefined);
  }
}
