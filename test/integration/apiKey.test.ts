import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, fake, fakeCreates, runDismissingNotifications, writeWorkspaceFile } from './helpers';

interface JobSummary { state: string; files: string[]; linked: boolean }

describe('API key commands', () => {
  let doc: vscode.Uri;

  before(async () => {
    doc = await writeWorkspaceFile('api-key.md', [
      '# Key check', '',
      '![a lighthouse at dusk, flat colours]()', '',
      '![a sailing boat at dawn, flat colours]()', '',
    ].join('\n'));
  });

  // Leaves the fake's key stored for the suites that follow.
  after(async () => {
    await vscode.commands.executeCommand('pictor.setApiKey', fake().key);
    await closeAllEditors();
  });

  it('a key passed to Set API Key is the one sent to the provider', async () => {
    assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', `  ${fake().key}  `), true);
    const before = (await fakeCreates()).length;
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', doc, new vscode.Range(2, 3, 2, 3));
    const creates = (await fakeCreates()).slice(before);
    assert.equal(creates.length, 1, 'one task created');
    assert.equal(creates[0]!.headers.authorization, `Bearer ${fake().key}`, 'the stored key (trimmed) is sent');
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.state, 'completed');
  });

  it('after Clear API Key nothing is sent, and the command settles', async () => {
    assert.equal(await vscode.commands.executeCommand('pictor.clearApiKey'), true);
    const before = (await fakeCreates()).length;
    const jobs = await runDismissingNotifications<JobSummary[]>('pictor.generatePlaceholder', doc, new vscode.Range(4, 3, 4, 3));
    assert.deepEqual(jobs, []);
    assert.equal((await fakeCreates()).length, before, 'a task was created without a key');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc));
    assert.ok(text.includes('![a sailing boat at dawn, flat colours]()'), 'the placeholder is left as it was');
  });

  it('never writes the key into the settings', async () => {
    await vscode.commands.executeCommand('pictor.setApiKey', fake().key);
    const inspect = vscode.workspace.getConfiguration().inspect('pictor');
    const dump = JSON.stringify([inspect?.globalValue, inspect?.workspaceValue, inspect?.workspaceFolderValue]);
    assert.ok(!dump.includes(fake().key), 'the API key showed up in the configuration');
  });
});
