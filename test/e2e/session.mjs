/* global document, getComputedStyle */
// What the e2e specs drive: one code-server UI in headless Chromium, set up by run-e2e.mjs before
// the specs load (they import this module and read `session`). Also the few gestures every spec
// needs, written the way a person does them: click, F1, type, Enter.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
// The one sleep of the host layers, for the specs too (they import it from here).
import { sleep } from '../host/server.mjs';

export { sleep };

/** @type {{ page: import('playwright-core').Page, url: string, workspace: string, userData: string, fake: any, screenshotsDir: string }} */
export const session = {};

/** Pictor's log files in the server's user data: one per extension host (a reload starts another). */
function pictorLogs() {
  const out = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (basename(dirname(p)) === 'pictor.pictor') out.push(p);
    }
  };
  walk(join(session.userData, 'logs'));
  return out;
}

/** Where Pictor's log stands now; logSince(mark) is what it wrote after. */
export function logMark() {
  return new Map(pictorLogs().map((f) => [f, statSync(f).size]));
}

export function logSince(mark) {
  return pictorLogs().map((f) => readFileSync(f).subarray(mark.get(f) ?? 0).toString('utf8')).join('\n');
}

/** Waits until Pictor's log says `re` after `mark`: the line that says why (nothing) happened. */
export async function waitForLog(mark, re, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = logSince(mark);
    if (re.test(text)) return text;
    if (Date.now() > until) throw new Error(`Pictor's log has no line matching ${re}; since the mark it says:\n${text.slice(-2000)}`);
    await sleep(100);
  }
}

/**
 * The user settings.json of a code-server the e2e specs drive: no dialog or editor covering the
 * workbench on first start, and Pictor pointed at the fake provider at `fakeUrl`.
 */
export function userSettings(fakeUrl) {
  return {
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'pictor.baseUrl': fakeUrl,
    'pictor.filesBaseUrl': fakeUrl,
  };
}

/**
 * Whether the <img> at `locator` loads: true once it has (now or within 10 s), false if it fails or
 * has not by then. Its element may be in the page before its bytes are: the load is waited for.
 */
export async function imageLoaded(locator) {
  // Thumbnails load lazily (loading="lazy"), when they come into view: as the user scrolls to them.
  await locator.scrollIntoViewIfNeeded();
  return locator.evaluate((img) => (img.complete && img.naturalWidth > 0) || new Promise((resolve) => {
    img.addEventListener('load', () => resolve(img.naturalWidth > 0), { once: true });
    img.addEventListener('error', () => resolve(false), { once: true });
    setTimeout(() => resolve(img.complete && img.naturalWidth > 0), 10_000);
  }));
}

let shotCounter = 0;

/**
 * Saves a screenshot of the whole window (or of one element, e.g. the editor) as
 * test-results/e2e/NN-<name>.png; returns the path.
 */
