/**
 * Twilio's side of a ConversationRelay session (protocols-2.md §1, "How to fake it"), for
 * tests: a WebSocket client that dials the app's `/relay` with an X-Twilio-Signature over
 * the exact wss:// URL (no parameters), sends `setup` with the TwiML's <Parameter>s, and then
 * plays the caller as Twilio would: the caller's scripted words go out as `prompt`s (partial
 * ones first, when asked), keypad presses as `dtmf`.
 *
 * It "speaks" by collecting the app's `text` tokens: a turn is the tokens up to `last: true`.
 * Playback is simulated at `msPerChar` from the moment a token arrives, so `interrupt()`
 * reports the text "played" so far, as Twilio does. A message of a type Twilio does not
 * know is answered with an `error` (64107) and the session goes on. When the app sends
 * `end`, the peer closes the socket and POSTs the `<Connect action>` form (SessionStatus,
 * HandoffData), returning the TwiML the app answered.
 */
import twilio from 'twilio';
import WebSocket from 'ws';

export interface RelayAppMessage {
  type: string;
  [key: string]: unknown;
}

export interface RelayPeerOptions {
  /** ws://127.0.0.1:P/relay: where the upgrade goes (the app's public server). */
  localUrl: string;
  /** wss://public.example/relay: what Twilio signs (the url in our TwiML). */
  signedUrl: string;
  authToken: string;
  /** null: send no signature header; a string: that (wrong) signature. */
  signature?: string | null;
  setup: { callSid: string; accountSid: string; from: string; to: string; direction?: string; customParameters: Record<string, string> };
  /** How long Twilio's voice takes per character (the fake's playback clock). */
  msPerChar?: number;
  /** Posts the action callback (signed like a webhook); returns the app's answer. */
  postAction?(form: Record<string, string>): Promise<{ status: number; body: string }>;
}

export class RelayPeer {
  /** Every message the app sent, in order. */
  readonly received: RelayAppMessage[] = [];
  /** Completed turns: the text Twilio was given to say for each `last: true`. */
  readonly turns: string[] = [];
  /** The action callback's answer once the session ended with `end`. */
  actionAnswer: { status: number; body: string } | null = null;
  closeCode: number | null = null;
  private socket!: WebSocket;
  private current = '';
  /** When the text given so far will have been spoken (Date.now() ms), and what was given. */
  private playing: { startedAt: number; text: string } | null = null;
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
  private readonly msPerChar: number;
  private endedResolve!: () => void;
  /** Resolves when the app has ended the session (`end`) or the socket has closed. */
  readonly ended = new Promise<void>((resolve) => (this.endedResolve = resolve));

  constructor(private readonly o: RelayPeerOptions) {
    this.msPerChar = o.msPerChar ?? 5;
  }

