import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, fake, fakeCreates, waitFor, workspaceRoot } from './helpers';

describe('host restart (phase 2: after)', () => {
  it('runs in a new extension host on the same workspace, and the extension activates again', async () => {
    const marker = vscode.Uri.joinPath(workspaceRoot(), '.pictor-restart-marker.json');
    const before = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(marker))) as { hostPid: number };
    assert.notEqual(before.hostPid, process.pid, 'phase 2 ran in the same extension host as phase 1');
    const ext = await activateExtension();
    assert.equal(ext.isActive, true);
    const all = new Set(await vscode.commands.getCommands(true));
    assert.ok(all.has('pictor.openPanel'));
  });

  it('the API key stored before the restart is still the one sent', async () => {
    const doc = vscode.Uri.joinPath(workspaceRoot(), 'restart.md');
    const before = (await fakeCreates()).length;
    const running = vscode.commands.executeCommand<{ state: string }[]>('pictor.generatePlaceholder', doc, new vscode.Range(2, 3, 2, 3));
    const created = await waitFor('a task to be created', async () => (await fakeCreates()).length > before, 20_000).catch(() => false);
    if (!created) {
      // Without a key Pictor asks for one in a notification: close it so the command ends, then fail.
      await vscode.commands.executeCommand('notifications.clearAll');
      await running;
      assert.fail('no task was created: the key stored before the restart was lost (Pictor asked for one)');
    }
    const jobs = await running;
    const creates = (await fakeCreates()).slice(before);
    assert.equal(creates.length, 1, 'one task created');
    assert.equal(creates[0]!.headers.authorization, `Bearer ${fake().key}`);
    assert.equal(jobs[0]?.state, 'completed');
  });
});
