// Commands run where there is nothing for them to do: they explain (a notification) and change nothing.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, fakeCreates, workspaceRoot } from './helpers';

describe('commands without a target', () => {
  afterEach(closeAllEditors);

  async function openReadmeOnPlainText(): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), 'README.md'));
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(doc.lineCount - 1).range;   // "Some text after the placeholder."
    editor.selection = new vscode.Selection(line.start, line.start);
    return doc;
  }

  for (const command of ['pictor.editImage', 'pictor.generatePlaceholder']) {
    it(`${command} with the cursor on plain text resolves, sends nothing and leaves the document untouched`, async () => {
      const doc = await openReadmeOnPlainText();
      const before = doc.getText();
      const creates = (await fakeCreates()).length;
      const result = await vscode.commands.executeCommand(command);
      assert.deepEqual(result, []);
      assert.equal(doc.getText(), before);
      assert.equal(doc.isDirty, false);
      assert.equal((await fakeCreates()).length, creates);
      const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(doc.uri));
      assert.equal(onDisk, before);
    });
  }
});
