// The language model tools in Restricted Mode (issue 12: "Restricted Mode sends nothing"). Runs in the
// untrusted host (PICTOR_PHASE=untrusted), where a request that slipped through would reach the fake.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fake, fakeRequests, workspaceRoot } from './helpers';

describe('language model tools in Restricted Mode (issue 12)', function () {
  this.timeout(60_000);

  it('pictor_generateImage and pictor_fillPlaceholders answer why and send nothing; listing still works', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite needs a host whose workspace is untrusted');
    await activateExtension();
    await vscode.commands.executeCommand('pictor.setApiKey', fake().key);
    const dir = path.join(workspaceRoot().fsPath, 'tools-untrusted');
    fs.mkdirSync(dir, { recursive: true });
    const prompt = 'a moth at a window, untrusted';
    const original = `![${prompt}]()\n`;
    fs.writeFileSync(path.join(dir, 'page.md'), original);
    const before = (await fakeRequests()).length;
    await vscode.commands.executeCommand('pictor._test.notices');

    const text = async (name: string, input: object) => {
      const r = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
      return r.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart).map((p) => p.value).join('');
    };
    const refusal = /^Nothing was sent: this workspace is in Restricted Mode, where Pictor sends no requests .*trust the workspace/;
    assert.match(await text('pictor_generateImage', { prompt }), refusal);
    assert.match(await text('pictor_generateImage', { prompt, document: 'tools-untrusted/page.md', placeholder: prompt }), refusal);
    assert.match(await text('pictor_fillPlaceholders', { document: 'tools-untrusted/page.md' }), refusal);
    assert.match(await text('pictor_listPlaceholders', { document: 'tools-untrusted/page.md' }), /1 placeholder\(s\)/);
    // A tool call answers; it shows no notification (issue 20). The command for the same page shows
    // the one it always showed, with its button.
    assert.deepEqual(await vscode.commands.executeCommand('pictor._test.notices'), [], 'a tool call showed a notification');
    const page = vscode.Uri.file(path.join(dir, 'page.md'));
    assert.deepEqual(await vscode.commands.executeCommand('pictor.generatePlaceholder', page, new vscode.Range(0, 3, 0, 3)), []);
    assert.deepEqual(await vscode.commands.executeCommand('pictor._test.notices'), [{
      severity: 'warning',
      message: 'Pictor sends no requests in Restricted Mode: the workspace could redirect your key or files. Trust this workspace to generate images.',
      items: ['Manage Workspace Trust'],
    }]);

    assert.equal((await fakeRequests()).length, before, 'a request was sent from an untrusted workspace');
    assert.equal(fs.readFileSync(path.join(dir, 'page.md'), 'utf8'), original);
    assert.deepEqual(fs.readdirSync(dir), ['page.md'], 'a file was written');
    assert.equal(fs.existsSync(path.join(workspaceRoot().fsPath, 'images')), false, 'images/ was created at the root');
  });
});
