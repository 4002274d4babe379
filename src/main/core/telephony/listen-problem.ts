/**
 * Why the public server (Twilio's webhooks and /media) could not listen on its port, in
 * words the Settings dialog and the start-up output show as they are. The port is the one
 * the user's tunnel points at, so the console never quietly moves elsewhere: it says what
 * is wrong and how to fix it.
 */
export function describeListenFailure(port: number, error: unknown): string {
  const why = listenFailureReason(port, error);
  return (
    `Not listening for Twilio: ${why}, so real calls can't reach this console. ` +
    `Stop that program and restart Switchboard, or choose another local port in Settings → Telephony (and point your tunnel at it).`
  );
}

/** Why listening on `port` failed, in a few words: "port 4781 is in use by another program". */
export function listenFailureReason(port: number, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EADDRINUSE'
    ? `port ${port} is in use by another program`
    : code === 'EACCES'
      ? `port ${port} needs administrator rights (ports below 1024 do)`
      : `port ${port} could not be opened (${code ?? (error as Error | null)?.message ?? 'unknown error'})`;
}
