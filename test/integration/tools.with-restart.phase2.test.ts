import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createsFor, filesIn } from './editorHelpers';
import { waitFor, workspaceRoot } from './helpers';
import { logSince, pictorLogFile } from './hostFiles';

/** The prompt phase 1 sent (not imported: loading that spec file here would run its suite again). */
const RESUMED_PROMPT = 'a kite tethered to a fence post [slow:20000]';

describe('language model tools across a restart (phase 2: after)', () => {
  it('the new host resumes the tool\'s task and saves its image in images/ at the workspace root, without sending it again', async function () {
    this.timeout(120_000);
    const images = path.join(workspaceRoot().fsPath, 'images');
    const slug = 'a-kite-tethered-to-a-fence-post-slow-20000-';
    const [file] = await waitFor('the resumed image', async () => {
      const found = (await filesIn(images)).filter((f) => f.startsWith(slug));
      return found.length ? found : undefined;
    }, 90_000, 500);
    assert.ok(fs.statSync(path.join(images, file!)).size > 100);
    // Saved by THIS host, after it resumed the task: not a leftover of phase 1.
    const log = logSince({ file: pictorLogFile(), size: 0 });
    assert.match(log, /Resumed \d+ unfinished task\(s\)/);
    assert.ok(log.includes(`Saved images/${file}`), `this host's log does not say it saved images/${file}:\n${log.slice(-2000)}`);
    assert.equal((await createsFor([RESUMED_PROMPT])).length, 1, 'the task was sent again after the restart');
  });
});
