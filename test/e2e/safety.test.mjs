/* global describe, before, after, afterEach, it */
// Issue 10 in the real UI: the cost guard for one prompt with a large n (item 5), and the fixes offered
// on errors, clicked in the real notifications (item 13): Set API Key on a 401, Open Dashboard on a
// 402 and on a task that failed for credits, the provider's own words on a content-policy refusal.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { session, screenshot, clearNotifications, setApiKeyByHand, activeEditor, openFromExplorer, logMark, waitForLog } from './session.mjs';

/** Writes a page with one placeholder, opens it and clicks its Generate CodeLens (once it says `says`). */
async function generateOne(name, prompt, says = /Generate(?! all)/) {
  writeFileSync(join(session.workspace, name), `# ${name}\n\n![${prompt}]()\n`);
  await openFromExplorer(name);
  const lens = activeEditor().locator('.codelens-decoration a', { hasText: says }).first();
  await lens.waitFor({ state: 'visible', timeout: 20_000 });
  await lens.click();
}

function creates(prompt) {
  return session.fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && r.body?.prompt === prompt);
}

function toast(text) {
  return session.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

/**
 * After "Open Dashboard": VS Code either asks before opening an external site (a dialog naming it) or
 * opens it in a new tab. Returns the address it would open; closes whichever appeared.
 */
async function externalOpened(click) {
  const { page } = session;
  const popup = page.context().waitForEvent('page', { timeout: 15_000 }).then((p) => ({ kind: 'page', p }), () => undefined);
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'evolink.ai' });
  const asked = dialog.waitFor({ state: 'visible', timeout: 15_000 }).then(() => ({ kind: 'dialog' }), () => undefined);
  await click();
  const first = await Promise.race([popup, asked]);
  if (first?.kind === 'dialog') {
    const text = await dialog.innerText();
    await screenshot('safety-open-dashboard-asks');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    return /https:\/\/evolink\.ai\/\S*/.exec(text)?.[0] ?? text;
  }
  if (first?.kind === 'page') {
    const url = first.p.url();
    await first.p.close().catch(() => {});
    return url;
  }
  return undefined;
}

describe('safety in the real UI (issue 10)', () => {
  before(async () => {
    await setApiKeyByHand();
  });
  afterEach(async () => {
    session.fake.reset();
    session.fake.set({ stepMs: 50 });
    await clearNotifications().catch(() => {});
  });

  describe('the cost guard (item 5)', () => {
    const settingsDir = () => join(session.workspace, '.vscode');
    after(() => rmSync(join(settingsDir(), 'settings.json'), { force: true }));

    it('one prompt with n = 10 at 4K/high asks first, naming the pixel size and the cost; Cancel sends nothing', async () => {
      const { page } = session;
      mkdirSync(settingsDir(), { recursive: true });
      writeFileSync(join(settingsDir(), 'settings.json'), JSON.stringify({ 'pictor.n': 10, 'pictor.size': '16:9', 'pictor.resolution': '4K', 'pictor.quality': 'high' }, null, 2));
      const prompt = 'ten posters of a jazz night';
      // The lens says what a click uses: once it says 4K and high, the workbench has read the settings file.
      await generateOne('ten.md', prompt, /Generate.*3840×2160.*high/);
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await dialog.innerText();
      await screenshot('safety-cost-guard-one-prompt');
      assert.match(text, /Generate 10 images for 1 prompt\?/);
      assert.match(text, /3840×2160, high quality/);
      assert.match(text, /about \d+\.\d\d× the cost of one medium 1024×1024 image/);
      const mark = logMark();
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      await waitForLog(mark, /Not sent: the user declined 10 images/);
      assert.equal(creates(prompt).length, 0, 'the images were sent although the user cancelled');
    });
  });

  describe('the fix buttons on errors (item 13)', () => {
    it('a 401: "Set API Key" in the notification opens the password box, and the key entered is the one sent next', async () => {
      const { page, fake } = session;
      fake.set({ failCreate: { status: 401, code: 'invalid_api_key', message: 'Invalid API key', times: 1 } });
      const prompt = 'a locked garden gate';
      await generateOne('e401.md', prompt);
      const t = toast('did not accept the API key');
      await t.waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('safety-401-notification');
      await t.locator('.monaco-button', { hasText: 'Set API Key' }).click();
      await page.locator('.quick-input-widget input[type="password"]').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type(fake.apiKey);
      await page.keyboard.press('Enter');
      await toast('API key saved').waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(creates(prompt).length, 1, 'the refused request was resent on its own');
    });

    it('a 402: "Open Dashboard" in the notification opens the EvoLink dashboard', async () => {
      session.fake.set({ failCreate: { status: 402, code: 'insufficient_quota', message: 'Insufficient balance', times: 1 } });
      await generateOne('e402.md', 'a piggy bank, empty');
      const t = toast('out of credits');
      await t.waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('safety-402-notification');
      const opened = await externalOpened(() => t.locator('.monaco-button', { hasText: 'Open Dashboard' }).click());
      assert.match(opened ?? '', /^https:\/\/evolink\.ai\/dashboard/, `Open Dashboard opened ${opened}`);
    });

    it('a task that failed for its quota (quota_exceeded): the notification says rate limit or quota, and offers "Open Dashboard" too', async () => {
      await generateOne('quota.md', 'a coin purse [fail:quota_exceeded]');
      const t = toast('rate limit or quota');
      await t.waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('safety-task-quota-notification');
      const opened = await externalOpened(() => t.locator('.monaco-button', { hasText: 'Open Dashboard' }).click());
      assert.match(opened ?? '', /^https:\/\/evolink\.ai\/dashboard/, `Open Dashboard opened ${opened}`);
    });

    it('a content-policy refusal: the notification gives the provider\'s own words', async () => {
      await generateOne('policy.md', 'something the provider refuses [fail:content_policy_violation]');
      const t = toast('content policy');
      await t.waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('safety-content-policy-notification');
      const text = await t.innerText();
      assert.match(text, /The provider said: "The request was rejected because it may violate the content policy\."/);
      assert.match(text, /Change the prompt/);
    });
  });
});
