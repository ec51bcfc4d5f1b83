/* global describe, before, after, it, document */
// Nothing is lost across a window reload (issue 6), as a person meets it: a page with 8 placeholders,
// "Generate Images for All Placeholders" while the provider holds every task, "Developer: Reload Window" halfway
// through, and afterwards all 8 placeholders linked, 8 images on disk and exactly 8 tasks created
// at the provider. Screenshots before and after the reload.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { session, runFromPalette, waitForWorkbench, waitForPaletteCommand, findFrame, screenshot, openFileQuickly, setApiKeyByHand, activeEditor, editorText, sleep } from './session.mjs';

const PROMPTS = [
  'a harbour crane at dusk, reload',
  'a fishing net drying on a wall, reload',
  'a red buoy in grey water, reload',
  'a stack of lobster pots, reload',
  'a tide clock on a blue door, reload',
  'a gull on a chimney pot, reload',
  'a ferry ramp in the rain, reload',
  'a rope coiled on a jetty, reload',
];
const DIR = 'reload-batch';
const FILE = 'reload-batch.md';
// The fake holds every task until after the reload (its hold knob): the reload lands while the first
// four (pictor.maxConcurrentTasks) run at the provider and the last four wait in Pictor's queue,
// however fast or slow this machine is.

const creates = () => session.fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && PROMPTS.includes(r.body?.prompt));

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The prompts whose placeholder holds a link to a PNG in images/. */
const linked = (text) => PROMPTS.filter((p) => new RegExp(`!\\[${escapeRe(p)}\\]\\(images/[^)\\s]+\\.png\\)`).test(text.replace(/\n/g, '')));

