// Restricted Mode: an untrusted workspace could set pictor.baseUrl, callbackUrl or destination to
// send the key or files elsewhere, so Pictor sends nothing there until the user trusts it.
import * as vscode from 'vscode';

/** True when requests may be sent; otherwise tells the user how to allow them. */
export function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void vscode.window.showWarningMessage(
    vscode.l10n.t('Pictor sends no requests in Restricted Mode: the workspace could redirect your key or files. Trust this workspace to generate images.'),
    manage,
  ).then((pick) => pick === manage && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
