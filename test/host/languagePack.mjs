// A minimal language pack, so VS Code's server build runs in another display language without the
// Marketplace (which this machine cannot reach).
//
// Why a pack at all: code-server's `--locale zh-cn` only asks for a language. The server resolves it
// with getNLSConfiguration (vs/base/node/nls), which looks the language up in
// <user-data-dir>/languagepacks.json and needs an entry whose `translations.vscode` file exists;
// otherwise it falls back to `resolvedLanguage: "en"`. The web client then never gets
// `_VSCODE_NLS_LANGUAGE`, its `platform.language` stays `en`, the remote extension host starts with
// `appLanguage: "en"`, and neither package.nls.zh-cn.json nor l10n/bundle.l10n.zh-cn.json is read.
//
// Why languagepacks.json is written here: VS Code writes that file only from the extension
// management service's post-install hook (an install through the UI or `--install-extension`).
// A pack copied into the extensions folder, the way the e2e installs Pictor, is scanned as an
// extension but never registered as a language pack, which is why a stub pack alone changed nothing.
//
// The pack translates none of VS Code's own strings (an empty `contents`): the workbench stays in
// English and everything shown in Chinese is Pictor's own translation.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function installLanguagePack({ extensionsDir, userDataDir, languageId, languageName, localizedLanguageName }) {
  const publisher = 'pictor-test';
  const name = `language-pack-${languageId}`;
  const version = '0.0.1';
  const dir = join(extensionsDir, `${publisher}.${name}-${version}`);
  const main = join(dir, 'translations', 'main.i18n.json');
  mkdirSync(join(dir, 'translations'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name, publisher, version, displayName: `${languageName} (test stub)`,
    engines: { vscode: '^1.100.0' },
    categories: ['Language Packs'],
    contributes: {
      localizations: [{ languageId, languageName, localizedLanguageName, translations: [{ id: 'vscode', path: './translations/main.i18n.json' }] }],
    },
  }, null, 2));
  writeFileSync(main, JSON.stringify({ version: '1.0.0', contents: {} }));
  // The same shape LanguagePacksCache writes after an install; the hash names the cache folder (clp/<hash>.<lang>).
  const id = `${publisher}.${name}`;
  const hash = createHash('md5').update(id).update(version).digest('hex');
  mkdirSync(userDataDir, { recursive: true });
  writeFileSync(join(userDataDir, 'languagepacks.json'), JSON.stringify({
    [languageId]: { hash, extensions: [{ extensionIdentifier: { id }, version }], translations: { vscode: main }, label: localizedLanguageName },
  }, null, 2));
  return { id, path: dir };
}
