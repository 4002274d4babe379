/**
 * The business name is read for each reply (issue 9: it is editable in Settings and applies to
 * the next call), not fixed when the core starts.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAssistEngine } from '../../src/main/core/assist/assist-engine';
import { createOfflineReplyEngine } from '../../src/main/core/providers/llm/offline-reply-engine';
import type { LlmChunk } from '../../src/main/core/providers/types';

const resourcesDir = resolve(import.meta.dirname, '../../resources');

async function openingLine(llm: ReturnType<typeof createOfflineReplyEngine>): Promise<string> {
  const chunks: LlmChunk[] = [];
  for await (const chunk of llm.generate({ system: '', history: [] }, new AbortController().signal)) chunks.push(chunk);
  return chunks.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
}

describe('business name from Settings', () => {
  it('reaches the offline engine on the next reply after a change', async () => {
    let businessName = 'Brightwave Broadband';
    const assist = createAssistEngine({ resourcesDir, businessName: () => businessName });
    const llm = createOfflineReplyEngine(assist, { businessName: () => businessName });
    expect(await openingLine(llm)).toContain('Brightwave Broadband');

    businessName = 'Northwind Energy';
    expect(await openingLine(llm)).toContain('Northwind Energy');
    expect(assist.greeting()).toContain('Northwind Energy');
    expect(assist.businessName).toBe('Northwind Energy');
  });

  it('still takes a fixed name', async () => {
    const assist = createAssistEngine({ resourcesDir, businessName: 'Fixed Co' });
    expect(await openingLine(createOfflineReplyEngine(assist, { businessName: 'Fixed Co' }))).toContain('Fixed Co');
  });
});