async function waitUntil(what, probe, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

describe('reload in the middle of a batch (e2e)', function () {
  this.timeout(240_000);
  const docPath = () => join(session.workspace, DIR, FILE);
  const imagesDir = () => join(session.workspace, DIR, 'images');

  before(async () => {
    await runFromPalette('View: Close All Editors').catch(() => {});
    await setApiKeyByHand();
    rmSync(join(session.workspace, DIR), { recursive: true, force: true });
    mkdirSync(join(session.workspace, DIR), { recursive: true });
    writeFileSync(docPath(), `# After a reload\n\n${PROMPTS.map((p) => `![${p}]()`).join('\n\n')}\n`);
  });

  after(() => {
    session.fake.set({ hold: undefined });
    session.fake.release();
  });

  it('"Generate all" for 8 placeholders, reload the window halfway: all 8 linked, 8 images, exactly 8 creates', async () => {
    const { page, fake } = session;
    fake.set({ hold: true });
    await openFileQuickly(FILE);
    await activeEditor().locator('.view-line', { hasText: PROMPTS[0] }).first().click();

    await runFromPalette('Pictor: Generate Images for All Placeholders');
    // Eight images are above the default confirmAboveImages (4): the user confirms the bill.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await dialog.innerText(), /Generate 8 images for 8 prompts\?/);
    await dialog.locator('.monaco-button', { hasText: 'Generate 8 Images' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });

    // Halfway: the first tasks run at the provider, none has finished.
    await waitUntil('the first tasks to be created', () => creates().length >= 4, 30_000).catch(async (e) => {
      await screenshot('reload-no-creates');
      const toasts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts().catch(() => []);
      throw new Error(`${e.message}; creates: ${creates().length}; notifications: ${JSON.stringify(toasts)}`);
    });
    const before = { creates: creates().length, done: [...fake.tasks.values()].filter((t) => PROMPTS.includes(t.prompt) && t.status === 'completed').length };
    assert.ok(before.creates < PROMPTS.length, `all ${PROMPTS.length} tasks were created before the reload: it is not halfway`);
    assert.ok(before.done < PROMPTS.length, 'every task finished before the reload: it is not halfway');
    assert.deepEqual(linked(await editorText()), [], 'a placeholder was linked before the reload');
    await screenshot('reload-before');

    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 30_000 });
    await runFromPalette('Developer: Reload Window').catch(() => { /* the palette is gone with the page */ });
    await navigated;
    await waitForWorkbench();
    await waitForPaletteCommand('Pictor: Open Panel');
    await screenshot('reload-workbench-back');
    // The provider finishes what it holds; what is sent from now on runs at its usual pace.
    fake.set({ hold: undefined });
    fake.release();

    // The page is open again (VS Code restores its editors); the links arrive in it as the tasks finish.
    await openFileQuickly(FILE);
    await waitUntil('all 8 placeholders to be linked in the editor', async () => {
      const t = await editorText();
      return linked(t).length === PROMPTS.length ? t : undefined;
    }, 120_000).catch(async (e) => {
      await screenshot('reload-not-all-linked');
      throw new Error(`${e.message}; linked: ${JSON.stringify(linked(await editorText()))}; creates: ${creates().length}`);
    });
    await screenshot('reload-after');

    // Saved the way a person saves; then the file on disk holds the 8 links, each to an image there.
    await activeEditor().locator('.view-line', { hasText: PROMPTS[0] }).first().click();
    await page.keyboard.press('Control+S');
    const onDisk = await waitUntil('the page on disk to hold the 8 links', () => {
      const t = readFileSync(docPath(), 'utf8');
      return linked(t).length === PROMPTS.length ? t : undefined;
    }, 15_000);
    const images = existsSync(imagesDir()) ? readdirSync(imagesDir()).sort() : [];
    assert.equal(images.length, PROMPTS.length, `expected 8 images, found: ${images.join(', ')}`);
    for (const p of PROMPTS) {
      const name = new RegExp(`!\\[${escapeRe(p)}\\]\\(images/([^)\\s]+\\.png)\\)`).exec(onDisk)?.[1];
      assert.ok(name && images.includes(name), `the link for "${p}" points at no saved image (${name})`);
      const bytes = readFileSync(join(imagesDir(), name));
      assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${name} is not a PNG`);
    }
    assert.equal(onDisk.split('](images/').length - 1, PROMPTS.length, `a placeholder was linked twice:\n${onDisk}`);

    // Billed once each: every prompt was created exactly once, before or after the reload.
    const perPrompt = Object.fromEntries(PROMPTS.map((p) => [p, creates().filter((c) => c.body.prompt === p).length]));
    assert.deepEqual(perPrompt, Object.fromEntries(PROMPTS.map((p) => [p, 1])), 'creates per placeholder');
    assert.equal(creates().length, PROMPTS.length);
  });

  it('after the reload the panel lists the batch as done, loads nothing from outside, and holds no key', async () => {
    const { page, fake } = session;
    const requested = [];
    const onRequest = (r) => requested.push(r.url());
    page.on('request', onRequest);
    try {
      await runFromPalette('Pictor: Open Panel');
      const frame = await findFrame('#app[aria-busy="false"] #queue');
      for (const p of PROMPTS) {
        await frame.locator('#queue li.job', { hasText: p }).locator('.job-status', { hasText: 'Done' }).first().waitFor({ timeout: 15_000 });
      }
      await screenshot('reload-panel-after');
      const html = await frame.evaluate(() => document.documentElement.outerHTML);
      assert.ok(!html.includes(fake.apiKey), 'the API key is in the panel\'s page');
    } finally {
      page.off('request', onRequest);
    }
    // Webview resources have URLs on VS Code's resource domain, answered by the webview's service
    // worker from the extension host's file system (never the network): those must come from the
    // extension or the workspace (localResourceRoots). Anything else must be this machine.
    const resource = /^https:\/\/[^/]+\.vscode-resource\.vscode-cdn\.net(\/[^?#]*)/i;
    const outside = requested.filter((u) => {
      const r = resource.exec(u);
      if (r) {
        const file = decodeURIComponent(r[1]);
        return !(file.startsWith(`${session.extension.path}/`) || file.startsWith(`${session.workspace}/`));
      }
      return /^(https?|wss?):/i.test(u) && !/^(https?|wss?):\/\/(127\.0\.0\.1|localhost)(:\d+)?\//i.test(u);
    });
    assert.ok(requested.some((u) => resource.test(u)), 'the panel loaded no resource at all: the check saw nothing');
    assert.deepEqual(outside, [], 'the panel asked for something outside the extension, the workspace and this machine');
  });
});