  /** Opens the socket and sends `setup`. Rejects with the HTTP status if the upgrade is refused. */
  async connect(): Promise<void> {
    const signature = this.o.signature === undefined ? twilio.getExpectedTwilioSignature(this.o.authToken, this.o.signedUrl, {}) : this.o.signature;
    const headers: Record<string, string> = signature === null ? {} : { 'x-twilio-signature': signature };
    this.socket = new WebSocket(this.o.localUrl, { headers });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      this.socket.once('error', reject);
    });
    this.socket.on('message', (data) => this.onMessage(String(data)));
    this.socket.on('close', (code) => {
      this.closeCode = code;
      this.endedResolve();
      this.wake();
    });
    this.send({
      type: 'setup',
      sessionId: `VX${Math.random().toString(16).slice(2).padEnd(32, '0')}`,
      accountSid: this.o.setup.accountSid,
      parentCallSid: '',
      callSid: this.o.setup.callSid,
      from: this.o.setup.from,
      to: this.o.setup.to,
      forwardedFrom: '',
      callType: 'PSTN',
      callerName: '',
      direction: this.o.setup.direction ?? 'inbound',
      callStatus: 'RINGING',
      customParameters: this.o.setup.customParameters,
    });
  }

  /** The caller says `text` (after `partials`, as Twilio's partial prompts). */
  say(text: string, partials: string[] = []): void {
    for (const partial of partials) this.send({ type: 'prompt', voicePrompt: partial, lang: 'en-US', last: false });
    this.send({ type: 'prompt', voicePrompt: text, lang: 'en-US', last: true });
  }

  /**
   * A scripted caller: says each line once the AI has answered the one before (its turn
   * ended with `last: true`), as a person waits for a reply. Resolves with the AI's replies.
   */
  async converse(lines: readonly string[], timeoutMs = 15_000): Promise<string[]> {
    const replies: string[] = [];
    for (const line of lines) {
      const before = this.turns.length;
      this.say(line);
      await this.turnsDone(before + 1, timeoutMs);
      replies.push(this.turns[before]!);
    }
    return replies;
  }

  /** The caller presses a key. */
  press(digit: string): void {
    this.send({ type: 'dtmf', digit });
  }

  /**
   * The caller speaks over the AI: Twilio stops its voice and reports what was played so far
   * (by the playback clock), with the duration as a number or, as one copy of the docs has
   * it, a string.
   */
  interrupt(options: { durationAsString?: boolean } = {}): string {
    const playing = this.playing;
    const elapsedMs = playing ? Date.now() - playing.startedAt : 0;
    const heard = playing ? playing.text.slice(0, Math.min(playing.text.length, Math.floor(elapsedMs / this.msPerChar))) : '';
    this.playing = null;
    this.current = '';
    this.send({ type: 'interrupt', utteranceUntilInterrupt: heard, durationUntilInterruptMs: options.durationAsString ? String(elapsedMs) : elapsedMs });
    return heard;
  }

  /** Sends anything (bad input tests). */
  sendRaw(data: string): void {
    this.socket.send(data);
  }

  /** The caller hangs up: Twilio closes the socket. */
  hangUp(): void {
    this.socket.close(1000, 'caller hung up');
  }

  /** Resolves once `count` turns have ended (`last: true`), or rejects after `timeoutMs`. */
  async turnsDone(count: number, timeoutMs = 15_000): Promise<string[]> {
    await this.until(() => this.turns.length >= count, timeoutMs, `${count} turns (got ${this.turns.length})`);
    return this.turns.slice(0, count);
  }

  /** Resolves once the app has sent some text for the turn in progress. */
  async speaking(timeoutMs = 15_000): Promise<void> {
    await this.until(() => this.current.length > 0, timeoutMs, 'text to speak');
  }

  /** Resolves once a message of `type` has arrived. */
  async message(type: string, timeoutMs = 15_000): Promise<RelayAppMessage> {
    await this.until(() => this.received.some((m) => m.type === type), timeoutMs, `a ${type} message`);
    return this.received.find((m) => m.type === type)!;
  }

  private async until(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (test()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay peer: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.test()) return true;
      w.resolve();
      return false;
    });
  }

  private onMessage(data: string): void {
    let message: RelayAppMessage;
    try {
      message = JSON.parse(data) as RelayAppMessage;
    } catch {
      this.send({ type: 'error', description: 'Invalid message received: not JSON' });
      return;
    }
    this.received.push(message);
    switch (message.type) {
      case 'text': {
        const token = String(message.token ?? '');
        if (token) {
          // Playback continues from whatever is still being said.
          const now = Date.now();
          const playing = this.playing;
          const stillPlaying = playing && now - playing.startedAt < playing.text.length * this.msPerChar;
          this.playing = stillPlaying ? { startedAt: playing.startedAt, text: playing.text + token } : { startedAt: now, text: token };
          this.current += token;
        }
        if (message.last === true) {
          this.turns.push(this.current);
          this.current = '';
        }
        break;
      }
      case 'end':
        void this.finish(String(message.handoffData ?? ''));
        break;
      case 'play':
      case 'sendDigits':
      case 'language':
        break;
      default:
        // Twilio's answer to a message it does not know: error 64107, the session goes on.
        this.send({ type: 'error', description: `Invalid message received: unknown type ${message.type} (64107)` });
    }
    this.wake();
  }

  private async finish(handoffData: string): Promise<void> {
    this.socket.close(1000, 'session ended');
    if (this.o.postAction) {
      this.actionAnswer = await this.o.postAction({
        AccountSid: this.o.setup.accountSid,
        CallSid: this.o.setup.callSid,
        CallStatus: 'in-progress',
        SessionStatus: 'completed',
        SessionDuration: '12',
        ...(handoffData ? { HandoffData: handoffData } : {}),
      });
    }
    this.endedResolve();
    this.wake();
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
