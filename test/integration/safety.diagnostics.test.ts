// Issue 10 item 6: one placeholder the provider would refuse does not stop a page. It is marked in
// the Problems view while the user types (before anything is sent); Generate all sends the others
// and names it in one message.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, waitFor } from './helpers';
import { createsFor } from './fakeControl';
import { logMark, waitForLog } from './hostFiles';
import { freshDir, onDisk, runCommand, writePage, type JobSummary } from './pages';

const pictorDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pictor');

describe('safety: refused placeholders are marked, the others sent (issue 10 item 6)', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  const good = ['a teapot on a windowsill', 'a bicycle against a fence'];
  // One code point over the provider's limit of 32,000.
  const long = `a very long prompt ${'x'.repeat(32_001 - 'a very long prompt '.length)}`;

  it('while typing: the over-long prompt gets a diagnostic on its range, with the limit; nothing is sent', async () => {
    const dir = freshDir('safety/diagnostics-typing');
    const doc = await vscode.workspace.openTextDocument(writePage(dir, `# Page\n\n![${good[0]}]()\n\n![a short one]()\n`));
    const editor = await vscode.window.showTextDocument(doc);
    assert.deepEqual(pictorDiagnostics(doc.uri), [], 'a good page is marked');

    // The user pastes a long prompt into the second placeholder.
    const line = doc.lineAt(4);
    await editor.edit((e) => e.replace(new vscode.Range(4, 2, 4, line.text.length - 3), long));
    const [d] = await waitFor('a Pictor diagnostic', () => { const all = pictorDiagnostics(doc.uri); return all.length ? all : undefined; });
    assert.equal(d!.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([d!.range.start.line, d!.range.start.character], [4, 0]);
    assert.equal(d!.range.end.line, 4);
    assert.equal(d!.range.end.character, doc.lineAt(4).text.length);
    assert.match(d!.message, /32,001 .*limit is 32,000/);
    assert.equal((await createsFor(long)).length, 0, 'something was sent while typing');

    // Shortened again: the mark goes.
    await editor.edit((e) => e.replace(new vscode.Range(4, 2, 4, doc.lineAt(4).text.length - 3), 'a short one'));
    await waitFor('the diagnostic to go', () => pictorDiagnostics(doc.uri).length === 0);
  });

  it('Generate all sends the good placeholders, leaves the refused one marked and names it in one message', async () => {
    const dir = freshDir('safety/diagnostics-generate-all');
    const uri = writePage(dir, `# Page\n\n![${good[0]}]()\n\n![${long}]()\n\n![${good[1]}]()\n`);
    const mark = logMark();

    const jobs = await runCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);

    assert.deepEqual(jobs.map((j) => j.prompt).sort(), [...good].sort());
    assert.ok(jobs.every((j) => j.state === 'completed'));
    for (const p of good) assert.equal((await createsFor(p)).length, 1, `creates for "${p}"`);
    assert.equal((await createsFor(long)).length, 0, 'the refused prompt was sent');
    const text = onDisk(uri);
    assert.ok(text.includes(`![${long}]()`), 'the refused placeholder was touched');
    for (const p of good) assert.ok(text.includes(`![${p}](images/`), `"${p}" was not linked`);
    await waitForLog(mark, /1 placeholder\(s\) were not sent, the other 2 were: "a very long prompt x+…" \(line 5\): .*limit is 32,000/);
    const diags = pictorDiagnostics(uri);
    assert.equal(diags.length, 1);
    assert.equal(diags[0]!.range.start.line, 4);
  });
});
