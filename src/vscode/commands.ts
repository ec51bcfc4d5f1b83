// Registers every command of the public contract (design.md).
import * as vscode from 'vscode';
import { isLive } from '../core/jobs/states';
import type { ApiKeyStore } from './secrets';
import type { PanelController } from '../panel/panel';
import type { Generator } from './generate';
import type { PictorService } from './service';

export interface CommandDeps {
  log: vscode.LogOutputChannel;
  keys: ApiKeyStore;
  panel: PanelController;
  generator: Generator;
  service: PictorService;
}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { log, keys, panel, generator, service } = deps;
  const register = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  register('pictor.generateFromSelection', () => generator.fromSelection(vscode.window.activeTextEditor));
  register('pictor.generatePlaceholder', (uri?: unknown, range?: unknown) => generator.placeholder(uri, range));
  register('pictor.generateAllPlaceholders', (uri?: unknown) => generator.allPlaceholders(uri));
  register('pictor.editImage', () => generator.editImage(vscode.window.activeTextEditor));
  register('pictor.cancelAll', async () => {
    const n = service.queue.list().filter(isLive).length;
    await service.queue.cancelAll();
    const msg = n
      ? vscode.l10n.t('Pictor: stopped waiting for {0} task(s). Images of tasks that still finish at the provider are saved.', n)
      : vscode.l10n.t('Pictor: no tasks are running.');
    log.info(msg);
    void vscode.window.showInformationMessage(msg);
    return n;
  });
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

  if (context.extensionMode !== vscode.ExtensionMode.Production) registerTestSeams(register, generator);
}

/**
 * Outside production only: integration tests answer Edit Image's input box through these, because
 * an extension host cannot type into the real box (the e2e tests do, in the real UI). The box's
 * options are recorded so a test can check what the user would have been asked.
 */
function registerTestSeams(register: (id: string, fn: (...args: any[]) => unknown) => void, generator: Generator): void {
  const answers: (string | undefined)[] = [];
  const asked: vscode.InputBoxOptions[] = [];
  const real = generator.ask;
  generator.ask = (options) => {
    if (answers.length === 0) return real(options);
    asked.push({ title: options.title, prompt: options.prompt });
    return Promise.resolve(answers.shift());
  };
  // undefined stands for Escape.
  register('pictor._test.answerInputBox', (answer?: unknown) => {
    answers.push(typeof answer === 'string' ? answer : undefined);
  });
  register('pictor._test.inputBoxesAsked', () => asked.splice(0));
}
