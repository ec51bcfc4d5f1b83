// How the links are written: CRLF pages keep CRLF, n = 3 gives three links on lines of their own
// (fewer when the provider returns fewer), one undo takes back one completion, and a failed task in
// a batch leaves its placeholder alone while the others are filled.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  assertName, assertOneCreateEach, assertPng, createsFor, filesIn, freshFolder, jobFor, type JobSummary, onDisk, show, withSettings, writeDoc, editorSuite,
} from './editorHelpers';

const images = (dir: string, job: JobSummary) => job.files.map((f) => {
  assert.equal(path.dirname(f), path.join(dir, 'images'));
  return `images/${path.basename(f)}`;
});

editorSuite('editor: how links are written', 90_000, () => {
  it('CRLF: a page with CRLF line ends keeps them, for a selection and for n = 3 in a list item (saved to disk)', async () => {
    const dir = await freshFolder('crlf');
    const file = path.join(dir, 'page.md');
    const prompt = 'three paper boats on a pond';
    const selectionPrompt = 'a duck, seen from above';
    const before = `# CRLF\r\n\r\n- item\r\n- ![${prompt}]()\r\n\r\n${selectionPrompt}\r\nlast\r\n`;
    const uri = await writeDoc(file, before);

    const jobs = await withSettings({ n: 3, variants: 'all' }, async () => vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(3, 4, 3, 4)));
    const job = jobFor(jobs, prompt);
    assert.equal(job.files.length, 3);
    job.files.forEach((f, i) => assertName(f, 'three-paper-boats-on-a-pond', i + 1));
    const [a, b, c] = images(dir, job);
    const afterN = `# CRLF\r\n\r\n- item\r\n- ![${prompt}](${a})\r\n  ![${prompt}](${b})\r\n  ![${prompt}](${c})\r\n\r\n${selectionPrompt}\r\nlast\r\n`;
    assert.equal(await onDisk(file), afterN);

    const editor = await show(uri);
    assert.equal(editor.document.eol, vscode.EndOfLine.CRLF);
    editor.selection = new vscode.Selection(7, 0, 7, selectionPrompt.length);
    const sel = jobFor(await vscode.commands.executeCommand<JobSummary[]>('pictor.generateFromSelection'), selectionPrompt);
    const [d] = images(dir, sel);
    const expected = afterN.replace(`${selectionPrompt}\r\n`, `${selectionPrompt}\r\n![${selectionPrompt}](${d})\r\n`);
    assert.equal(editor.document.getText(), expected);
    await editor.document.save();
    assert.equal(await onDisk(file), expected);
    assert.ok(!/[^\r]\n/.test(await onDisk(file)), 'a bare LF was written');
    await assertOneCreateEach([prompt, selectionPrompt]);
  });

  it('n = 3 in a block quote: three links, one per line, inside the quote, in the order of the results', async () => {
    const dir = await freshFolder('n3-quote');
    const file = path.join(dir, 'page.md');
    const prompt = 'a snail on a leaf, macro';
    const uri = await writeDoc(file, `> Quote:\n> ![${prompt}]()\n\nAfter.\n`);

    const jobs = await withSettings({ n: 3, variants: 'all' }, async () => vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri));
    const job = jobFor(jobs, prompt);
    const [a, b, c] = images(dir, job);
    job.files.forEach((f, i) => assertName(f, 'a-snail-on-a-leaf-macro', i + 1));
    assert.equal(await onDisk(file), `> Quote:\n> ![${prompt}](${a})\n> ![${prompt}](${b})\n> ![${prompt}](${c})\n\nAfter.\n`);
    for (const f of job.files) await assertPng(f);
    assert.deepEqual(await filesIn(path.join(dir, 'images')), job.files.map((f) => path.basename(f)).sort());
    const [create] = await createsFor([prompt]);
    assert.equal(create?.body.n, 3, 'n = 3 was not sent');
    await assertOneCreateEach([prompt]);
  });

  it('n = 3 but the provider returns 2 ([fewer:2]): two links, two files, one task', async () => {
    const dir = await freshFolder('n3-fewer');
    const file = path.join(dir, 'page.md');
    const prompt = 'a pair of gloves [fewer:2]';
    const uri = await writeDoc(file, `Gloves: ![${prompt}]()\n`);

    const jobs = await withSettings({ n: 3, variants: 'all' }, async () => vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(0, 9, 0, 9)));
    const job = jobFor(jobs, prompt);
    assert.equal(job.state, 'completed');
    assert.equal(job.files.length, 2);
    const [a, b] = images(dir, job);
    // The alt text is written back escaped (`\[`): Markdown reads it as the same prompt.
    assert.equal(await onDisk(file), `Gloves: ![a pair of gloves \\[fewer:2\\]](${a})\n        ![a pair of gloves \\[fewer:2\\]](${b})\n`);
    assert.deepEqual(await filesIn(path.join(dir, 'images')), job.files.map((f) => path.basename(f)).sort());
    await assertOneCreateEach([prompt]);
  });

  it('undo: one undo takes back every edit of one completion (three links), and nothing the user typed', async () => {
    const dir = await freshFolder('undo');
    const file = path.join(dir, 'page.md');
    const prompt = 'a tea cup on a saucer';
    const editor = await show(await writeDoc(file, `Cups:\n- ![${prompt}]()\n`));
    assert.equal(await editor.edit((b) => b.insert(new vscode.Position(0, 5), ' (typed by me)')), true);
    const typed = `Cups: (typed by me)\n- ![${prompt}]()\n`;
    assert.equal(editor.document.getText(), typed);

    const jobs = await withSettings({ n: 3, variants: 'all' }, async () => vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', editor.document.uri, new vscode.Range(1, 4, 1, 4)));
    const [a, b, c] = images(dir, jobFor(jobs, prompt));
    const filled = `Cups: (typed by me)\n- ![${prompt}](${a})\n  ![${prompt}](${b})\n  ![${prompt}](${c})\n`;
    assert.equal(editor.document.getText(), filled);

    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), typed);
    await vscode.commands.executeCommand('redo');
    assert.equal(editor.document.getText(), filled);
    // The files stay whatever the document says.
    for (const f of [a, b, c]) await fs.access(path.join(dir, f!));
  });

  it('a failing task among successes: the others are filled, the failed placeholder is left as written, and the error says why', async () => {
    const dir = await freshFolder('failing');
    const file = path.join(dir, 'page.md');
    const ok1 = 'a copper kettle';
    const bad = 'a forbidden kettle [fail:content_policy_violation]';
    const ok2 = 'an iron kettle';
    const uri = await writeDoc(file, `![${ok1}]()\n![${bad}]()\n![${ok2}]()\n`);

    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);

    const failed = jobFor(jobs, bad);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.files.length, 0);
    assert.match(failed.error ?? '', /content policy/i);
    assert.match(failed.error ?? '', /Change the prompt/);
    const [a] = images(dir, jobFor(jobs, ok1));
    const [c] = images(dir, jobFor(jobs, ok2));
    assert.equal(await onDisk(file), `![${ok1}](${a})\n![${bad}]()\n![${ok2}](${c})\n`);
    assert.deepEqual(await filesIn(path.join(dir, 'images')), [a, c].map((x) => path.basename(x!)).sort());
    await assertOneCreateEach([ok1, bad, ok2]);
  });
});
