/**
 * Keyset cursors: where the previous page stopped, as an opaque base64url string. A cursor
 * carries the sort it was made for, so one handed back with another sort is refused rather
 * than silently skipping or repeating rows.
 */

import { HistoryError } from './history-error';

export interface KeysetCursor {
  /** The last row's sort value (a number for every sort key), or 0 when `nulls`. */
  value: number;
  /** The last row's id: the tie-break. */
  id: string;
  /** The walk is in the rows whose sort value is null. */
  nulls: boolean;
}

export function encodeCursor(signature: string, cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([signature, cursor.value, cursor.id, cursor.nulls ? 1 : 0])).toString('base64url');
}

export function decodeCursor(text: string, signature: string): KeysetCursor {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== 4 ||
    typeof parts[1] !== 'number' ||
    !Number.isFinite(parts[1]) ||
    typeof parts[2] !== 'string' ||
    (parts[3] !== 0 && parts[3] !== 1)
  ) {
    throw new HistoryError('That page position is not valid; start again from the first page.');
  }
  if (parts[0] !== signature) {
    throw new HistoryError('That page position belongs to another sort order; start again from the first page.');
  }
  return { value: parts[1], id: parts[2], nulls: parts[3] === 1 };
}
