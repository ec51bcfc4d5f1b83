/* global describe, before, after, it */
// Pictor in Simplified Chinese, as a person whose VS Code runs in zh-cn sees it: the palette, the
// panel (the webview's strings come from the host's vscode.l10n, the size check from the core's
// codes) and the CodeLens of a placeholder. Its own code-server runs with `--locale zh-cn` and a
// minimal language pack (test/host/languagePack.mjs says why one is needed and what it does); the
// shared session is pointed at it for these tests and restored after.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, freePort, installExtensionCopy, launchChromium, root, startCodeServer, tempRoot } from '../host/server.mjs';
import { installLanguagePack } from '../host/languagePack.mjs';
import { session, userSettings, findFrame, screenshot, clickWorkbench, waitForWorkbench, waitForPaletteCommand, runFromPalette, openFileQuickly } from './session.mjs';

const PROMPT = '一只在新雪中熟睡的红狐狸，水彩画';

describe('Pictor in Simplified Chinese (e2e, zh-cn)', function () {
  this.timeout(240_000);
  const saved = {};
  let stopServer;
  let stopBrowser;

  before(async () => {
    Object.assign(saved, { page: session.page, url: session.url, workspace: session.workspace });
    const tmp = tempRoot('pictor-e2e-zh-');
    const workspace = join(tmp, 'workspace');
    const userData = join(tmp, 'user-data');
    const extensions = join(tmp, 'extensions');
    cpSync(join(root, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    writeFileSync(join(workspace, 'zh.md'), `# 狐狸\n\n![${PROMPT}]()\n`);
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(session.fake.url), null, 2));
    installExtensionCopy(extensions);
    installLanguagePack({ extensionsDir: extensions, userDataDir: userData, languageId: 'zh-cn', languageName: 'Chinese Simplified', localizedLanguageName: '中文(简体)' });
    const server = await startCodeServer({
      port: await freePort(), userDataDir: userData, extensionsDir: extensions, workspace,
      env: childEnv({}), logFile: join(session.screenshotsDir, 'code-server-zh-cn.log'), extraArgs: ['--locale', 'zh-cn'],
    });
    stopServer = server.stop;
    const browser = await launchChromium({ userDataDir: join(tmp, 'browser'), logFile: join(session.screenshotsDir, 'browser-zh-cn.log') });
    stopBrowser = browser.stop;
    Object.assign(session, { page: browser.page, url: server.url, workspace });
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench();
  });

  after(async () => {
    await stopBrowser?.();
    await stopServer?.();
    Object.assign(session, saved);
  });

  it('runs the workbench in zh-cn (the language pack resolved the locale)', async () => {
    assert.equal(await session.page.evaluate(() => globalThis._VSCODE_NLS_LANGUAGE), 'zh-cn');
  });

  it('offers its commands in Chinese in the command palette', async () => {
    const { page } = session;
    await waitForPaletteCommand('Pictor: 打开面板');
    await clickWorkbench();
    await page.keyboard.press('F1');
    await page.keyboard.type('Pictor: ');
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    for (const title of ['Pictor: 打开面板', 'Pictor: 设置 API 密钥', 'Pictor: 显示日志']) {
      await rows.filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: 10_000 });
    }
    await screenshot('zh-cn-palette');
    await page.keyboard.press('Escape');
  });

  it('shows the CodeLens of a placeholder in Chinese', async () => {
    const { page } = session;
    await openFileQuickly('zh.md');
    const editor = page.locator('.editor-instance').first();
    // Generate, with the pixel size the click will use (the defaults: the model picks it, medium).
    const lens = editor.locator('.codelens-decoration a', { hasText: /^\s*生成 · 自动尺寸 · medium\s*$/ }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot('zh-cn-codelens', editor);
  });

  it('shows the panel in Chinese, with the size check worded in Chinese', async () => {
    const { page } = session;
    await runFromPalette('Pictor: 打开面板');
    await page.locator('.tabs-container .tab', { hasText: 'Pictor' }).waitFor({ state: 'visible', timeout: 20_000 });
    const frame = await findFrame('#app[aria-busy="false"] #opt-size');
    for (const heading of ['选项', '提示词', '参考图', '队列', '结果', '历史记录']) {
      assert.equal(await frame.locator('h2', { hasText: new RegExp(`^${heading}$`) }).count(), 1, `no panel section headed ${heading}`);
    }
    assert.equal((await frame.locator('#generate').innerText()).trim(), '生成');
    // The core's size rule, worded through the templates the host sent in zh-cn.
    await frame.locator('#opt-size').selectOption('custom');
    await frame.locator('#opt-size-custom').fill('1000x1000');
    const error = frame.locator('#opt-errors li').first();
    await error.waitFor({ timeout: 5_000 });
    assert.match(await error.innerText(), /^尺寸 1000×1000：两条边都必须是 16 的倍数/);
    await screenshot('zh-cn-panel');
  });
});
