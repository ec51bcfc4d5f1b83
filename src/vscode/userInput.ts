// The parts of VS Code's UI a command waits on the user through: passed in at activation
// (src/extension.ts), so the code that asks never reaches for vscode.window itself, and another host
// of the extension (the integration tests' entry, test/integration/extension/testing.ts) can answer.
import * as vscode from 'vscode';
import { chooseVariantCount } from './run/commandTargets';

export interface UserInput {
  /** A line of text: Edit Image's instruction, a new prompt for Regenerate. Undefined is Escape. */
  askText(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  /** How many variants Generate Variants makes (2–10). Undefined is Escape. */
  chooseVariantCount(): Thenable<number | undefined>;
  /** One item of a list (Set Up for Other Agents). Undefined is Escape. */
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  /** A batch's progress notification. */
  withProgress: typeof vscode.window.withProgress;
  /** A notification telling what a run did (reportNotices.ts), with its buttons: the one picked, if any. */
  notify: Notify;
}

export type Notify = (severity: 'info' | 'warning' | 'error', message: string, ...items: string[]) => Thenable<string | undefined>;

/** The real notifications. */
export const vscodeNotify: Notify = (severity, message, ...items) => (severity === 'info'
  ? vscode.window.showInformationMessage(message, ...items)
  : severity === 'warning' ? vscode.window.showWarningMessage(message, ...items) : vscode.window.showErrorMessage(message, ...items));

/** The real UI. */
export const vscodeInput: UserInput = {
  askText: (options) => vscode.window.showInputBox(options),
  chooseVariantCount: () => chooseVariantCount(),
  pick: (items, options) => vscode.window.showQuickPick(items, options),
  withProgress: (options, task) => vscode.window.withProgress(options, task),
  notify: vscodeNotify,
};
