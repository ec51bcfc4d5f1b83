/* global describe, before, after, it */
// Regenerate from the CodeLens as a person does it: an image that carries its recipe (made on another
// machine: this workspace has no history of it), click "Regenerate", change the prompt in the input
// box, Enter; the link points at the new image and the old file stays.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { session, screenshot, setApiKeyByHand, runFromPalette, activeEditor, editorText, sleep, logMark, waitForLog } from './session.mjs';

const require = createRequire(import.meta.url);

describe('Regenerate Image (e2e)', function () {
  this.timeout(120_000);

  const settingsFile = () => join(session.workspace, '.vscode', 'settings.json');
  let settingsBefore;

  before(async () => {
    // Pages earlier suites filled carry recipes too (and so Regenerate lenses): start from no open editor.
    await runFromPalette('View: Close All Editors').catch(() => {});
    await setApiKeyByHand();
    // The workspace settings file exists from the start, so the workbench already watches it when a
    // test changes it (a folder created later is noticed only after a while).
    mkdirSync(join(session.workspace, '.vscode'), { recursive: true });
    settingsBefore = existsSync(settingsFile()) ? readFileSync(settingsFile(), 'utf8') : undefined;
    if (settingsBefore === undefined) writeFileSync(settingsFile(), '{}');
  });

  after(async () => {
    await runFromPalette('View: Close All Editors').catch(() => {});
  });

  it('click "Regenerate" above an image with a recipe: the box holds its prompt; the edited prompt is sent with the same options', async () => {
    const { page, fake } = session;
    const { encodePng } = require('../../out/test/fake-evolink/png.js');
    const { embedRecipeInPng } = require('../../out/src/core/recipe.js');
    const recipe = {
      pictor: 1, prompt: 'a windmill in a tulip field', style: null, model: 'gpt-image-2', size: '3:2', resolution: '1K',
      quality: 'low', n: 1, taskId: 'task-unified-1700000000-othermachine', created: '2025-05-01T10:00:00.000Z', references: [],
    };
    mkdirSync(join(session.workspace, 'art'), { recursive: true });
    writeFileSync(join(session.workspace, 'art', 'windmill.png'), embedRecipeInPng(encodePng(1536, 1024), recipe));
    writeFileSync(join(session.workspace, 'regen.md'), '# Regen\n\n![a windmill](art/windmill.png)\n');

    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^regen\.md$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
    const lens = activeEditor().locator('.codelens-decoration a', { hasText: /Regenerate/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot('regenerate-codelens');
    await lens.click();

    const box = page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('.quick-input-widget', { hasText: /3:2 1K.*quality low/ }).waitFor({ timeout: 5_000 });
    assert.equal(await box.inputValue(), recipe.prompt, 'the box starts with the prompt read from the file');
    await page.keyboard.press('End');
    await page.keyboard.type(' at sunset');
    await screenshot('regenerate-input');
    await page.keyboard.press('Enter');

    const edited = 'a windmill in a tulip field at sunset';
    const until = Date.now() + 30_000;
    let text = '';
    while (!/!\[a windmill\]\(images\/[^)]+\.png\)/.test(text)) {
      if (Date.now() > until) throw new Error(`the link was not re-pointed; the editor shows:\n${text}`);
      await sleep(200);
      text = await editorText();
    }
    assert.match(text, /!\[a windmill\]\(images\/a-windmill-[0-9a-f]{4}\.png\)/);
    const sent = fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && r.body?.prompt === edited);
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].body, { model: 'gpt-image-2', prompt: edited, size: '3:2', resolution: '1K', quality: 'low', n: 1 });
    assert.ok(existsSync(join(session.workspace, 'art', 'windmill.png')), 'the old image is kept');
    await screenshot('regenerate-done');
  });

  it('with pictor.maxCreditsPerSession below what this session used, Generate asks first; Cancel sends nothing', async () => {
    const { page, fake } = session;
    // With the limit, a quality the lens shows: once the lens says it, the workbench has read the file
    // (one file, one read: the limit came with it).
    writeFileSync(settingsFile(), JSON.stringify({ ...(settingsBefore ? JSON.parse(settingsBefore) : {}), 'pictor.maxCreditsPerSession': 0.01, 'pictor.quality': 'high' }));
    const lensSaying = (quality) => activeEditor().locator('.codelens-decoration a', { hasText: new RegExp(`^\\s*Generate · .* · ${quality}\\s*$`) }).first();
    try {
      const prompt = 'a lighthouse keeper\'s cat';
      writeFileSync(join(session.workspace, 'limit.md'), `# Limit\n\n![${prompt}]()\n`);
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^limit\.md$/ }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      await row.click();
      const lens = lensSaying('high');
      await lens.waitFor({ state: 'visible', timeout: 20_000 });
      const creates = fake.creates();
      await lens.click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await dialog.innerText(), /this session has used [\d.]+ credits, at or over your limit of 0\.01/);
      await screenshot('spend-limit-dialog');
      const mark = logMark();
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      await waitForLog(mark, /Not sent: the user declined to go over pictor\.maxCreditsPerSession/);
      assert.equal(fake.creates(), creates, 'a task was sent although the user said no');
      assert.match(await editorText(), new RegExp(`!\\[${prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\(\\)`), 'the placeholder is left empty');
    } finally {
      writeFileSync(settingsFile(), settingsBefore ?? '{}');
      // The next suite must not meet the limit: the lens back at the default quality says the file was read.
      await lensSaying('medium').waitFor({ state: 'visible', timeout: 20_000 });
    }
  });
});
