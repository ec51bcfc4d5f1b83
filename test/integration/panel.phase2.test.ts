import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { panelState, RESTART_PROMPT } from './panelHook';

describe('panel history (phase 2: after a restart)', () => {
  it('still lists the generation with its prompt, options, date, files and task id', async () => {
    const entry = (await panelState()).history.find((h) => h.prompt === RESTART_PROMPT);
    assert.ok(entry, 'the history entry was lost in the restart');
    // The look is recorded with the options (issue 24): a plain generation's is opaque, PNG, no width limit.
    assert.deepEqual(entry.options, { size: '3:2', resolution: '1K', quality: 'medium', n: 2, background: 'opaque', format: 'png', maxWidth: 0 });
    assert.match(entry.taskId ?? '', /^task-/);
    assert.ok(entry.date > 0 && entry.date <= Date.now());
    assert.equal(entry.files.length, 2);
    for (const f of entry.files) await fs.access(f.path);
  });
});
