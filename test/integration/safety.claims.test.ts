// Issue 10 item 9 at the user's layer: when the claim (the cross-window lock on a placeholder) cannot
// be written, the placeholder is not sent, and the user is told why. The old code counted such an
// error as "acquired" and sent it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeAllEditors } from './helpers';
import { createsFor } from './fakeControl';
import { globalStorageDir, logMark, waitForLog } from './hostFiles';
import { freshDir, onDisk, placeholderAt, runCommand, writePage, type JobSummary } from './pages';

describe('safety: claims between windows (issue 10 item 9)', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  it('a claim that cannot be written: nothing is sent, the page is left alone, the user is told', async () => {
    const claims = path.join(globalStorageDir(), 'claims');
    const aside = `${claims}.aside-${process.pid}`;
    const had = fs.existsSync(claims);
    if (had) fs.renameSync(claims, aside);
    fs.mkdirSync(path.dirname(claims), { recursive: true });
    fs.writeFileSync(claims, 'a file where the claims folder should be');
    try {
      const dir = freshDir('safety/claim-error');
      const prompt = 'a cracked teacup, when claims fail';
      const original = `# Claims\n\n![${prompt}]()\n`;
      const doc = writePage(dir, original);
      const mark = logMark();
      const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a cracked teacup'));
      assert.deepEqual(jobs, []);
      assert.equal((await createsFor(prompt)).length, 0, 'the placeholder was sent although its claim could not be written');
      assert.equal(onDisk(doc), original);
      await waitForLog(mark, /could not record .* so they were not sent/);
    } finally {
      fs.rmSync(claims, { force: true });
      if (had) fs.renameSync(aside, claims);
    }
  });
});
