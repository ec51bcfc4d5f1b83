// Entry point: builds the objects the extension is made of and registers them. Nothing else.
import * as vscode from 'vscode';
import { registerCommands } from './vscode/commands';
import { ApiKeyStore } from './vscode/secrets';
import { PanelController } from './panel/panel';
import { PictorService } from './vscode/service';
import { RangeTracker } from './vscode/tracker';
import { Linker } from './vscode/linker';
import { Generator } from './vscode/generate';
import { PlaceholderLenses } from './vscode/codelens';
import { RunningStatus } from './vscode/statusBar';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Pictor', { log: true });
  const keys = new ApiKeyStore(context.secrets);
  const service = new PictorService(context, keys, log);
  const tracker = new RangeTracker();
  const linker = new Linker(tracker, log);
  service.setFinalizer((job, files) => linker.finalize(job, files));
  const generator = new Generator(service, tracker, linker, log);
  const panel = new PanelController(context, log, service, generator);
  context.subscriptions.push(log, service, tracker, generator, panel, new RunningStatus(service),
    vscode.languages.registerCodeLensProvider({ language: 'markdown' }, new PlaceholderLenses(generator)));
  registerCommands(context, { log, keys, panel, generator, service });
  // Unfinished tasks of this workspace resume in the background (after a reload or a crash).
  if (vscode.workspace.isTrusted) {
    void service.resume().catch((e) => log.error(`Could not resume tasks: ${(e as Error).message}`));
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
