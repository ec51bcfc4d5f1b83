// Restricted Mode: an untrusted workspace could set pictor.baseUrl, callbackUrl or destination to
// send the key or files elsewhere, so Pictor sends nothing there until the user trusts it.
import * as vscode from 'vscode';
import { vscodeNotify, type Notify } from '../userInput';

/** Why nothing is sent in Restricted Mode, in the user's language. */
export function untrustedWords(): string {
  return vscode.l10n.t('Pictor sends no requests in Restricted Mode: the workspace could redirect your key or files. Trust this workspace to generate images.');
}

/** Tells the user how to allow requests (a face's notice). */
export function tellUntrusted(notify: Notify = vscodeNotify): void {
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void notify('warning', untrustedWords(), manage)
    .then((pick) => pick === manage && vscode.commands.executeCommand('workbench.trust.manage'));
}

/** True when requests may be sent; otherwise tells the user how to allow them. */
export function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  tellUntrusted();
  return false;
}
