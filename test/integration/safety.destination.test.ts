// Issue 10 item 2: the destination folder's real path decides. An `images/` that is a symbolic link
// to a folder outside the workspace gets nothing; the image stays in Pictor's storage and the user
// is told where and why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeAllEditors, workspaceRoot } from './helpers';
import { globalStorageDir, logMark, waitForLog } from './hostFiles';
import { freshDir, onDisk, placeholderAt, runCommand, writePage, type JobSummary } from './pages';

describe('safety: images never written outside the workspace (issue 10 item 2)', function () {
  this.timeout(60_000);
  let outside: string;
  before(() => {
    outside = path.join(path.dirname(workspaceRoot().fsPath), `outside-images-${process.pid}`);
    fs.rmSync(outside, { recursive: true, force: true });
    fs.mkdirSync(outside, { recursive: true });
  });
  after(() => fs.rmSync(outside, { recursive: true, force: true }));
  afterEach(closeAllEditors);

  it('images/ is a symlink to a folder outside: nothing is written there, the image is kept and the user told where', async () => {
    const dir = freshDir('safety/symlinked-images');
    fs.symlinkSync(outside, path.join(dir, 'images'), 'dir');
    const prompt = 'a fox in the snow, written through a link';
    const original = `# Link\n\n![${prompt}]()\n`;
    const doc = writePage(dir, original);
    const mark = logMark();

    const [job] = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a fox in the snow'));

    assert.deepEqual(fs.readdirSync(outside), [], 'an image was written outside the workspace');
    assert.ok(job, 'no job reported');
    assert.notEqual(job.state, 'completed');
    assert.match(job.error ?? '', /leads outside the workspace folder .*symbolic link/);
    const kept = /the image is kept at (.+?\.png)/.exec(job.error ?? '')?.[1];
    assert.ok(kept, `the message does not say where the image is: ${job.error}`);
    assert.ok(kept.startsWith(globalStorageDir()), `${kept} is not in Pictor's storage`);
    assert.ok(fs.existsSync(kept), `the image said to be kept at ${kept} is not there`);
    assert.equal(onDisk(doc), original, 'the page was linked to an image that is not in the workspace');
    await waitForLog(mark, /leads outside the workspace folder/);
  });

  it('images/ as a symlink to another folder inside the workspace is fine', async () => {
    const dir = freshDir('safety/symlinked-images-inside');
    const real = path.join(dir, 'real-images');
    fs.mkdirSync(real);
    fs.symlinkSync(real, path.join(dir, 'images'), 'dir');
    const prompt = 'an owl on a fence post, through an inner link';
    const doc = writePage(dir, `![${prompt}]()\n`);
    const [job] = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'an owl'));
    assert.equal(job?.state, 'completed', job?.error);
    assert.equal(fs.readdirSync(real).length, 1);
  });
});
