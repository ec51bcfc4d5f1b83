// Interleavings that load once produced by chance, forced here on purpose. The gate is the claim of
// a placeholder that "another window" holds in a shared folder that answers slowly: its claim file is
// a named pipe, so reading it waits until the test writes the claim. While one command waits there,
// the test lets the user type or another command run, and only then lets the claim be read.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { placeholderClaimKey } from '../../src/core/claims';
import { closeAllEditors, sleep, waitFor } from './helpers';
import { releaseTasks } from './fakeControl';
import { sharedClaimsDir } from './hostFiles';
import {
  assertNoCreates, assertOneCreateEach, freshFolder, jobFor, type JobSummary, linkTo, onDisk, page, show, start, waitForCreate, writeDoc,
} from './editorHelpers';


/** The claim file of one placeholder in the folder every window shares, as src/core/claims.ts names it. */
async function claimFile(docFile: string, source: string): Promise<string> {
  const key = await placeholderClaimKey(docFile, source);
  return path.join(sharedClaimsDir(), createHash('sha256').update(key).digest('hex').slice(0, 32) + '.claim');
}

/** Makes the placeholder's claim a named pipe: a window that reads it waits until `holdElsewhere`. */
async function slowClaim(docFile: string, source: string) {
  const file = await claimFile(docFile, source);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  execFileSync('mkfifo', [file]);
  // The write end, opened once a read waits on the pipe; the read ends when it is written and closed.
  let writer: number | undefined;
  return {
    /**
     * Resolves once a read of the claim waits on the pipe. Opening a pipe's write end without
     * blocking fails (ENXIO) until a reader has it open, so success is the proof, whatever the load.
     */
    readWaiting: () => waitFor('a read of the claim to wait on it', () => {
      try {
        writer ??= fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENXIO') return false;
        throw e;
      }
    }, 20_000, 10),
    /** Answers the waiting read: another window holds this placeholder, live. */
    holdElsewhere: async () => {
      const text = JSON.stringify({ owner: 'another-window', pid: 1, at: Date.now() });
      if (writer === undefined) return fs.promises.writeFile(file, text);
      fs.writeSync(writer, text);
      fs.closeSync(writer);
      writer = undefined;
    },
    /** Lets any read still waiting go (it reads nothing), and removes the pipe. */
    dispose: () => {
      try {
        if (writer !== undefined) fs.closeSync(writer);
        fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK));
      } catch { /* already gone */ }
      writer = undefined;
      fs.rmSync(file, { force: true });
    },
  };
}

/** An edit through the API, made again when VS Code refuses it for a version that moved meanwhile. */
async function type(editor: vscode.TextEditor, change: (b: vscode.TextEditorEdit) => void): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await editor.edit(change)) return;
    await sleep(10);
  }
  assert.fail('an edit was refused 20 times in a row');
}

describe('editor: forced interleavings of claims, typing and linking', function () {
  this.timeout(60_000);
  before(function () {
    if (process.platform === 'win32') this.skip(); // named pipes in the file system: not on Windows
  });
  afterEach(closeAllEditors);

  it('Generate all waits on a claim while the same placeholder is generated and linked by a single run: it is sent once, never twice', async () => {
    const dir = await freshFolder('race-claim-released');
    const file = path.join(dir, 'page.md');
    const gated = 'a lighthouse kept by another window';
    const target = 'a rowing boat at dawn';
    const t = `![${gated}]()\n\n![${target}]({t})\n`;
    // Not shown in an editor: the linker then saves the page, as it does for a page nobody has open.
    const uri = await writeDoc(file, page(t));
    const gate = await slowClaim(file, `![${gated}]()`);
    try {
      // Generate all reads both placeholders and waits on the first one's claim.
      const all = start<JobSummary[]>('pictor.generateAllPlaceholders', uri);
      await gate.readWaiting();
      // Meanwhile the second placeholder is generated on its own, to the end: linked, claim released.
      const single = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(2, 3, 2, 3));
      // Only now does Generate all learn that the first placeholder is another window's.
      await gate.holdElsewhere();
      const fromAll = await all;

      const jobs = [...single, ...fromAll];
      assert.equal(jobs.length, 1, `one task in all, not ${JSON.stringify(jobs)}`);
      const job = jobFor(jobs, target);
      assert.ok(job.linked);
      assert.equal(await onDisk(file), page(t, { t: linkTo(file, job.files[0]!) }));
      await assertOneCreateEach([target]);
      await assertNoCreates([gated]);
    } finally {
      gate.dispose();
    }
  });

  it('typing while a placeholder\'s claim is read, and again beside it while it runs: the image is linked into it', async () => {
    const dir = await freshFolder('race-typing-while-claiming');
    const file = path.join(dir, 'page.md');
    const gated = 'a lighthouse kept by another window';
    // Held at the fake until the user has typed beside it.
    const heron = 'a grey heron by a claimed lighthouse [hold]';
    const editor = await show(await writeDoc(file, `![${gated}]()\n![${heron}]()\n`));
    const doc = editor.document;
    const gate = await slowClaim(file, `![${gated}]()`);
    try {
      const all = start<JobSummary[]>('pictor.generateAllPlaceholders', doc.uri);
      await gate.readWaiting();
      // Both placeholders were read; the user types above them before anything is claimed or sent.
      await type(editor, (b) => b.insert(new vscode.Position(0, 0), 'Draft\n'));
      await gate.holdElsewhere();
      await waitForCreate(heron);
      // On the heron's line, right before it: where the placeholder was when it was read.
      await type(editor, (b) => b.insert(new vscode.Position(2, 0), 'See: '));
      await releaseTasks(heron);
      const jobs = await all;

      assert.equal(jobs.length, 1, JSON.stringify(jobs));
      const h = jobFor(jobs, heron);
      assert.ok(h.linked, JSON.stringify(jobs));
      assert.equal(doc.getText(), `Draft\n![${gated}]()\nSee: ![${heron}](images/${path.basename(h.files[0]!)})\n`);
      await assertOneCreateEach([heron]);
      await assertNoCreates([gated]);
    } finally {
      gate.dispose();
      await releaseTasks(heron);
    }
  });
});
