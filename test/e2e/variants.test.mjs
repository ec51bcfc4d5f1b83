/* global describe, before, after, it, document, getComputedStyle */
// Variants as a person makes and picks them: the "Variants…" CodeLens, 3 in the quick pick, the
// "3 variants ready — Pick…" lens (and the Pick… of the notification), then in the panel: arrow key to the second one, Enter. The page
// links it and the other two are in images/candidates/.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { session, screenshot, setApiKeyByHand, runFromPalette, findFrame, sleep, imageLoaded } from './session.mjs';

function editor() {
  return session.page.locator('.editor-group-container .editor-instance .monaco-editor', { hasText: '# Cranes' }).first();
}

describe('Variants (e2e)', function () {
  this.timeout(150_000);

  before(async () => {
    await runFromPalette('View: Close All Editors').catch(() => {});
    await setApiKeyByHand();
  });

  after(async () => {
    await runFromPalette('View: Close All Editors').catch(() => {});
  });

  it('Variants… on a placeholder, 3 in the quick pick; in the panel the arrow key moves to the second and Enter links it; the others go to candidates/', async () => {
    const { page, fake } = session;
    const prompt = 'three paper cranes on a desk';
    const file = join(session.workspace, 'cranes.md');
    writeFileSync(file, `# Cranes\n\n![${prompt}]()\n`);

    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^cranes\.md$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
    const variantsLens = editor().locator('.codelens-decoration a', { hasText: /^\s*Variants…\s*$/ }).first();
    await variantsLens.waitFor({ state: 'visible', timeout: 20_000 });
    await variantsLens.click();

    // How many: a quick pick of 2 to 10 with 4 in focus; the person types 3 and presses Enter.
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.monaco-list-row.focused', { hasText: /^4/ }).waitFor({ timeout: 10_000 });
    await page.keyboard.type('3');
    await quick.locator('.monaco-list-row.focused', { hasText: /^3/ }).waitFor({ timeout: 5_000 });
    await screenshot('variants-how-many');
    await page.keyboard.press('Enter');

    const pickLens = editor().locator('.codelens-decoration a', { hasText: '3 variants ready — Pick…' }).first();
    await pickLens.waitFor({ state: 'visible', timeout: 30_000 });
    const sent = fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && r.body?.prompt === prompt);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].body.n, 3);
    assert.equal(readFileSync(file, 'utf8'), `# Cranes\n\n![${prompt}]()\n`, 'the page changed before a pick');
    await screenshot('variants-ready-lens');
    // "Pick…" in the notification that says they are ready opens the panel on them too.
    for (const f of page.frames()) {
      assert.equal(await f.locator('#picks-section [role="option"]').count().catch(() => 0), 0, 'the panel showed the pick before anyone asked');
    }
    const ready = page.locator('.notifications-toasts .notification-toast', { hasText: `3 variants ready for "${prompt}"` }).first();
    await ready.waitFor({ state: 'visible', timeout: 10_000 });
    await ready.locator('.monaco-button', { hasText: 'Pick…' }).click();
    const opened = await findFrame('#picks-section:not([hidden]) [role="option"]');
    assert.equal(await opened.locator('#picks-section [role="option"]').count(), 3, 'Pick… in the notification did not open the panel on the pick');
    await pickLens.click();

    // The panel opens on the three candidates with keyboard focus on the first.
    const frame = await findFrame('#picks-section:not([hidden]) [role="option"]');
    const options = frame.locator('#picks-section [role="option"]');
    assert.equal(await options.count(), 3);
    assert.match(await options.nth(0).getAttribute('aria-label'), /^Variant 1 of 3: images\/three-paper-cranes-on-a-desk-[0-9a-f]{4}-1\.png, \d+×\d+$/);
    const focused = () => frame.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    const until = Date.now() + 10_000;
    while (!/^Variant 1 of 3/.test(await focused())) {
      if (Date.now() > until) throw new Error(`the first variant did not get keyboard focus (focus is on "${await focused()}")`);
      await sleep(100);
    }
    for (let i = 0; i < 3; i++) {
      assert.ok(await imageLoaded(options.nth(i).locator('img')), `the thumbnail of variant ${i + 1} did not load`);
    }

    await page.keyboard.press('ArrowRight');
    assert.match(await focused(), /^Variant 2 of 3/);
    assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
    assert.equal(await options.nth(0).getAttribute('aria-selected'), 'false');
    const outline = await options.nth(1).evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'the variant in focus has no visible focus outline');
    await screenshot('variants-panel-second-in-focus');
    const chosen = (await options.nth(1).getAttribute('data-path'));
    await page.keyboard.press('Enter');

    // The page links the second; the other two are in images/candidates/.
    const link = `![${prompt}](images/${basename(chosen)})`;
    const text = editor().locator('.view-lines');
    const deadline = Date.now() + 20_000;
    // The editor wraps long lines where it likes: compare without white space.
    const squeeze = (t) => t.replace(/[\s\u00a0]+/g, '');
    while (!squeeze(await text.innerText()).includes(squeeze(link))) {
      if (Date.now() > deadline) throw new Error(`the pick was not linked; the editor shows:\n${await text.innerText()}`);
      await sleep(200);
    }
    await frame.locator('#picks-section[hidden]').waitFor({ state: 'attached', timeout: 10_000 });
    // The others are moved right after the link is made.
    const candidates = join(session.workspace, 'images', 'candidates');
    const inCandidates = () => (existsSync(candidates) ? readdirSync(candidates) : []).filter((f) => f.startsWith('three-paper-cranes-on-a-desk-'));
    const movedBy = Date.now() + 10_000;
    while (inCandidates().length < 2 && Date.now() < movedBy) await sleep(200);
    const moved = inCandidates();
    assert.equal(moved.length, 2, `candidates/ holds ${moved.join(', ')}`);
    assert.ok(!moved.includes(basename(chosen)));
    assert.ok(existsSync(join(session.workspace, 'images', basename(chosen))));
    // The "ready" lens goes once the editor asks for lenses again.
    await editor().locator('.codelens-decoration a', { hasText: 'variants ready' }).first().waitFor({ state: 'detached', timeout: 15_000 });
    await screenshot('variants-picked');
  });
});
