// Issue 10 item 3: a workspace opened at the home folder holds VS Code's user data, and with it the
// folder where Pictor stages downloads. Images must still be placed beside the page and linked
// there, never left in (and linked into) VS Code's storage. The launcher runs this file in a host
// whose user data lies inside the workspace folder (test/host/run-integration.mjs, runHome).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeAllEditors, workspaceRoot } from './helpers';
import { globalStorageDir, walk } from './hostFiles';
import { onDisk, placeholderAt, runCommand, writePage, type JobSummary } from './pages';

describe('safety: a workspace at the home folder (issue 10 item 3)', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  it('the user data is inside the workspace folder here (else this run proves nothing)', () => {
    const rel = path.relative(workspaceRoot().fsPath, globalStorageDir());
    assert.ok(!rel.startsWith('..') && !path.isAbsolute(rel), `${globalStorageDir()} is not inside ${workspaceRoot().fsPath}`);
  });

  it('a placeholder\'s image is saved in images/ beside the page and linked there', async () => {
    const dir = path.join(workspaceRoot().fsPath, 'notes');
    fs.mkdirSync(dir, { recursive: true });
    const prompt = 'a hedgehog under a reading lamp';
    const doc = writePage(dir, `# Home\n\n![${prompt}]()\n`);
    const [job] = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a hedgehog'));
    assert.equal(job?.state, 'completed', job?.error);
    const [file] = job.files;
    assert.ok(file, 'no file reported');
    assert.equal(path.dirname(file), path.join(dir, 'images'), `the image was left at ${file}`);
    assert.ok(fs.existsSync(file));
    assert.equal(onDisk(doc), `# Home\n\n![${prompt}](images/${path.basename(file)})\n`);
    // Staged downloads wait in a folder per workspace under staging/.
    const staged = walk(path.join(globalStorageDir(), 'staging')).filter((f) => path.basename(f).startsWith('a-hedgehog'));
    assert.deepEqual(staged, [], 'the staged download was not moved');
  });
});
