// A reload while a job uploads its reference images (issue 11 item 4), second half: see
// upload.with-restart.phase1.test.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { createsFor, fakeFile } from './editorHelpers';
import { logSince, pictorLogFile } from './hostFiles';
import { waitForHistory } from './panelHook';
import { SLOW_NAME, UPLOAD_RESTART_PROMPT, uploadRestartFiles, uploadsOf } from './uploadRestart';

describe('reference upload across a restart (phase 2: after)', () => {
  it('the new host resumes the job: uploads only the missing file, then creates exactly one task with both', async function () {
    this.timeout(120_000);
    const entry = await waitForHistory(UPLOAD_RESTART_PROMPT, 90_000);
    assert.equal(entry.files.length, 1);
    const creates = await createsFor([UPLOAD_RESTART_PROMPT]);
    assert.equal(creates.length, 1, 'the task was created more than once (or never)');
    // The first file went once (before the restart); the second twice: the answer lost with the old host, then again.
    assert.equal(await uploadsOf('upload-restart-a.png'), 1, 'the file uploaded before the restart was uploaded again');
    assert.equal(await uploadsOf(`${SLOW_NAME}.png`), 2);
    // The create names both uploads, in the user's order: phase 1's URL for the first file, this host's for the second.
    const { a, b } = uploadRestartFiles();
    const urls = creates[0]!.body.image_urls ?? [];
    assert.equal(urls.length, 2);
    assert.deepEqual(await fakeFile(urls[0]!), await fs.readFile(a));
    assert.deepEqual(await fakeFile(urls[1]!), await fs.readFile(b));
    const log = logSince({ file: pictorLogFile(), size: 0 });
    assert.match(log, /Resumed \d+ unfinished task\(s\)/);
    assert.match(log, /uploading reference image upload-restart-b\.png/);
    assert.doesNotMatch(log, /uploading reference image upload-restart-a\.png/, 'this host uploaded the first file again');
  });
});
