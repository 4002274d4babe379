/**
 * AI profiles (issue 15) against the real headless server (its own, on a fresh data folder):
 * the agent makes a profile in Settings (the editor refusing one without a name), writes a
 * knowledge-base article, edits it, imports a Markdown file, and Try it answers a caller's
 * question from the edited article with the offline engine (no API keys here), naming the
 * article. Every change is a new version, which the list and the core agree on.
 */
import { expect, test, type Page } from '@playwright/test';
import { connectApi } from './support/api';
import { startOwnServer, type OwnServer } from './support/own-server';

const PORT = 47621;
const TOKEN = 'profiles-e2e-token-0123456789abcdef';
test.use({ baseURL: `http://127.0.0.1:${PORT}` });

let server: OwnServer | null = null;
test.beforeAll(async () => {
  server = await startOwnServer({ port: PORT, name: 'profiles', token: TOKEN });
});
test.afterAll(async () => {
  await server?.stop();
});

/** Screenshots at the two widths the console is checked at, for looking at. */
async function shots(page: Page, name: string) {
  for (const width of [1024, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: `test-results/screens/profiles-${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('make a profile, write and edit an article, import one, and see Try it answer from it', async ({ page, baseURL }) => {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  const api = await connectApi(baseURL!, TOKEN);

  await page.goto(`/?token=${TOKEN}`);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'connected');
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByTestId('settings-dialog');
  await dialog.getByRole('tab', { name: 'AI profiles' }).click();
  // Every install starts with the default profile.
  await expect(dialog.getByTestId('profile-item')).toHaveCount(1);

  await test.step('a new profile: refused without a name, then created', async () => {
    await dialog.getByTestId('new-profile').click();
    await dialog.getByTestId('save-profile').click();
    await expect(dialog.getByTestId('field-problem')).toHaveText('A profile needs a name.');
    await expect(dialog.getByTestId('profile-name')).toBeFocused();
    // What the caller hears: the disclosure the greeting keeps, whatever is typed.
    await dialog.getByTestId('profile-inbound-greeting').fill('Hello, you have reached the {business} front desk. How can I help?');
    await expect(dialog.getByTestId('inbound-preview').getByTestId('greeting-added')).toContainText("I'm an automated assistant.");
    await dialog.getByTestId('profile-name').fill('Riverside office');
    await dialog.getByTestId('save-profile').click();
    await expect(dialog.getByTestId('profile-editor')).toHaveAttribute('data-version', '1');
    await expect(dialog.getByTestId('profile-item')).toHaveCount(2);
  });

  await test.step('knowledge base: add an article, edit it, import a Markdown file', async () => {
    await dialog.getByTestId('profile-tab-knowledge').click();
    await dialog.getByTestId('add-article').click();
    await dialog.getByTestId('article-title-input').fill('Visitor parking');
    await dialog.getByTestId('article-body-input').fill('Visitors park free in the Riverside car park behind the office.');
    await dialog.getByTestId('save-article').click();
    const article = dialog.locator('[data-testid="article"][data-article-id="visitor-parking"]');
    await expect(article).toContainText('behind the office.');

    await article.getByTestId('edit-article').click();
    await dialog
      .getByTestId('article-body-input')
      .fill('Visitors park free on level two of the Riverside car park behind the office. Ask reception for a day permit.');
    await dialog.getByTestId('save-article').click();
    await expect(article).toContainText('level two');
    await expect(dialog.getByTestId('profile-editor')).toHaveAttribute('data-version', '3');

    await dialog.getByTestId('import-articles').setInputFiles([
      {
        name: 'opening-hours.md',
        mimeType: 'text/markdown',
        buffer: Buffer.from('# Opening hours\n\nThe Riverside office is open from eight until six, Monday to Friday.\n'),
      },
      { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Empty article\n') },
    ]);
    await expect(dialog.getByTestId('import-added')).toHaveText('1 added');
    await expect(dialog.getByTestId('import-problems')).toContainText('notes.md');
    await expect(dialog.getByTestId('article')).toHaveCount(2);
    await shots(page, 'knowledge-base');
  });

  await test.step('Try it: the greeting, then a reply quoting the edited article', async () => {
    await dialog.getByTestId('profile-tab-try').click();
    await expect(dialog.getByTestId('try-greeting')).toContainText("I'm an automated assistant");
    await dialog.getByTestId('try-input').fill('Where can visitors park at the Riverside office?');
    await dialog.getByTestId('try-input').press('Enter');
    const reply = dialog.getByTestId('try-reply').last();
    await expect(reply.getByTestId('try-reply-text')).toContainText('level two of the Riverside car park');
    await expect(reply.getByTestId('try-article').first()).toHaveText('Visitor parking');
    await expect(reply.getByTestId('try-engine')).toContainText('Offline replies');
    await expect(dialog.getByTestId('try-input')).toHaveValue('');
    await shots(page, 'try-it');
    await dialog.getByTestId('try-reset').click();
    await expect(dialog.getByTestId('try-reply')).toHaveCount(0);
  });

  // The list and the core agree: created, article added, edited, imported = version 4.
  const profiles = await api.invoke('profiles.list');
  const made = profiles.find((p) => p.name === 'Riverside office');
  expect(made).toMatchObject({ version: 4, articleCount: 2 });
  await expect(dialog.locator(`[data-testid="profile-item"][data-profile-id="${made!.id}"]`)).toContainText('v4 · 2 articles');
  api.close();
  expect(problems).toEqual([]);
});
