/** A filter, search or cursor the user (or a stale URL) got wrong; the message is for a person. */
export class HistoryError extends Error {
  override readonly name = 'HistoryError';
  /** The dispatcher answers it as a bad request. */
  readonly code = 'bad_request';
}
