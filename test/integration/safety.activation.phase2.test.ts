// Issue 10 item 4, second half: this host started with `"pictor.maxConcurrentTasks": "4"` and
// `"pictor.timeoutMinutes": 0` in the workspace settings (written by the phase-1 root hook).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, CONTRACT_COMMANDS, workspaceRoot } from './helpers';
import { createsFor } from './fakeControl';
import { logMark, waitForLog } from './hostFiles';
import { freshDir, placeholderAt, runCommand, writePage, type JobSummary } from './pages';

describe('safety: bad settings at start (issue 10 item 4, phase 2)', function () {
  this.timeout(60_000);
  const file = () => path.join(workspaceRoot().fsPath, '.vscode', 'settings.json');

  after(() => {
    const now = JSON.parse(fs.readFileSync(file(), 'utf8')) as Record<string, unknown>;
    delete now['pictor.maxConcurrentTasks'];
    delete now['pictor.timeoutMinutes'];
    fs.writeFileSync(file(), JSON.stringify(now, null, 2));
  });

  it('Pictor activates anyway: every command is there, and the values used are told', async () => {
    const raw = JSON.parse(fs.readFileSync(file(), 'utf8')) as Record<string, unknown>;
    assert.equal(raw['pictor.maxConcurrentTasks'], '4', 'phase 1 did not leave the bad settings');
    const ext = await activateExtension();
    assert.equal(ext.isActive, true);
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of CONTRACT_COMMANDS) assert.ok(all.has(c), `${c} is not registered`);
    // Logged since this host started (the mark at the start of the log).
    const start = { ...logMark(), size: 0 };
    await waitForLog(start, /pictor\.timeoutMinutes is 0; allowed: 10 to 1440; using 10\./);
    await waitForLog(start, /pictor\.maxConcurrentTasks is "4".*using 4\./);
  });

  it('and generates with them', async () => {
    const dir = freshDir('safety/bad-settings-start');
    const prompt = 'a snail on a garden wall, after a start with bad settings';
    const doc = writePage(dir, `![${prompt}]()\n`);
    const [job] = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a snail'));
    assert.equal(job?.state, 'completed');
    assert.equal((await createsFor(prompt)).length, 1);
  });
});
