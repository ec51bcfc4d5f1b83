// Restricted Mode (issue 6; README: "in an untrusted workspace Pictor sends no requests"). An
// untrusted folder could point pictor.baseUrl at a server of its own and collect the key, so no
// command may send anything, and nothing may be written or linked.
//
// It runs in a host of its own whose workspace is NOT trusted (run-integration.mjs, PICTOR_PHASE=untrusted:
// workspace trust on, the fake in the user settings, which still apply in Restricted Mode, so any request
// that slipped through would reach the fake and be counted, never the real provider).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fake, fakeRequests, waitFor, workspaceRoot } from './helpers';
import { logMark, logSince } from './hostFiles';
import { panelSend } from './panelHook';

interface JobSummary { state: string }

describe('Restricted Mode: an untrusted workspace sends nothing (issue 6)', function () {
  this.timeout(60_000);
  let doc: vscode.Uri;
  let original: string;
  const prompt = 'a lighthouse keeper\'s cat, untrusted';

  before(async function () {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs a host whose workspace is untrusted (PICTOR_PHASE=untrusted)');
    await activateExtension();
    // A key is there, so nothing stops a request but the missing trust.
    await vscode.commands.executeCommand('pictor.setApiKey', fake().key);
    const dir = path.join(workspaceRoot().fsPath, 'issue6', 'untrusted');
    fs.mkdirSync(dir, { recursive: true });
    original = `# Untrusted\n\n${prompt}\n\n![${prompt}]()\n`;
    fs.writeFileSync(path.join(dir, 'page.md'), original);
    doc = vscode.Uri.file(path.join(dir, 'page.md'));
  });

  it('the workspace really is untrusted, and pictor.baseUrl from the user settings is the fake', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.workspace.getConfiguration('pictor').get('baseUrl'), fake().url,
      'the user settings must point pictor.baseUrl at the fake, or a request that slipped through would go to the real provider');
  });

  it('no command sends a request, writes a file or edits the page; the user is told why', async () => {
    const before = (await fakeRequests()).length;
    const mark = logMark();
    const jobs: JobSummary[] = [];
    jobs.push(...(await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', doc, new vscode.Range(4, 3, 4, 3)) ?? []));
    jobs.push(...(await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', doc) ?? []));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(2, 0, 2, prompt.length);
    jobs.push(...(await vscode.commands.executeCommand<JobSummary[]>('pictor.generateFromSelection') ?? []));
    await vscode.commands.executeCommand('pictor.openPanel');
    await panelSend({ type: 'generate', requestId: 'untrusted-1', prompt, options: { size: '1:1', resolution: '1K', quality: 'low', n: 1 }, references: [] });
    // Each of the four says why it sent nothing (the warning itself is out of an extension host's
    // reach; its text goes to the log too): only then is nothing counted.
    const refusals = () => logSince(mark).split('\n').filter((l) => l.includes('Restricted Mode: nothing was sent')).length;
    await waitFor('the four refusals in the log', () => refusals() >= 4)
      .catch(() => assert.fail(`${refusals()} of 4 refusals logged:\n${logSince(mark).slice(-3000)}`));

    assert.deepEqual(jobs, [], 'a job was started in Restricted Mode');
    assert.equal((await fakeRequests()).length, before, 'a request was sent from an untrusted workspace');
    assert.equal(editor.document.getText(), original, 'the page was edited');
    assert.equal(fs.readFileSync(doc.fsPath, 'utf8'), original);
    assert.deepEqual(fs.readdirSync(path.dirname(doc.fsPath)), ['page.md'], 'a file was written');
  });
});
