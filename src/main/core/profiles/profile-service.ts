/**
 * AI profiles for the rest of the core (issue 15): which profile a call runs with (an inbound
 * number's, an outbound dial's, else the default), what that gives the call (persona,
 * knowledge base, engines, tools), and the profiles.* command handlers, Try it included.
 */
import { articleFromMarkdown, KbArticleInput, type AiProfile, type AiProfileFields, type AiProfileListItem } from '@shared/ai-profile';
import type { CommandArgs, CommandOutput } from '@shared/contract';
import type { CallSummary, ProviderChoice, PublicSettings } from '@shared/domain';
import { ApiError } from '../api/dispatcher';
import type { CallEngines, CallSetup } from '../calls/call-manager';
import type { Logger } from '../log';
import { buildPersona, type Persona } from '../persona';
import type { CallProviders } from '../providers/provider-service';
import type { ChatMessage, LlmChunk } from '../providers/types';
import type { AdmittedCall } from '../telephony/call-registry';
import type { ProfileStore } from './profile-store';
import { createProfileRuntimes, type ProfileRuntime } from './profile-runtime';

/** How long Try it waits for a reply before saying the engine did not answer. */
const TRY_TIMEOUT_MS = 20_000;

export interface ProfileServiceOptions {
  store: ProfileStore;
  resourcesDir: string;
  settings: () => PublicSettings;
  /** The engines a call starting now would get, with a profile's choice over Settings'. */
  providers(overrides: Partial<ProviderChoice>): CallProviders;
  /** Whether this call is recorded (its greeting then says so). */
  recorded(call: AdmittedCall | null): boolean;
  /** Live calls, for "in use" (a profile a live call runs with cannot be deleted). */
  liveCalls(): readonly CallSummary[];
  /** Campaigns not finished that dial with each profile (issue 15's campaigns). */
  campaignsUsing(profileId: string): number;
  logger: Logger;
}

export type ProfileHandlers = {
  [N in
    | 'profiles.list'
    | 'profiles.get'
    | 'profiles.save'
    | 'profiles.duplicate'
    | 'profiles.delete'
    | 'profiles.saveArticle'
    | 'profiles.deleteArticle'
    | 'profiles.importArticles'
    | 'profiles.assignNumber'
    | 'profiles.try']: (args: CommandArgs<N>) => CommandOutput<N> | Promise<CommandOutput<N>>;
};

export interface ProfileService {
  /** What a new call runs with. */
  setupFor(call: AdmittedCall | null): CallSetup;
  /** The persona alone (a ConversationRelay call's greeting is Twilio's to speak). */
  personaFor(call: AdmittedCall | null): Persona;
  /** The profile an outbound dial names (not_found for an unknown or deleted one), or the default. */
  resolve(profileId: string | null | undefined): AiProfile;
  handlers: ProfileHandlers;
}

/** A profile's engine and voice choices as overrides of Settings → Engines. */
export function choiceOverrides(fields: AiProfileFields): Partial<ProviderChoice> {
  const out: Partial<ProviderChoice> = {};
  if (fields.engines.stt !== 'settings') out.stt = fields.engines.stt;
  if (fields.engines.llm !== 'settings') out.llm = fields.engines.llm;
  if (fields.engines.tts !== 'settings') out.tts = fields.engines.tts;
  if (fields.voices.elevenlabs) out.elevenlabsVoiceId = fields.voices.elevenlabs;
  if (fields.voices.smallest) out.smallestVoiceId = fields.voices.smallest;
  return out;
}

