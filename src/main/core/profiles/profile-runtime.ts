/**
 * What a call needs from its AI profile beyond words (issue 15): the profile's knowledge base
 * as a search index, the assist engine over it (the agent's suggestions and articles, and the
 * offline reply engine's facts), and the lookup cloud models call. Built once per profile
 * version and shared by every call on it; a new version gets new ones, so a call in progress
 * keeps answering from the articles it started with.
 */
import { createAssistEngine, type AssistEngine } from '../assist/assist-engine';
import { join } from 'node:path';
import { createKnowledgeBase, loadKnowledgeBase, parseArticle } from '../assist/knowledge-base';
import { createOfflineReplyEngine } from '../providers/llm/offline-reply-engine';
import type { LlmProvider } from '../providers/types';
import type { AiProfile, KbArticle } from '@shared/ai-profile';

export interface ProfileRuntime {
  readonly profile: AiProfile;
  readonly assist: AssistEngine;
  /** The offline intent + knowledge-base engine, answering from this profile's articles. */
  readonly offlineLlm: LlmProvider;
  /** `lookup_knowledge` for cloud models: the best three articles' titles and matching sentences. */
  lookupKnowledge(args: { query: string }): Promise<string>;
}

/** Profile versions kept built: a few profiles in use at once is the norm; an evicted one is rebuilt (milliseconds). */
const MAX_BUILT = 16;

export function createProfileRuntimes(options: { resourcesDir: string; businessName: () => string }): { for(profile: AiProfile): ProfileRuntime } {
  const built = new Map<string, ProfileRuntime>();
  // The offline engine's reply templates state the shipped articles' facts: they hold only
  // where a profile's article is still the shipped one, word for word.
  const shipped = new Map(loadKnowledgeBase(join(options.resourcesDir, 'knowledge-base')).articles.map((a) => [a.id, `${a.title}\n${a.body}`]));
  const build = (profile: AiProfile): ProfileRuntime => {
    const knowledgeBase = createKnowledgeBase(profile.articles.map(toKnowledgeArticle));
    const trustedArticles = new Set(profile.articles.filter((a) => shipped.get(a.id) === `${a.title}\n${a.body}`).map((a) => a.id));
    const assist = createAssistEngine({ resourcesDir: options.resourcesDir, businessName: options.businessName, knowledgeBase, trustedArticles });
    return {
      profile,
      assist,
      offlineLlm: createOfflineReplyEngine(assist, { businessName: options.businessName }),
      lookupKnowledge: ({ query }) =>
        Promise.resolve(
          knowledgeBase
            .search(query, 3)
            .map((a) => `${a.title}: ${a.snippet}`)
            .join('\n'),
        ),
    };
  };
  return {
    for(profile) {
      const key = `${profile.id}@${profile.version}`;
      let runtime = built.get(key);
      if (runtime) {
        built.delete(key); // most recently used last
      } else {
        runtime = build(profile);
        if (built.size >= MAX_BUILT) built.delete(built.keys().next().value!);
      }
      built.set(key, runtime);
      return runtime;
    },
  };
}

/** A stored article as the knowledge base indexes it (the same sentence splitting as the shipped files). */
export function toKnowledgeArticle(article: KbArticle) {
  return parseArticle(article.id, `# ${article.title}\n${article.body}`);
}
