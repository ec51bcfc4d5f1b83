// The shared placement table (test/shared/placementTable.ts) in the editor (issue 20 item 2): the same
// cases the plain-files workspace passes, here through the real command, the real queue against the
// fake, and an edit made in the editor while the task is held at the fake. The editor follows every
// edit as it is made, so where it knows more than a re-read page can (twins added meanwhile), the
// case says what it must do instead. Links are the generated file names, so both sides compare with
// each link written as LINK.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, waitFor } from './helpers';
import { completeTask, createsFor, resetFakeKnobs, setFake, tasksFor } from './fakeControl';
import { freshFolder, show, withSettings, writeDoc, type JobSummary } from './editorHelpers';
import { PLACEMENT_CASES } from '../shared/placementTable';

/** Each link of an image written as LINK: the editor names files itself. */
const linksAsWords = (text: string) => text.replace(/(!\[[^\]]*\])\((?!\))(?:<[^>]*>|[^)\s]*)\)/g, '$1(LINK)');

/** The smallest edit that turns `before` into `after`, as a person's typing would be. */
function minimalEdit(before: string, after: string): { start: number; end: number; text: string } {
  let a = 0;
  while (a < before.length && a < after.length && before[a] === after[a]) a++;
  let b = 0;
  while (b < before.length - a && b < after.length - a && before[before.length - 1 - b] === after[after.length - 1 - b]) b++;
  return { start: a, end: before.length - b, text: after.slice(a, after.length - b) };
}

/** What someone does to the page while its tasks are held: the smallest edit, applied in the editor. */
async function editMeanwhile(uri: vscode.Uri, doc: vscode.TextDocument, meanwhile?: (text: string) => string): Promise<void> {
  if (!meanwhile) return;
  const e = minimalEdit(doc.getText(), meanwhile(doc.getText()));
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

/** The placeholder's alt text: its prompt, which is what the fake sees. */
const promptOf = (source: string) => source.slice(2, source.indexOf(']('));

describe('the shared placement table, in the editor (issue 20)', function () {
  /** Tasks a case holds at the fake: finished after it whatever happened, so they free their queue slots. */
  const held: string[] = [];
  /**
   * Starts `run` and waits for the `count` creates it sends for the placeholder `source`; returns the
   * new tasks at the fake in the order they were created, each with the run's promise.
   */
  async function heldCreates(source: string, count: number, run: () => Promise<JobSummary[]>): Promise<{ task: string; run: Promise<JobSummary[]> }[]> {
    const prompt = promptOf(source);
    const before = (await createsFor(prompt)).length;
    const known = new Set((await tasksFor(prompt)).map((t) => t.id));
    const running = run();
    await waitFor(`${count} create(s) for ${prompt}`, async () => (await createsFor(prompt)).length >= before + count, 20_000);
    const tasks = (await tasksFor(prompt)).map((t) => t.id).filter((id) => !known.has(id));
    held.push(...tasks);
    assert.equal(tasks.length, count, `new tasks for ${prompt}: ${tasks.join(', ')}`);
    return tasks.map((task) => ({ task, run: running }));
  }

  this.timeout(60_000);
  afterEach(async () => {
    await resetFakeKnobs();
    for (const id of held.splice(0)) await completeTask(id).catch(() => undefined);
    await closeAllEditors();
  });

  for (const [n, c] of PLACEMENT_CASES.entries()) {
    it(c.editor ? `${c.name} — in the editor, which followed the edit, it is placed` : c.name, async () => {
      const dir = await freshFolder(`placement/${n}`);
      const uri = await writeDoc(path.join(dir, 'page.md'), c.page);
      const editor = await show(uri);
      const doc = editor.document;
      // Tasks stay running at the fake until the test completes them: the edit lands while they run.
      await setFake({ stepMs: 600_000 });
      const outcomes: string[] = [];
      if (c.fill.length === 1) {
        const f = c.fill[0]!;
        const text = doc.getText();
        const starts: number[] = [];
        for (let i = text.indexOf(f.source); i >= 0; i = text.indexOf(f.source, i + 1)) {
          // A look-alike in code is not a placeholder: the table's source is the real one (after any `…` span).
          if (text[i - 1] !== '`') starts.push(i);
        }
        const at = starts[f.occurrence ?? 0];
        assert.ok(at !== undefined, `no ${f.source} #${f.occurrence ?? 0}`);
        const pos = doc.positionAt(at + 2);
        const [id] = await heldCreates(f.source, 1, () => withSettings({ n: f.links.length, variants: 'all' },
          () => Promise.resolve(vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(pos, pos)))));
        await editMeanwhile(uri, doc, c.meanwhile);
        await completeTask(id!.task);
        const jobs = await id!.run;
        assert.equal(jobs.length, 1, JSON.stringify(jobs));
        assert.equal(jobs[0]!.state, 'completed', jobs[0]!.error);
        outcomes.push(jobs[0]!.linked ? 'ok' : 'not linked');
      } else {
        // Several placeholders of one page: the editor sends them in one Generate all (identical
        // placeholders share one claim, so a second command would wait for the first). Its tasks are
        // created in document order; they finish in the order the case gives.
        const sources = new Set(c.fill.map((f) => f.source));
        assert.equal(sources.size, 1, 'the runner handles several fills of one placeholder text');
        const [source] = [...sources];
        const made = await heldCreates(source!, c.fill.length, () => withSettings({ n: c.fill[0]!.links.length, variants: 'all' },
          () => Promise.resolve(vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri))));
        await editMeanwhile(uri, doc, c.meanwhile);
        for (const f of c.fill) await completeTask(made[f.occurrence ?? 0]!.task);
        const jobs = await made[0]!.run;
        assert.equal(jobs.length, c.fill.length, JSON.stringify(jobs));
        for (const f of c.fill) {
          const job = jobs.find((j) => j.taskId === made[f.occurrence ?? 0]!.task);
          assert.ok(job, `no job for task ${made[f.occurrence ?? 0]!.task}`);
          assert.equal(job.state, 'completed', job.error);
          outcomes.push(job.linked ? 'ok' : 'not linked');
        }
      }
      const want = c.editor ?? { expect: c.expect, outcomes: c.outcomes ?? c.fill.map(() => 'ok' as const) };
      assert.deepEqual(outcomes, want.outcomes.map((o) => (o === 'ok' ? 'ok' : 'not linked')));
      assert.equal(linksAsWords(doc.getText()), linksAsWords(want.expect));
    });
  }
});
