// Issue 10 item 1: a reference image must really be a file inside a workspace folder of this window.
// Edit Image on a link that leads outside (a relative path, a file:// URL, an absolute path, a symlink
// inside the workspace pointing out) uploads nothing, creates no task and says why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { encodePng } from '../fake-evolink/png';
import { closeAllEditors, fakeRequests, workspaceRoot } from './helpers';
import { freshFolder, show, writeDoc, type JobSummary } from './editorHelpers';
import { logMark, waitForLog } from './hostFiles';

async function uploads(): Promise<number> {
  return (await fakeRequests()).filter((r) => r.path.startsWith('/api/v1/files/upload')).length;
}

async function creates(): Promise<number> {
  return (await fakeRequests()).filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations')).length;
}

describe('safety: reference images stay inside the workspace (issue 10 item 1)', function () {
  this.timeout(60_000);
  let outside: string;
  let privateImage: string;

  before(async () => {
    // Beside the workspace folder, as a private file elsewhere on the disk would be.
    outside = path.join(path.dirname(workspaceRoot().fsPath), `outside-${process.pid}`);
    privateImage = path.join(outside, 'private.png');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(privateImage, encodePng(32, 32));
  });
  after(async () => {
    await fs.rm(outside, { recursive: true, force: true });
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('pictor._test.forgetAnswers');
    await closeAllEditors();
  });

  const cases: { name: string; link: (dir: string) => Promise<string> }[] = [
    { name: 'a relative link up and out (../)', link: async (dir) => path.relative(dir, privateImage).split(path.sep).join('/') },
    { name: 'a file:// URL', link: async () => vscode.Uri.file(privateImage).toString() },
    { name: 'an absolute path', link: async () => privateImage },
    {
      name: 'a symlink inside the workspace that points outside',
      link: async (dir) => {
        await fs.symlink(privateImage, path.join(dir, 'innocent.png'));
        return 'innocent.png';
      },
    },
    {
      name: 'a symlinked folder inside the workspace that points outside',
      link: async (dir) => {
        await fs.symlink(outside, path.join(dir, 'shared'), 'dir');
        return 'shared/private.png';
      },
    },
  ];

  for (const c of cases) {
    it(`Edit Image on ${c.name}: nothing uploaded, no task, a clear error`, async () => {
      const dir = await freshFolder(`safety-ref-${c.name.replace(/[^a-z]+/g, '-').slice(0, 30)}`);
      const link = await c.link(dir);
      const before = `![secret](${link})\n`;
      const editor = await show(await writeDoc(path.join(dir, 'page.md'), before));
      editor.selection = new vscode.Selection(0, 3, 0, 3);
      const [up0, cr0] = [await uploads(), await creates()];
      const mark = logMark();

      await vscode.commands.executeCommand('pictor._test.answerInputBox', 'make it public');
      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.editImage');

      assert.deepEqual(jobs, [], 'a job was started');
      assert.equal(await uploads(), up0, 'the private image was uploaded');
      assert.equal(await creates(), cr0, 'a task was created');
      assert.equal(editor.document.getText(), before);
      await waitForLog(mark, /outside this window's workspace folders/);
      const asked = await vscode.commands.executeCommand<vscode.InputBoxOptions[]>('pictor._test.inputBoxesAsked');
      assert.equal(asked?.length, 0, 'the user was asked for a change to an image that cannot be sent');
    });
  }

  it('a symlink inside the workspace to another workspace file is fine (the real file is inside)', async () => {
    const dir = await freshFolder('safety-ref-inner-link');
    await fs.writeFile(path.join(dir, 'real.png'), encodePng(40, 30));
    await fs.symlink(path.join(dir, 'real.png'), path.join(dir, 'alias.png'));
    const editor = await show(await writeDoc(path.join(dir, 'page.md'), '![a](alias.png)\n'));
    editor.selection = new vscode.Selection(0, 3, 0, 3);
    const up0 = await uploads();
    await vscode.commands.executeCommand('pictor._test.answerInputBox', 'add a moon');
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.editImage');
    assert.equal(jobs[0]?.state, 'completed');
    assert.equal(await uploads(), up0 + 1);
  });
});
