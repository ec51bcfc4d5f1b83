// No double billing (issue 6): every way a user could send one placeholder twice, counted at the fake
// provider. A create is the billed step, so each test counts the creates that reached the fake.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClaimRegistry, placeholderClaimKey } from '../../src/core/claims';
import { closeAllEditors, waitFor } from './helpers';
import { createsFor, releaseTasks, resetFakeKnobs, setFake, tasksFor } from './fakeControl';
import { globalStorageDir, logMark, sharedClaimsDir, stateDir, waitForLog } from './hostFiles';
import { panelSend, panelState } from './panelHook';
import {
  assertWholePng, filesUnder, freshDir, onDisk, placeholderAt, retryFromPanel, runCommand, writePage, type JobSummary,
} from './pages';


describe('no double billing (issue 6)', function () {
  this.timeout(90_000);

  afterEach(async () => {
    await resetFakeKnobs();
    await closeAllEditors();
  });

  it('the same placeholder asked for twice at once (a double click): one create, one link', async () => {
    const dir = freshDir('billing/double');
    // Held at the fake until both invocations are in: the first is still running when the second comes.
    const prompt = 'a copper weathervane on a barn roof [hold]';
    const doc = writePage(dir, `# Double\n\n![${prompt}]()\n\nAfter.\n`);
    const at = placeholderAt(doc, 'a copper weathervane');
    const both = Promise.all([
      runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, at),
      runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, at),
    ]);
    await waitFor(`the task for "${prompt}" to be created`, async () => (await createsFor(prompt)).length > 0, 20_000);
    await releaseTasks(prompt);
    const [a, b] = await both;
    assert.equal((await createsFor(prompt)).length, 1, 'creates for the one placeholder');
    const jobs = [...a, ...b];
    assert.equal(jobs.length, 1, `one job between the two invocations, got ${JSON.stringify(jobs)}`);
    assert.equal(jobs[0]!.state, 'completed');
    const images = filesUnder(path.join(dir, 'images'));
    assert.equal(images.length, 1, `one image saved, got ${images}`);
    const text = onDisk(doc);
    assert.equal(text.split(`![${prompt}](images/`).length - 1, 1, `the placeholder is linked once:\n${text}`);
  });

  it('"Generate all" while one placeholder runs: only the others are sent', async () => {
    const dir = freshDir('billing/all-while-one');
    // Held at the fake until Generate all has answered.
    const first = 'a slow lighthouse keeper [hold]';
    const others = ['a gull on a post', 'a rowing boat on sand'];
    const doc = writePage(dir, `# All\n\n![${first}]()\n\n![${others[0]}]()\n\n![${others[1]}]()\n`);
    const running = runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a slow lighthouse'));
    await waitFor(`the task for "${first}" to be created`, async () => (await createsFor(first)).length > 0, 20_000);

    const all = await runCommand<JobSummary[]>('pictor.generateAllPlaceholders', doc);
    await releaseTasks(first);
    const one = await running;
    assert.deepEqual(all.map((j) => j.prompt).sort(), [...others].sort(), '"Generate all" took the running placeholder again');
    assert.deepEqual([...one, ...all].map((j) => j.state), ['completed', 'completed', 'completed']);
    for (const p of [first, ...others]) assert.equal((await createsFor(p)).length, 1, `creates for "${p}"`);
    const text = onDisk(doc);
    for (const p of [first, ...others]) assert.equal(text.split(`![${p}](images/`).length - 1, 1, `"${p}" linked once:\n${text}`);
  });

  // A create whose answer never arrives (or arrives broken) may have made a task at the provider:
  // sending it again could bill twice, so Pictor must not, and must say so.
  for (const fault of [
    { name: 'the connection reset after the create was sent', knobs: { resetCreate: 1 } },
    { name: 'the answer to the create cut off halfway', knobs: { cutCreate: 1 } },
    { name: 'an unreadable (invalid JSON) answer to the create', knobs: { invalidJsonCreate: 1 } },
    { name: 'a 504 from a gateway on the create', knobs: { failCreate: { status: 504, code: 'gateway_timeout', times: 5 } } },
  ]) {
    it(`${fault.name}: not resent automatically; the user is told; Retry (their choice) sends once more`, async () => {
      const dir = freshDir(`billing/${fault.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
      const prompt = `a brass telescope, ${fault.name}`;
      const original = `# Fault\n\n![${prompt}]()\n`;
      const doc = writePage(dir, original);
      await setFake(fault.knobs);
      const mark = logMark();
      const [job] = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a brass telescope'));
      assert.ok(job, 'the command reported no job');
      assert.notEqual(job.state, 'completed');
      assert.match(job.error ?? '', /may (have been|be) created|may exist|may already exist/i, `the user is not told the task may exist: ${job.error}`);
      // The queue's own word that it will not send it again (the decision, not a quiet period that a
      // slow machine could outlast); then the fake has the one create.
      await waitForLog(mark, new RegExp(`job ${job.id}: create failed: .*Pictor will not send it again`));
      assert.equal((await createsFor(prompt)).length, 1, 'the create was sent again without the user asking');
      assert.equal(onDisk(doc), original, 'the page changed although nothing was linked');
      assert.deepEqual(filesUnder(path.join(dir, 'images')), []);

      // Retry asks first and says why; a Retry that did not ask is refused and sends nothing.
      const row = (await panelState()).jobs.find((j) => j.id === job.id);
      assert.match(row?.retryAsks ?? '', /may already have been billed/, `the panel does not ask before Retry: ${JSON.stringify(row)}`);
      assert.equal((await panelSend({ type: 'retry', id: job.id })).accepted, false, 'an unconfirmed Retry was accepted');
      assert.equal((await createsFor(prompt)).length, 1, 'an unconfirmed Retry sent a create');

      // The user decides to pay again: Retry sends exactly one more create, and the image is linked.
      await resetFakeKnobs();
      const after = await retryFromPanel(job.id);
      assert.equal((await createsFor(prompt)).length, 2, 'Retry did not send exactly one more create');
      assert.ok(after.some((j) => j.state === 'completed'), `Retry did not complete: ${JSON.stringify(after)}`);
      await waitFor('the retried image to be linked', () => onDisk(doc).includes(`![${prompt}](images/`), 10_000);
      const [image] = filesUnder(path.join(dir, 'images'));
      assert.ok(image, 'no image saved after Retry');
      assertWholePng(path.join(dir, 'images', image));
    });
  }

  describe('two windows on the same file', () => {
    // A second VS Code window is a second extension host; its claim on a placeholder is a file in
    // the per-user state folder every window and face shares (src/core/claims.ts, stateDir.ts), named
    // by the page's real path. This host plays the other window by holding that claim itself, under
    // another owner.
    const claimKey = (doc: vscode.Uri, prompt: string) => placeholderClaimKey(doc.fsPath, `![${prompt}]()`);
    const otherWindow = () => new ClaimRegistry(sharedClaimsDir(), 60 * 60_000);

    before(() => {
      // The launcher points the state folder at a temp folder (stateDir throws otherwise): the real home's claims are never touched.
      stateDir();
    });

    it('a placeholder the other window is generating: nothing is sent, the page is left alone, the user is told', async () => {
      const dir = freshDir('billing/two-windows');
      const prompt = 'a wind-up toy robot on a shelf';
      const original = `# Two windows\n\n![${prompt}]()\n`;
      const doc = writePage(dir, original);
      const key = await claimKey(doc, prompt);
      const other = otherWindow();
      assert.equal(await other.acquire(key, 'other-window-job'), true);
      try {
        const mark = logMark();
        const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a wind-up toy robot'));
        assert.deepEqual(jobs.map((j) => j.state), [], 'a job was started for a placeholder another window is generating');
        assert.equal((await createsFor(prompt)).length, 0, 'a create was sent for a placeholder another window is generating');
        assert.equal(onDisk(doc), original);
        // The notification itself is out of an extension host's reach; its text goes to the log too.
        await waitForLog(mark, /another (VS Code )?window/i);
      } finally {
        await other.release(key, 'other-window-job');
      }

      // Once the other window is done with it, this one may generate it, and holds the claim meanwhile.
      const running = runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a wind-up toy robot'));
      const [job] = await running;
      assert.equal(job?.state, 'completed');
      assert.equal((await createsFor(prompt)).length, 1);
      assert.equal(await otherWindow().holder(key), undefined, 'the claim was not released after the image was linked');
    });

    it('"Generate all" while the other window holds one placeholder: only the others are sent', async () => {
      const dir = freshDir('billing/two-windows-all');
      const held = 'a tin whistle on velvet';
      const free = ['a jar of marbles', 'a spinning top'];
      const doc = writePage(dir, `# All\n\n![${held}]()\n\n![${free[0]}]()\n\n![${free[1]}]()\n`);
      const key = await claimKey(doc, held);
      const other = otherWindow();
      assert.equal(await other.acquire(key, 'other-window-job'), true);
      try {
        const jobs = await runCommand<JobSummary[]>('pictor.generateAllPlaceholders', doc);
        assert.deepEqual(jobs.map((j) => j.prompt).sort(), [...free].sort());
        assert.equal((await createsFor(held)).length, 0, 'the placeholder the other window holds was sent');
        for (const p of free) assert.equal((await createsFor(p)).length, 1, `creates for "${p}"`);
        const text = onDisk(doc);
        assert.ok(text.includes(`![${held}]()`), 'the held placeholder was touched');
      } finally {
        await other.release(key, 'other-window-job');
      }
    });

    // Until the release after 0.3, a window still running Pictor 0.2 claims in the profile's global
    // storage, by the page's path as the window opened it (src/vscode/state/placeholderClaims.ts).
    it('a placeholder a window of Pictor 0.2 is generating: nothing is sent; and this window\'s claim is seen there too', async () => {
      const dir = freshDir('billing/old-window');
      const prompt = 'a brass compass on a map [slow:400]';
      const original = `# Old window\n\n![${prompt}]()\n`;
      const doc = writePage(dir, original);
      const oldKey = `${doc.fsPath}|![${prompt}]()`;
      const oldWindow = new ClaimRegistry(path.join(globalStorageDir(), 'claims'), 60 * 60_000);
      assert.equal(await oldWindow.acquire(oldKey, 'old-window-job'), true);
      try {
        const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a brass compass'));
        assert.deepEqual(jobs, [], 'a job was started for a placeholder a 0.2 window is generating');
        assert.equal((await createsFor(prompt)).length, 0);
        assert.equal(onDisk(doc), original);
        assert.equal(await otherWindow().holder(await claimKey(doc, prompt)), undefined, 'the shared claim was kept for a placeholder not sent');
      } finally {
        await oldWindow.release(oldKey, 'old-window-job');
      }
      const running = runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a brass compass'));
      await waitFor(`the task for "${prompt}" to be created`, async () => (await createsFor(prompt)).length > 0, 20_000);
      const got = await oldWindow.acquire(oldKey, 'old-window-job');
      if (got) await oldWindow.release(oldKey, 'old-window-job');
      assert.equal(got, false, 'a 0.2 window could claim a placeholder this window is generating');
      const [job] = await running;
      assert.equal(job?.state, 'completed');
      assert.equal((await createsFor(prompt)).length, 1);
      assert.equal(await oldWindow.holder(oldKey), undefined, 'the old folder\'s claim was not released after the image was linked');
    });

    it('while this window generates a placeholder, it holds the claim the other window would see', async () => {
      const dir = freshDir('billing/two-windows-mine');
      // Held at the fake until the other window has tried to claim it.
      const prompt = 'a paper kite in a tree [hold]';
      const doc = writePage(dir, `# Mine\n\n![${prompt}]()\n`);
      const key = await claimKey(doc, prompt);
      const running = runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a paper kite'));
      await waitFor(`the task for "${prompt}" to be created`, async () => (await createsFor(prompt)).length > 0, 20_000);
      const other = otherWindow();
      const got = await other.acquire(key, 'other-window-job');
      if (got) await other.release(key, 'other-window-job');
      await releaseTasks(prompt);
      assert.equal(got, false, 'another window could claim a placeholder this window is generating');
      const [job] = await running;
      assert.equal(job?.state, 'completed');
      assert.equal((await tasksFor(prompt)).length, 1);
    });
  });
});
