// Entry point: builds the objects the extension is made of and registers them. Nothing else.
import * as vscode from 'vscode';
import { registerCommands } from './vscode/commands';
import { ApiKeyStore } from './vscode/secrets';
import { PanelController } from './panel/panel';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Pictor', { log: true });
  const keys = new ApiKeyStore(context.secrets);
  const panel = new PanelController(context, log);
  context.subscriptions.push(log, panel);
  registerCommands(context, { log, keys, panel });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
