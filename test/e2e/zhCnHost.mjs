// The host of l10n.test.mjs: its own code-server with `--locale zh-cn` and a minimal language pack
// (test/host/languagePack.mjs says why one is needed and what it does), its own browser, on the shared
// fake provider. run-e2e.mjs starts it beside the main host, so its start-up overlaps the main one's;
// the suite waits for it (and starts it itself when it was not started, e.g. under PICTOR_E2E_GREP).
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, freePort, installExtensionCopy, launchChromium, root, startCodeServer, tempRoot } from '../host/server.mjs';
import { installLanguagePack } from '../host/languagePack.mjs';
import { userSettings, waitForWorkbench } from './session.mjs';

export const ZH_PROMPT = '一只在新雪中熟睡的红狐狸，水彩画';

/** Starts it and loads its workbench; resolves with { page, url, workspace, stop }. */
export async function startChineseHost({ fakeUrl, logsDir }) {
  const tmp = tempRoot('pictor-e2e-zh-');
  const workspace = join(tmp, 'workspace');
  const userData = join(tmp, 'user-data');
  const extensions = join(tmp, 'extensions');
  cpSync(join(root, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
  writeFileSync(join(workspace, 'zh.md'), `# 狐狸\n\n![${ZH_PROMPT}]()\n`);
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(fakeUrl), null, 2));
  installExtensionCopy(extensions);
  installLanguagePack({ extensionsDir: extensions, userDataDir: userData, languageId: 'zh-cn', languageName: 'Chinese Simplified', localizedLanguageName: '中文(简体)' });
  const server = await startCodeServer({
    port: await freePort(), userDataDir: userData, extensionsDir: extensions, workspace,
    env: childEnv({}), logFile: join(logsDir, 'code-server-zh-cn.log'), extraArgs: ['--locale', 'zh-cn'],
  });
  let browser;
  try {
    browser = await launchChromium({ userDataDir: join(tmp, 'browser'), logFile: join(logsDir, 'browser-zh-cn.log') });
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench(browser.page);
  } catch (e) {
    await browser?.stop();
    await server.stop();
    throw e;
  }
  return {
    page: browser.page, url: server.url, workspace,
    stop: async () => {
      await browser.stop();
      await server.stop();
    },
  };
}
