// First half of the host-restart checks; restart.phase2.test.ts runs after the launcher restarted
// the server and the browser on the same user data, browser profile and workspace.
import * as vscode from 'vscode';
import { writeWorkspaceFile } from './helpers';

describe('host restart (phase 1: before)', () => {
  it('leaves a page with a placeholder in the workspace, stamped with this extension host', async () => {
    await writeWorkspaceFile('.pictor-restart-marker.json', JSON.stringify({ hostPid: process.pid }));
    await writeWorkspaceFile('restart.md', '# After a restart\n\n![a paper boat on a pond]()\n');
    // The key was stored by setup.ts through pictor.setApiKey; phase 2 does not store it again.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
