/**
 * A fake Switchboard backend for UI-only tests and screenshots. It speaks the shared contract
 * (same command names, result envelopes and event payloads) and is installed in the page as
 * `window.switchboard`, exactly where the Electron preload puts the real transport, so the
 * renderer runs unchanged. Never shipped: it lives under test/.
 *
 * `installFakeBackend` is passed to Playwright's `page.addInitScript`, which serialises it, so
 * it must be self-contained: no imports other than types, no references to module scope.
 */
import type { AnyEvent, CommandName, Result } from '@shared/contract';
import type { CallEvent, CallSummary, Scenario, SecretStatus, Suggestion, TurnMetrics, Utterance } from '@shared/domain';

export interface FakeBackendOptions {
  /** Multiplies the script's pace (2 = twice as fast). */
  speed?: number;
  /** Pre-populate a few live calls and a history of ended calls. */
  seed?: boolean;
  /** Scripted lines per demo call; the default is a billing dispute. */
  loop?: boolean;
  /** The alert rules 'alerts.rules' starts with (alerts, issue 8); a small stand-in list by default. */
  alertRules?: unknown[];
  /**
   * The telephony port a previous session saved, taken by another program (issue 10): like
   * the core, the console starts without listening there and telephony.get says why.
   */
  telephonyPortTaken?: number;
  /** With `seed`: the live call from +44 7700 900789 came in on ConversationRelay (issue 11). */
  relayCall?: boolean;
  /** Team sync set up from the start (issue 12): the team view's source switch shows. */
  teamSync?: boolean;
  /** Offline speech recognition cannot run here, for this reason (issue 13: a build without PocketSphinx). */
  sttUnavailable?: string;
  /**
   * Installs the Electron shell's bridge beside the API (issue 13), as the preload does: the page
   * hands notifications to the "shell" (recorded in `shellNotices`) and takes its menu, tray and
   * notification commands (`shellCommand`).
   */
  shellBridge?: boolean;
}

export interface FakeControl {
  emit(event: AnyEvent): void;
  calls(): CallSummary[];
  /** Ids of calls started with demo.start, in order. */
  started: string[];
  /** The next call of `name` answers with an `unavailable` error carrying `message`. */
  failNext(name: CommandName, message: string): void;
  /** The AI on `callId` asks for a person (a 'takeover_requested' event, stored and emitted; the caller waits from now). */
  requestTakeover(callId: string, reason: string): void;
  /** The caller on `callId` finishes a keypad entry (a 'keypad' event, as the core's DTMF collector emits it). */
  pressKeys(callId: string, digits: string, kind: 'menu' | 'digits', option?: string): void;
  /** An alert rule fires on `callId` (an 'alert' event; the summary's badge shows the most severe open one). */
  raiseAlert(callId: string, severity: 'info' | 'warning' | 'critical', title: string, more?: { detail?: string; actions?: Array<'banner' | 'notification' | 'sound'> }): void;
  /** Any event on `callId`'s timeline (stored and emitted), with the summary changes the core would make alongside. */
  recordEvent(callId: string, type: CallEvent['type'], data?: Record<string, unknown>, summary?: Partial<CallSummary>): void;
  /** Stores and emits a turn's latency ('call.turn'), as the core does once first audio goes out. */
  addTurn(turn: TurnMetrics): void;
  /** Speaks the agent's lines `factor` times slower, so a test can stop one mid-line (call-header spec). */
  setAgentSpeechSlowdown(factor: number): void;
  /**
   * The caller on `callId` says a final line scored `score` (sentiment, issue 9); the summary's mean and trend follow.
   * `originalText`: the words as said behind a redacted `text`, as the core sends them when Settings show originals (issue 10).
   */
  callerSays(callId: string, text: string, score: number, originalText?: string): void;
  /** With `shellBridge`: what the page asked the shell to show. */
  shellNotices: unknown[];
  /** With `shellBridge`: the shell sends the page a command (a menu item, the tray, a clicked notification). */
  shellCommand(command: unknown): void;
}

