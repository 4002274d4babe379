/**
 * Alert rules (issue 8): what the agent wants to be told about on a live call, and how loudly.
 * One schema for the core (storage, evaluation, backtest) and the renderer (the Settings →
 * Alerts editor validates with it, so its messages are the ones the core would give).
 */
import { z } from 'zod';
import { AlertSeverity, Speaker } from './domain';

/** How an alert is raised on top of the row badge every alert gets. */
export const AlertAction = z.enum(['banner', 'notification', 'sound']);
export type AlertAction = z.infer<typeof AlertAction>;

export const ALERT_RULE_KINDS = [
  'phrase',
  'sentiment',
  'silence',
  'ai_loop',
  'caller_repeat',
  'person_request',
  'barge_ins',
  'long_call',
  'provider_trouble',
] as const;
export const AlertRuleKind = z.enum(ALERT_RULE_KINDS);
export type AlertRuleKind = z.infer<typeof AlertRuleKind>;

/** Plain words for each kind, for the editor and for messages. */
export const ALERT_KIND_LABELS: Record<AlertRuleKind, string> = {
  phrase: 'Phrase said',
  sentiment: 'Caller sentiment',
  silence: 'Silence on the line',
  ai_loop: 'AI repeating itself',
  caller_repeat: 'Caller repeating themselves',
  person_request: 'Caller asks for a person',
  barge_ins: 'Repeated interruptions',
  long_call: 'Long call',
  provider_trouble: 'Engine fallback or error',
};

/** A phrase to listen for: matched on whole words, stemmed ("complaints" matches "complaint"). */
const Phrase = z
  .string()
  .trim()
  .min(1, 'A phrase cannot be empty')
  .max(80, 'Keep each phrase under 80 characters')
  .refine((p) => /[\p{L}\p{N}]/u.test(p), 'A phrase needs at least one letter or digit');

const PhraseList = z.array(Phrase).max(50, 'At most 50 phrases per rule');

/** Fields every rule has. */
const ruleBase = {
  id: z.string().trim().min(1, 'A rule needs an id').max(100),
  name: z.string().trim().min(1, 'Give the rule a name').max(60, 'Keep the name under 60 characters'),
  enabled: z.boolean(),
  severity: AlertSeverity,
  /** A rule fires at most once per this many ms on one call (0: every time it matches). */
  cooldownMs: z
    .number()
    .int('Cooldown must be a whole number of milliseconds')
    .min(0, 'Cooldown cannot be negative')
    .max(86_400_000, 'Cooldown can be at most a day'),
  /** The row badge always shows; these come on top. */
  actions: z
    .array(AlertAction)
    .max(3)
    .refine((a) => new Set(a).size === a.length, 'Each action once'),
};

const SimilarLines = z
  .object({
    /** Word overlap (0..1, Jaccard over stemmed content words) at which two lines count as the same. */
    similarity: z.number().min(0.5, 'Similarity must be at least 0.5').max(1, 'Similarity is at most 1'),
    /** How many times the line must be said… */
    times: z.number().int().min(2, 'A repeat needs at least 2 times').max(10, 'At most 10 times'),
    /** …among the speaker's last this many lines. */
    withinLines: z.number().int().min(2, 'Look back at least 2 lines').max(20, 'Look back at most 20 lines'),
  })
  .strict()
  .refine((p) => p.times <= p.withinLines, { message: 'Times cannot exceed the lines looked back over', path: ['times'] });

export const PhraseRule = z
  .object({
    ...ruleBase,
    kind: z.literal('phrase'),
    params: z
      .object({
        phrases: PhraseList.min(1, 'Add at least one phrase'),
        /** Whose lines: 'any' is the caller and the AI (an agent's own words never alert the agent). */
        speaker: z.enum(['caller', 'ai', 'any']),
      })
      .strict(),
  })
  .strict();

export const SentimentRule = z
  .object({
    ...ruleBase,
    kind: z.literal('sentiment'),
    params: z
      .object({
        /** 'below': the mean of the last `overLines` caller lines is under `threshold`;
         *  'drop': it fell by `drop` or more from the mean of the call's first `overLines` lines. */
        mode: z.enum(['below', 'drop']),
        threshold: z.number().min(-1, 'Sentiment runs from -1 to 1').max(1, 'Sentiment runs from -1 to 1'),
        drop: z.number().min(0.1, 'A drop of at least 0.1').max(2, 'A drop of at most 2'),
        overLines: z.number().int().min(1, 'At least 1 line').max(20, 'At most 20 lines'),
      })
      .strict(),
  })
  .strict();

export const SilenceRule = z
  .object({
    ...ruleBase,
    kind: z.literal('silence'),
    /** Neither side speaks for this long while we hear the line (not while the agent has it on their phone). */
    params: z.object({ afterS: z.number().int().min(5, 'At least 5 seconds').max(600, 'At most 10 minutes') }).strict(),
  })
  .strict();

