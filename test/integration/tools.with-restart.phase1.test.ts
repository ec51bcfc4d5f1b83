// A tool call's task survives a reload (issue 12: "resume"). Phase 1 asks for an image through
// pictor_generateImage and leaves while the provider is still working on it (the fake holds the task
// until phase 2 releases it). tools.with-restart.phase2.test.ts checks that the next host resumed the
// task and saved the image where the tool would have.
import * as vscode from 'vscode';
import { createsFor } from './editorHelpers';
import { waitFor } from './helpers';
import { logMark, waitForLog } from './hostFiles';
import { setFake, tasksFor } from './fakeControl';
import { expectStored } from './index';

/** The prompt (its task is held at the fake until phase 2 lets it finish, however long this host and its shutdown take). */
const RESUMED_PROMPT = 'a kite tethered to a fence post';

describe('language model tools across a restart (phase 1: before)', () => {
  it('leaves a tool\'s task running at the provider when the host stops', async function () {
    this.timeout(60_000);
    const mark = logMark();
    // The hold knob, not a `[hold]` marker: the tests' root hook releases marked tasks after each test.
    await setFake({ hold: true });
    try {
      // Not awaited: this host goes away before the answer would come.
      void Promise.resolve(vscode.lm.invokeTool('pictor_generateImage', { input: { prompt: RESUMED_PROMPT, size: '1:1', quality: 'low' }, toolInvocationToken: undefined }))
        .catch(() => undefined);
      await waitFor('the task to be created', async () => (await createsFor([RESUMED_PROMPT])).length > 0, 20_000);
    } finally {
      await setFake({ hold: null });
    }
    // The queue logs this once the task id is in the workspace state. The launcher ends this host
    // without a shutdown, so it waits until the workbench has written that state too (a person's
    // reload or quit writes it on the way out): else the next host could only mark the task "sent,
    // answer lost" and this test would be about the launcher, not the resume. (A fixed 5 s was used
    // before: 1.5 s had been too little on a loaded CI machine.)
    await waitForLog(mark, /job [0-9a-f-]+: created task \S+/, 20_000);
    const [task] = await tasksFor(RESUMED_PROMPT);
    expectStored(task!.id);
  });
});
