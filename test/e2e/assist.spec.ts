/**
 * Assist follows who has the call (issue 9): while the AI has it, the panel offers the agent's
 * own moves (take over and why, a line to whisper, an article), never the AI's next line; once
 * the agent has it, a reply for the composer, at once, without waiting for the caller's next
 * line. How sure the engine is of the caller's intent is said in words.
 *
 * Against the fake backend (test/e2e/support/fake-backend.ts): a seeded call the AI has, with
 * the suggestion pushed the way the core emits it ('call.suggestion').
 */
import { expect, test, type Page } from '@playwright/test';
import type { Suggestion } from '@shared/domain';
import { openWithFakeBackend } from './support/fake-page';

const SCREENSHOTS = 'test-results/screens';

const CANCEL_REPLY = 'I can help with that. We need thirty days notice, and your service stays on until the end of the notice period.';
const WHISPER_LINE = "Before you go, can I ask what's prompting you to leave? We may be able to lower your price or find you a better plan.";

/** A suggestion as the core sends it after a caller line of `callId` (call-suggestions.ts). */
function cancelSuggestion(callId: string, overrides: Partial<Suggestion> = {}): Suggestion {
  return {
    callId,
    utteranceId: 'u-assist-1',
    intent: 'cancel_service',
    intentLabel: 'Cancel service',
    intentConfidence: 0.82,
    intentCertainty: 'high',
    reply: CANCEL_REPLY,
    articles: [
      {
        id: 'cancellation-policy',
        title: 'Cancellation policy and notice period',
        snippet: 'You can cancel your Brightwave service at any time by calling us. We need thirty days notice, and your service stays on until the end of the notice period.',
        score: 1.42,
        weak: false,
      },
      {
        id: 'moving-house',
        title: 'Moving house',
        snippet: 'If Brightwave is not available at your new address, you can cancel your contract without an early termination fee.',
        score: 0.31,
        weak: true,
      },
    ],
    entities: [],
    agentActions: [
      { kind: 'take_over', reason: 'The caller is upset, and getting more so' },
      { kind: 'whisper', label: 'Offer a better price before cancelling', text: `say: ${WHISPER_LINE}` },
      { kind: 'article', articleId: 'cancellation-policy', title: 'Cancellation policy and notice period' },
    ],
    ...overrides,
  };
}

/** Opens the seeded call the AI has and returns its id. */
async function openAiCall(page: Page): Promise<string> {
  await openWithFakeBackend(page, { seed: true, speed: 1 });
  await page.getByTestId('live-call').filter({ hasText: '765 4321' }).click();
  const view = page.getByTestId('call-view');
  await expect(view.getByTestId('controller')).toHaveAttribute('data-controller', 'ai');
  return (await view.getAttribute('data-call-id'))!;
}

/** Emits `payload` as 'call.suggestion' from the fake core (any shape: old ones too). */
async function pushSuggestion(page: Page, payload: unknown): Promise<void> {
  await page.evaluate((p) => {
    (globalThis as unknown as { __fake: { emit(e: unknown): void } }).__fake.emit({ name: 'call.suggestion', payload: p });
  }, payload);
}

