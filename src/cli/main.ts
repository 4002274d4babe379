/**
 * The `switchboard` command: the team lead's desk from a terminal. Lists, exports and
 * summarises stored calls from the call database, opened READ-ONLY, so it works while the
 * app runs (WAL). It shares everything below the API with the console (core/history for the
 * rows and figures, core/export for the files); this file adds argument parsing and
 * progress only. No telephony, no providers.
 *
 *   switchboard export --format csv|jsonl|xlsx [--content calls|lines|both] [filters] --out FILE
 *   switchboard calls  [filters] [--limit N] [--json]
 *   switchboard stats  [filters] [--group-by hour|day|week] [--json]
 *
 * Each reads this desk's store, or with `--source team` the team database every desk syncs
 * into (issue 12; --team-url or SWITCHBOARD_TEAM_DATABASE_URL, --team-tls, --team-ca): the
 * same filters, rows and figures, plus each call's desk.
 *
 * Exit status: 0 done; 1 bad input or a failure (one line on stderr saying why); 130 when
 * an export is interrupted (Ctrl-C; nothing is left behind).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { AnalyticsInput, ExportFormat, type CallFilter } from '@shared/history';
import { CALL_COLUMNS, exportColumns, jsonObject } from '../main/core/export/columns';
import { exportFromDatabase, EXPORT_EXTENSIONS } from '../main/core/export/export-file';
import { describeFsError, ExportCancelled } from '../main/core/export/sink';
import { computeAnalytics } from '../main/core/history/analytics';
import { createHistory } from '../main/core/history/history';
import type { ExportCall } from '../main/core/history/history';
import { openDatabaseReadOnly } from '../main/core/store/db';
import { computeTeamAnalytics } from '../main/core/team/team-analytics';
import { exportFromTeam } from '../main/core/team/team-export';
import { createTeamExportSource, teamSnapshot } from '../main/core/team/team-rows';
import { addFilterOptions, buildFilter, CliError, type FilterOptions } from './filter-options';
import { callsTable, statsText } from './format';
import { exportProgress } from './progress';
import { addTeamOptions, teamConnection, withTeamPool, type TeamOptions } from './team-options';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** Where the app keeps its data unless told otherwise (as the headless shell decides it). */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return env.SWITCHBOARD_DATA_DIR || join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'switchboard');
}

interface Common extends FilterOptions, TeamOptions {
  dataDir?: string;
}

function openHistory(options: Common, io: CliIo) {
  const dbPath = join(resolve(options.dataDir ?? defaultDataDir(io.env)), 'switchboard.db');
  if (!existsSync(dbPath)) throw new CliError(`There is no call database at ${dbPath} (set --data-dir or SWITCHBOARD_DATA_DIR)`);
  try {
    const db = openDatabaseReadOnly(dbPath);
    return { db, dbPath, history: createHistory(db) };
  } catch (error) {
    throw new CliError(`${(error as Error).message} (set --data-dir or SWITCHBOARD_DATA_DIR)`);
  }
}

function common(command: Command): Command {
  return addTeamOptions(addFilterOptions(command.option('--data-dir <dir>', 'the app\'s data folder (default: $SWITCHBOARD_DATA_DIR or ~/.local/share/switchboard)')));
}