export const AiLoopRule = z.object({ ...ruleBase, kind: z.literal('ai_loop'), params: SimilarLines }).strict();
export const CallerRepeatRule = z.object({ ...ruleBase, kind: z.literal('caller_repeat'), params: SimilarLines }).strict();

export const PersonRequestRule = z
  .object({
    ...ruleBase,
    kind: z.literal('person_request'),
    params: z
      .object({
        /** The AI asked for a person (its transfer_to_agent tool: a 'takeover_requested' event). */
        onTakeoverRequest: z.boolean(),
        /** Caller phrases that ask for a person. */
        phrases: PhraseList,
      })
      .strict()
      .refine((p) => p.onTakeoverRequest || p.phrases.length > 0, {
        message: 'Listen for a phrase or for the AI asking for a person (or both)',
        path: ['phrases'],
      }),
  })
  .strict();

export const BargeInsRule = z
  .object({
    ...ruleBase,
    kind: z.literal('barge_ins'),
    params: z
      .object({
        count: z.number().int().min(2, 'At least 2 interruptions').max(20, 'At most 20 interruptions'),
        withinS: z.number().int().min(10, 'A window of at least 10 seconds').max(3600, 'A window of at most an hour'),
      })
      .strict(),
  })
  .strict();

export const LongCallRule = z
  .object({
    ...ruleBase,
    kind: z.literal('long_call'),
    params: z.object({ afterMin: z.number().int().min(1, 'At least 1 minute').max(240, 'At most 4 hours') }).strict(),
  })
  .strict();

export const ProviderTroubleRule = z
  .object({
    ...ruleBase,
    kind: z.literal('provider_trouble'),
    params: z
      .object({ fallbacks: z.boolean(), errors: z.boolean() })
      .strict()
      .refine((p) => p.fallbacks || p.errors, { message: 'Pick fallbacks, errors or both', path: ['fallbacks'] }),
  })
  .strict();

export const AlertRule = z.discriminatedUnion('kind', [
  PhraseRule,
  SentimentRule,
  SilenceRule,
  AiLoopRule,
  CallerRepeatRule,
  PersonRequestRule,
  BargeInsRule,
  LongCallRule,
  ProviderTroubleRule,
]);
export type AlertRule = z.infer<typeof AlertRule>;
export type AlertRuleOf<K extends AlertRuleKind> = Extract<AlertRule, { kind: K }>;

export const MAX_ALERT_RULES = 100;

/** The whole list, as Settings saves it: ids unique. */
export const AlertRules = z
  .array(AlertRule)
  .max(MAX_ALERT_RULES, `At most ${MAX_ALERT_RULES} rules`)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', message: `Two rules share the id ${rule.id}`, path: [index, 'id'] });
      seen.add(rule.id);
    });
  });

const MINUTE_MS = 60_000;

/** What ships: quiet on a calm call, loud on what a supervisor would want to hear about. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  {
    id: 'default-escalation-phrases',
    name: 'Escalation words',
    kind: 'phrase',
    enabled: true,
    severity: 'critical',
    cooldownMs: 2 * MINUTE_MS,
    actions: ['banner', 'notification', 'sound'],
    params: { phrases: ['cancel my account', 'supervisor', 'lawyer', 'complaint', 'solicitor', 'legal action'], speaker: 'caller' },
  },
  {
    id: 'default-negative-sentiment',
    name: 'Caller upset',
    kind: 'sentiment',
    enabled: true,
    severity: 'warning',
    cooldownMs: 3 * MINUTE_MS,
    actions: ['banner'],
    params: { mode: 'below', threshold: -0.4, drop: 0.6, overLines: 3 },
  },
  {
    id: 'default-sentiment-drop',
    name: 'Mood dropped',
    kind: 'sentiment',
    enabled: true,
    severity: 'info',
    cooldownMs: 5 * MINUTE_MS,
    actions: [],
    params: { mode: 'drop', threshold: -0.4, drop: 0.8, overLines: 2 },
  },
  {
    id: 'default-silence',
    name: 'Dead air',
    kind: 'silence',
    enabled: true,
    severity: 'warning',
    cooldownMs: 2 * MINUTE_MS,
    actions: ['banner'],
    // Longer than the AI's own re-prompt (8 s) and its keep-company lines while a caller waits.
    params: { afterS: 25 },
  },
  {
    id: 'default-ai-loop',
    name: 'AI going in circles',
    kind: 'ai_loop',
    enabled: true,
    severity: 'warning',
    cooldownMs: 3 * MINUTE_MS,
    actions: ['banner'],
    params: { similarity: 0.8, times: 3, withinLines: 6 },
  },
  {
    id: 'default-caller-repeat',
    name: 'Caller repeating themselves',
    kind: 'caller_repeat',
    enabled: true,
    severity: 'info',
    cooldownMs: 3 * MINUTE_MS,
    actions: [],
    params: { similarity: 0.75, times: 3, withinLines: 5 },
  },
  {
    id: 'default-person-request',
    name: 'Wants a person',
    kind: 'person_request',
    enabled: true,
    severity: 'critical',
    cooldownMs: 2 * MINUTE_MS,
    actions: ['banner', 'notification', 'sound'],
    params: {
      onTakeoverRequest: true,
      phrases: ['speak to a person', 'real person', 'speak to someone', 'talk to a human', 'speak to a human', 'representative', 'operator'],
    },
  },
  {
    id: 'default-barge-ins',
    name: 'Keeps interrupting the AI',
    kind: 'barge_ins',
    enabled: true,
    severity: 'info',
    cooldownMs: 3 * MINUTE_MS,
    actions: [],
    params: { count: 3, withinS: 60 },
  },
  {
    id: 'default-long-call',
    name: 'Long call',
    kind: 'long_call',
    enabled: true,
    severity: 'info',
    cooldownMs: 0,
    actions: [],
    params: { afterMin: 10 },
  },
  {
    id: 'default-provider-trouble',
    name: 'Engine trouble',
    kind: 'provider_trouble',
    enabled: true,
    severity: 'warning',
    cooldownMs: 5 * MINUTE_MS,
    actions: ['banner'],
    params: { fallbacks: true, errors: true },
  },
];

/** A fresh rule of `kind` with sensible parameters (the editor's "Add rule"). */
export function newAlertRule<K extends AlertRuleKind>(kind: K, id: string): AlertRuleOf<K> {
  return freshRule(kind, id) as AlertRuleOf<K>;
}