export function createProfileService(options: ProfileServiceOptions): ProfileService {
  const { store } = options;
  const runtimes = createProfileRuntimes({ resourcesDir: options.resourcesDir, businessName: () => options.settings().businessName });
  store.defaultProfile(); // made on first start, from today's behaviour

  const resolve = (profileId: string | null | undefined): AiProfile => (profileId ? store.get(profileId) : store.defaultProfile());

  /** The call's engines: the profile's choice, and the offline reply engine answering from its articles. */
  const enginesFor = (runtime: ProfileRuntime): CallEngines => {
    const { providers, fallback, leftOut } = options.providers(choiceOverrides(runtime.profile.fields));
    return {
      providers: providers.llm.offline ? { ...providers, llm: runtime.offlineLlm } : providers,
      fallback: fallback ? { ...fallback, llm: runtime.offlineLlm } : undefined,
      leftOut,
    };
  };

  const profileFor = (call: AdmittedCall | null): AiProfile => {
    if (call?.dial) {
      try {
        return resolve(call.dial.profileId);
      } catch (error) {
        // Deleted between the dial and the answer: the call still gets an AI, the default one.
        options.logger.warn({ err: error }, "an outbound call's profile is gone; it runs with the default profile");
        return store.defaultProfile();
      }
    }
    if (call && call.direction === 'inbound' && !call.simulated) return store.forNumber(call.to);
    return store.defaultProfile();
  };

  const listItems = (): AiProfileListItem[] => {
    const live = options.liveCalls();
    const numbers = store.numberProfiles();
    const defaultId = store.defaultProfile().id;
    return store.list().map((p) => ({
      ...p,
      liveCalls: live.filter((c) => (c.profile?.id ?? defaultId) === p.id && c.status !== 'ended').length,
      campaigns: options.campaignsUsing(p.id),
      numbers: [...numbers].filter(([, id]) => id === p.id).map(([number]) => number),
    }));
  };

  const tryIt = async ({ profileId, direction, messages }: CommandArgs<'profiles.try'>): Promise<CommandOutput<'profiles.try'>> => {
    const profile = store.get(profileId);
    const runtime = runtimes.for(profile);
    const { providers } = enginesFor(runtime);
    const dial = direction === 'outbound' ? tryDial(profile.id) : null;
    // The greeting as a real call now would say it (with the recording notice when real calls are recorded).
    const settings = options.settings();
    const persona = buildPersona(settings, dial, { profile: profile.fields, recorded: settings.recordRealCalls });
    const history: ChatMessage[] = [
      { role: 'assistant', text: persona.greeting },
      ...messages.map((m): ChatMessage => ({ role: m.role === 'caller' ? 'user' : 'assistant', text: m.text })),
    ];
    const lastCaller = [...messages].reverse().find((m) => m.role === 'caller');
    const articles = lastCaller ? runtime.assist.knowledgeBase.search(lastCaller.text, 3).map(({ id, title }) => ({ id, title })) : [];
    if (!lastCaller || messages.at(-1)?.role !== 'caller') {
      return { greeting: persona.greeting, reply: '', tools: [], articles, engine: providers.llm.label, version: profile.version };
    }
    let reply = '';
    const tools: Array<{ name: string; args: Record<string, unknown> }> = [];
    const signal = AbortSignal.timeout(TRY_TIMEOUT_MS);
    try {
      for await (const chunk of providers.llm.generate(
        { system: persona.systemPrompt, history, tools: persona.tools, lookupKnowledge: runtime.lookupKnowledge },
        signal,
      ) as AsyncIterable<LlmChunk>) {
        if (chunk.type === 'text') reply += chunk.text;
        else if (persona.tools.includes(chunk.name)) tools.push({ name: chunk.name, args: chunk.args });
      }
    } catch (error) {
      if (signal.aborted) throw new ApiError('unavailable', `${providers.llm.label} did not answer within ${TRY_TIMEOUT_MS / 1000} seconds`);
      throw new ApiError('unavailable', `${providers.llm.label} could not answer: ${(error as Error).message}`);
    }
    return { greeting: persona.greeting, reply: reply.trim(), tools, articles, engine: providers.llm.label, version: profile.version };
  };

  const handlers: ProfileHandlers = {
    'profiles.list': listItems,
    'profiles.get': ({ profileId }) => store.get(profileId),
    'profiles.save': ({ profileId, fields }) => store.save(profileId, fields),
    'profiles.duplicate': ({ profileId, name }) => store.duplicate(profileId, name),
    'profiles.delete': ({ profileId }) => {
      const item = listItems().find((p) => p.id === profileId);
      if (!item) throw new ApiError('not_found', `no AI profile ${profileId}`);
      const uses = [
        item.liveCalls > 0 ? `${item.liveCalls} live call${item.liveCalls === 1 ? '' : 's'}` : null,
        item.campaigns > 0 ? `${item.campaigns} campaign${item.campaigns === 1 ? '' : 's'}` : null,
        item.numbers.length > 0 ? `the number${item.numbers.length === 1 ? '' : 's'} ${item.numbers.join(', ')}` : null,
      ].filter((u): u is string => u !== null);
      if (uses.length > 0) throw new ApiError('conflict', `"${item.name}" is in use by ${uses.join(' and ')}: it can be deleted once nothing uses it`);
      store.delete(profileId);
      return { profileId };
    },
    'profiles.saveArticle': ({ profileId, article }) => store.saveArticle(profileId, article),
    'profiles.deleteArticle': ({ profileId, articleId }) => store.deleteArticle(profileId, articleId),
    'profiles.importArticles': ({ profileId, files }) => {
      const problems: string[] = [];
      const articles = files.flatMap((file) => {
        const parsed = KbArticleInput.safeParse(articleFromMarkdown(file.name, file.text));
        if (parsed.success) return [parsed.data];
        problems.push(`${file.name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
        return [];
      });
      if (articles.length === 0) return { profile: store.get(profileId), added: 0, replaced: 0, problems };
      return { ...store.importArticles(profileId, articles), problems };
    },
    'profiles.assignNumber': ({ phoneNumber, profileId }) => {
      store.assignNumber(phoneNumber, profileId);
      return listItems();
    },
    'profiles.try': tryIt,
  };

  return {
    resolve,
    personaFor: (call) => buildPersona(options.settings(), call?.dial ?? null, { profile: profileFor(call).fields, recorded: options.recorded(call) }),
    setupFor(call) {
      const profile = profileFor(call);
      const runtime = runtimes.for(profile);
      const persona = buildPersona(options.settings(), call?.dial ?? null, { profile: profile.fields, recorded: options.recorded(call) });
      return {
        persona,
        assist: runtime.assist,
        engines: enginesFor(runtime),
        profile: { id: profile.id, version: profile.version, name: profile.fields.name },
        campaignId: call?.dial?.campaign?.campaignId ?? null,
        lookupKnowledge: runtime.lookupKnowledge,
      };
    },
    handlers,
  };
}

/** Try it as an outbound call: a brief saying it is a test, so the AI has a reason to call. */
function tryDial(profileId: string) {
  return {
    dialId: 'try-it',
    to: '',
    from: '',
    purpose: 'A test of this profile from Settings: talk as you would on a real call.',
    script: null,
    createdAt: Date.now(),
    callSid: null,
    profileId,
    campaign: null,
    lead: null,
  };
}