export async function screenshot(name, element) {
  mkdirSync(session.screenshotsDir, { recursive: true });
  const file = join(session.screenshotsDir, `${String(++shotCounter).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await (element ?? session.page).screenshot({ path: file });
  return file;
}

export async function waitForWorkbench() {
  const { page } = session;
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  // The explorer shows the workspace once the remote file system answered.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: 60_000 });
}

async function openPalette(title) {
  const { page } = session;
  // Headless Chromium delivers keys only to a focused page: click into the workbench first (the
  // middle of the status bar, where no item sits).
  await page.locator('.monaco-workbench .part.statusbar').click();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(title);
  return { input, row: page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first() };
}

/**
 * Opens the command palette, types `title`, waits for it to be offered, and runs it. Done when the
 * palette is gone: hidden, or (a command that asks something: Set API Key, Edit Image) replaced in the
 * same widget by the command's own box, whose text no longer starts with the palette's `>`. Returns when Enter was pressed (ms).
 */
export async function runFromPalette(title) {
  const { row } = await openPalette(title);
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  const enteredAt = Date.now();
  await session.page.keyboard.press('Enter');
  await session.page.waitForFunction(() => {
    const box = document.querySelector('.quick-input-widget input');
    const shown = box && box.offsetParent !== null && getComputedStyle(box).visibility !== 'hidden';
    return !shown || !box.value.startsWith('>');
  }, undefined, { timeout: 10_000, polling: 100 });
  return enteredAt;
}

/**
 * Waits until the palette offers `title`: right after the workbench shows, the extensions may not
 * be scanned yet, and an open palette does not pick up commands that arrive later.
 */
export async function waitForPaletteCommand(title, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { row } = await openPalette(title);
    const offered = await row.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
    await session.page.keyboard.press('Escape');
    if (offered) return;
    if (Date.now() > until) throw new Error(`the command palette never offered "${title}" (is the extension installed? see code-server.log)`);
    await sleep(500);
  }
}

/** Finds the frame (webviews sit in nested iframes) whose document matches `selector`, polling. */
export async function findFrame(selector, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of session.page.frames()) {
      try {
        if (await frame.locator(selector).count() > 0) return frame;
      } catch { /* frame navigated or detached meanwhile */ }
    }
    if (Date.now() > until) throw new Error(`no frame with ${selector} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A click on the status bar: focus goes to the workbench, not into an editor or a webview. */
export async function clickWorkbench() {
  await session.page.locator('.monaco-workbench .part.statusbar').click();
}

export async function clearNotifications() {
  await runFromPalette('Notifications: Clear All Notifications');
}

/**
 * Quick Open (Ctrl+P), the file name, Enter: the file opens in the active editor group. Quick Open's file
 * search answers from an index that may not hold a file written a moment ago ("No matching results"):
 * then it is closed and asked again, as a person would, for up to 30 s.
 */
export async function openFileQuickly(name) {
  const { page } = session;
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  const until = Date.now() + 30_000;
  for (;;) {
    await clickWorkbench();
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(name);
    if (await row.waitFor({ timeout: 5_000 }).then(() => true, () => false)) break;
    await page.keyboard.press('Escape');
    if (Date.now() > until) throw new Error(`Quick Open never offered ${name}`);
  }
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor({ timeout: 10_000 });
}

/** Stores the fake's key the way a person does: the palette, the password box, Enter. */
export async function setApiKeyByHand() {
  const { page, fake } = session;
  const password = page.locator('.quick-input-widget input[type="password"]');
  // Right after the workbench shows, the extension's commands may not be listed yet. The password box
  // opens in the palette's own widget, so what follows Enter is the box showing, not the palette hiding.
  for (let attempt = 1; ; attempt++) {
    try {
      const { row } = await openPalette('Pictor: Set API Key');
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await password.waitFor({ state: 'visible', timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.type(fake.apiKey);
  await page.keyboard.press('Enter');
  await page.locator('.notifications-toasts .notification-toast', { hasText: 'API key saved' }).waitFor({ timeout: 10_000 });
  await clearNotifications();
}

/** The editor of the active group: earlier suites may leave other pages open beside it (the panel's group). */
export function activeEditor() {
  return session.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/**
 * The text the active editor shows, line by line in screen order (Monaco keeps line elements in any
 * DOM order and positions them by `top`; it renders spaces as no-break spaces). A wrapped line is
 * several screen lines.
 */
export async function editorText() {
  const lines = await activeEditor().locator('.view-lines .view-line').evaluateAll((els) =>
    els.map((e) => ({ top: parseFloat(e.style.top) || 0, text: e.textContent ?? '' })));
  return lines.sort((a, b) => a.top - b.top).map((l) => l.text.replace(/\u00a0/g, ' ')).join('\n');
}

/** Opens a file at the workspace root with a click on its row in the Explorer, and waits for its text. */
export async function openFromExplorer(name) {
  const { page } = session;
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
  // With many files the Explorer (a virtual list) renders only the rows in view: then Quick Open.
  const shown = await row.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
  if (shown) {
    await row.click();
    await page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor({ timeout: 10_000 });
  } else {
    await openFileQuickly(name);
  }
  await activeEditor().locator('.view-line').first().waitFor({ state: 'visible', timeout: 10_000 });
}
