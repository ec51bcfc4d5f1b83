// A pick survives a reload: phase 1 generates variants and leaves them unpicked; picks.phase2.test.ts
// finds them again in a new extension host on the same workspace and picks one.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { writeWorkspaceFile } from './helpers';
import { jobFor, withSettings, type JobSummary } from './editorHelpers';
import { PICK_RESTART_PROMPT } from './panelHook';

describe('variants (phase 1: before a restart)', () => {
  it('leaves two variants of a placeholder waiting for a pick', async () => {
    const uri = await writeWorkspaceFile('variants-restart.md', `# Kept\n\n![${PICK_RESTART_PROMPT}]()\n`);
    const jobs = await withSettings({ n: 2 }, async () => vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(2, 2, 2, 2)));
    const job = jobFor(jobs, PICK_RESTART_PROMPT);
    assert.equal(job.files.length, 2);
    assert.equal(job.linked, false);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