function freshRule(kind: AlertRuleKind, id: string): AlertRule {
  const base = { id, name: ALERT_KIND_LABELS[kind], enabled: true, severity: 'warning' as const, cooldownMs: 2 * MINUTE_MS, actions: ['banner' as const] };
  switch (kind) {
    case 'phrase':
      return { ...base, kind, params: { phrases: ['complaint'], speaker: 'caller' } };
    case 'sentiment':
      return { ...base, kind, params: { mode: 'below', threshold: -0.4, drop: 0.6, overLines: 3 } };
    case 'silence':
      return { ...base, kind, params: { afterS: 25 } };
    case 'ai_loop':
      return { ...base, kind, params: { similarity: 0.8, times: 3, withinLines: 6 } };
    case 'caller_repeat':
      return { ...base, kind, params: { similarity: 0.75, times: 3, withinLines: 5 } };
    case 'person_request':
      return { ...base, kind, params: { onTakeoverRequest: true, phrases: ['speak to a person'] } };
    case 'barge_ins':
      return { ...base, kind, params: { count: 3, withinS: 60 } };
    case 'long_call':
      return { ...base, kind, params: { afterMin: 10 } };
    case 'provider_trouble':
      return { ...base, kind, params: { fallbacks: true, errors: true } };
  }
}

// ---------------------------------------------------------------- backtest

export const MAX_BACKTEST_DAYS = 90;

export const AlertBacktestInput = z
  .object({
    rule: AlertRule,
    days: z.number().int().min(1, 'At least 1 day').max(MAX_BACKTEST_DAYS, `At most ${MAX_BACKTEST_DAYS} days`).default(7),
  })
  .strict();

/** One place a rule would have fired on a stored call. */
export const AlertBacktestMatch = z.object({
  callId: z.string(),
  /** Epoch ms the call started. */
  callStartedAt: z.number(),
  /** The caller's number (the callee's, for an outbound call). */
  caller: z.string(),
  /** ms since the call started. */
  atMs: z.number().nonnegative(),
  /** The line that set it off, when one did. */
  lineId: z.string().nullable(),
  speaker: Speaker.nullable(),
  /** The line's words, or what happened when no line did. */
  text: z.string(),
  detail: z.string(),
});
export type AlertBacktestMatch = z.infer<typeof AlertBacktestMatch>;

export const AlertBacktestResult = z.object({
  days: z.number().int(),
  /** Epoch ms: calls that started at or after this were looked at. */
  since: z.number(),
  /** Ended calls that started in the window. */
  callsInRange: z.number().int().nonnegative(),
  /** Of those, how many were replayed (the newest first, up to a cap). */
  callsChecked: z.number().int().nonnegative(),
  /** Calls the rule would have fired on at least once. */
  matchedCalls: z.number().int().nonnegative(),
  /** Times it would have fired in all (cooldown applied per call, as live). */
  alerts: z.number().int().nonnegative(),
  /** The first places it fired, newest call first (capped; see `truncated`). */
  matches: z.array(AlertBacktestMatch),
  truncated: z.boolean(),
  tookMs: z.number().nonnegative(),
});
export type AlertBacktestResult = z.infer<typeof AlertBacktestResult>;
