/**
 * Settles with `promise`, or rejects the moment `signal` aborts: an SDK call or socket read
 * may be slow to notice cancellation, and a barge-in cannot wait for it. `abortError` makes
 * the rejection for an abort (default: the signal's reason).
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  abortError: (signal: AbortSignal) => unknown = (s) => s.reason,
): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
