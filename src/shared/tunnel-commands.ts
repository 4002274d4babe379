/**
 * The commands that open a public https tunnel to the telephony port, so Twilio's webhooks
 * and media stream reach this machine. One list, shown with a copy button in Settings →
 * Telephony and printed by the headless console at start.
 */
export interface TunnelCommand {
  tool: 'ngrok' | 'cloudflared';
  command: string;
}

export function tunnelCommands(port: number): TunnelCommand[] {
  return [
    { tool: 'ngrok', command: `ngrok http ${port}` },
    // The public server listens on 127.0.0.1 only; name it, so an IPv6-first "localhost" can't miss it.
    { tool: 'cloudflared', command: `cloudflared tunnel --url http://127.0.0.1:${port}` },
  ];
}
