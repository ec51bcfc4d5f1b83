// Issue 10 item 4: bad settings never break Pictor. VS Code does not hold settings.json to the schema
// when a value is read; Pictor's one reader does, and tells the user once what it used instead.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, closedPort, fake } from './helpers';
import { createsFor } from './fakeControl';
import { logMark, logSince, waitForLog } from './hostFiles';
import { freshDir, placeholderAt, runCommand, writePage, type JobSummary } from './pages';

const cfg = () => vscode.workspace.getConfiguration('pictor');
const set = (key: string, value: unknown) => cfg().update(key, value, vscode.ConfigurationTarget.Workspace);

describe('safety: settings held to the schema (issue 10 item 4)', function () {
  this.timeout(60_000);
  // Put back what the workspace said before (setup.ts points baseUrl at the fake there).
  const keys = ['maxConcurrentTasks', 'baseUrl'];
  let saved: Record<string, unknown> = {};
  beforeEach(() => {
    saved = Object.fromEntries(keys.map((k) => [k, cfg().inspect(k)?.workspaceValue]));
  });
  afterEach(async () => {
    for (const k of keys) await set(k, saved[k]);
    await closeAllEditors();
  });

  it('maxConcurrentTasks 0 is used as 1 and told once; a baseUrl changed afterwards is honoured at once', async () => {
    const mark = logMark();
    await set('maxConcurrentTasks', 0);
    await waitForLog(mark, /pictor\.maxConcurrentTasks is 0; allowed: 1 to 16; using 1\./);

    // The provider moves: the next request must go to the new address, not the old client's.
    const port = await closedPort();
    await set('baseUrl', `http://127.0.0.1:${port}`);
    const dir = freshDir('safety/settings-baseurl');
    const prompt = 'a lamp post in fog, after a baseUrl change';
    const doc = writePage(dir, `![${prompt}]()\n`);
    const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a lamp post'));
    assert.equal((await createsFor(prompt)).length, 0, 'the request went to the old baseUrl: the client was not rebuilt');
    assert.ok(jobs.every((j) => j.state !== 'completed'), 'a task completed at the old address');
    await waitForLog(mark, new RegExp(`127\\.0\\.0\\.1:${port}`));

    // Told once, however often the settings are read meanwhile.
    const told = logSince(mark).split('pictor.maxConcurrentTasks is 0').length - 1;
    assert.equal(told, 1, `the warning was given ${told} times`);
  });

  it('after a bad value, a fixed baseUrl works again and tasks run (nothing stays broken)', async () => {
    await set('maxConcurrentTasks', '4');
    assert.equal(cfg().get('baseUrl'), fake().url);
    const dir = freshDir('safety/settings-after');
    const prompt = 'a paper boat on a puddle, after a bad setting';
    const doc = writePage(dir, `![${prompt}]()\n`);
    const [job] = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a paper boat'));
    assert.equal(job?.state, 'completed');
    assert.equal((await createsFor(prompt)).length, 1);
  });
});
