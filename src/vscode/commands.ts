// Registers every command of the public contract (design.md). Commands a later change fills in
// say so plainly instead of pretending to work.
import * as vscode from 'vscode';
import type { ApiKeyStore } from './secrets';
import type { PanelController } from '../panel/panel';

export interface CommandDeps {
  log: vscode.LogOutputChannel;
  keys: ApiKeyStore;
  panel: PanelController;
}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { log, keys, panel } = deps;
  const notYet = (title: string) => async () => {
    const msg = vscode.l10n.t('Pictor: {0} is not available yet in this version.', title);
    log.info(msg);
    void vscode.window.showWarningMessage(msg);
    return undefined;
  };
  const register = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  register('pictor.generateFromSelection', notYet(vscode.l10n.t('Generate Image from Selection')));
  register('pictor.generatePlaceholder', notYet(vscode.l10n.t('Generate Image for Placeholder')));
  register('pictor.generateAllPlaceholders', notYet(vscode.l10n.t('Generate Images for All Placeholders')));
  register('pictor.editImage', notYet(vscode.l10n.t('Edit Image…')));
  register('pictor.cancelAll', notYet(vscode.l10n.t('Cancel All Running Tasks')));
  register('pictor.openPanel', () => panel.show());
  register('pictor.showLog', () => log.show());
  register('pictor.setApiKey', async (key?: unknown) => {
    // Other extensions and tests may pass the key; people get a password box.
    if (typeof key === 'string' && key.trim()) {
      await keys.set(key);
    } else if (!(await keys.prompt())) {
      return false;
    }
    log.info('API key stored in secret storage.');
    void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: API key saved.'));
    return true;
  });
  register('pictor.clearApiKey', async () => {
    await keys.clear();
    log.info('API key removed from secret storage.');
    const fromEnv = Boolean(process.env.EVOLINK_API_KEY);
    void vscode.window.showInformationMessage(fromEnv
      ? vscode.l10n.t('Pictor: API key removed. The EVOLINK_API_KEY environment variable will be used.')
      : vscode.l10n.t('Pictor: API key removed.'));
    return true;
  });
}
