// A reload while a job uploads its reference images (issue 11 item 4), first half: the panel asks for
// an image from two local references; the first uploads, the second is held at the fake (slowUpload)
// until this host is gone. upload.with-restart.phase2.test.ts checks that the next host resumed the
// job, uploaded only the second file again and created exactly one task.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { encodePng } from '../fake-evolink/png';
import { setFake } from './fakeControl';
import { createsFor } from './editorHelpers';
import { fake, waitFor } from './helpers';
import { expectStored } from './index';
import { logMark, waitForLog } from './hostFiles';
import { generate, panelState } from './panelHook';
import { SLOW_NAME, UPLOAD_RESTART_PROMPT, uploadRestartFiles, uploadsOf } from './uploadRestart';

describe('reference upload across a restart (phase 1: before)', () => {
  it('leaves a job uploading its second reference image when the host stops', async function () {
    this.timeout(60_000);
    const { dir, a, b } = uploadRestartFiles();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(a, encodePng(48, 32));
    await fs.writeFile(b, encodePng(32, 48));
    // Longer than the rest of this host's life: the answer never comes, the host goes first. It must run
    // last in its host (phase files run after the plain suites, in name order: index.ts): the client gives
    // up on an upload after 30 s and uploads again, fast, so a host that lived on would finish the job.
    await setFake({ slowUpload: { name: SLOW_NAME, ms: 180_000, times: 1 } });
    try {
      const mark = logMark();
      const r = await generate(UPLOAD_RESTART_PROMPT, { size: '1:1', resolution: '1K', quality: 'low', n: 1 },
        [{ kind: 'file', path: a }, { kind: 'file', path: b }]);
      assert.equal(r.accepted, true, r.reason);
      await waitFor('the second upload to reach the fake', async () => (await uploadsOf(`${SLOW_NAME}.png`)) > 0, 20_000, 200);
      // Logged after the first file's URL was saved with the job.
      await waitForLog(mark, /uploading reference image upload-restart-b\.png/, 20_000);
      assert.equal(await uploadsOf('upload-restart-a.png'), 1);
      assert.equal((await createsFor([UPLOAD_RESTART_PROMPT])).length, 0, 'a task was created before its references were uploaded');
      // Submitting returned the job at once, uploading: the reply names it.
      const last = r.posted[r.posted.length - 1]!;
      assert.equal(last.phase, 'queued');
      const [jobId] = last.jobIds as string[];
      const row = (await panelState()).jobs.find((j) => j.id === jobId);
      assert.equal(row?.state, 'uploading');
      assert.equal(row?.canCancel, true, 'an uploading job cannot be cancelled');
    } finally {
      // The held upload has taken its one slow answer; later uploads go at the usual speed.
      await setFake({ slowUpload: null });
    }
    // The launcher ends this host without a shutdown: it waits until the workbench has written the
    // first file's URL with the job (index.ts expectStored), as for the tool restart test.
    const stored = (await (await fetch(`${fake().url}/__fake/files`)).json()) as { name: string; url: string }[];
    const first = stored.filter((f) => f.name === 'upload-restart-a.png');
    assert.equal(first.length, 1, `the fake stored ${JSON.stringify(stored.map((f) => f.name))}`);
    expectStored(first[0]!.url);
  });
});
