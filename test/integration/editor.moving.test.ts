// The user keeps typing while tasks run: images land where their placeholders are now, a
// placeholder that was deleted or rewritten is never clobbered, and a page closed meanwhile still
// gets its link.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, sleep } from './helpers';
import { releaseTasks } from './fakeControl';
import {
  assertName, assertOneCreateEach, assertPng, filesIn, freshFolder, jobFor, type JobSummary, onDisk, page, show, start, waitForCreate, writeDoc, editorSuite,
} from './editorHelpers';


/**
 * An edit through the API, as a person's keystroke: VS Code refuses an API edit made against a version
 * that changed meanwhile (here: Pictor linking an image at the same moment), so it is made again.
 * Keystrokes in the real editor never meet this; the test must not fail because of it.
 */
async function type(editor: vscode.TextEditor, change: (b: vscode.TextEditorEdit) => void): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await editor.edit(change)) return;
    await sleep(10);
  }
  assert.fail('an edit was refused 20 times in a row');
}

editorSuite('editor: the document moves while tasks run', 90_000, () => {
  it('edits above, below, beside and between running placeholders (and typing while the links arrive): each image lands in its placeholder', async () => {
    const dir = await freshFolder('moving');
    const file = path.join(dir, 'page.md');
    // Held at the fake until the edits below are made, however long they take.
    const heron = 'a grey heron in reeds [hold]';
    const egret = 'a white egret in flight [hold]';
    const quick = 'a kingfisher on a post';
    const editor = await show(await writeDoc(file, `# Moving\nintro\n![${heron}]()\nbetween\n![${egret}]()\noutro ![${quick}]()\n`));
    const doc = editor.document;

    const running = start<JobSummary[]>('pictor.generateAllPlaceholders', doc.uri);
    // Right away, before the tasks are even sent.
    await type(editor, (b) => b.insert(new vscode.Position(0, 0), 'Draft\n'));
    await waitForCreate(heron);
    await waitForCreate(egret);
    // Typing on the heron's line, before it.
    for (const [i, ch] of [...'See: '].entries()) {
      await type(editor, (b) => b.insert(new vscode.Position(3, i), ch));
      await sleep(20);
    }
    // A WorkspaceEdit that replaces the line between the two with two lines.
    for (let attempt = 0; ; attempt++) {
      const we = new vscode.WorkspaceEdit();
      we.replace(doc.uri, doc.lineAt(4).range, 'in between, a longer line\nand another');
      if (await vscode.workspace.applyEdit(we)) break;
      assert.ok(attempt < 20, 'the WorkspaceEdit was refused 20 times in a row');
    }
    // Right after the egret, on its line.
    await type(editor, (b) => b.insert(doc.lineAt(6).range.end, ' (caption)'));
    // Below everything, and then typing on that last line, one character at a time, until all links are in.
    await type(editor, (b) => b.insert(doc.positionAt(doc.getText().length), 'typed:'));
    await releaseTasks('[hold]');
    let done = false;
    void running.finally(() => { done = true; });
    let typed = 0;
    while (!done) {
      const end = doc.lineAt(doc.lineCount - 1).range.end;
      if (await editor.edit((b) => b.insert(end, 'x'))) typed++;
      await sleep(15);
    }
    const jobs = await running;

    const [h, e, k] = [heron, egret, quick].map((p) => jobFor(jobs, p));
    assert.ok([h, e, k].every((j) => j!.linked), JSON.stringify(jobs));
    const name = (j: JobSummary) => `images/${path.basename(j.files[0]!)}`;
    assert.equal(doc.getText(), [
      'Draft',
      '# Moving',
      'intro',
      `See: ![${heron}](${name(h!)})`,
      'in between, a longer line',
      'and another',
      `![${egret}](${name(e!)}) (caption)`,
      `outro ![${quick}](${name(k!)})`,
      `typed:${'x'.repeat(typed)}`,
    ].join('\n'));
    assert.deepEqual(await filesIn(path.join(dir, 'images')), [h, e, k].map((j) => path.basename(j!.files[0]!)).sort());
    await assertOneCreateEach([heron, egret, quick]);
  });

  it('typing at the end of the selected line while its image arrives: the typing stays on that line, the link goes below it', async () => {
    const dir = await freshFolder('typing-at-anchor');
    const prompt = 'a swallow over a wheat field [hold]';
    const editor = await show(await writeDoc(path.join(dir, 'page.md'), `Top.\n${prompt}\nBottom.\n`));
    editor.selection = new vscode.Selection(1, 0, 1, prompt.length);

    const running = start<JobSummary[]>('pictor.generateFromSelection');
    await waitForCreate(prompt);
    let typed = 0;
    // The person puts the cursor at the end of the line and types, key by key, as a person does.
    editor.selection = new vscode.Selection(1, prompt.length, 1, prompt.length);
    for (let i = 0; i < 3; i++, typed++) await vscode.commands.executeCommand('type', { text: 'x' });
    await releaseTasks(prompt);
    let done = false;
    void running.finally(() => { done = true; });
    while (!done) {
      await vscode.commands.executeCommand('type', { text: 'x' });
      typed++;
      await sleep(25);
    }
    // A few more after the link arrived: they must land on the same line, not after the link.
    for (let i = 0; i < 3; i++, typed++) await vscode.commands.executeCommand('type', { text: 'x' });
    const job = jobFor(await running, prompt);

    assert.equal(editor.document.getText(), `Top.\n${prompt}${'x'.repeat(typed)}\n![${prompt.replace(/[[\]]/g, '\\$&')}](images/${path.basename(job.files[0]!)})\nBottom.\n`);
    assert.deepEqual(editor.selection, new vscode.Selection(1, prompt.length + typed, 1, prompt.length + typed));
    await assertOneCreateEach([prompt]);
  });

  it('a placeholder deleted before its image arrives: the image is saved, the document keeps only the user\'s edit', async () => {
    const dir = await freshFolder('deleted');
    const file = path.join(dir, 'page.md');
    const prompt = 'a cormorant drying its wings [hold]';
    const editor = await show(await writeDoc(file, `Before.\n\n![${prompt}]()\n\nAfter.\n`));

    const running = start<JobSummary[]>('pictor.generatePlaceholder', editor.document.uri, new vscode.Range(2, 3, 2, 3));
    await waitForCreate(prompt);
    await type(editor, (b) => b.delete(new vscode.Range(1, 0, 3, 0)));
    await releaseTasks(prompt);
    const job = jobFor(await running, prompt);

    assert.equal(job.state, 'completed');
    assert.equal(job.linked, false);
    assert.equal(editor.document.getText(), 'Before.\n\nAfter.\n');
    assertName(job.files[0]!, 'a-cormorant-drying-its-wings-hold');
    await assertPng(job.files[0]!);
    assert.deepEqual(await filesIn(path.join(dir, 'images')), [path.basename(job.files[0]!)]);
    await assertOneCreateEach([prompt]);
  });

  it('a placeholder rewritten while it runs: its new text is kept and it is not filled; the image is saved', async () => {
    const dir = await freshFolder('rewritten');
    const file = path.join(dir, 'page.md');
    const prompt = 'a puffin with fish [hold]';
    const editor = await show(await writeDoc(file, `![${prompt}]()\n`));

    const running = start<JobSummary[]>('pictor.generatePlaceholder', editor.document.uri, new vscode.Range(0, 3, 0, 3));
    await waitForCreate(prompt);
    // The user changes the prompt: "a puffin" -> "two puffins".
    await type(editor, (b) => b.replace(new vscode.Range(0, 2, 0, 10), 'two puffins'));
    await releaseTasks(prompt);
    const job = jobFor(await running, prompt);

    assert.equal(job.linked, false);
    assert.equal(editor.document.getText(), '![two puffins with fish [hold]]()\n');
    assert.deepEqual(await filesIn(path.join(dir, 'images')), [path.basename(job.files[0]!)]);
    await assertOneCreateEach([prompt]);
  });

  it('a page closed while its task runs still gets its link, and is saved (it had no unsaved changes)', async () => {
    const dir = await freshFolder('closed');
    const file = path.join(dir, 'page.md');
    const prompt = 'a harbour crane at dawn [hold]';
    const t = `# Closed\n\n![${prompt}]({p})\n\nEnd.\n`;
    const editor = await show(await writeDoc(file, page(t)));

    const running = start<JobSummary[]>('pictor.generatePlaceholder', editor.document.uri, new vscode.Range(2, 3, 2, 3));
    await waitForCreate(prompt);
    await closeAllEditors();
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.fsPath === file), false);
    await releaseTasks(prompt);
    const job = jobFor(await running, prompt);

    assert.equal(job.linked, true);
    assert.equal(await onDisk(file), page(t, { p: `images/${path.basename(job.files[0]!)}` }));
    assert.equal((await vscode.workspace.openTextDocument(vscode.Uri.file(file))).isDirty, false);
    assert.deepEqual(await filesIn(path.join(dir, 'images')), [path.basename(job.files[0]!)]);
    await assertOneCreateEach([prompt]);
  });
});