export function installFakeBackend(options: FakeBackendOptions = {}): void {
  const speed = options.speed ?? 1;
  type Line = { speaker: Utterance['speaker']; text: string; score?: number; interruptAt?: number };

  const scenarios: Scenario[] = [
    { id: 'billing-dispute', title: 'Billing dispute', description: 'Caller was charged twice and is getting impatient.' },
    { id: 'address-change', title: 'Change of address', description: 'Friendly caller moving house next month.' },
    { id: 'cancel-threat', title: 'Cancellation threat', description: 'Angry caller asks for a supervisor.' },
  ];

  const script: Line[] = [
    {
      speaker: 'ai',
      text: "Hi, thanks for calling Northwind Energy. I'm the virtual assistant, and this call may be recorded. How can I help today?",
    },
    { speaker: 'caller', text: "Hi, yeah. I was charged twice for my March bill and I'd like it sorted out.", score: -0.42 },
    { speaker: 'ai', text: "I'm sorry about that. Could you read me the account number printed at the top of the bill?" },
    { speaker: 'caller', text: "It's 44190 27. Honestly, this is the second time this has happened.", score: -0.55 },
    {
      speaker: 'ai',
      text: "Thank you. I can see two payments of $84.20 on March 3rd, so I'll raise a refund for the duplicate and it should reach your card within",
      interruptAt: 0.72,
    },
    { speaker: 'caller', text: 'Wait, will that take weeks again? Last time it took over a month.', score: -0.61 },
    {
      speaker: 'ai',
      text: "I understand. Refunds for duplicate payments now land within three to five working days, and I'll email you a confirmation.",
    },
    { speaker: 'caller', text: "Okay. That's better, thanks.", score: 0.44 },
  ];

  const suggestions: Array<Omit<Suggestion, 'callId' | 'utteranceId' | 'entities'> & { entities?: Suggestion['entities'] }> = [
    {
      intent: 'billing_dispute',
      intentLabel: 'Charged twice / wrong bill',
      intentConfidence: 0.91,
      intentCertainty: 'high',
      agentActions: [
        {
          kind: 'whisper',
          label: 'Promise the duplicate is refunded in full',
          text: "say: If both payments have gone through, we'll refund the duplicate in full, and if it caused a fee from your bank, we'll look at covering that too.",
        },
        { kind: 'article', articleId: 'kb-12', title: 'Refunding a duplicate payment' },
      ],
      reply: "I'm sorry you were charged twice. I can refund the duplicate payment right now — it takes 3–5 working days to reach your card.",
      articles: [
        {
          id: 'kb-12',
          title: 'Refunding a duplicate payment',
          snippet: 'Duplicate card payments can be refunded from the Billing tab. Refunds reach the card in 3–5 working days; send the caller the confirmation email.',
          score: 0.82,
          weak: false,
        },
        {
          id: 'kb-31',
          title: 'Why customers are charged twice',
          snippet: 'A retried payment after a bank timeout can settle twice. Check the payment log for two entries with the same reference.',
          score: 0.44,
          weak: true,
        },
      ],
    },
    {
      intent: 'refund_timeline',
      intentLabel: 'Refund status',
      intentConfidence: 0.86,
      intentCertainty: 'high',
      agentActions: [
        { kind: 'take_over', reason: 'The caller is upset, and getting more so' },
        { kind: 'whisper', label: 'Offer a goodwill credit', text: "say: As this has happened twice, I'd like to add a ten pound goodwill credit to your account." },
        { kind: 'article', articleId: 'kb-40', title: 'Goodwill credit for repeat issues' },
      ],
      reply: 'Refunds for duplicate payments take three to five working days. I’ll send you an email confirmation with the reference now.',
      articles: [
        {
          id: 'kb-12',
          title: 'Refunding a duplicate payment',
          snippet: 'Refunds reach the card in 3–5 working days. Older refunds (before May) could take up to 30 days.',
          score: 0.77,
          weak: false,
        },
        {
          id: 'kb-40',
          title: 'Goodwill credit for repeat issues',
          snippet: 'Customers who hit the same billing issue twice in 6 months may be offered a £10 goodwill credit.',
          score: 0.58,
          weak: false,
        },
      ],
    },
  ];

  type CallState = {
    summary: CallSummary;
    lines: Utterance[];
    events: CallEvent[];
    suggestion: Suggestion | null;
    timers: Array<ReturnType<typeof setTimeout>>;
    speakingLineId: string | null;
    turns: TurnMetrics[];
  };

  /** Stage durations (ms) the fake's AI turns cycle through: STT, LLM first token, TTS first byte, send. */
  const turnTimings: Array<[number, number, number, number]> = [
    [180, 420, 190, 30],
    [210, 640, 230, 35],
    [160, 380, 170, 25],
    [240, 1150, 260, 40],
  ];
  const engineLabels = { sttLabel: 'PocketSphinx (en-US)', llmLabel: 'Intent + knowledge base', ttsLabel: 'eSpeak NG' };
  /** A complete turn for the AI line `turnId` whose caller stopped speaking at `speechEndAtMs`. */
  function timedTurn(c: CallState, turnId: string, speechEndAtMs: number): TurnMetrics {
    const [stt, llm, tts, send] = turnTimings[c.turns.length % turnTimings.length]!;
    return {
      callId: c.summary.id,
      turnId,
      speechEndAtMs,
      sttFinalAtMs: speechEndAtMs + stt,
      llmFirstTokenAtMs: speechEndAtMs + stt + llm,
      ttsFirstByteAtMs: speechEndAtMs + stt + llm + tts,
      firstAudioAtMs: speechEndAtMs + stt + llm + tts + send,
      ...engineLabels,
    };
  }
  function putTurn(c: CallState, m: TurnMetrics): void {
    const i = c.turns.findIndex((t) => t.turnId === m.turnId);
    if (i >= 0) c.turns[i] = m;
    else c.turns.push(m);
    emit({ name: 'call.turn', payload: m });
  }

  const listeners = new Set<(e: AnyEvent) => void>();
  const calls = new Map<string, CallState>();
  /** The agent's typed lines still being spoken, by call (call.say / call.stopSpeaking). */
  const agentLinesSpoken = new Map<string, Utterance[]>();
  /** How many times slower than 260 ms a word the agent's lines are spoken (setAgentSpeechSlowdown). */
  let agentSpeechSlowdown = 1;
  let seq = 1;
  const nid = (p: string) => `${p}-${(seq++).toString(36)}`;

  function emit(event: AnyEvent): void {
    for (const l of listeners) l(structuredClone(event));
  }
  /** Labels as the core does: NEUTRAL_BAND of src/shared/sentiment.ts (0.13), copied because this function is serialised. */
  function sentimentOf(score: number) {
    return { score, label: score <= -0.13 ? 'negative' : score >= 0.13 ? 'positive' : 'neutral' } as const;
  }
  function elapsed(c: CallState): number {
    return Date.now() - c.summary.startedAt;
  }
  function updateSummary(c: CallState, patch: Partial<CallSummary>): void {
    const callerScores = c.lines.filter((l) => l.speaker === 'caller' && l.final && l.sentiment).map((l) => l.sentiment!.score);
    c.summary = {
      ...c.summary,
      utteranceCount: c.lines.filter((l) => l.final).length,
      callerSentiment: callerScores.length ? callerScores.reduce((a, b) => a + b, 0) / callerScores.length : null,
      sentimentTrend: callerScores.slice(-20),
      ...patch,
    };
    emit({ name: 'call.updated', payload: c.summary });
  }
  function addEvent(c: CallState, type: CallEvent['type'], data: Record<string, unknown> = {}): CallEvent {
    const e: CallEvent = { id: nid('ev'), callId: c.summary.id, type, atMs: elapsed(c), data };
    c.events.push(e);
    emit({ name: 'call.event', payload: e });
    return e;
  }
  /** The agent paused the AI: it listens, and says nothing. */
  function aiSilent(c: CallState): boolean {
    return c.summary.state === 'ai_paused';
  }
  /** An AI line spoken now, word by word in real time (a line the agent had it say, or a whisper's "say:"). */
  function speakNow(c: CallState, text: string): Utterance {
    const startMs = elapsed(c);
    const u: Utterance = {
      id: nid('utt'),
      callId: c.summary.id,
      speaker: 'ai',
      text,
      final: false,
      startMs,
      endMs: startMs,
      sentiment: null,
      interrupted: false,
    };
    c.speakingLineId = u.id;
    putLine(c, u);
    updateSummary(c, { aiActivity: 'speaking' });
    c.timers.push(
      setTimeout(() => {
        if (c.speakingLineId !== u.id) return;
        c.speakingLineId = null;
        putLine(c, { ...u, final: true, endMs: elapsed(c) });
        updateSummary(c, { aiActivity: aiSilent(c) ? 'paused' : 'listening' });
      }, (text.split(' ').length * 260) / speed),
    );
    return u;
  }
  function putLine(c: CallState, u: Utterance): void {
    const i = c.lines.findIndex((l) => l.id === u.id);
    if (i >= 0) c.lines[i] = u;
    else c.lines.push(u);
    emit({ name: 'call.transcript', payload: u });
  }

  function newCall(scenario: string | null, from: string, startedAt: number): CallState {
    const id = nid('call');
    const c: CallState = {
      summary: {
        id,
        callSid: `CA${Math.random().toString(16).slice(2).padEnd(32, '0').slice(0, 32)}`,
        direction: 'inbound',
        from,
        to: '+15550100000',
        status: 'active',
        controller: 'ai',
        aiActivity: 'listening',
        startedAt,
        endedAt: null,
        scenario,
        utteranceCount: 0,
        callerSentiment: null,
        endReason: null,
        state: 'ai',
        sentimentTrend: [],
        waitingSince: null,
        alert: null,
        openAlerts: 0,
      },
      lines: [],
      events: [],
      suggestion: null,
      timers: [],
      speakingLineId: null,
      turns: [],
    };
    calls.set(id, c);
    return c;
  }

  /** Plays the script: interim words for caller lines, thinking/speaking for AI lines. */
  function play(c: CallState, from = 0): void {
    let t = 400 / speed;
    let suggestionIndex = 0;
    let speechEndAtMs: number | null = null;
    const at = (ms: number, fn: () => void) => c.timers.push(setTimeout(fn, ms));
    for (let i = from; i < script.length; i += 1) {
      const line = script[i]!;
      const id = nid('utt');
      const words = line.text.split(' ');
      if (line.speaker === 'caller') {
        const startAt = t;
        at(startAt, () => updateSummary(c, { aiActivity: c.summary.controller !== 'ai' ? 'detached' : aiSilent(c) ? 'paused' : 'listening' }));
        let startMs = 0;
        words.forEach((_, w) => {
          at(startAt + (w * 170) / speed, () => {
            if (w === 0) startMs = elapsed(c);
            putLine(c, {
              id,
              callId: c.summary.id,
              speaker: 'caller',
              text: words.slice(0, w + 1).join(' '),
              final: false,
              startMs,
              endMs: elapsed(c),
              sentiment: null,
              interrupted: false,
            });
          });
        });
        t = startAt + (words.length * 170 + 250) / speed;
        const sIndex = suggestionIndex;
        if (line.score !== undefined && line.score < 0 && sIndex < suggestions.length) suggestionIndex += 1;
        at(t, () => {
          putLine(c, {
            id,
            callId: c.summary.id,
            speaker: 'caller',
            text: line.text,
            final: true,
            startMs,
            endMs: elapsed(c),
            sentiment: line.score === undefined ? null : sentimentOf(line.score),
            interrupted: false,
          });
          updateSummary(c, {});
          speechEndAtMs = elapsed(c);
          const sug = line.score !== undefined && line.score < 0 ? suggestions[sIndex] : undefined;
          if (sug) {
            c.suggestion = { entities: [], ...sug, callId: c.summary.id, utteranceId: id };
            emit({ name: 'call.suggestion', payload: c.suggestion });
          }
        });
        t += 200 / speed;
      } else {
        at(t, () => c.summary.controller === 'ai' && !aiSilent(c) && updateSummary(c, { aiActivity: 'thinking' }));
        t += 900 / speed;
        const startAt = t;
        const cut = line.interruptAt ? Math.max(1, Math.round(words.length * line.interruptAt)) : words.length;
        let startMs = 0;
        at(startAt, () => {
          if (c.summary.controller !== 'ai' || aiSilent(c)) return;
          startMs = elapsed(c);
          c.speakingLineId = id;
          updateSummary(c, { aiActivity: 'speaking' });
          if (speechEndAtMs !== null) putTurn(c, timedTurn(c, id, speechEndAtMs));
          speechEndAtMs = null;
        });
        const dur = (words.length * 260) / speed;
        t = startAt + (cut === words.length ? dur : (cut * 260) / speed);
        at(t, () => {
          if (c.summary.controller !== 'ai' || c.speakingLineId !== id) return;
          c.speakingLineId = null;
          const interrupted = cut < words.length;
          if (interrupted) addEvent(c, 'barge_in');
          putLine(c, {
            id,
            callId: c.summary.id,
            speaker: 'ai',
            text: words.slice(0, cut).join(' '),
            final: true,
            startMs,
            endMs: elapsed(c),
            sentiment: null,
            interrupted,
          });
          updateSummary(c, { aiActivity: aiSilent(c) ? 'paused' : 'listening' });
        });
        t += 300 / speed;
      }
    }
    if (options.loop) at(t + 1500 / speed, () => play(c, 1));
  }

  /** Builds a finished transcript instantly (for seeded history and mid-call seeded calls). */
  function backfill(c: CallState, count: number): void {
    let ms = 800;
    let sIndex = 0;
    let speechEndAtMs: number | null = null;
    for (const line of script.slice(0, count)) {
      const id = nid('utt');
      const dur = line.text.split(' ').length * 260;
      const cut = line.interruptAt ? line.text.split(' ').slice(0, Math.round(line.text.split(' ').length * line.interruptAt)).join(' ') : line.text;
      c.lines.push({
        id,
        callId: c.summary.id,
        speaker: line.speaker,
        text: cut,
        final: true,
        startMs: ms,
        endMs: ms + dur,
        sentiment: line.score === undefined ? null : sentimentOf(line.score),
        interrupted: Boolean(line.interruptAt),
      });
      if (line.speaker === 'ai' && speechEndAtMs !== null) c.turns.push(timedTurn(c, id, speechEndAtMs));
      speechEndAtMs = line.speaker === 'caller' ? ms + dur : null;
      if (line.interruptAt) c.events.push({ id: nid('ev'), callId: c.summary.id, type: 'barge_in', atMs: ms + dur - 200, data: {} });
      if (line.score !== undefined && line.score < 0 && suggestions[sIndex]) {
        c.suggestion = { entities: [], ...suggestions[sIndex]!, callId: c.summary.id, utteranceId: id };
        sIndex += 1;
      }
      ms += dur + 900;
    }
    const callerScores = c.lines.filter((l) => l.sentiment).map((l) => l.sentiment!.score);
    c.summary.utteranceCount = c.lines.length;
    c.summary.callerSentiment = callerScores.length ? callerScores.reduce((a, b) => a + b, 0) / callerScores.length : null;
    c.summary.sentimentTrend = callerScores.slice(-20);
  }

  if (options.seed) {
    const now = Date.now();
    const numbers = ['+15551230987', '+447700900123', '+15559871234', '+15553332211', '+15550007788', '+15554445566', '+15552229090', '+447700900456', '+15551112233', '+15556667788', '+15558889900', '+15553214321'];
    numbers.forEach((from, i) => {
      const start = now - (i + 1) * 47 * 60_000 - i * 13_000;
      const c = newCall(i % 3 === 0 ? 'billing-dispute' : null, from, start);
      backfill(c, 3 + (i % 6));
      const takeover = i % 4 === 1;
      c.summary = {
        ...c.summary,
        status: 'ended',
        controller: takeover ? 'agent' : 'ai',
        aiActivity: 'idle',
        endedAt: start + 95_000 + i * 17_000,
        endReason: ['completed', 'caller_hung_up', 'agent_ended', 'transferred'][i % 4]!,
        callerSentiment: [0.32, -0.41, 0.05, -0.12, 0.58, -0.66][i % 6]!,
      };
      c.events.unshift({ id: nid('ev'), callId: c.summary.id, type: 'started', atMs: 0, data: {} });
      c.events.push({ id: nid('ev'), callId: c.summary.id, type: 'ended', atMs: 95_000, data: { reason: c.summary.endReason } });
    });
    const a = newCall(null, '+15557654321', now - 4 * 60_000 - 12_000);
    backfill(a, 6);
    a.summary.aiActivity = 'thinking';
    const b = newCall('address-change', '+447700900789', now - 62_000);
    backfill(b, 2);
    b.summary.aiActivity = 'speaking';
    b.summary.controller = 'ai';
    if (options.relayCall) {
      b.summary.transport = 'relay';
      b.events.unshift({ id: nid('ev'), callId: b.summary.id, type: 'started', atMs: 0, data: { direction: 'inbound', transport: 'relay' } });
    }
  }

  // Providers like the core's provider-service.ts: everything offline until a vendor is chosen
  // and its key saved; model and voice fields with the core's defaults and voice-id rule.
  const providerChoice: Record<string, string> = {
    stt: 'offline',
    llm: 'offline',
    tts: 'offline',
    openaiModel: 'gpt-4o-mini',
    elevenlabsVoiceId: '21m00Tcm4TlvDq8ikWAM',
    elevenlabsModel: 'eleven_flash_v2_5',
    smallestVoiceId: 'avery',
    smallestModel: 'lightning_v3.1',
  };
  const PROVIDER_SECRETS = ['deepgramApiKey', 'geminiApiKey', 'openaiApiKey', 'elevenlabsApiKey', 'smallestApiKey'] as const;
  const SECRET_NAMES = [...PROVIDER_SECRETS, 'twilioAuthToken', 'twilioApiKeySecret'] as const;
  const secretStatus = (name: unknown, configured: boolean): SecretStatus => ({
    name: SECRET_NAMES.find((n) => n === name) ?? 'deepgramApiKey',
    configured,
    source: configured ? 'file' : null,
    editable: true,
  });
  const vendorName: Record<string, string> = { deepgram: 'Deepgram', gemini: 'Gemini', openai: 'OpenAI', elevenlabs: 'ElevenLabs', smallest: 'Smallest.AI' };
  const secretOf = (vendor: string): string => `${vendor}ApiKey`;
  const offlineEngine: Record<string, string> = { stt: 'PocketSphinx (en-US)', llm: 'Intent + knowledge base', tts: 'eSpeak NG' };
  const cloudEngine = (role: string, vendor: string): string => {
    if (vendor === 'openai') return `OpenAI ${providerChoice['openaiModel']}`;
    if (vendor === 'elevenlabs') return 'ElevenLabs Flash';
    if (vendor === 'smallest') return 'Smallest.AI Lightning';
    if (vendor === 'gemini') return 'Gemini 2.5 Flash';
    return role === 'stt' ? 'Deepgram Nova-3' : 'Deepgram Aura-2';
  };
  const providerChecks: Record<string, unknown> = { deepgram: null, gemini: null, openai: null, elevenlabs: null, smallest: null };
  const providersState = () => ({
    choice: { ...providerChoice },
    secrets: PROVIDER_SECRETS.map((name) => secretStatus(name, savedSecrets.has(name))),
    engines: (['stt', 'llm', 'tts'] as const).map((role) => {
      const vendor = providerChoice[role]!;
      const cloud = vendor !== 'offline' && savedSecrets.has(secretOf(vendor));
      const unavailable = role === 'stt' && !cloud && options.sttUnavailable ? { unavailable: options.sttUnavailable } : {};
      return { role, label: cloud ? cloudEngine(role, vendor) : offlineEngine[role]!, offline: !cloud, ...unavailable };
    }),
    checks: { ...providerChecks },
  });
  /** Like a real vendor on a good day: any saved key passes. */
  const testProvider = (vendor: string) => {
    const check = savedSecrets.has(secretOf(vendor))
      ? { ok: true, latencyMs: 120, message: `${vendorName[vendor] ?? vendor} accepted the key: it answered.`, problem: null, checkedAt: Date.now() }
      : { ok: false, latencyMs: null, message: `No ${vendorName[vendor] ?? vendor} API key is set.`, problem: null, checkedAt: Date.now() };
    if (savedSecrets.has(secretOf(vendor))) providerChecks[vendor] = check;
    return check;
  };

  // --- telephony: settings, readiness, outbound calls (the core's rules, simplified) ---
  const savedSecrets = new Set<string>();
  if (options.teamSync) savedSecrets.add('teamDatabaseUrl');
  const telephony = {
    accountSid: null as string | null,
    apiKeySid: null as string | null,
    twimlAppSid: null as string | null,
    phoneNumbers: [] as string[],
    publicBaseUrl: null as string | null,
    doNotCall: [] as string[],
    allowedHours: { start: '08:00', end: '21:00' },
    // Toll-fraud guard (issue 10): null = the countries of the console's own numbers.
    allowedCountries: null as string[] | null,
    maxLiveStreams: 200,
    // ConversationRelay (issue 11): numbers whose calls Twilio hears and speaks.
    relayNumbers: [] as string[],
    relay: { ttsProvider: 'ElevenLabs' as 'ElevenLabs' | 'Google' | 'Amazon', voice: '', transcriptionProvider: 'Deepgram' as 'Deepgram' | 'Google', language: 'en-US' },
    localPort: options.telephonyPortTaken ?? 0,
  };
  /** False while the saved port is taken (telephonyPortTaken); saving a free port listens again. */
  let telephonyListening = options.telephonyPortTaken === undefined;
  const hex32 = () => Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const localUrl = () => `http://127.0.0.1:${telephony.localPort || 47890}`;
  function telephonyMissing(): string[] {
    const out: string[] = [];
    if (!telephony.accountSid) out.push('Twilio account SID');
    if (!telephonyListening) out.push(`a local port Switchboard can listen on (port ${telephony.localPort} is unavailable)`);
    if (!savedSecrets.has('twilioAuthToken')) out.push('Twilio auth token (verifies webhooks)');
    if (telephony.apiKeySid && !savedSecrets.has('twilioApiKeySecret')) out.push('the secret of the Twilio API key');
    if (!telephony.publicBaseUrl) out.push(`public https URL (a tunnel to ${localUrl()})`);
    if (telephony.phoneNumbers.length === 0) out.push('a Twilio phone number');
    return out;
  }
  function telephonyState() {
    const missing = telephonyMissing();
    const origin = telephony.publicBaseUrl ? new URL(telephony.publicBaseUrl).origin : null;
    return {
      settings: structuredClone(telephony),
      secrets: [secretStatus('twilioAuthToken', savedSecrets.has('twilioAuthToken')), secretStatus('twilioApiKeySecret', savedSecrets.has('twilioApiKeySecret'))],
      ready: missing.length === 0,
      missing,
      localUrl: telephonyListening ? localUrl() : null,
      listenProblem: telephonyListening
        ? null
        : `Not listening for Twilio: port ${telephony.localPort} is in use by another program, so real calls can't reach this console. ` +
          'Stop that program and restart Switchboard, or choose another local port in Settings → Telephony (and point your tunnel at it).',
      webhooks: origin
        ? {
            voice: `${origin}/twilio/voice`,
            status: `${origin}/twilio/status`,
            streamStatus: `${origin}/twilio/stream-status`,
            relay: `${origin.replace(/^https:/, 'wss:')}/relay`,
            media: `${origin.replace(/^https:/, 'wss:')}/media`,
          }
        : null,
    };
  }
  const E164_RE = /^\+[1-9]\d{6,14}$/;
  /** The first problem with a telephony.update patch (the shared schema's messages), or null. */
  function telephonyProblem(p: Record<string, unknown>): string | null {
    const sid = (key: string, re: RegExp, msg: string) => (key in p && p[key] !== null && !re.test(String(p[key])) ? `${msg}\n  → at ${key}` : null);
    const url = p['publicBaseUrl'];
    const badUrl =
      'publicBaseUrl' in p && url !== null && !/^https:\/\/[a-z0-9.-]+(:\d+)?\/?$/i.test(String(url)) ? 'expected an https:// origin only, such as https://example.ngrok.app\n  → at publicBaseUrl' : null;
    const list = (key: string) =>
      key in p && (p[key] as string[]).some((n) => !E164_RE.test(n)) ? `expected an E.164 number such as +14155550100\n  → at ${key}` : null;
    const hours = p['allowedHours'] as { start: string; end: string } | undefined;
    return (
      sid('accountSid', /^AC[0-9a-fA-F]{32}$/, 'an Account SID is AC followed by 32 hex digits') ??
      sid('apiKeySid', /^SK[0-9a-fA-F]{32}$/, 'an API key SID is SK followed by 32 hex digits') ??
      sid('twimlAppSid', /^AP[0-9a-fA-F]{32}$/, 'a TwiML app SID is AP followed by 32 hex digits') ??
      badUrl ??
      list('phoneNumbers') ??
      list('relayNumbers') ??
      (p['relay'] && !/^[a-z]{2,3}-[A-Z]{2}$/.test(String((p['relay'] as { language?: unknown }).language)) ? 'a language such as en-US\n  → at relay.language' : null) ??
      list('doNotCall') ??
      (Array.isArray(p['allowedCountries']) && (p['allowedCountries'] as string[]).some((c) => !/^[A-Z]{2}$/.test(c))
        ? 'a country is a two-letter ISO code such as US\n  → at allowedCountries'
        : null) ??
      (hours && !(hours.start < hours.end) ? 'allowedHours.start must be before allowedHours.end\n  → at allowedHours' : null) ??
      ('maxLiveStreams' in p && !(Number.isInteger(p['maxLiveStreams']) && (p['maxLiveStreams'] as number) >= 1 && (p['maxLiveStreams'] as number) <= 5000)
        ? 'at least 1 call\n  → at maxLiveStreams'
        : null)
    );
  }
  /**
   * calls.dial: refused like the core (not configured, invalid number, do-not-call, outside
   * hours in this browser's time zone). +1 555 numbers are invalid (libphonenumber says so);
   * a number ending in 0013 rings out unanswered, any other is answered after ~1.8 s.
   */
  function dial(input: Record<string, unknown>): Result<unknown> {
    const missing = telephonyMissing();
    if (missing.length > 0) return { ok: false, error: { code: 'unavailable', message: `Twilio is not configured: missing ${missing.join(', ')}` } };
    const to = String(input['to'] ?? '').trim();
    if (!E164_RE.test(to) || to.startsWith('+1555')) {
      return err('bad_request', 'The number is not a valid phone number in E.164 form (+ then country code and number, no spaces, e.g. +14155550100)');
    }
    if (telephony.doNotCall.includes(to)) return err('conflict', 'The number is on the do-not-call list');
    const clock = new Date().toTimeString().slice(0, 5);
    const { start, end } = telephony.allowedHours;
    if (clock < start || clock >= end) {
      return err('conflict', `Outside allowed calling hours (${start}-${end} the callee's local time): it is ${clock} in ${Intl.DateTimeFormat().resolvedOptions().timeZone}`);
    }
    const from = String(input['from'] ?? telephony.phoneNumbers[0]);
    const callSid = `CA${hex32()}`;
    const dialId = nid('dial');
    const placedAt = Date.now();
    const status = (s: 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'no-answer', callId: string | null = null) =>
      emit({ name: 'call.status', payload: { callSid, callId, status: s, direction: 'outbound', from, to, at: Date.now(), durationSec: null } });
    const later = (ms: number, fn: () => void) => setTimeout(fn, ms / speed);
    later(80, () => status('initiated'));
    later(350, () => status('ringing'));
    if (to.endsWith('0013')) {
      later(2400, () => {
        // Never answered: no stream, so the core stores it as an ended call.
        const c = newCall(null, from, placedAt);
        c.summary = { ...c.summary, callSid, direction: 'outbound', from, to, status: 'ended', aiActivity: 'idle', endedAt: Date.now(), endReason: 'no-answer' };
        c.events.push({ id: nid('ev'), callId: c.summary.id, type: 'started', atMs: 0, data: { direction: 'outbound', stream: false } });
        c.events.push({ id: nid('ev'), callId: c.summary.id, type: 'ended', atMs: Date.now() - placedAt, data: { reason: 'no-answer' } });
        status('no-answer', c.summary.id);
        emit({ name: 'call.updated', payload: c.summary });
      });
    } else {
      later(1800, () => {
        const c = newCall(null, from, Date.now());
        c.summary = { ...c.summary, callSid, direction: 'outbound', from, to };
        status('in-progress', c.summary.id);
        emit({ name: 'call.updated', payload: c.summary });
        addEvent(c, 'started', { direction: 'outbound' });
        play(c);
      });
    }
    return ok({ callSid, status: 'queued', dialId });
  }

  const ok = <T>(value: T): Result<T> => ({ ok: true, value });
  const err = (code: 'not_found' | 'conflict' | 'bad_request', message: string): Result<never> => ({
    ok: false,
    error: { code, message },
  });

  // Listen in: while listening, 'call.audio' slices of a quiet 440 Hz tone, 100 ms each, in real time.
  const listenTimers = new Map<string, ReturnType<typeof setInterval>>();
  function setListening(callId: string, on: boolean): void {
    clearInterval(listenTimers.get(callId));
    listenTimers.delete(callId);
    if (!on) return;
    let n = 0;
    const mulaw = (x: number) => {
      let m = Math.min(Math.abs(x), 32635) + 0x84;
      let e = 7;
      for (let mask = 0x4000; (m & mask) === 0 && e > 0; mask >>= 1) e--;
      m = (m >> (e + 3)) & 0x0f;
      return ~((x < 0 ? 0x80 : 0) | (e << 4) | m) & 0xff;
    };
    listenTimers.set(
      callId,
      setInterval(() => {
        let bin = '';
        for (let i = 0; i < 800; i++) bin += String.fromCharCode(mulaw(Math.round(6000 * Math.sin((2 * Math.PI * 440 * (n * 800 + i)) / 8000))));
        emit({ name: 'call.audio', payload: { callId, seq: n, atMs: n * 100, encoding: 'mulaw', sampleRateHz: 8000, data: btoa(bin) } });
        n++;
      }, 100),
    );
  }

  // --- History, search, analytics and export: a small in-memory stand-in for core/history ---
  type Filter = {
    from?: number;
    to?: number;
    direction?: string;
    endReasons?: string[];
    takenOver?: boolean;
    minDurationS?: number;
    maxDurationS?: number;
    endedNegative?: boolean;
    sentimentBelow?: number;
    hasAlerts?: boolean;
    numberContains?: string;
    search?: string;
  };
  function historyRow(c: CallState) {
    const s = c.summary;
    const scores = c.lines.filter((l) => l.speaker === 'caller' && l.final && l.sentiment).map((l) => l.sentiment!.score);
    const takeover = c.events.find((e) => e.type === 'takeover');
    return {
      ...s,
      durationMs: s.endedAt === null ? null : s.endedAt - s.startedAt,
      takenOver: takeover !== undefined,
      takeoverAtMs: takeover ? takeover.atMs : null,
      alertCount: c.events.filter((e) => e.type === 'takeover_requested' || e.type === 'fallback' || e.type === 'error').length,
      callerSentimentStart: scores[0] ?? null,
      callerSentimentEnd: scores.at(-1) ?? null,
    };
  }
  const words = (text: string) => text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  /** "charge" matches "charged", "charges": a crude stand-in for the core's stemmed FTS. */
  const matchesWord = (word: string, term: string) => word === term || (word.startsWith(term) && word.length - term.length <= 3);
  function lineMatches(text: string, terms: string[]): boolean {
    const ws = words(text);
    return terms.every((t) => ws.some((w) => matchesWord(w, t)));
  }
  function segmentsOf(text: string, terms: string[]) {
    const out: Array<{ text: string; hit: boolean }> = [];
    const re = /[A-Za-z0-9']+|[^A-Za-z0-9']+/g;
    for (const m of text.match(re) ?? []) {
      const hit = /[A-Za-z0-9]/.test(m) && terms.some((t) => matchesWord(m.toLowerCase(), t));
      const last = out.at(-1);
      if (last && last.hit === hit && !hit) last.text += m;
      else out.push({ text: m, hit });
    }
    return out;
  }
  function filterProblem(f: Filter): string | null {
    if (f.search !== undefined && f.search.length > 200) return 'search: at most 200 characters';
    // eslint-disable-next-line no-control-regex -- the same refusal as the contract's CallFilter
    if (f.search !== undefined && /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(f.search)) return 'search: control characters are not allowed';
    if (f.minDurationS !== undefined && f.maxDurationS !== undefined && f.minDurationS > f.maxDurationS) return 'minDurationS must not exceed maxDurationS';
    return null;
  }
  function matching(f: Filter) {
    const terms = f.search ? words(f.search) : [];
    return [...calls.values()].filter((c) => {
      const r = historyRow(c);
      if (f.from !== undefined && r.startedAt < f.from) return false;
      if (f.to !== undefined && r.startedAt >= f.to) return false;
      if (f.direction && r.direction !== f.direction) return false;
      if (f.endReasons?.length && !f.endReasons.includes(r.endReason ?? '')) return false;
      if (f.takenOver !== undefined && r.takenOver !== f.takenOver) return false;
      const durS = r.durationMs === null ? null : r.durationMs / 1000;
      if (f.minDurationS !== undefined && (durS === null || durS < f.minDurationS)) return false;
      if (f.maxDurationS !== undefined && (durS === null || durS > f.maxDurationS)) return false;
      if (f.endedNegative && !(r.callerSentimentEnd !== null && r.callerSentimentEnd <= -0.13)) return false;
      if (f.sentimentBelow !== undefined && !(r.callerSentiment !== null && r.callerSentiment < f.sentimentBelow)) return false;
      if (f.hasAlerts !== undefined && r.alertCount > 0 !== f.hasAlerts) return false;
      if (f.numberContains && !`${r.from} ${r.to}`.includes(f.numberContains.replace(/[^0-9+]/g, ''))) return false;
      if (terms.length && !c.lines.some((l) => l.final && lineMatches(l.text, terms))) return false;
      return true;
    });
  }
  const DISPOSITIONS = ['resolved', 'callback', 'escalated', 'sale', 'not interested', 'wrong number', 'spam'];
  const syncStatus = () => {
    const configured = savedSecrets.has('teamDatabaseUrl');
    return {
      configured,
      urlSource: configured ? 'file' : null,
      server: configured ? 'db.example.com:5432/team' : null,
      deskName: settings['teamDeskName'],
      tls: settings['teamTls'],
      caFile: settings['teamCaFile'],
      state: configured ? 'connected' : 'off',
      backlog: 0,
      backfilling: false,
      lastSyncedAt: configured ? Date.now() - 2000 : null,
      lastError: null,
      retryAt: null,
    };
  };
  const settings: Record<string, unknown> = {
    agentName: 'Sam',
    businessName: 'Northwind Energy',
    silenceRepromptMs: 8000,
    // Turn-taking (issue 14): the core's defaults.
    bargeInVadMode: 1,
    bargeInMinVoicedMs: 60,
    bargeInResumeWindowMs: 450,
    dispositions: DISPOSITIONS,
    // Privacy (issue 10): the core's defaults.
    redactionMode: 'redacted',
    redactEmails: true,
    redactPhoneNumbers: false,
    redactBeforeCloudLlm: true,
    showOriginalToConsole: false,
    keepCallsDays: 90,
    keepRecordingsDays: 30,
    teamDeskName: 'Front desk',
    teamTls: 'require',
    teamCaFile: '',
  };
  const wrapUps = new Map<string, { startedAt: number; wrapUpMs: number; summary: object } & Record<string, unknown>>();
  const wrapUpStarts: Record<string, number> = {};
  const exportJobs = new Map<string, { job: Record<string, unknown>; timer: ReturnType<typeof setInterval> | undefined }>();
  let alertRules: unknown[] = options.alertRules ?? [
    { id: 'fake-legal', name: 'Escalation words', kind: 'phrase', enabled: true, severity: 'critical', cooldownMs: 120_000, actions: ['banner', 'notification', 'sound'], params: { phrases: ['lawyer', 'complaint'], speaker: 'caller' } },
    { id: 'fake-upset', name: 'Caller upset', kind: 'sentiment', enabled: true, severity: 'warning', cooldownMs: 180_000, actions: ['banner'], params: { mode: 'below', threshold: -0.4, drop: 0.6, overLines: 3 } },
  ];

  const handlers: Record<CommandName, (input: Record<string, unknown>) => Result<unknown>> = {
    'app.info': () =>
      ok({
        version: '0.1.0',
        engines: [
          { role: 'stt', label: 'PocketSphinx (en-US)', offline: true, ...(options.sttUnavailable ? { unavailable: options.sttUnavailable } : {}) },
          { role: 'llm', label: 'Intent + knowledge base', offline: true },
          { role: 'tts', label: 'eSpeak NG', offline: true },
        ],
        offline: true,
        checks: { deepgram: null, gemini: null, openai: null, elevenlabs: null, smallest: null },
        transport: 'electron',
      }),
    'calls.list': (input) => {
      const scope = (input['scope'] as string | undefined) ?? 'all';
      const limit = (input['limit'] as number | undefined) ?? 100;
      const list = [...calls.values()]
        .map((c) => c.summary)
        .filter((s) => scope === 'all' || (scope === 'live' ? s.status !== 'ended' : s.status === 'ended'))
        .sort((x, y) => y.startedAt - x.startedAt)
        .slice(0, limit);
      return ok(list);
    },
    'calls.get': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c) return err('not_found', `No call with id ${String(input['callId'])}`);
      return ok({
        call: c.summary,
        utterances: c.lines,
        events: c.events,
        suggestion: c.suggestion,
        turns: c.turns,
        recordings: [],
        facts: [],
        entities: c.suggestion?.entities ?? [],
        wrapUp: wrapUps.get(c.summary.id) ?? null,
      });
    },
    // Wrap-up (issue 8), simplified: one offline-style proposal; dispositions checked as the core does.
    'wrapup.get': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c) return err('not_found', `no call ${String(input['callId'])}`);
      const startedAt = (wrapUpStarts[c.summary.id] ??= Date.now());
      return ok(
        wrapUps.get(c.summary.id) ?? {
          callId: c.summary.id,
          summary: { reason: 'Charged twice / wrong bill.', actions: 'The AI answered and spoke twice.', resolution: 'partial', followUps: ['Follow up on: Charged twice / wrong bill.'] },
          disposition: null,
          notes: '',
          source: 'offline',
          proposedDisposition: 'escalated',
          startedAt,
          savedAt: null,
          wrapUpMs: null,
          notice: null,
        },
      );
    },
    'wrapup.save': (input) => {
      const id = String(input['callId']);
      const c = calls.get(id);
      if (!c) return err('not_found', `no call ${id}`);
      const disposition = DISPOSITIONS.find((d) => d === String(input['disposition']).trim().toLowerCase());
      if (!disposition) return err('bad_request', `“${String(input['disposition'])}” is not a disposition; choose one of: ${DISPOSITIONS.join(', ')}.`);
      const startedAt = wrapUps.get(id)?.startedAt ?? wrapUpStarts[id] ?? Date.now();
      const savedAt = Date.now();
      const base = { reason: 'Charged twice / wrong bill.', actions: 'The AI answered and spoke twice.', resolution: 'partial', followUps: [] as string[] };
      const saved = {
        callId: id,
        summary: { ...(wrapUps.get(id)?.summary ?? base), ...(input['summary'] as object | undefined) },
        disposition,
        notes: String(input['notes'] ?? ''),
        source: 'offline',
        proposedDisposition: 'escalated',
        startedAt,
        savedAt,
        wrapUpMs: wrapUps.get(id)?.wrapUpMs ?? savedAt - startedAt,
        notice: null,
      };
      wrapUps.set(id, saved);
      updateSummary(c, { disposition }); // like the core: Recent calls show the disposition
      return ok(saved);
    },
    'history.page': (input) => {
      const f = (input['filter'] ?? {}) as Filter;
      const problem = filterProblem(f);
      if (problem) return err('bad_request', `history.page: ✖ ${problem}`);
      const sort = (input['sort'] ?? { by: 'startedAt', dir: 'desc' }) as { by: string; dir: string };
      const key = (r: ReturnType<typeof historyRow>) =>
        sort.by === 'duration' ? (r.durationMs ?? -1) : sort.by === 'sentiment' ? (r.callerSentiment ?? -2) : r.startedAt;
      const rows = matching(f)
        .map(historyRow)
        .sort((a, b) => (key(a) - key(b)) * (sort.dir === 'asc' ? 1 : -1) || b.startedAt - a.startedAt);
      const limit = (input['limit'] as number | undefined) ?? 50;
      const offset = input['cursor'] ? Number(input['cursor']) : 0;
      const page = rows.slice(offset, offset + limit);
      return ok({ calls: page, nextCursor: offset + limit < rows.length ? String(offset + limit) : null });
    },
    'history.search': (input) => {
      const f = (input['filter'] ?? {}) as Filter;
      const problem = filterProblem(f);
      if (problem) return err('bad_request', `history.search: ✖ ${problem}`);
      const terms = words(f.search ?? '');
      if (terms.length === 0) return err('bad_request', 'history.search: ✖ filter.search: type something to search for');
      const hits = matching(f)
        .flatMap((c) =>
          c.lines
            .filter((l) => l.final && lineMatches(l.text, terms))
            .map((l) => ({
              call: historyRow(c),
              line: { id: l.id, speaker: l.speaker, startMs: l.startMs, segments: segmentsOf(l.text, terms) },
              at: c.summary.startedAt + l.startMs,
            })),
        )
        .sort((a, b) => b.at - a.at)
        .map(({ call, line }) => ({ call, line }));
      return ok({ hits: hits.slice(0, (input['limit'] as number | undefined) ?? 50), nextCursor: null });
    },
    'history.facets': () => ok({ endReasons: [...new Set([...calls.values()].map((c) => c.summary.endReason).filter((r): r is string => !!r))].sort() }),
    'history.analytics': (input) => {
      const f = (input['filter'] ?? {}) as Filter;
      const problem = filterProblem(f);
      if (problem) return err('bad_request', `history.analytics: ✖ ${problem}`);
      const groupBy = (input['groupBy'] as 'hour' | 'day' | 'week' | undefined) ?? 'day';
      const size = groupBy === 'hour' ? 3_600_000 : groupBy === 'day' ? 86_400_000 : 7 * 86_400_000;
      const rows = matching(f).map(historyRow);
      const ended = rows.filter((r) => r.durationMs !== null);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      const p90 = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.9 * xs.length) - 1)]! : null);
      const handles = ended.map((r) => r.durationMs! / 1000);
      const startBucket = (t: number) => {
        const d = new Date(t);
        if (groupBy === 'hour') return new Date(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours()).getTime();
        const day = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
        return groupBy === 'day' ? day : day - ((d.getDay() + 6) % 7) * 86_400_000;
      };
      const first = f.from ?? Math.min(...rows.map((r) => r.startedAt), Date.now());
      const last = f.to ?? Date.now();
      const buckets = [];
      for (let t = startBucket(first); t <= last && buckets.length < 800; t += size) {
        const inB = rows.filter((r) => startBucket(r.startedAt) === t);
        const endedB = inB.filter((r) => r.durationMs !== null);
        const hB = endedB.map((r) => r.durationMs! / 1000);
        buckets.push({
          startAt: t,
          inbound: inB.filter((r) => r.direction === 'inbound').length,
          outbound: inB.filter((r) => r.direction === 'outbound').length,
          avgHandleS: mean(hB),
          p90HandleS: p90(hB),
          takenOver: endedB.filter((r) => r.takenOver).length,
          abandoned: 0,
          sentimentStartAvg: mean(inB.flatMap((r) => (r.callerSentimentStart === null ? [] : [r.callerSentimentStart]))),
          sentimentEndAvg: mean(inB.flatMap((r) => (r.callerSentimentEnd === null ? [] : [r.callerSentimentEnd]))),
        });
      }
      const taken = ended.filter((r) => r.takenOver);
      const scored = rows.filter((r) => r.callerSentiment !== null);
      return ok({
        groupBy,
        totals: {
          calls: rows.length,
          inbound: rows.filter((r) => r.direction === 'inbound').length,
          outbound: rows.filter((r) => r.direction === 'outbound').length,
          avgHandleS: mean(handles),
          p90HandleS: p90(handles),
          containmentRate: ended.length ? (ended.length - taken.length) / ended.length : null,
          takeoverRate: ended.length ? taken.length / ended.length : null,
          avgTimeToTakeoverS: mean(taken.map((r) => (r.takeoverAtMs ?? 0) / 1000)),
          abandoned: 0,
          abandonmentRate: ended.length ? 0 : null,
          sentimentStartAvg: mean(scored.map((r) => r.callerSentimentStart!)),
          sentimentEndAvg: mean(scored.map((r) => r.callerSentimentEnd!)),
          negativeShare: scored.length ? scored.filter((r) => r.callerSentiment! <= -0.05).length / scored.length : null,
          fallbacks: 0,
          errors: 0,
        },
        buckets,
        intents: [
          { intent: 'billing_dispute', calls: Math.ceil(rows.length / 2) },
          { intent: 'refund_timeline', calls: Math.floor(rows.length / 3) },
        ].filter((i) => i.calls > 0),
        incidents: [],
        latency: (['stt', 'llm', 'tts', 'send', 'voiceToVoice'] as const).map((stage, i) => ({
          stage,
          turns: rows.length * 3,
          p50Ms: rows.length ? [190, 520, 210, 32, 960][i]! : null,
          p95Ms: rows.length ? [240, 1100, 260, 40, 1610][i]! : null,
        })),
      });
    },
    'export.start': (input) => {
      const f = (input['filter'] ?? {}) as Filter;
      const problem = filterProblem(f);
      if (problem) return err('bad_request', `export.start: ✖ ${problem}`);
      const format = String(input['format'] ?? 'csv');
      const content = String(input['content'] ?? 'calls');
      const rows = matching(f);
      const total = content === 'calls' ? rows.length : rows.reduce((n, c) => n + c.lines.length, 0);
      const id = nid('export');
      const job: Record<string, unknown> = {
        id,
        format,
        content,
        state: 'running',
        rowsWritten: 0,
        rowsTotal: total,
        startedAt: Date.now(),
        finishedAt: null,
        error: null,
        fileName: `switchboard-${content}.${format}`,
        fileRoute: null,
        bytes: null,
      };
      const entry = { job, timer: undefined as ReturnType<typeof setInterval> | undefined };
      exportJobs.set(id, entry);
      entry.timer = setInterval(() => {
        const written = Math.min(total, (job['rowsWritten'] as number) + Math.max(1, Math.ceil(total / 8)));
        job['rowsWritten'] = written;
        if (written >= total) {
          clearInterval(entry.timer);
          Object.assign(job, { state: 'done', finishedAt: Date.now(), fileRoute: `exports/${id}`, bytes: 1200 + total * 180 });
        }
        emit({ name: 'export.progress', payload: structuredClone(job) as never });
      }, 250);
      return ok(structuredClone(job));
    },
    'export.cancel': (input) => {
      const entry = exportJobs.get(String(input['id']));
      if (!entry) return err('not_found', 'No such export');
      clearInterval(entry.timer);
      if (entry.job['state'] === 'running') Object.assign(entry.job, { state: 'cancelled', finishedAt: Date.now() });
      emit({ name: 'export.progress', payload: structuredClone(entry.job) as never });
      return ok(structuredClone(entry.job));
    },
    'demo.scenarios': () => ok(scenarios),
    'demo.start': (input) => {
      const scenario = (input['scenarioId'] as string | undefined) ?? scenarios[0]!.id;
      const c = newCall(scenario, '+15550142277', Date.now());
      control.started.push(c.summary.id);
      setTimeout(() => {
        emit({ name: 'call.updated', payload: c.summary });
        addEvent(c, 'started');
        play(c);
      }, 30);
      return ok({ callSid: c.summary.callSid });
    },
    'call.takeOver': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c) return err('not_found', 'No such call');
      if (c.summary.status === 'ended') return err('conflict', 'The call has already ended');
      if (c.summary.controller === 'agent') return err('conflict', 'You already control this call');
      addEvent(c, 'takeover', { agent: 'Sam' });
      c.speakingLineId = null;
      // Like the core: taking the call answers its open alerts.
      const acked = new Set(c.events.filter((e) => e.type === 'alert_ack').map((e) => String(e.data['alertId'])));
      for (const e of c.events.filter((e) => e.type === 'alert' && !acked.has(e.id))) addEvent(c, 'alert_ack', { alertId: e.id, by: 'takeover' });
      updateSummary(c, { controller: 'agent', state: 'agent', aiActivity: 'detached', waitingSince: null, ...openAlertFields(c) });
      return ok(c.summary);
    },
    'call.handBack': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c) return err('not_found', 'No such call');
      if (c.summary.controller === 'ai') return err('conflict', 'The AI already controls this call');
      addEvent(c, 'handback');
      updateSummary(c, { controller: 'ai', state: 'ai', aiActivity: 'listening' });
      return ok(c.summary);
    },
    'call.say': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c) return err('not_found', 'No such call');
      if (c.summary.controller !== 'agent') return err('conflict', 'Take over the call before speaking');
      const text = String(input['text'] ?? '').trim();
      if (!text) return err('bad_request', 'Say something first');
      if (text.length > 1000) return err('bad_request', 'call.say: ✖ text: at most 1000 characters');
      // Like the core: shown whole at once, final once the caller has heard it all (260 ms a word).
      const startMs = elapsed(c);
      const u: Utterance = {
        id: nid('utt'),
        callId: c.summary.id,
        speaker: 'agent',
        text,
        final: false,
        startMs,
        endMs: startMs,
        sentiment: null,
        interrupted: false,
      };
      putLine(c, u);
      addEvent(c, 'agent_message');
      const spoken = agentLinesSpoken.get(c.summary.id) ?? [];
      agentLinesSpoken.set(c.summary.id, [...spoken, u]);
      c.timers.push(
        setTimeout(() => {
          const left = agentLinesSpoken.get(c.summary.id) ?? [];
          if (!left.some((l) => l.id === u.id)) return;
          agentLinesSpoken.set(c.summary.id, left.filter((l) => l.id !== u.id));
          putLine(c, { ...u, final: true, endMs: elapsed(c) });
          updateSummary(c, {});
        }, (text.split(' ').length * 260 * agentSpeechSlowdown) / speed),
      );
      return ok(u);
    },
    'call.stopSpeaking': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c || c.summary.status === 'ended') return err('conflict', 'the call has ended');
      // Like the core: each line keeps the words heard so far (in proportion to time), marked cut off.
      const lines = (agentLinesSpoken.get(c.summary.id) ?? []).map((u) => {
        const words = u.text.split(' ');
        const heardWords = Math.min(words.length, Math.floor((elapsed(c) - u.startMs) / ((260 * agentSpeechSlowdown) / speed)));
        const line: Utterance = { ...u, text: words.slice(0, heardWords).join(' '), final: true, interrupted: true, endMs: elapsed(c) };
        putLine(c, line);
        return line;
      });
      agentLinesSpoken.delete(c.summary.id);
      if (lines.length > 0) updateSummary(c, {});
      return ok({ lines });
    },
    'call.end': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c) return err('not_found', 'No such call');
      if (c.summary.status === 'ended') return err('conflict', 'The call has already ended');
      for (const t of c.timers) clearTimeout(t);
      setListening(c.summary.id, false);
      addEvent(c, 'ended', { reason: 'agent_ended' });
      updateSummary(c, { status: 'ended', state: 'ended', endedAt: Date.now(), aiActivity: 'idle', endReason: 'agent_ended', waitingSince: null });
      return ok(c.summary);
    },
    'call.pause': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c || c.summary.status === 'ended') return err('not_found', 'No such live call');
      const paused = input['paused'] === true;
      if (c.summary.controller !== 'ai') return err('conflict', 'The agent has this call; there is no AI to pause');
      if (paused === aiSilent(c)) return ok(c.summary);
      // Like the core: the AI stops at once (what it had said so far stays, cut off).
      const speaking = paused ? c.lines.find((l) => l.id === c.speakingLineId) : undefined;
      c.speakingLineId = null;
      if (speaking) putLine(c, { ...speaking, final: true, interrupted: true, endMs: elapsed(c) });
      addEvent(c, 'pause', { on: paused });
      updateSummary(c, { state: paused ? 'ai_paused' : 'ai', aiActivity: paused ? 'paused' : 'listening' });
      return ok(c.summary);
    },
    'call.whisper': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c || c.summary.status === 'ended') return err('not_found', 'No such live call');
      if (c.summary.controller !== 'ai') return err('conflict', 'You have the call: the AI is not on it');
      const text = String(input['text'] ?? '').trim();
      if (!text) return err('bad_request', 'Type an instruction first');
      if (text.length > 500) return err('bad_request', 'call.whisper: ✖ text: at most 500 characters');
      // The offline engine's rule: "say: …" or a quoted sentence becomes its next line; nothing else is followed.
      const spoken = /^say:\s*(.+)$/is.exec(text)?.[1] ?? /^["“](.+)["”]$/s.exec(text)?.[1] ?? null;
      const handling = spoken ? 'say' : 'unsupported';
      const event = addEvent(c, 'whisper', { text, handling });
      // Said even while paused, as the core does: the agent asked for this very line.
      if (spoken) c.timers.push(setTimeout(() => speakNow(c, spoken.trim()), 300 / speed));
      return ok({ event, handling });
    },
    'call.aiSay': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c || c.summary.status === 'ended') return err('not_found', 'No such live call');
      if (c.summary.controller !== 'ai') return err('conflict', 'You have the call: say it yourself');
      const text = String(input['text'] ?? '').trim();
      if (!text) return err('bad_request', 'call.aiSay: ✖ text: say something');
      // Said even while paused, as the core does: the agent asked for this very line.
      const line = speakNow(c, text);
      return ok(addEvent(c, 'ai_say', { utteranceId: line.id, text, source: input['source'] ?? 'suggestion' }));
    },
    'call.ackAlert': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c) return err('not_found', 'No such call');
      const alertId = String(input['alertId'] ?? '');
      if (!c.events.some((e) => e.type === 'alert' && e.id === alertId)) return err('not_found', `No alert ${alertId} on this call`);
      if (!c.events.some((e) => e.type === 'alert_ack' && e.data['alertId'] === alertId)) addEvent(c, 'alert_ack', { alertId });
      updateSummary(c, openAlertFields(c));
      return ok(c.summary);
    },
    // Alert rules (issue 8): kept as saved; a backtest matches phrase rules on the fake's calls
    // (the core replays every kind; here the other kinds find nothing).
    'alerts.rules': () => ok(alertRules),
    'alerts.saveRules': (input) => {
      const rules = Array.isArray(input['rules']) ? (input['rules'] as Array<Record<string, unknown>>) : null;
      if (!rules) return err('bad_request', 'alerts.saveRules: ✖ rules: a list of rules');
      const unnamed = rules.findIndex((r) => typeof r['name'] !== 'string' || !r['name'].trim());
      if (unnamed >= 0) return err('bad_request', `alerts.saveRules: ✖ Give the rule a name → at rules[${unnamed}].name`);
      alertRules = structuredClone(rules);
      return ok(alertRules);
    },
    'alerts.backtest': (input) => {
      const rule = (input['rule'] ?? {}) as { kind?: string; params?: { phrases?: string[]; speaker?: string } };
      const days = typeof input['days'] === 'number' ? input['days'] : 7;
      const since = Date.now() - days * 86_400_000;
      const inRange = [...calls.values()].filter((c) => c.summary.status === 'ended' && c.summary.startedAt >= since);
      const phrases = rule.kind === 'phrase' ? (rule.params?.phrases ?? []).map((p) => words(p)) : [];
      const speakers = rule.params?.speaker === 'any' ? ['caller', 'ai'] : [rule.params?.speaker ?? 'caller'];
      const matches = [];
      for (const c of inRange) {
        for (const l of c.lines) {
          if (!l.final || !speakers.includes(l.speaker) || !phrases.some((p) => p.length > 0 && lineMatches(l.text, p))) continue;
          const caller = c.summary.direction === 'inbound' ? c.summary.from : c.summary.to;
          matches.push({ callId: c.summary.id, callStartedAt: c.summary.startedAt, caller, atMs: l.startMs, lineId: l.id, speaker: l.speaker, text: l.text, detail: 'Phrase said' });
          break;
        }
      }
      return ok({ days, since, callsInRange: inRange.length, callsChecked: inRange.length, matchedCalls: matches.length, alerts: matches.length, matches, truncated: false, tookMs: 3 });
    },
    'call.listen': (input) => {
      const c = calls.get(String(input['callId']));
      if (!c || c.summary.status === 'ended') return err('not_found', 'No such live call');
      const listening = input['listening'] === true;
      setListening(c.summary.id, listening);
      return ok({ listening, leaseMs: listening ? 60_000 : null });
    },
    'settings.get': () => ok({ ...settings }),
    // Kept for the page's life, as settings.json keeps them (Settings → Privacy reopens with what was saved).
    'settings.update': (input) => ok(Object.assign(settings, input) && { ...settings }),
    // Retention (issue 10): a purge twenty minutes ago, as the core reports it.
    'privacy.status': () => ok({ lastPurge: { at: Date.now() - 20 * 60_000, calls: 12, recordings: 3, failedFiles: 0 } }),
    // Providers and keys: offline until a vendor is chosen and its key saved (tested as it is saved).
    'providers.get': () => ok(providersState()),
    'providers.update': (input) => {
      for (const field of ['elevenlabsVoiceId', 'smallestVoiceId']) {
        const value = input[field];
        if (value !== undefined && !(typeof value === 'string' && /^[A-Za-z0-9_-]{2,64}$/.test(value.trim()))) {
          return err('bad_request', `${field}: a voice id is letters, digits, "-" and "_" only`);
        }
      }
      Object.assign(providerChoice, input);
      return ok(providersState());
    },
    'secrets.set': (input) => {
      const name = String(input['name']);
      savedSecrets.add(name);
      const vendor = name.endsWith('ApiKey') ? name.slice(0, -'ApiKey'.length) : null;
      return ok({ ...secretStatus(name, true), check: vendor ? testProvider(vendor) : null });
    },
    'secrets.clear': (input) => {
      const name = String(input['name']);
      savedSecrets.delete(name);
      if (name.endsWith('ApiKey')) providerChecks[name.slice(0, -'ApiKey'.length)] = null;
      return ok(secretStatus(name, false));
    },
    'providers.test': (input) => ok(testProvider(String(input['provider']))),
    // Team sync (issue 12): off until a team database URL is saved, then connected and caught up.
    'sync.status': () => ok(syncStatus()),
    'sync.test': () => ok({ ok: true, message: 'Connected to PostgreSQL 15.18 at db.example.com:5432/team; team schema version 1.', latencyMs: 12, checkedAt: Date.now() }),
    // Telephony like the core's (telephony-service.ts): settings start empty (not ready), the
    // same readiness gaps and refusal messages; dialled calls ring, then are answered (or not).
    'call.hold': () => err('conflict', 'hold is for a call you have taken over on your softphone'),
    'telephony.get': () => ok(telephonyState()),
    'telephony.update': (input) => {
      const problem = telephonyProblem(input);
      if (problem) return err('bad_request', `telephony.update: ✖ ${problem}`.replace(/\n\s*/g, '; '));
      const port = input['localPort'];
      if (typeof port === 'number' && port !== 0 && port < 1024) return err('conflict', `Can't listen there: port ${port} needs administrator rights (ports below 1024 do)`);
      if (typeof port === 'number' && port === options.telephonyPortTaken) return err('conflict', `Can't listen there: port ${port} is in use by another program`);
      if (typeof port === 'number') telephonyListening = true;
      Object.assign(telephony, input);
      telephony.phoneNumbers = [...new Set(telephony.phoneNumbers)];
      telephony.relayNumbers = telephony.relayNumbers.filter((n) => telephony.phoneNumbers.includes(n));
      telephony.doNotCall = [...new Set(telephony.doNotCall)];
      return ok(telephonyState());
    },
    'telephony.configureNumber': (input) => {
      const phoneNumber = String(input['phoneNumber']);
      if (!telephony.accountSid || !savedSecrets.has('twilioAuthToken')) {
        return { ok: false, error: { code: 'unavailable', message: 'Twilio is not configured: missing Twilio account SID and Twilio auth token' } };
      }
      if (!telephony.publicBaseUrl) return { ok: false, error: { code: 'unavailable', message: 'Set the public https URL (the tunnel) first: Twilio must reach it' } };
      if (phoneNumber.endsWith('9999')) return err('not_found', "That number is not one of the Twilio account's phone numbers");
      if (!telephony.phoneNumbers.includes(phoneNumber)) telephony.phoneNumbers.push(phoneNumber);
      const origin = new URL(telephony.publicBaseUrl).origin;
      return ok({ phoneNumber, sid: `PN${hex32()}`, voiceUrl: `${origin}/twilio/voice`, statusCallback: `${origin}/twilio/status` });
    },
    'calls.dial': (input) => dial(input),
    'softphone.token': () => ({ ok: false, error: { code: 'unavailable', message: 'Softphone unavailable: set the Twilio account SID, Twilio API key SID and Twilio API key secret.' } }),
    // AI profiles and campaigns (issue 15) are tested against the real core (profiles.spec.ts,
    // campaigns.spec.ts): the fake lists the default profile and no campaigns, and says so for the rest.
    'profiles.list': () =>
      ok([{ id: 'default', name: 'Default', version: 1, isDefault: true, updatedAt: Date.now(), articleCount: 0, liveCalls: 0, campaigns: 0, numbers: [] }]),
    'profiles.get': () => notInFake('AI profiles'),
    'profiles.save': () => notInFake('AI profiles'),
    'profiles.duplicate': () => notInFake('AI profiles'),
    'profiles.delete': () => notInFake('AI profiles'),
    'profiles.saveArticle': () => notInFake('AI profiles'),
    'profiles.deleteArticle': () => notInFake('AI profiles'),
    'profiles.importArticles': () => notInFake('AI profiles'),
    'profiles.assignNumber': () => notInFake('AI profiles'),
    'profiles.try': () => notInFake('AI profiles'),
    'leads.upload': () => notInFake('Campaigns'),
    'campaigns.create': () => notInFake('Campaigns'),
    'campaigns.list': () => ok([]),
    'campaigns.get': () => notInFake('Campaigns'),
    'campaigns.leads': () => notInFake('Campaigns'),
    'campaigns.control': () => notInFake('Campaigns'),
  };
  function notInFake(what: string): Result<never> {
    return { ok: false, error: { code: 'unavailable', message: `${what} are not in the fake backend: the real core serves them` } };
  }

  const severityOrder = { info: 0, warning: 1, critical: 2 } as const;
  /** The summary's alert fields from the call's events: the most severe open alert (latest of equal severity), and how many are open. */
  function openAlertFields(c: CallState): Pick<CallSummary, 'alert' | 'openAlerts'> {
    const acked = new Set(c.events.filter((e) => e.type === 'alert_ack').map((e) => String(e.data['alertId'])));
    const open = c.events.filter((e) => e.type === 'alert' && !acked.has(e.id));
    let top: CallEvent | null = null;
    for (const e of open) {
      const rank = severityOrder[e.data['severity'] as keyof typeof severityOrder] ?? 0;
      if (!top || rank >= severityOrder[top.data['severity'] as keyof typeof severityOrder]) top = e;
    }
    const alert = top
      ? { id: top.id, ruleId: String(top.data['ruleId']), severity: top.data['severity'] as 'info' | 'warning' | 'critical', title: String(top.data['title']), atMs: top.atMs }
      : null;
    return { alert, openAlerts: open.length };
  }

  const failures = new Map<string, string>();
  const shellListeners = new Set<(command: unknown) => void>();
  const control: FakeControl = {
    shellNotices: [],
    shellCommand(command) {
      for (const listener of shellListeners) listener(structuredClone(command));
    },
    emit,
    calls: () => [...calls.values()].map((c) => c.summary),
    started: [],
    failNext: (name, message) => void failures.set(name, message),
    requestTakeover: (callId, reason) => {
      const c = calls.get(callId);
      if (!c) return;
      addEvent(c, 'takeover_requested', { reason });
      updateSummary(c, { waitingSince: Date.now() });
    },
    pressKeys: (callId, digits, kind, option) => {
      const c = calls.get(callId);
      if (c) addEvent(c, 'keypad', option ? { digits, kind, option } : { digits, kind });
    },
    raiseAlert: (callId, severity, title, more) => {
      const c = calls.get(callId);
      if (!c) return;
      addEvent(c, 'alert', { ruleId: `rule-${title.length}`, kind: 'phrase', severity, title, detail: more?.detail ?? '', utteranceId: null, actions: more?.actions ?? [] });
      updateSummary(c, openAlertFields(c));
    },
    recordEvent: (callId, type, data = {}, summary) => {
      const c = calls.get(callId);
      if (!c) return;
      addEvent(c, type, data);
      if (summary) updateSummary(c, summary);
    },
    addTurn: (turn) => {
      const c = calls.get(turn.callId);
      if (c) putTurn(c, turn);
    },
    setAgentSpeechSlowdown: (factor) => {
      agentSpeechSlowdown = factor;
    },
    callerSays: (callId, text, score, originalText) => {
      const c = calls.get(callId);
      if (!c) return;
      const startMs = elapsed(c);
      const line: Utterance = {
        id: nid('utt'),
        callId,
        speaker: 'caller',
        text,
        final: true,
        startMs,
        endMs: startMs + 1200,
        sentiment: sentimentOf(score),
        interrupted: false,
        ...(originalText === undefined ? {} : { originalText }),
      };
      putLine(c, line);
      updateSummary(c, {});
    },
  };

  /**
   * The team view (issue 12): `source: 'team'` reads "the team database": this desk's calls
   * and, for every third one, another desk's, each row carrying its desk; refused like the
   * core while Team sync is not set up.
   */
  const TEAM_COMMANDS = ['history.page', 'history.search', 'history.facets', 'history.analytics', 'export.start'];
  const deskOf = (callId: string) => ([...callId].reduce((n, ch) => n + ch.charCodeAt(0), 0) % 3 === 0 ? 'Bristol desk' : String(settings['teamDeskName']));
  const asTeam = (name: CommandName, result: Result<unknown>): Result<unknown> => {
    if (!result.ok) return result;
    const value = result.value as Record<string, unknown>;
    if (name === 'history.page') return ok({ ...value, calls: (value['calls'] as Array<{ id: string }>).map((c) => ({ ...c, desk: deskOf(c.id) })) });
    if (name === 'history.search') {
      const hits = value['hits'] as Array<{ call: { id: string } }>;
      return ok({ ...value, hits: hits.map((h) => ({ ...h, call: { ...h.call, desk: deskOf(h.call.id) } })) });
    }
    if (name === 'export.start') {
      const fileName = `switchboard-team-${String(value['content'])}.${String(value['format'])}`;
      const entry = exportJobs.get(String(value['id']));
      if (entry) entry.job['fileName'] = fileName; // its progress events say the same
      return ok({ ...value, fileName });
    }
    return result;
  };
  const run = (name: CommandName, input: Record<string, unknown>): Result<unknown> => {
    const handler = handlers[name];
    if (!handler) return err('bad_request', `Unknown command ${String(name)}`);
    if (!TEAM_COMMANDS.includes(name) || input['source'] !== 'team') return handler(input);
    if (!savedSecrets.has('teamDatabaseUrl')) return { ok: false, error: { code: 'unavailable', message: 'Team sync is not set up: Settings → Team sync.' } };
    return asTeam(name, handler(input));
  };

  const api = {
    invoke(name: CommandName, input: unknown): Promise<Result<unknown>> {
      const failure = failures.get(name);
      failures.delete(name);
      const result: Result<unknown> =
        failure !== undefined ? { ok: false, error: { code: 'unavailable', message: failure } } : run(name, (input ?? {}) as Record<string, unknown>);
      // Commands answer asynchronously, like IPC does.
      return new Promise((resolve) => setTimeout(() => resolve(structuredClone(result)), 15));
    },
    subscribe(listener: (e: AnyEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  const shell = {
    notify(notice: unknown): void {
      control.shellNotices.push(structuredClone(notice));
    },
    onCommand(listener: (command: unknown) => void): () => void {
      shellListeners.add(listener);
      return () => shellListeners.delete(listener);
    },
  };

  Object.assign(globalThis, { switchboard: options.shellBridge ? { ...api, shell } : api, __fake: control });
}