async function shotAt(page: Page, name: string, widths: readonly number[] = [1024, 1440]): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SCREENSHOTS}/assist-${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('the AI has the call: Assist offers the agent’s moves, not the AI’s next line; a whisper is one click', async ({ page }) => {
  const callId = await openAiCall(page);
  const panel = page.getByTestId('assist-panel');
  await pushSuggestion(page, cancelSuggestion(callId));

  const actions = panel.getByTestId('agent-actions');
  await expect(actions).toBeVisible();
  await expect(actions.getByTestId('agent-action')).toHaveCount(3);
  await expect(actions.getByTestId('agent-action').first()).toHaveAttribute('data-kind', 'take_over');
  await expect(actions.getByTestId('take-over-reason')).toHaveText('The caller is upset, and getting more so');
  await expect(actions.getByRole('button', { name: 'Open article: Cancellation policy and notice period' })).toBeVisible();
  // No "Suggested reply": that was the AI's own next line.
  await expect(panel.getByTestId('suggestion-reply')).toHaveCount(0);
  await expect(panel.getByText('Suggested reply')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Have the AI say this' })).toHaveCount(0);
  // The intent, and how sure, in words.
  await expect(panel.getByTestId('suggestion-intent')).toHaveText('Cancel service');
  await expect(panel.getByTestId('intent-certainty')).toHaveText('Confident82%');
  // A thin article match says so.
  await expect(panel.getByTestId('kb-article').filter({ hasText: 'Moving house' })).toHaveAttribute('data-weak', 'true');
  await expect(panel.getByTestId('kb-article').filter({ hasText: 'Moving house' }).getByTestId('kb-weak')).toHaveText('weak match');
  await expect(panel.getByTestId('kb-article').filter({ hasText: 'Cancellation policy' }).getByTestId('kb-weak')).toHaveCount(0);
  await shotAt(page, 'ai-has-call');

  // Open article: the article shows in full, highlighted.
  await actions.getByRole('button', { name: /^Open article/ }).click();
  await expect(panel.getByTestId('kb-article').filter({ hasText: 'Cancellation policy' })).toHaveAttribute('data-open', 'true');

  // Whisper: one click sends it as a whisper (on the timeline, marked as one), and the AI says it.
  await actions.getByTestId('action-whisper').click();
  await expect(actions.getByTestId('action-whisper-status')).toHaveText('The offline AI will say this next.');
  await expect(actions.getByTestId('action-whisper')).toBeDisabled();
  const log = page.getByRole('log', { name: 'Transcript' });
  await expect(log.getByTestId('whisper').filter({ hasText: WHISPER_LINE })).toHaveAttribute('data-handling', 'say');
  await expect(log.locator('[data-testid="utterance"][data-speaker="ai"]').filter({ hasText: 'prompting you to leave' })).toBeVisible({ timeout: 15_000 });
  // Still the AI's call: whispering is not taking over.
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'ai');
  await shotAt(page, 'whisper-sent', [1440]);
});

test('take over from Assist: the panel switches to a reply for the composer at once; hand back and pause bring the agent’s moves back', async ({ page }) => {
  const callId = await openAiCall(page);
  const panel = page.getByTestId('assist-panel');
  await pushSuggestion(page, cancelSuggestion(callId));
  await expect(panel.getByTestId('agent-actions')).toBeVisible();

  // Take over from the panel's own action. No caller line follows: the switch comes from the call's state.
  await panel.getByTestId('agent-actions').getByRole('button', { name: 'Take the call' }).click();
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'agent');
  await expect(panel.getByTestId('reply-card')).toBeVisible();
  await expect(panel.getByTestId('suggestion-reply')).toHaveText(CANCEL_REPLY);
  await expect(panel.getByTestId('agent-actions')).toHaveCount(0);
  await shotAt(page, 'agent-has-call');

  await panel.getByRole('button', { name: 'Put in composer' }).click();
  await expect(page.getByRole('textbox', { name: 'Reply to caller' })).toHaveValue(CANCEL_REPLY);

  // Hand back: the agent's moves again, from the same suggestion.
  await page.getByRole('button', { name: 'Hand back' }).click();
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-controller', 'ai');
  await expect(panel.getByTestId('agent-actions')).toBeVisible();
  await expect(panel.getByTestId('suggestion-reply')).toHaveCount(0);

  // Paused, the AI still has the call: the same moves.
  await page.getByTestId('pause-ai').click();
  await expect(page.getByTestId('call-view').getByTestId('controller')).toHaveAttribute('data-state', 'ai_paused');
  await expect(panel.getByTestId('agent-actions')).toBeVisible();
  await expect(panel.getByTestId('suggestion-reply')).toHaveCount(0);
});

test('low confidence is said in words; nothing to go on yet says so; an older suggestion still shows', async ({ page }) => {
  const callId = await openAiCall(page);
  const panel = page.getByTestId('assist-panel');

  await pushSuggestion(
    page,
    cancelSuggestion(callId, {
      intentConfidence: 0.38,
      intentCertainty: 'low',
      agentActions: [{ kind: 'article', articleId: 'cancellation-policy', title: 'Cancellation policy and notice period' }],
    }),
  );
  await expect(panel.getByTestId('intent-certainty')).toHaveAttribute('data-certainty', 'low');
  await expect(panel.getByTestId('intent-certainty')).toHaveText('Low confidence38%');
  await expect(panel.getByText('A guess: the caller’s lines don’t clearly point one way yet.')).toBeVisible();
  await expect(panel.getByRole('meter', { name: 'Intent confidence' })).toHaveAttribute('aria-valuetext', 'Low confidence, 38%');
  await shotAt(page, 'low-confidence');

  await pushSuggestion(page, cancelSuggestion(callId, { intent: 'unknown', intentLabel: '', intentConfidence: 0, intentCertainty: 'unknown', agentActions: [], articles: [] }));
  await expect(panel.getByTestId('suggestion-intent')).toHaveText('Not sure yet');
  await expect(panel.getByTestId('intent-certainty')).toHaveText('Not sure yet');
  await expect(panel.getByTestId('agent-actions-none')).toHaveText('Nothing needs you right now: the AI is handling this.');

  // A suggestion from before these fields existed (an older core) still renders, with defaults.
  await pushSuggestion(page, { callId, utteranceId: 'u-old', intent: 'billing_double_charge', intentConfidence: 0.7, reply: 'Sure.', articles: [] });
  await expect(panel.getByTestId('suggestion-intent')).toHaveText('Billing Double Charge');
  await expect(panel.getByTestId('agent-actions-none')).toBeVisible();
});
