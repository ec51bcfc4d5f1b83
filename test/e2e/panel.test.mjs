/* global describe, before, it, document, getComputedStyle */
// The Pictor panel as a person uses it: in the real VS Code UI (code-server) in headless Chromium.
// The webview lives in nested iframes; its elements are found with findFrame.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { session, runFromPalette, findFrame, screenshot, clickWorkbench, clearNotifications, setApiKeyByHand, openFileQuickly, activeEditor, imageLoaded } from './session.mjs';

const require = createRequire(import.meta.url);
const READY = '#app[aria-busy="false"] #opt-size';

/** The panel's frame (found again each time: hiding and showing the panel reloads it). */
const panel = () => findFrame(READY);

/**
 * The README as the page holds it: saved from its editor with Ctrl+S, as a person would, then read
 * from disk (the editor's DOM shows only the lines on screen, wrapped).
 */
async function readmeText(expectLinks) {
  const { page } = session;
  const file = join(session.workspace, 'README.md');
  await page.locator('.tabs-container .tab', { hasText: 'README.md' }).first().click();
  await page.keyboard.press('Control+S');
  // The save lands on disk a moment later: read until the page holds the links, or give up and let
  // the caller's assertion show what is there.
  const until = Date.now() + 10_000;
  let text = readFileSync(file, 'utf8');
  while (count(text) < expectLinks && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    text = readFileSync(file, 'utf8');
  }
  return text;
}

const LINK = '![a lighthouse on a cliff at dusk, flat colours](images/';
const count = (s) => s.split(LINK).length - 1;

/** Preferences: Color Theme, then the theme's name, as a person picks it. */
async function setTheme(name) {
  const { page } = session;
  await clickWorkbench();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type('Preferences: Color Theme');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^Preferences: Color Theme/ }).first().click();
  // The same widget now lists the themes.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Dark Modern' }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.type(name);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: name }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

async function generate(frame, prompt) {
  await frame.locator('#prompt').fill(prompt);
  const button = frame.locator('#generate');
  await assertEnabled(button);
  await button.click();
  return frame.locator('#queue li.job', { hasText: prompt });
}

async function assertEnabled(locator) {
  assert.equal(await locator.isEnabled(), true, 'the button is disabled');
}

