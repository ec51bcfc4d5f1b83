/* global describe, before, after, it */
// The editor workflow as a person does it in the real VS Code UI: select text and pick Pictor from
// the editor's context menu, click a placeholder's CodeLens, answer Edit Image's input box, and
// answer (or refuse) the confirmation a big batch asks for. Screenshots of each step.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { session, runFromPalette, screenshot, clearNotifications, setApiKeyByHand, activeEditor, editorText, openFromExplorer, sleep, logMark, waitForLog } from './session.mjs';

const require = createRequire(import.meta.url);

async function waitForText(what, pred, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = await editorText();
    if (pred(text)) return text;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the editor shows:\n${text}`);
    await sleep(200);
  }
}

function line(text) {
  return activeEditor().locator('.view-line', { hasText: text }).first();
}

function creates(prompt) {
  return session.fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && r.body?.prompt === prompt);
}

function write(name, text) {
  writeFileSync(join(session.workspace, name), text);
}

describe('editor workflow (e2e)', function () {
  this.timeout(120_000);

  before(async () => {
    await setApiKeyByHand();
  });

  after(async () => {
    await runFromPalette('View: Close All Editors').catch(() => {});
  });

  it('select text, right-click, "Generate Image from Selection": the link appears under it and the file in the Explorer', async () => {
    const { page } = session;
    const prompt = 'a paper crane on a desk, origami';
    write('sketch.md', `# Sketch\n\n${prompt}\n\nThe end.\n`);
    await openFromExplorer('sketch.md');
    await line(prompt).click();
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    // On the selected text itself: a right-click outside the selection would move the cursor.
    await line(prompt).click({ button: 'right', position: { x: 40, y: 8 } });
    // Pictor's commands sit in a Pictor submenu.
    await page.locator('.context-view .action-item', { hasText: /^Pictor$/ }).first().hover();
    const item = page.locator('.context-view .action-item', { hasText: /^Generate Image from Selection$/ });
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot('editor-context-menu');
    await item.click();

    const text = await waitForText('the link under the selection', (t) => t.includes(`![${prompt}](images/`));
    const name = /\(images\/([^)\s]+\.png)\)/.exec(text.replace(/\n/g, ''))?.[1];
    assert.ok(name, `no link in:\n${text}`);
    assert.match(name, /^a-paper-crane-on-a-desk-origami-[0-9a-f]{4}\.png$/);
    const lines = text.split('\n');
    assert.equal(lines[lines.indexOf(prompt) + 1], `![${prompt}](images/${name})`, 'the link is not on the line after the selection');
    assert.ok(existsSync(join(session.workspace, 'images', name)), 'the image is not on disk');
    assert.equal(creates(prompt).length, 1);

    // The Explorer shows the new folder and, opened, the file.
    const explorer = page.locator('.explorer-folders-view');
    const folder = explorer.locator('.monaco-list-row', { hasText: /^images$/ }).first();
    await folder.waitFor({ state: 'visible', timeout: 15_000 });
    if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
    await explorer.locator('.monaco-list-row', { hasText: name }).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot('editor-selection-linked-and-in-explorer');
  });

  it('click a placeholder\'s "Generate" CodeLens: it shows the progress (and the status bar the count) while it runs, then the link', async () => {
    const { page } = session;
    // Held at the fake until its progress has been seen and photographed.
    const prompt = 'a fox in a lantern-lit alley [hold]';
    write('lens.md', `# Lens\n\n![${prompt}]()\n\nAfter.\n`);
    await openFromExplorer('lens.md');
    // It says what the click will use (the default settings: the model picks the size, medium quality).
    const lens = activeEditor().locator('.codelens-decoration a', { hasText: /^\s*Generate · auto size · medium\s*$/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot('editor-codelens');
    await lens.click();

    await activeEditor().locator('.codelens-decoration', { hasText: /Pictor: (queued|\d+%)/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.statusbar-item', { hasText: 'Pictor: 1 running' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    // One task: its progress is in the status bar and the lens, and no notification covers the editor.
    await page.locator('.statusbar-item', { hasText: /Pictor: 1 running · \d+%/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator('.notifications-toasts .notification-toast', { hasText: 'Generating an image' }).count(), 0,
      'a single task opened a progress notification');
    await screenshot('editor-codelens-running');
    session.fake.release({ prompt });

    const text = await waitForText('the placeholder to be filled', (t) => /\]\(images\/[^)]+\.png\)/.test(t));
    assert.match(text.replace(/\n/g, ''), new RegExp(`!\\[${prompt.replace(/[[\]]/g, '\\$&')}\\]\\(images/a-fox-in-a-lantern-lit-alley-hold-[0-9a-f]{4}\\.png\\)`));
    assert.equal(creates(prompt).length, 1);
    // Filled: no Generate lens is left, and the status bar item goes away.
    await page.locator('.statusbar-item', { hasText: 'Pictor: 1 running' }).first().waitFor({ state: 'hidden', timeout: 15_000 });
    assert.equal(await activeEditor().locator('.codelens-decoration a', { hasText: /Generate/ }).count(), 0);
    await screenshot('editor-codelens-filled');
  });

  it('"Edit Image…" on an image link: asks for the change in an input box, uploads the image, and re-points the link', async () => {
    const { page, fake } = session;
    const { encodePng } = require('../../out/test/fake-evolink/png.js');
    mkdirSync(join(session.workspace, 'pics'), { recursive: true });
    writeFileSync(join(session.workspace, 'pics', 'boat.png'), encodePng(64, 64));
    write('edit.md', '# Edit\n\n![a rowing boat](pics/boat.png)\n');
    await openFromExplorer('edit.md');
    await line('a rowing boat').click();
    const uploads = fake.requests.filter((r) => r.path.startsWith('/api/v1/files/upload')).length;

    await runFromPalette('Pictor: Edit Image');
    const box = page.locator('.quick-input-widget input');
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await page.locator('.quick-input-widget', { hasText: 'Describe the change' }).waitFor({ timeout: 5_000 });
    const instruction = 'make it a moonlit night';
    await page.keyboard.type(instruction);
    await screenshot('editor-edit-image-input');
    await page.keyboard.press('Enter');

    const text = await waitForText('the link to point at the new image', (t) => t.includes('![a rowing boat](images/'));
    assert.match(text, /!\[a rowing boat\]\(images\/make-it-a-moonlit-night-[0-9a-f]{4}\.png\)/);
    assert.equal(fake.requests.filter((r) => r.path.startsWith('/api/v1/files/upload')).length, uploads + 1, 'the image was not uploaded once');
    const [create] = creates(instruction);
    assert.ok(create, 'no task was created');
    assert.equal(create.body.image_urls.length, 1);
    assert.ok(create.body.image_urls[0].startsWith(`${fake.url}/files/`), 'the uploaded image was not sent as the reference');
    assert.ok(existsSync(join(session.workspace, 'pics', 'boat.png')), 'the old image was removed');
    await screenshot('editor-edit-image-done');
  });

  it('a batch above confirmAboveImages asks first: Cancel sends nothing; "Generate 5 Images" fills all five', async () => {
    const { page } = session;
    const prompts = ['a red tulip', 'a yellow tulip', 'a white tulip', 'a purple tulip', 'a striped tulip'];
    const original = `# Tulips\n\n${prompts.map((p) => `- ![${p}]()`).join('\n')}\n`;
    write('tulips.md', original);
    await openFromExplorer('tulips.md');
    await line('a red tulip').click();
    const before = session.fake.creates();

    await runFromPalette('Pictor: Generate Images for All Placeholders');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await dialog.innerText(), /Generate 5 images for 5 prompts\?[\s\S]*about 5\.00× the cost/);
    await screenshot('editor-batch-confirmation');
    const mark = logMark();
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    // Pictor's word that nothing goes (not a pause a slow machine could outlast), then the count.
    await waitForLog(mark, /Not sent: the user declined 5 images/);
    assert.equal(session.fake.creates(), before, 'a task was sent although the user cancelled');
    assert.equal(await editorText(), original);

    await runFromPalette('Pictor: Generate Images for All Placeholders');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    await dialog.locator('.monaco-button', { hasText: 'Generate 5 Images' }).click();
    const text = await waitForText('five links', (t) => (t.match(/\]\(images\/[^)]+\.png\)/g) ?? []).length === 5, 60_000);
    for (const p of prompts) {
      assert.match(text, new RegExp(`- !\\[${p}\\]\\(images/${p.replace(/ /g, '-')}-[0-9a-f]{4}\\.png\\)`));
      assert.equal(creates(p).length, 1, `"${p}" was not sent exactly once`);
    }
    assert.equal(readdirSync(join(session.workspace, 'images')).filter((f) => f.includes('tulip')).length, 5);
    await clearNotifications();
    await screenshot('editor-batch-filled');
  });
});
