import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createsFor, filesIn } from './editorHelpers';
import { completeTask, tasksFor } from './fakeControl';
import { fakeRequests, waitFor, workspaceRoot } from './helpers';
import { logSince, pictorLogFile } from './hostFiles';

/** The prompt phase 1 sent (not imported: loading that spec file here would run its suite again). */
const RESUMED_PROMPT = 'a kite tethered to a fence post';

describe('language model tools across a restart (phase 2: after)', () => {
  it('the new host resumes the tool\'s task and saves its image in images/ at the workspace root, without sending it again', async function () {
    this.timeout(120_000);
    const images = path.join(workspaceRoot().fsPath, 'images');
    const slug = 'a-kite-tethered-to-a-fence-post-';
    const [task] = await tasksFor(RESUMED_PROMPT);
    assert.ok(task, 'phase 1 left no task at the provider');
    // The task is still running at the provider (held there): THIS host polls it…
    const pollsOf = async () => (await fakeRequests()).filter((r) => r.method === 'GET' && r.path === `/v1/tasks/${task.id}`).length;
    const before = await pollsOf();
    // (The host of phase 1 is gone: a poll from now on is this host's.)
    await waitFor('this host to poll the resumed task', async () => (await pollsOf()) > before, 30_000, 200);
    // …and once the provider is done (now), saves its image.
    await completeTask(task.id);
    const [file] = await waitFor('the resumed image', async () => {
      const found = (await filesIn(images)).filter((f) => f.startsWith(slug));
      return found.length ? found : undefined;
    }, 60_000, 200);
    assert.ok(fs.statSync(path.join(images, file!)).size > 100);
    // Saved by THIS host, after it resumed the task: not a leftover of phase 1. The logger writes a
    // moment after the file lands, and this host's log file may not exist before its first write.
    const thisHost = () => logSince({ file: pictorLogFile(), size: 0 });
    await waitFor(`this host's log to say it saved images/${file}`, () => thisHost().includes(`Saved images/${file}`), 15_000, 100)
      .catch((e: Error) => assert.fail(`${e.message}:\n${thisHost().slice(-2000)}`));
    assert.match(thisHost(), /Resumed \d+ unfinished task\(s\)/);
    assert.equal((await createsFor([RESUMED_PROMPT])).length, 1, 'the task was sent again after the restart');
  });
});