/** Runs one command line; resolves with the exit status. Never throws. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('switchboard')
    .description('Switchboard call history from the command line: list, export and summarise stored calls.\nReads the call database read-only, so it works while the app is running.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // One line, whatever commander says ("unknown command 'colls' (Did you mean calls?)").
      outputError: (text, write) => write(`switchboard: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`),
    })
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .addHelpText('after', '\nRun "switchboard <command> --help" for a command\'s options.');

  let status = 0;

  common(
    program
      .command('export')
      .description('write the matching calls (or their transcript lines) to a CSV, JSON Lines or Excel file')
      .addOption(new Option('--format <format>', 'file format (default: from the --out extension)').choices(ExportFormat.options))
      .addOption(new Option('--content <content>', 'calls: a row per call; lines: a row per transcript line; both').choices(['calls', 'lines', 'both']).default('calls'))
      .requiredOption('--out <file>', 'the file to write (replaced only once the export is complete)'),
  ).action(async (options: Common & { format?: ExportFormat; content: 'calls' | 'lines' | 'both'; out: string }) => {
    const format = options.format ?? formatFromExtension(options.out);
    const filter = buildFilter(options);
    const out = resolve(options.out);
    const team = teamConnection(options, io.env);
    checkWritable(out);
    let dbPath = '';
    if (team === null) {
      const opened = openHistory(options, io);
      opened.db.close(); // the export opens its own read-only snapshot
      dbPath = opened.dbPath;
    }
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on('SIGINT', onSigint);
    const progress = exportProgress(io.stderr);
    try {
      const common = {
        request: { filter, format, content: options.content, source: options.source },
        path: out,
        signal: controller.signal,
        onStart: (total: number) => progress.start(total),
        onProgress: (written: number) => progress.update(written),
      };
      const result = team === null ? await exportFromDatabase({ ...common, dbPath }) : await exportFromTeam({ ...common, connection: team });
      progress.stop(result.rowsWritten);
      const what = options.content === 'lines' ? 'lines' : options.content === 'calls' ? 'calls' : 'calls and lines';
      io.stdout.write(`wrote ${result.rowsWritten} ${what} to ${out} (${formatBytes(result.bytes)})\n`);
    } catch (error) {
      progress.stop(null);
      if (error instanceof ExportCancelled) {
        io.stderr.write('switchboard: export interrupted; nothing was written\n');
        status = 130;
        return;
      }
      throw new CliError((error as Error).message);
    } finally {
      process.off('SIGINT', onSigint);
    }
  });

  common(
    program
      .command('calls')
      .description('list the matching calls, newest first')
      .option('--limit <n>', 'at most this many calls', '50')
      .option('--json', 'a JSON array (the export columns) instead of a table'),
  ).action(async (options: Common & { limit: string; json?: boolean }) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit: not a positive whole number: ${JSON.stringify(options.limit)}`);
    const filter = buildFilter(options);
    const team = teamConnection(options, io.env);
    const print = (rows: ExportCall[]) => {
      if (options.json) {
        const toObject = jsonObject(team === null ? CALL_COLUMNS : exportColumns('team').calls);
        io.stdout.write(`${JSON.stringify(rows.map(toObject), null, 2)}\n`);
      } else {
        io.stdout.write(rows.length === 0 ? 'no calls match\n' : callsTable(rows));
      }
    };
    if (team !== null) {
      const rows = await withTeamPool(team, (pool) =>
        teamSnapshot(pool, async (client) => {
          const found: ExportCall[] = [];
          for await (const call of createTeamExportSource(client).iterateCalls(filter)) {
            found.push(call);
            if (found.length >= limit) break; // closes the cursor
          }
          return found;
        }),
      );
      print(rows);
      return;
    }
    const { db, history } = openHistory(options, io);
    try {
      const rows = [];
      for (const call of history.iterateCalls(filter)) {
        rows.push(call);
        if (rows.length >= limit) break; // closes the iterator and its statement
      }
      print(rows);
    } finally {
      db.close();
    }
  });

  common(
    program
      .command('stats')
      .description("the Analytics dashboard's figures for the matching calls")
      .addOption(new Option('--group-by <unit>', 'bucket size').choices(['hour', 'day', 'week']).default('day'))
      .option('--abandon-within <seconds>', 'a caller hang-up within this many seconds counts as abandoned', '10')
      .option('--json', 'the figures as JSON'),
  ).action(async (options: Common & { groupBy: 'hour' | 'day' | 'week'; abandonWithin: string; json?: boolean }) => {
    const filter: CallFilter = buildFilter(options);
    const parsed = AnalyticsInput.safeParse({
      filter,
      groupBy: options.groupBy,
      utcOffsetMin: -new Date().getTimezoneOffset(),
      abandonWithinS: Number(options.abandonWithin),
    });
    if (!parsed.success) throw new CliError(`--abandon-within: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const team = teamConnection(options, io.env);
    if (team !== null) {
      const analytics = await withTeamPool(team, (pool) => computeTeamAnalytics(pool, parsed.data));
      io.stdout.write(options.json ? `${JSON.stringify(analytics, null, 2)}\n` : statsText(analytics));
      return;
    }
    const { db } = openHistory(options, io);
    try {
      const analytics = computeAnalytics(db, parsed.data);
      io.stdout.write(options.json ? `${JSON.stringify(analytics, null, 2)}\n` : statsText(analytics));
    } finally {
      db.close();
    }
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help / --version exit 0; parse errors were already printed (one line) by outputError.
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`switchboard: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

function formatFromExtension(out: string): ExportFormat {
  const ext = extname(out).slice(1).toLowerCase();
  const format = (Object.keys(EXPORT_EXTENSIONS) as ExportFormat[]).find((f) => EXPORT_EXTENSIONS[f] === ext);
  if (!format) throw new CliError(`--format: say csv, jsonl or xlsx (cannot tell from ${JSON.stringify(out)})`);
  return format;
}

/** Fails early (before counting) when --out cannot be written; the export would fail the same way. */
function checkWritable(out: string): void {
  try {
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    const folder = statSync(dirname(out));
    if (!folder.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(dirname(out), constants.W_OK);
  } catch (error) {
    throw new CliError(describeFsError(error, out).message);
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
