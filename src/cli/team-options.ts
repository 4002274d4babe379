/**
 * `--source team` (issue 12): the commands read the team's PostgreSQL database instead of
 * this desk's store. The URL comes from --team-url or SWITCHBOARD_TEAM_DATABASE_URL (the
 * same variable the app reads; better than the option, which other users can see in the
 * process list), TLS as Settings → Team sync names it. The URL is never printed: failures
 * are said in plain words with only "host:port".
 */
import { Option, type Command } from 'commander';
import type pg from 'pg';
import { TeamDatabaseConfigError, openTeamPool, parseTeamUrl, type TeamConnection, type TeamTlsMode } from '../main/core/sync/team-database';
import { describeTeamReadError, isTeamDatabaseError } from '../main/core/team/team-errors';
import { CliError } from './filter-options';

export const TEAM_URL_ENV = 'SWITCHBOARD_TEAM_DATABASE_URL';

export interface TeamOptions {
  source: 'desk' | 'team';
  teamUrl?: string;
  teamTls: TeamTlsMode;
  teamCa?: string;
}

export function addTeamOptions(command: Command): Command {
  return command
    .addOption(new Option('--source <source>', "desk: this desk's call database; team: the team database every desk syncs into").choices(['desk', 'team']).default('desk'))
    .option('--team-url <url>', `the team database, postgres://user:password@host:5432/database (default: $${TEAM_URL_ENV}, which keeps the password out of the process list)`)
    .addOption(new Option('--team-tls <mode>', 'require: encrypted; verify-full: encrypted, certificate checked against --team-ca; disable: plain (this machine or a trusted network only)').choices(['require', 'verify-full', 'disable']).default('require'))
    .option('--team-ca <file>', 'the CA certificate (PEM) that signed the server’s certificate, for --team-tls verify-full');
}

/** The connection `--source team` asks for, checked; null for `--source desk`. */
export function teamConnection(options: TeamOptions, env: NodeJS.ProcessEnv): TeamConnection | null {
  if (options.source !== 'team') {
    if (options.teamUrl !== undefined || options.teamCa !== undefined) throw new CliError('--team-url and --team-ca are for --source team');
    return null;
  }
  const url = options.teamUrl ?? env[TEAM_URL_ENV]?.trim();
  if (!url) throw new CliError(`--source team needs the team database: set ${TEAM_URL_ENV} or pass --team-url`);
  if (options.teamTls === 'verify-full' && options.teamCa === undefined) throw new CliError('--team-tls verify-full needs --team-ca FILE');
  try {
    parseTeamUrl(url);
  } catch (error) {
    throw new CliError(`--team-url: ${(error as Error).message}`);
  }
  return { url, tls: options.teamTls, caFile: options.teamCa ?? null };
}

/** A team database failure as one line for the terminal; anything else as it is. */
export function teamCliError(error: unknown, connection: TeamConnection): unknown {
  if (error instanceof TeamDatabaseConfigError || isTeamDatabaseError(error)) return new CliError(describeTeamReadError(error, connection.url));
  return error;
}

/** Runs `read` with a pool on the team database, closed afterwards. */
export async function withTeamPool<T>(connection: TeamConnection, read: (pool: pg.Pool) => Promise<T>): Promise<T> {
  let pool: pg.Pool;
  try {
    pool = openTeamPool(connection);
  } catch (error) {
    throw teamCliError(error, connection);
  }
  try {
    return await read(pool);
  } catch (error) {
    throw teamCliError(error, connection);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
