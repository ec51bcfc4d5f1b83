// Faults through the real commands (issue 6): what the user is told (the message a command's job
// carries is the one its notification shows), what is on disk, and that a page nothing was linked
// into is left exactly as it was. The component suite (test/component/faults.test.ts) plays the
// whole matrix against the core (refused connections, 402, HTML instead of an image, …); these prove
// the VS Code side passes it on: a provider's failure reaches the user with the page untouched, and
// the glue's own step (putting the image in place) fails, keeps the paid image and is retried from the panel.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, waitFor } from './helpers';
import { createsFor, resetFakeKnobs } from './fakeControl';
import {
  assertWholePng, filesUnder, freshDir, onDisk, placeholderAt, retryFromPanel, runCommand, writePage, type JobSummary,
} from './pages';

async function setWorkspace(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('pictor').update(key, value, vscode.ConfigurationTarget.Workspace);
}

/** Generates the page's one placeholder and returns its job; the prompt's first words find it. */
async function generateOne(doc: vscode.Uri, prompt: string): Promise<JobSummary> {
  const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, prompt.split(' ').slice(0, 3).join(' ')));
  assert.equal(jobs.length, 1, `one job, got ${JSON.stringify(jobs)}`);
  return jobs[0]!;
}

describe('faults through the commands (issue 6)', function () {
  this.timeout(90_000);

  afterEach(async () => {
    await resetFakeKnobs();
    await closeAllEditors();
  });

  it('a task the provider fails (content policy): told why, nothing saved, the page untouched', async () => {
    const dir = freshDir('faults/failed-task');
    const prompt = 'a forbidden picture [fail:content_policy_violation]';
    const original = `# Failed\n\n![${prompt}]()\n`;
    const doc = writePage(dir, original);
    const job = await generateOne(doc, prompt);
    assert.equal(job.state, 'failed');
    assert.match(job.error ?? '', /content policy/i);
    assert.equal((await createsFor(prompt)).length, 1);
    assert.equal(onDisk(doc), original);
    assert.deepEqual(filesUnder(dir), ['page.md']);
  });

  it('a destination that cannot be written (a file where its folder should be): told which, the paid image kept, the page untouched; Retry puts it in place', async () => {
    const dir = freshDir('faults/unwritable');
    const prompt = 'a snow globe on a desk, unwritable';
    const original = `# Unwritable\n\n![${prompt}]()\n`;
    const doc = writePage(dir, original);
    // As root, permissions do not stop writes; a FILE where the folder must be created does.
    fs.writeFileSync(path.join(dir, 'blocked'), 'not a folder');
    await setWorkspace('destination', { 'issue6/faults/unwritable/*.md': 'blocked/images/' });
    let job: JobSummary;
    try {
      job = await generateOne(doc, prompt);
      assert.equal(job.state, 'failed');
      assert.match(job.error ?? '', /blocked/, `the message does not name the folder that could not be written: ${job.error}`);
      assert.equal(onDisk(doc), original);
      assert.deepEqual(filesUnder(dir), ['blocked', 'page.md']);
      assert.equal((await createsFor(prompt)).length, 1);
      // Paid for: the image must still be somewhere, whole, and the user must be able to find it.
      assert.equal(job.files.length, 1, `the downloaded image is not kept: ${JSON.stringify(job)}`);
      assertWholePng(job.files[0]!);
      assert.ok(job.error?.includes(job.files[0]!) || job.error?.includes(path.dirname(job.files[0]!)),
        `the message does not say where the paid image is (${job.files[0]}): ${job.error}`);
    } finally {
      await setWorkspace('destination', undefined);
    }

    fs.rmSync(path.join(dir, 'blocked'));
    await setWorkspace('destination', { 'issue6/faults/unwritable/*.md': 'blocked/images/' });
    try {
      const after = await retryFromPanel(job.id);
      assert.deepEqual(after.map((j) => j.state), ['completed']);
    } finally {
      await setWorkspace('destination', undefined);
    }
    assert.equal((await createsFor(prompt)).length, 1, 'Retry paid for a new task');
    const [image] = filesUnder(path.join(dir, 'blocked', 'images'));
    assert.ok(image, 'the image was not put in place after Retry');
    assertWholePng(path.join(dir, 'blocked', 'images', image));
    await waitFor('the image to be linked', () => onDisk(doc).includes(`![${prompt}](blocked/images/${image})`), 10_000);
  });
});
