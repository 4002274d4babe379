/**
 * What each synced table sends to the team database: the columns read from the desk's SQLite
 * row and their PostgreSQL types. One list, used by the outbox drain, the backfill and the
 * tests that compare the two databases. Redaction originals (utterances.original_text,
 * call_events.original_data) are absent on purpose: only redacted data leaves the desk.
 */
export type PgType = 'text' | 'integer' | 'double precision' | 'boolean' | 'jsonb';

export interface TeamColumn {
  name: string;
  type: PgType;
}

export interface TeamTable {
  table: 'calls' | 'utterances' | 'call_events' | 'turn_metrics' | 'call_facts' | 'wrap_ups';
  /** The row's identity in both databases (a UUID or the call's id). */
  key: string;
  columns: readonly TeamColumn[];
}

const t = (name: string, type: PgType = 'text'): TeamColumn => ({ name, type });

/** In the order a batch writes them (a call before its lines, though nothing depends on it). */
export const TEAM_TABLES: readonly TeamTable[] = [
  {
    table: 'calls',
    key: 'id',
    columns: [
      t('id'),
      t('call_sid'),
      t('direction'),
      t('from_number'),
      t('to_number'),
      t('status'),
      t('controller'),
      t('started_at', 'double precision'),
      t('ended_at', 'double precision'),
      t('scenario'),
      t('end_reason'),
      t('intent'),
      t('caller_sentiment_avg', 'double precision'),
      t('caller_sentiment_first', 'double precision'),
      t('caller_sentiment_last', 'double precision'),
      t('taken_over_at_ms', 'double precision'),
      t('alert_count', 'integer'),
    ],
  },
  {
    table: 'utterances',
    key: 'id',
    columns: [
      t('id'),
      t('call_id'),
      t('seq', 'integer'),
      t('speaker'),
      t('text'),
      t('start_ms', 'double precision'),
      t('end_ms', 'double precision'),
      t('sentiment_score', 'double precision'),
      t('sentiment_label'),
      t('interrupted', 'boolean'),
      t('intent'),
      t('redacted_kinds'),
    ],
  },
  {
    table: 'call_events',
    key: 'id',
    columns: [t('id'), t('call_id'), t('seq', 'integer'), t('type'), t('at_ms', 'double precision'), t('data', 'jsonb')],
  },
  {
    table: 'turn_metrics',
    key: 'turn_id',
    columns: [
      t('turn_id'),
      t('call_id'),
      t('seq', 'integer'),
      t('speech_end_at_ms', 'double precision'),
      t('stt_final_at_ms', 'double precision'),
      t('llm_first_token_at_ms', 'double precision'),
      t('tts_first_byte_at_ms', 'double precision'),
      t('first_audio_at_ms', 'double precision'),
      t('stt_label'),
      t('llm_label'),
      t('tts_label'),
    ],
  },
  {
    table: 'call_facts',
    key: 'id',
    columns: [t('id'), t('call_id'), t('seq', 'integer'), t('key'), t('value'), t('at_ms', 'double precision')],
  },
  {
    table: 'wrap_ups',
    key: 'call_id',
    columns: [
      t('call_id'),
      t('disposition'),
      t('resolution'),
      t('summary', 'jsonb'),
      t('notes'),
      t('source'),
      t('proposed_disposition'),
      t('started_at', 'double precision'),
      t('saved_at', 'double precision'),
      t('wrap_up_ms', 'double precision'),
    ],
  },
];

export const TEAM_TABLE: Record<TeamTable['table'], TeamTable> = Object.fromEntries(TEAM_TABLES.map((table) => [table.table, table])) as Record<
  TeamTable['table'],
  TeamTable
>;

/**
 * SQLite's value as PostgreSQL's parameter: booleans are 0/1 in SQLite; JSON stays text (cast
 * to jsonb in SQL). PostgreSQL cannot store the NUL character in text or jsonb, which SQLite
 * can: it is dropped (it never carries meaning in a transcript), rather than blocking the sync.
 */
export function pgValue(column: TeamColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.type === 'boolean') return value === 1 || value === true;
  if (typeof value !== 'string') return value;
  // In JSON text the character is the escape \u0000; in plain text, the character itself.
  return column.type === 'jsonb' ? value.replaceAll('\\u0000', '') : value.replaceAll('\u0000', '');
}