describe('Pictor panel (e2e)', function () {
  this.timeout(120_000);

  before(async () => {
    await setApiKeyByHand();
  });

  it('shows the pixel size and relative cost of 16:9 / 2K / low / 2 images, and says what is wrong with a bad size', async () => {
    const { page } = session;
    await openFileQuickly('README.md');
    // The cursor goes to the end of the page: generated links land after its line.
    await activeEditor().locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await runFromPalette('Pictor: Open Panel');
    await page.locator('.tabs-container .tab', { hasText: 'Pictor' }).waitFor({ state: 'visible', timeout: 20_000 });
    const frame = await panel();

    await frame.locator('#opt-size').selectOption('16:9');
    await frame.locator('#opt-resolution').selectOption('2K');
    await frame.locator('#opt-quality').selectOption('low');
    await frame.locator('#opt-n').fill('2');
    assert.equal(await frame.locator('#opt-pixels').innerText(), '2048×1152');
    assert.equal(await frame.locator('#opt-cost').innerText(), '≈0.50×');
    assert.match(await frame.locator('#opt-cost-detail').innerText(), /0\.11× × 2 .*2\.25×/);
    assert.equal(await frame.locator('#opt-errors li').count(), 0);
    assert.equal(await frame.locator('#opt-resolution').isEnabled(), true);
    await screenshot('panel-options-16x9-2K-low-2');

    // A size that breaks a rule: the error shows at once, resolution does not apply, Generate is off.
    await frame.locator('#prompt').fill('anything');
    await frame.locator('#opt-size').selectOption('custom');
    await frame.locator('#opt-size-custom').fill('1000x1000');
    await frame.locator('#opt-errors li', { hasText: 'multiples of 16' }).waitFor({ timeout: 5_000 });
    assert.equal(await frame.locator('#opt-resolution').isEnabled(), false);
    assert.ok((await frame.locator('#opt-resolution-note').innerText()).length > 0, 'no note says why resolution is off');
    assert.equal(await frame.locator('#generate').isEnabled(), false);
    await frame.locator('#opt-size-custom').fill('1536x1024');
    assert.equal(await frame.locator('#opt-pixels').innerText(), '1536×1024');
    assert.equal(await frame.locator('#opt-errors li').count(), 0);
    await frame.locator('#opt-size').selectOption('16:9');
    assert.equal(await frame.locator('#opt-pixels').innerText(), '2048×1152');

    // What the page is made of: a strict CSP, no inline styles, and a focus ring a keyboard user can see.
    const shell = await frame.evaluate(() => ({
      csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
      // Only our content: the webview host itself puts the theme's variables on <html> through CSSOM.
      // (Empty style attributes appear on text fields the test filled; they style nothing.)
      inlineStyles: [...document.querySelectorAll('#app [style], #app[style]')].filter((e) => e.getAttribute('style')?.trim()).map((e) => `<${e.tagName.toLowerCase()} id="${e.id}" style="${e.getAttribute('style')}">`),
    }));
    assert.match(shell.csp, /default-src 'none'/);
    assert.doesNotMatch(shell.csp, /unsafe-inline|unsafe-eval/);
    assert.deepEqual(shell.inlineStyles, []);
    await frame.locator('#prompt').click();
    await session.page.keyboard.press('Tab');
    const focused = await frame.evaluate(() => ({ id: document.activeElement?.id, outline: document.activeElement ? getComputedStyle(document.activeElement).outlineStyle : 'none' }));
    assert.deepEqual(focused, { id: 'generate', outline: 'solid' }, 'Tab from the prompt does not reach a visibly focused Generate');
  });

  it('Generate: the queue row reaches 100%, the results appear, and Insert Link puts a link into the page', async () => {
    const frame = await panel();
    const prompt = 'a lighthouse on a cliff at dusk, flat colours';
    const row = await generate(frame, prompt);
    await row.waitFor({ timeout: 10_000 });
    await row.locator('.job-status', { hasText: 'Done' }).waitFor({ timeout: 60_000 });
    assert.equal(await row.locator('.pct').innerText(), '100%');
    assert.equal(await row.locator('progress').getAttribute('value'), '100');

    const results = frame.locator('#results li.result', { has: frame.locator(`img[alt="${prompt}"]`) });
    await results.first().waitFor({ timeout: 10_000 });
    assert.equal(await results.count(), 2, 'n = 2 gives two images');
    assert.ok(await imageLoaded(results.first().locator('img')), 'the thumbnail did not load (CSP or localResourceRoots)');

    // Generate links the images after the cursor line of the page that was active.
    let text = await readmeText(2);
    assert.equal(count(text), 2, `the generated links are not in the page:\n${text}`);

    await results.first().getByRole('button', { name: /Insert a link/ }).click();
    await frame.locator('#notice', { hasText: 'Inserted a link' }).waitFor({ timeout: 10_000 });
    text = await readmeText(3);
    assert.equal(count(text), 3, `Insert Link did not add a link:\n${text}`);
    await results.first().scrollIntoViewIfNeeded();
    await screenshot('panel-generated-and-linked');
  });

  it('Cancel stops a slow task', async () => {
    const frame = await panel();
    await frame.locator('#opt-n').fill('1');
    // Held at the fake until it is cancelled; then let go (it finishes, watched in the background).
    const prompt = 'a slow paper kite [hold]';
    const row = await generate(frame, prompt);
    const cancel = row.getByRole('button', { name: /Cancel/ });
    await cancel.waitFor({ timeout: 15_000 });
    await cancel.click();
    await row.locator('.job-status', { hasText: 'Cancelled' }).waitFor({ timeout: 15_000 });
    assert.equal(await row.getByRole('button', { name: /Cancel/ }).count(), 0, 'a cancelled task still offers Cancel');
    session.fake.release({ prompt });
  });

  it('format WebP and a largest width of 600 (issue 24): a WebP 600 wide, the row names what was saved; transparent JPEG is refused on its field', async () => {
    const frame = await panel();
    await frame.locator('#opt-n').fill('1');
    await frame.locator('#opt-size').selectOption('3:2');
    await frame.locator('#opt-resolution').selectOption('1K');
    // Transparent as JPEG: refused where it is chosen, with the planner's words, before anything is sent.
    await frame.locator('#opt-background').selectOption('transparent');
    await frame.locator('#opt-format').selectOption('jpeg');
    await frame.locator('#opt-errors li[data-field="format"]', { hasText: 'cannot be saved as JPEG' }).waitFor({ timeout: 5_000 });
    assert.equal(await frame.locator('#opt-format').getAttribute('aria-invalid'), 'true');
    await frame.locator('#opt-background').selectOption('opaque');
    await frame.locator('#opt-format').selectOption('webp');
    await frame.locator('#opt-max-width').fill('600');
    assert.equal(await frame.locator('#opt-errors li').count(), 0);

    const prompt = 'a paper boat on a pond, a light file';
    const row = await generate(frame, prompt);
    await row.locator('.job-status', { hasText: 'Done' }).waitFor({ timeout: 60_000 });
    assert.match((await row.locator('.converted').innerText()).trim(), /^Converted: \d+(\.\d)? [KM]?B PNG → \d+(\.\d)? [KM]?B WebP$/);
    const result = frame.locator('#results li.result', { has: frame.locator(`img[alt="${prompt}"]`) });
    await result.first().waitFor({ timeout: 10_000 });
    assert.match(await result.first().locator('.converted').innerText(), /PNG → .* WebP/);
    const file = await result.first().locator('figcaption').getAttribute('title');
    assert.match(file, /\.webp$/, 'the extension follows the format');
    const { imageInfo } = require('../../out/src/core/api/imageInfo.js');
    const info = imageInfo(readFileSync(file));
    assert.deepEqual([info?.type, info?.width, info?.height], ['webp', 600, 400], 'a WebP, sniffed from the bytes, 600 wide');
    // Back to the plain look for the tests after this one.
    await frame.locator('#opt-format').selectOption('png');
    await frame.locator('#opt-max-width').fill('0');
  });

  it('Retry sends a failed task again, and the failure is said in words', async () => {
    const frame = await panel();
    const prompt = 'a failing paper kite [fail:service_error]';
    const row = await generate(frame, prompt);
    await row.locator('.job-status', { hasText: 'Failed' }).waitFor({ timeout: 30_000 });
    assert.match(await row.locator('.job-error').innerText(), /internal error/i);
    await row.getByRole('button', { name: /Retry/ }).click();
    await frame.locator('#queue li.job', { hasText: prompt }).nth(1).waitFor({ timeout: 15_000 });
    assert.equal(await frame.locator('#queue li.job', { hasText: prompt }).count(), 2, 'the retried task has no row');
    // The first row (now the older one) says it was retried and offers no second Retry.
    const first = frame.locator('#queue li.job', { hasText: prompt }).nth(1);
    await first.locator('.retrying').waitFor({ timeout: 15_000 });
    assert.equal(await first.getByRole('button', { name: /Retry/ }).count(), 0, 'a retried task still offers Retry');
  });

  it('follows the colour theme: screenshots in a dark and in a light theme', async () => {
    const frame = await panel();
    const colours = () => frame.locator('body').evaluate((b) => `${getComputedStyle(b).backgroundColor} / ${getComputedStyle(b).color}`);
    await frame.locator('#prompt').fill('a red fox asleep in fresh snow, watercolor');
    await clearNotifications();
    await setTheme('Default Dark Modern');
    await session.page.waitForTimeout(500);
    const dark = await colours();
    await screenshot('panel-dark-theme');
    await setTheme('Default Light Modern');
    await session.page.waitForTimeout(500);
    const light = await colours();
    await screenshot('panel-light-theme');
    assert.notEqual(light, dark, 'the panel kept its colours when the theme changed');
  });

  it('shows the options of the active page, where each comes from, and follows its front matter as it is typed', async () => {
    const { page } = session;
    writeFileSync(join(session.workspace, 'page-options.md'),
      '---\npictor:\n  size: "1:1"\n  quality: high\n  style: "woodcut, two colours"\n---\n\n![a heron in reeds]()\n');
    await openFileQuickly('page-options.md');
    await runFromPalette('Pictor: Open Panel');
    const frame = await panel();
    const summary = frame.locator('#page-options-summary');
    await summary.filter({ hasText: 'This page: 1:1' }).waitFor({ timeout: 10_000 });
    assert.match(await summary.innerText(), /This page: 1:1 · 1K · high · 1 image\(s\) · style "woodcut, two colours"/);
    assert.match(await frame.locator('#page-options-sources').innerText(), /^From page: size, quality, style · /);
    assert.equal(await frame.locator('#page-options-problems li').count(), 0);

    // The person types a value Pictor cannot send into the front matter: the panel says so at once.
    await page.locator('.tabs-container .tab', { hasText: 'page-options.md' }).first().click();
    await activeEditor().locator('.view-lines').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('quality: ultra');
    const problem = frame.locator('#page-options-problems li', { hasText: 'ultra' });
    await problem.waitFor({ timeout: 10_000 });
    assert.match(await problem.innerText(), /quality cannot be "ultra".*Allowed: low, medium or high/);
    assert.match(await summary.innerText(), /This page: 1:1 · 1K · ultra \(invalid\) · 1 image\(s\)/);
    await screenshot('panel-page-options');
  });

  it('shows the page\'s reference images as thumbnails (issue 24), a missing one as its reason, and the thumbnail once the file is there', async () => {
    const { encodePng } = require('../../out/test/fake-evolink/png.js');
    mkdirSync(join(session.workspace, 'style'), { recursive: true });
    writeFileSync(join(session.workspace, 'style', 'palette.png'), encodePng(320, 200, 2, 'palette'));
    rmSync(join(session.workspace, 'style', 'later.png'), { force: true });
    writeFileSync(join(session.workspace, 'page-references.md'),
      '---\npictor:\n  references: [style/palette.png, style/later.png]\n---\n\n![a heron in reeds]()\n');
    await openFileQuickly('page-references.md');
    await runFromPalette('Pictor: Open Panel');
    const frame = await panel();
    const refs = frame.locator('#page-refs li.page-ref');
    await refs.nth(1).waitFor({ timeout: 10_000 });
    assert.equal(await refs.count(), 2);
    assert.match(await frame.locator('#page-refs-h').innerText(), /Reference images this page sends with each placeholder/);
    // The good one: a thumbnail that really loads (a webview URI under the resource roots, allowed by the CSP).
    const good = refs.nth(0);
    assert.match(await good.locator('.label').innerText(), /^style\/palette\.png · page · 320×200 · \d+ (B|KB)$/);
    assert.equal(await imageLoaded(good.locator('img.thumb')), true, 'the thumbnail did not load');
    // The missing one: its reason in words, and no image at all (never a broken one).
    const missing = refs.nth(1);
    assert.equal(await missing.locator('img').count(), 0);
    assert.match(await missing.locator('.ref-problem').innerText(), /reference image style\/later\.png does not exist/);
    await screenshot('panel-page-references');

    // The file is made: the panel looks again and shows its thumbnail.
    writeFileSync(join(session.workspace, 'style', 'later.png'), encodePng(200, 200, 3, 'later'));
    await missing.locator('img.thumb').waitFor({ timeout: 15_000 });
    assert.equal(await imageLoaded(missing.locator('img.thumb')), true);
    assert.equal(await missing.locator('.ref-problem').count(), 0);
  });
});
