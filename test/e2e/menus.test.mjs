/* global describe, before, after, it */
// What a person meets first: the sample page with its CodeLens (which says what a click costs), the
// editor-title button, right-click menus that offer only what applies, the Explorer's Pictor menu on
// an image, and the walkthrough. Its screenshots are the README's pictures (test-results/e2e/NN-readme-*.png).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { session, runFromPalette, screenshot, clearNotifications, setApiKeyByHand, findFrame, clickWorkbench, activeEditor, openFromExplorer, sleep } from './session.mjs';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

const line = (text) => activeEditor().locator('.view-line', { hasText: text }).first();
const menuItem = (text) => session.page.locator('.context-view .action-item', { hasText: text });

/** The labels of the open context menu's entries (its submenu's too, once open). */
async function menuLabels() {
  return (await session.page.locator('.context-view .action-item .action-label').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

/** A person clicks where they want the menu, then right-clicks there. */
async function rightClickOn(text, x = 30) {
  await line(text).click({ position: { x, y: 8 } });
  await sleep(300);
  await line(text).click({ button: 'right', position: { x, y: 8 } });
  await session.page.locator('.context-view .monaco-menu').first().waitFor({ state: 'visible', timeout: 10_000 });
}

async function openPictorSubmenu() {
  await menuItem(/^Pictor$/).first().hover();
  await session.page.locator('.context-view .monaco-submenu').first().waitFor({ state: 'visible', timeout: 10_000 });
}

async function closeMenu() {
  await session.page.keyboard.press('Escape');
  await session.page.keyboard.press('Escape');
  await session.page.locator('.context-view .monaco-menu').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
}

const SAMPLE = readFileSync(join(root, 'examples', 'README.md'), 'utf8');
const PROMPTS = [
  'a lighthouse on a rocky coast at dawn, watercolor',
  'a burlap sack of green coffee beans, flat illustration',
  'a steaming cup of coffee on a wooden table, soft morning light',
  'an espresso cup seen from above, minimal line art',
];
const settingsFile = () => join(session.workspace, '.vscode', 'settings.json');

describe('menus, CodeLens and walkthrough (e2e)', function () {
  this.timeout(180_000);

  before(async () => {
    await setApiKeyByHand();
    // The demo's settings: the CodeLens then reads "Generate · 1536×1024 · low".
    mkdirSync(join(session.workspace, '.vscode'), { recursive: true });
    writeFileSync(settingsFile(), JSON.stringify({ 'pictor.size': '3:2', 'pictor.quality': 'low' }, null, 2));
    writeFileSync(join(session.workspace, 'sample.md'), SAMPLE);
    writeFileSync(join(session.workspace, 'plain.md'), '# Plain\n\nNo pictures here yet.\n\n![a shell](pics/shell.png)\n');
    const { encodePng } = require('../../out/test/fake-evolink/png.js');
    mkdirSync(join(session.workspace, 'pics'), { recursive: true });
    writeFileSync(join(session.workspace, 'pics', 'shell.png'), encodePng(96, 64, 0, 'a shell'));
  });

  after(async () => {
    rmSync(settingsFile(), { force: true });
    await runFromPalette('View: Close All Editors').catch(() => {});
  });

  it('the sample page: each placeholder\'s CodeLens says "Generate · 1536×1024 · low"; the title bar offers Generate all', async () => {
    const { page } = session;
    await openFromExplorer('sample.md');
    const lens = activeEditor().locator('.codelens-decoration a', { hasText: /^\s*Generate · 1536×1024 · low\s*$/ });
    await lens.first().waitFor({ state: 'visible', timeout: 20_000 });
    assert.ok(await lens.count() >= 2, 'not every visible placeholder has the lens');
    assert.ok(await activeEditor().locator('.codelens-decoration a', { hasText: 'Generate all (4)' }).count() >= 1);
    const title = page.locator('.editor-actions .action-item a[aria-label^="Generate Images for All Placeholders"]').first();
    await title.waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot('readme-page-before');
    await screenshot('readme-codelens', page.locator('.editor-instance').first());
  });

  it('right-click on a placeholder: the Pictor submenu offers Generate for it and for all, nothing else', async () => {
    await rightClickOn(PROMPTS[0].slice(0, 20), 60);
    await openPictorSubmenu();
    const labels = await menuLabels();
    assert.ok(labels.includes('Generate Image for Placeholder'), labels.join(' | '));
    assert.ok(labels.includes('Generate Images for All Placeholders'), labels.join(' | '));
    assert.ok(!labels.includes('Edit Image…'), 'Edit Image is offered on a placeholder');
    assert.ok(!labels.includes('Generate Image from Selection'), 'Generate from Selection is offered without a selection');
    await screenshot('readme-context-menu');
    await closeMenu();
  });

  it('right-click on an image link offers Edit Image…; on plain text in a page without placeholders there is no Pictor menu', async () => {
    await openFromExplorer('plain.md');
    await rightClickOn('a shell', 20);
    await openPictorSubmenu();
    let labels = await menuLabels();
    assert.ok(labels.includes('Edit Image…'), labels.join(' | '));
    assert.ok(!labels.includes('Generate Image for Placeholder'), 'Generate for Placeholder is offered on an image link');
    assert.ok(!labels.includes('Generate Images for All Placeholders'), 'Generate all is offered on a page without placeholders');
    await closeMenu();

    await rightClickOn('No pictures here yet', 40);
    labels = await menuLabels();
    assert.ok(labels.length > 3, `the context menu did not open: ${labels.join(' | ')}`);
    assert.ok(!labels.includes('Pictor'), `a Pictor menu with nothing to do: ${labels.join(' | ')}`);
    await closeMenu();
    // No placeholder: no Generate all button in the title bar either.
    assert.equal(await session.page.locator('.editor-actions .action-item a[aria-label^="Generate Images for All Placeholders"]').count(), 0);
  });

  it('the title-bar button fills every placeholder of the sample page; the batch shows one progress notification, and the button goes away', async () => {
    const { page, fake } = session;
    await openFromExplorer('sample.md');
    const before = fake.creates();
    await page.locator('.editor-actions .action-item a[aria-label^="Generate Images for All Placeholders"]').first().click();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Generating images for placeholders' });
    await toast.first().waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot('batch-progress-notification');
    await page.locator('.editor-actions .action-item a[aria-label^="Generate Images for All Placeholders"]').first().waitFor({ state: 'hidden', timeout: 60_000 });
    await page.keyboard.press('Control+S');
    const file = join(session.workspace, 'sample.md');
    const until = Date.now() + 15_000;
    let text = readFileSync(file, 'utf8');
    while ((text.match(/\]\((<)?images\//g) ?? []).length < 4 && Date.now() < until) {
      await sleep(200);
      text = readFileSync(file, 'utf8');
    }
    for (const p of PROMPTS) assert.match(text, new RegExp(`!\\[${p}\\]\\(<?images/${p.split(/[ ,]+/).slice(0, 3).join('-')}[^)]*\\.png>?\\)`), `${p} was not linked`);
    assert.equal(fake.creates() - before, 4);
    assert.equal(await activeEditor().locator('.codelens-decoration a', { hasText: /Generate/ }).count(), 0, 'a Generate lens is left');
    await clearNotifications();
    await screenshot('readme-page-after');
    // The filled page as a reader sees it: the Markdown preview beside it, with each image's prompt written on it.
    await runFromPalette('Markdown: Open Preview to the Side');
    const preview = await findFrame('img[src*="images/a-lighthouse"]', 30_000);
    await preview.locator('img[src*="images/a-lighthouse"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(1000);
    await screenshot('readme-page-after-preview');
    await runFromPalette('View: Close All Editors');
  });

  it('the Explorer: right-click a PNG → Pictor → Use as Reference opens the panel with it among the references', async () => {
    const { page } = session;
    await clickWorkbench();
    const explorer = page.locator('.explorer-folders-view');
    const folder = explorer.locator('.monaco-list-row', { hasText: /^pics$/ }).first();
    await folder.waitFor({ state: 'visible', timeout: 15_000 });
    if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
    const row = explorer.locator('.monaco-list-row', { hasText: /^shell\.png$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    await openPictorSubmenu();
    const labels = await menuLabels();
    assert.ok(labels.includes('Edit Image…') && labels.includes('Use as Reference'), labels.join(' | '));
    await screenshot('explorer-context-menu');
    await menuItem(/^Use as Reference$/).first().click();

    const frame = await findFrame('#refs li', 30_000);
    await frame.locator('#refs li', { hasText: 'shell.png' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await frame.locator('#refs li').count(), 1);
    await sleep(500);
    await screenshot('readme-panel');
    await runFromPalette('View: Close All Editors');
  });

  it('the walkthrough: four steps from the key to chat; "Open a Sample Page" opens a page with a Generate CodeLens', async () => {
    const { page } = session;
    // The palette's command opens a second pick (the walkthroughs) in the same widget.
    await clickWorkbench();
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type('Welcome: Open Walkthrough');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^Welcome: Open Walkthrough/ }).first().click();
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Get started with Pictor' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.type('Get started with Pictor');
    await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: 'Get started with Pictor' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    const steps = page.locator('.getting-started-step');
    await page.locator('.gettingStartedContainer', { hasText: 'Get started with Pictor' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    for (const t of ['Set your EvoLink API key', 'Fill a placeholder', 'Open the panel', 'Use Pictor from chat']) {
      await steps.filter({ hasText: t }).first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    // The step's Markdown media renders beside the steps, in a frame of its own.
    await findFrame('text=Your EvoLink API key', 20_000);
    await sleep(500);
    await screenshot('readme-walkthrough');

    await steps.filter({ hasText: 'Fill a placeholder' }).first().click();
    const button = page.locator('.getting-started-step.expanded .button-link, .getting-started-step.expanded a', { hasText: 'Open a Sample Page' }).first();
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    await button.click();
    await activeEditor().locator('.codelens-decoration a', { hasText: /Generate · 1536×1024 · low/ }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot('walkthrough-sample-page');
    assert.ok(existsSync(join(session.workspace, 'sample.md')));
    await runFromPalette('View: Revert and Close Editor').catch(() => {});
    await runFromPalette('View: Close All Editors').catch(() => {});
  });
});
