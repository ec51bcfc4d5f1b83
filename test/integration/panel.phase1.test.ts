// History survives a host restart: phase 1 generates from the panel; panel.phase2.test.ts reads the
// history back in a new extension host on the same workspace.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { generate, RESTART_PROMPT, waitForHistory } from './panelHook';

describe('panel history (phase 1: before a restart)', () => {
  it('records a generation from the panel', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const r = await generate(RESTART_PROMPT, { size: '3:2', resolution: '1K', quality: 'medium', n: 2 });
    assert.equal(r.accepted, true, r.reason);
    const entry = await waitForHistory(RESTART_PROMPT);
    assert.equal(entry.files.length, 2);
    assert.ok(entry.taskId);
  });
});
