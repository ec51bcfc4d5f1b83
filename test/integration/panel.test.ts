// The Pictor panel's host side in a real extension host: messages from the webview are untrusted
// and refused without effect when their shape, types or sizes are wrong; options are checked like
// the webview checks them; Generate, Insert Link, Cancel, Retry and the history work through the
// real queue against the fake provider.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { encodePng } from '../fake-evolink/png';
import { textChunk, withTextChunks } from '../../src/core/pngText';
import { closeAllEditors, fake, fakeCreates, fakeRequests, pictorPanelTabs, waitFor, workspaceRoot, writeWorkspaceFile } from './helpers';
import { generate, panelSend, panelState, waitForHistory, waitForJob, type JobRow } from './panelHook';
import { imageInfo } from '../../src/core/api/imageInfo';
import { releaseTasks } from './fakeControl';
import { logMark, logSince, waitForLog } from './hostFiles';

const OPTIONS = { size: '16:9', resolution: '2K', quality: 'low', n: 1 };

async function listImages(): Promise<string[]> {
  const dir = path.join(workspaceRoot().fsPath, 'images');
  return fs.readdir(dir).catch(() => []);
}

async function openMarkdown(name: string, text: string, line: number): Promise<vscode.TextEditor> {
  const uri = await writeWorkspaceFile(name, text);
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const pos = new vscode.Position(line, editor.document.lineAt(line).text.length);
  editor.selection = new vscode.Selection(pos, pos);
  return editor;
}

describe('panel', () => {
  afterEach(closeAllEditors);

  it('Open Panel shows one Pictor webview tab, and a second call reuses it', async () => {
    await closeAllEditors();
    assert.equal(pictorPanelTabs().length, 0);
    await vscode.commands.executeCommand('pictor.openPanel');
    const tabs = await waitFor('the Pictor panel tab', () => (pictorPanelTabs().length ? pictorPanelTabs() : undefined));
    assert.equal(tabs.length, 1);
    assert.equal(tabs[0]!.label, 'Pictor');
    await vscode.commands.executeCommand('pictor.openPanel');
    assert.equal(pictorPanelTabs().length, 1, 'a second Open Panel must not create another tab');
  });

  it('opens again after the user closed it', async () => {
    await vscode.commands.executeCommand('pictor.openPanel');
    await waitFor('the Pictor panel tab', () => pictorPanelTabs().length === 1);
    await vscode.window.tabGroups.close(pictorPanelTabs());
    await waitFor('the panel to close', () => pictorPanelTabs().length === 0);
    await vscode.commands.executeCommand('pictor.openPanel');
    await waitFor('the Pictor panel tab to come back', () => pictorPanelTabs().length === 1);
  });

  it('answers ready with its strings, the options of the settings, the queue and the history — and never the key', async () => {
    const r = await panelSend({ type: 'ready' });
    assert.equal(r.accepted, true);
    assert.equal(r.posted.length, 1);
    const init = r.posted[0]!;
    assert.equal(init.type, 'init');
    const c = vscode.workspace.getConfiguration('pictor');
    assert.deepEqual(init.options, { size: c.get('size'), resolution: c.get('resolution'), quality: c.get('quality'), n: c.get('n'),
      background: c.get('background'), format: c.get('format'), maxWidth: c.get('maxWidth') });
    assert.equal(init.strings.generate, 'Generate');
    assert.ok(Array.isArray(init.jobs) && Array.isArray(init.history));
    assert.ok(!JSON.stringify(r).includes(fake().key), 'the API key was sent to the webview');
  });

  describe('messages with bad shapes, types or sizes', () => {
    const outside = path.resolve(workspaceRoot().fsPath, '..', 'outside.png');
    const inside = path.join(workspaceRoot().fsPath, 'images', 'nothing.png');
    const bad: Array<[string, unknown]> = [
      ['an unknown type', { type: 'setApiKey', key: 'sk-evo-stolen' }],
      ['a message that is not an object', 'generate'],
      ['a prompt of 32,001 code points', { type: 'generate', requestId: 'bad-1', prompt: 'x'.repeat(32_001), options: OPTIONS, references: [] }],
      ['n that is not an integer', { type: 'generate', requestId: 'bad-1', prompt: 'a fox', options: { ...OPTIONS, n: 1.5 }, references: [] }],
      ['n as a string', { type: 'generate', requestId: 'bad-1', prompt: 'a fox', options: { ...OPTIONS, n: '1' }, references: [] }],
      ['an extra field with a wrong type', { type: 'generate', requestId: 'bad-1', prompt: 'a fox', options: OPTIONS, references: [], callbackUrl: 7 }],
      ['an extra option', { type: 'generate', requestId: 'bad-1', prompt: 'a fox', options: { ...OPTIONS, model: 'other' }, references: [] }],
      ['17 reference images', { type: 'generate', requestId: 'bad-1', prompt: 'a fox', options: OPTIONS, references: Array.from({ length: 17 }, () => ({ kind: 'file', path: inside })) }],
      ['a reference image outside the workspace', { type: 'generate', requestId: 'bad-1', prompt: 'a fox', options: OPTIONS, references: [{ kind: 'file', path: outside }] }],
      ['a reference path climbing out with ..', { type: 'generate', requestId: 'bad-1', prompt: 'a fox', options: OPTIONS, references: [{ kind: 'file', path: path.join(workspaceRoot().fsPath, '..', '..', 'etc', 'x.png') }] }],
      ['Open outside the workspace', { type: 'open', path: '/etc/hostname' }],
      ['Reveal outside the workspace', { type: 'reveal', path: outside }],
      ['Insert Link to a file outside the workspace', { type: 'insertLink', path: '/etc/passwd' }],
      ['Copy Path outside the workspace', { type: 'copyPath', path: '/etc/passwd' }],
      ['a relative path', { type: 'open', path: 'images/nothing.png' }],
      ['Save as Default to an unknown target', { type: 'saveDefaults', options: OPTIONS, target: 'folder' }],
      ['Save as Default with n as a string', { type: 'saveDefaults', options: { ...OPTIONS, n: '4' }, target: 'workspace' }],
      ['Cancel of a task that does not exist', { type: 'cancel', id: 'no-such-task' }],
      ['Retry of a task that does not exist', { type: 'retry', id: 'no-such-task' }],
      ['Generate Again of an entry that does not exist', { type: 'generateAgain', id: 'no-such-entry', requestId: 'bad-2' }],
      ['Generate without a request id', { type: 'generate', prompt: 'a fox', options: OPTIONS, references: [] }],
      ['a dropped list that is not a list', { type: 'dropReferences', uris: 'file:///etc/passwd' }],
    ];

    it('are refused, and nothing is sent, saved, copied, linked or configured', async () => {
      const editor = await openMarkdown('untouched.md', '# Untouched\n\nText.\n', 2);
      const docBefore = editor.document.getText();
      const creates = (await fakeCreates()).length;
      // Polls of tasks that earlier tests left behind (a cancelled task is still watched in the
      // background) may come at any time; anything else reaching the provider would be these messages'.
      const contacts = async () => (await fakeRequests()).filter((r) => !(r.method === 'GET' && r.path.startsWith('/v1/tasks/'))).length;
      const requests = await contacts();
      const jobs = (await panelState()).jobs.length;
      const images = await listImages();
      const inspect = () => JSON.stringify(['size', 'resolution', 'quality', 'n'].map((k) => vscode.workspace.getConfiguration('pictor').inspect(k)));
      const settings = inspect();
      await vscode.env.clipboard.writeText('clipboard sentinel');

      const mark = logMark();
      for (const [name, raw] of bad) {
        const r = await panelSend(raw);
        assert.equal(r.accepted, false, `${name}: accepted`);
        assert.ok(r.reason, `${name}: no reason given`);
        assert.deepEqual(r.posted, [], `${name}: the host answered as if it had acted`);
      }
      // The host's own word for each refusal (why nothing was done), before nothing is counted.
      const refusals = () => logSince(mark).split('\n').filter((l) => l.includes('Panel: refused a message from the webview')).length;
      await waitForLog(mark, /Panel: refused a message from the webview/);
      await waitFor(`a refusal in the log for each of the ${bad.length} messages`, () => refusals() >= bad.length)
        .catch(() => assert.fail(`${refusals()} refusals logged for ${bad.length} messages:\n${logSince(mark).slice(-3000)}`));
      assert.equal((await fakeCreates()).length, creates, 'a task was created');
      assert.equal(await contacts(), requests, 'the provider was contacted');
      assert.equal((await panelState()).jobs.length, jobs, 'a job was queued');
      assert.deepEqual(await listImages(), images, 'a file was saved');
      assert.equal(inspect(), settings, 'a setting changed');
      assert.equal(await vscode.env.clipboard.readText(), 'clipboard sentinel', 'the clipboard changed');
      assert.equal(editor.document.getText(), docBefore, 'the document changed');
    });
  });

  describe('options', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a ratio that is not one of the 15', { size: '7:3' }, 'size'],
      ['WxH that is not a multiple of 16', { size: '1000x1000' }, 'size'],
      ['resolution 8K', { resolution: '8K' }, 'resolution'],
      ['quality ultra', { quality: 'ultra' }, 'quality'],
      ['n = 11', { n: 11 }, 'n'],
      ['n = 0', { n: 0 }, 'n'],
      ['a transparent background as JPEG', { background: 'transparent', format: 'jpeg' }, 'format'],
      ['a largest width of 5000', { maxWidth: 5000 }, 'maxWidth'],
    ];
    for (const [name, over, field] of cases) {
      it(`Generate with ${name} is answered with an error on ${field}, and nothing is sent`, async () => {
        const creates = (await fakeCreates()).length;
        const r = await generate('a red fox asleep in snow', { ...OPTIONS, ...over } as typeof OPTIONS);
        assert.equal(r.accepted, true);
        assert.deepEqual(r.posted.map((m) => m.type), ['invalid']);
        assert.deepEqual(r.posted[0]!.errors.map((e: { field: string }) => e.field), [field]);
        assert.ok(r.posted[0]!.errors[0].message.length > 10, 'the error says what is wrong');
        assert.equal((await fakeCreates()).length, creates);
      });
    }

    it('an empty prompt, a GIF and a 51 MB reference image are answered with errors, and nothing is sent', async () => {
      await fs.writeFile(path.join(workspaceRoot().fsPath, 'anim.gif'), Buffer.from('GIF89a'));
      const big = path.join(workspaceRoot().fsPath, 'huge.png');
      await fs.writeFile(big, encodePng(16, 16));
      await fs.truncate(big, 51 * 1024 * 1024);
      const creates = (await fakeCreates()).length;
      const r = await generate('  ', OPTIONS, [
        { kind: 'file', path: path.join(workspaceRoot().fsPath, 'anim.gif') },
        { kind: 'file', path: big },
      ]);
      assert.equal(r.accepted, true);
      const errors = r.posted.find((m) => m.type === 'invalid')!.errors as { field: string; message: string }[];
      assert.deepEqual(errors.map((e) => e.field), ['prompt', 'references', 'references']);
      assert.match(errors[1]!.message, /PNG, JPEG or WebP/);
      assert.match(errors[2]!.message, /50 MB/);
      assert.equal((await fakeCreates()).length, creates);
      await fs.rm(big);
    });

    it('Save as Default writes the options to the workspace or the user settings', async () => {
      const c = () => vscode.workspace.getConfiguration('pictor');
      try {
        let r = await panelSend({ type: 'saveDefaults', options: { size: '16:9', resolution: '2k', quality: 'LOW', n: 2 }, target: 'workspace' });
        assert.equal(r.accepted, true);
        assert.equal(r.posted[0]?.type, 'notice');
        assert.deepEqual(['size', 'resolution', 'quality', 'n'].map((k) => c().inspect(k)?.workspaceValue), ['16:9', '2K', 'low', 2]);
        assert.deepEqual((await panelState()).options, { size: '16:9', resolution: '2K', quality: 'low', n: 2, background: 'opaque', format: 'png', maxWidth: 0 }, 'the panel starts from the saved options');

        r = await panelSend({ type: 'saveDefaults', options: { size: '1536×1024', resolution: '1K', quality: 'high', n: 3 }, target: 'user' });
        assert.equal(r.accepted, true);
        assert.deepEqual(['size', 'resolution', 'quality', 'n'].map((k) => c().inspect(k)?.globalValue), ['1536x1024', '1K', 'high', 3]);

        const before = JSON.stringify(['size', 'n'].map((k) => c().inspect(k)));
        r = await panelSend({ type: 'saveDefaults', options: { size: 'huge', resolution: '1K', quality: 'high', n: 3 }, target: 'workspace' });
        assert.deepEqual(r.posted.map((m) => m.type), ['invalid']);
        assert.equal(JSON.stringify(['size', 'n'].map((k) => c().inspect(k))), before, 'an invalid size was saved');
      } finally {
        for (const k of ['size', 'resolution', 'quality', 'n']) {
          await c().update(k, undefined, vscode.ConfigurationTarget.Workspace);
          await c().update(k, undefined, vscode.ConfigurationTarget.Global);
        }
      }
    });
  });

  describe('generating', () => {
    it('without a Markdown editor: the image is saved, the queue row completes, and the history records it', async () => {
      await closeAllEditors();
      await waitFor('no Markdown target', async () => (await panelState()).target.document === undefined);
      const prompt = 'a lighthouse from the panel, flat colours';
      const r = await generate(prompt, OPTIONS);
      assert.equal(r.accepted, true, r.reason);
      assert.deepEqual(r.posted.map((m) => `${m.type}:${m.phase}`), ['submission:sending', 'submission:queued']);
      // Every reply names the request; the last one the job it made, known without looking at any text.
      const requestId = r.posted[0]!.requestId as string;
      assert.ok(requestId);
      assert.deepEqual(r.posted.map((m) => m.requestId), [requestId, requestId]);
      assert.deepEqual(r.posted[0]!.jobIds, []);
      const [jobId] = r.posted[1]!.jobIds as string[];
      assert.equal((r.posted[1]!.jobIds as string[]).length, 1);
      const row = await waitForJob(prompt, (j) => j.state === 'completed', 'the queue row to complete');
      assert.equal(row.id, jobId, 'the reply named another job than the one made');
      assert.equal(row.progress, 100);
      assert.equal(row.canCancel, false);
      assert.equal(row.files.length, 1);
      const file = row.files[0]!.path;
      assert.ok(file.startsWith(path.join(workspaceRoot().fsPath, 'images') + path.sep), `saved outside images/: ${file}`);
      await fs.access(file);
      const task = ((await (await fetch(`${fake().url}/__fake/tasks`)).json()) as { id: string; size: string }[]).find((t) => t.id === row.taskId);
      assert.equal(task?.size, '16:9', 'the options chosen in the panel were sent');

      const entry = await waitForHistory(prompt);
      assert.equal(entry.taskId, row.taskId);
      // The look too (issue 24): none asked, so a PNG as sent, opaque, of its own width; Generate Again makes the same.
      assert.deepEqual(entry.options, { size: '16:9', resolution: '2K', quality: 'low', n: 1, background: 'opaque', format: 'png', maxWidth: 0 });
      assert.deepEqual(entry.files.map((f) => f.path), [file]);
      assert.ok(Date.now() - entry.date < 120_000);
    });

    it('with format webp and a largest width of 600 (issue 24): a WebP 600 wide, and the row and the result name what was saved', async () => {
      await closeAllEditors();
      await waitFor('no Markdown target', async () => (await panelState()).target.document === undefined);
      const prompt = 'a lighthouse from the panel, as a light file';
      const r = await generate(prompt, { ...OPTIONS, size: '3:2', resolution: '1K', background: 'opaque', format: 'webp', maxWidth: 600 } as typeof OPTIONS);
      assert.equal(r.accepted, true, r.reason);
      const row = await waitForJob(prompt, (j) => j.state === 'completed', 'the queue row to complete') as JobRow & { converted?: string[]; sizeNote?: string; files: { path: string; converted?: string; width?: number }[] };
      const file = row.files[0]!.path;
      assert.equal(path.extname(file), '.webp', 'the extension follows the format');
      const info = imageInfo(await fs.readFile(file));
      assert.equal(info?.type, 'webp', 'WebP, sniffed from the bytes');
      assert.deepEqual([info?.width, info?.height], [600, 400]);
      assert.equal(row.files[0]!.width, 600);
      assert.match(row.files[0]!.converted ?? '', /^\d+(\.\d)? [KM]?B PNG → \d+(\.\d)? [KM]?B WebP$/);
      assert.deepEqual(row.converted, [row.files[0]!.converted], 'the queue row names it too');
      assert.equal(row.sizeNote, undefined, 'a largest width is not the provider sending another size');
      const rejected = await generate(prompt, { ...OPTIONS, background: 'transparent', format: 'jpeg' } as typeof OPTIONS);
      assert.equal(rejected.posted[0]!.errors[0].message, 'A transparent background cannot be saved as JPEG, which has no transparency: choose format png or webp, or background opaque.');
    });

    it('with a Markdown editor: the link goes on a new line after the cursor line', async () => {
      const editor = await openMarkdown('panel-target.md', '# Target\n\nIntro line.\n\nLast line.\n', 2);
      await waitFor('the Markdown target', async () => (await panelState()).target.document === 'panel-target.md');
      const prompt = 'a kite over the dunes';
      const r = await generate(prompt, OPTIONS);
      assert.equal(r.accepted, true, r.reason);
      const row = await waitForJob(prompt, (j) => j.state === 'completed', 'the queue row to complete');
      const name = path.basename(row.files[0]!.path);
      const text = await waitFor('the link in the document', () => (editor.document.getText().includes(name) ? editor.document.getText() : undefined));
      const lines = text.split('\n');
      assert.equal(lines[2], 'Intro line.');
      assert.equal(lines[3], `![${prompt}](images/${name})`);
      assert.equal(lines[5], 'Last line.');
    });

    it('Insert Link puts a link to a saved image at the cursor of the last Markdown editor, on a line of its own', async () => {
      const entry = (await panelState()).history[0]!;
      const file = entry.files[0]!.path;
      await fs.mkdir(path.join(workspaceRoot().fsPath, 'docs'), { recursive: true });
      const editor = await openMarkdown('docs/insert.md', 'Before.\nAfter.\n', 0);
      const r = await panelSend({ type: 'insertLink', path: file });
      assert.equal(r.accepted, true, r.reason);
      assert.deepEqual(editor.document.getText().split('\n'), ['Before.', `![${entry.prompt}](../images/${path.basename(file)})`, 'After.', '']);

      // In the middle of a line the link still gets a line of its own.
      editor.selection = new vscode.Selection(2, 3, 2, 3);
      await panelSend({ type: 'insertLink', path: file });
      assert.deepEqual(editor.document.getText().split('\n').slice(2, 5), ['Aft', `![${entry.prompt}](../images/${path.basename(file)})`, 'er.']);
    });

    it('Copy Path copies the saved file path; Use Selection returns the selected text', async () => {
      const entry = (await panelState()).history[0]!;
      let r = await panelSend({ type: 'copyPath', path: entry.files[0]!.path });
      assert.equal(r.accepted, true);
      assert.equal(await vscode.env.clipboard.readText(), entry.files[0]!.path);

      const editor = await openMarkdown('select.md', 'a heron standing in reeds\n', 0);
      editor.selection = new vscode.Selection(0, 2, 0, 7);
      r = await panelSend({ type: 'useSelection' });
      assert.deepEqual(r.posted, [{ type: 'selection', text: 'heron' }]);
    });

    it('Cancel stops waiting for a slow task', async () => {
      // Held at the fake: it runs until the test lets it go, after the cancel.
      const prompt = 'a slow balloon [hold]';
      await generate(prompt, OPTIONS);
      const row = await waitForJob(prompt, (j) => j.canCancel, 'the slow task to run');
      const r = await panelSend({ type: 'cancel', id: row.id });
      assert.equal(r.accepted, true, r.reason);
      const after = await waitForJob(prompt, (j) => j.state === 'cancelled', 'the task to be cancelled');
      assert.equal(after.canCancel, false);
      assert.equal(after.canRetry, false);
      // The provider finishes it; the queue still watches it in the background and keeps the image.
      await releaseTasks(prompt);
    });

    it('a failed task shows why in words, and Retry sends it again as a new task', async () => {
      const prompt = 'a failing lantern [fail:service_error]';
      await generate(prompt, OPTIONS);
      const failed = await waitForJob(prompt, (j) => j.state === 'failed', 'the task to fail');
      assert.match(failed.error ?? '', /internal error/i);
      assert.equal(failed.canRetry, true);
      const creates = (await fakeCreates()).length;
      const r = await panelSend({ type: 'retry', id: failed.id });
      assert.equal(r.accepted, true, r.reason);
      await waitFor('a second row for the prompt', async () => (await panelState()).jobs.filter((j) => j.prompt === prompt).length === 2);
      await waitFor('the retry to be sent', async () => (await fakeCreates()).length > creates);
      // Retrying something that has not failed is refused.
      const done = (await panelState()).jobs.find((j) => j.state === 'completed')!;
      assert.equal((await panelSend({ type: 'retry', id: done.id })).accepted, false);
    });

    it('Retry clicked three times at once sends one new task; the old row then shows the retry and offers no other', async () => {
      const prompt = 'a failing weathervane [fail:service_error]';
      await generate(prompt, OPTIONS);
      const failed = await waitForJob(prompt, (j) => j.state === 'failed', 'the task to fail');
      const creates = (await fakeCreates()).length;
      const replies = await Promise.all([1, 2, 3].map(() => panelSend({ type: 'retry', id: failed.id })));
      assert.ok(replies.every((r) => r.accepted), JSON.stringify(replies));
      await waitFor('the retried task to fail too', async () =>
        (await panelState()).jobs.filter((j) => j.prompt === prompt && j.state === 'failed').length === 2, 15_000);
      assert.equal((await fakeCreates()).length, creates + 1, 'three Retries at once sent more than one create');
      const old = (await panelState()).jobs.find((j) => j.id === failed.id)!;
      assert.equal(old.canRetry, false);
      assert.equal(old.retrying, true);
      assert.equal((await panelSend({ type: 'retry', id: failed.id })).accepted, true);
      assert.equal((await fakeCreates()).length, creates + 1, 'a fourth Retry of the same row sent a create');
    });

    it('reference images: a workspace PNG is accepted with a thumbnail and uploaded before the task is created', async () => {
      await vscode.commands.executeCommand('pictor.openPanel');
      await waitFor('the panel', () => pictorPanelTabs().length === 1);
      const png = path.join(workspaceRoot().fsPath, 'ref.png');
      // Bytes no earlier test uploaded: a file already uploaded is not uploaded again (the upload cache).
      await fs.writeFile(png, withTextChunks(encodePng(64, 64), [textChunk('Comment', `panel reference ${Date.now()}`)], []));
      let r = await panelSend({ type: 'dropReferences', uris: [vscode.Uri.file(png).toString(), '/etc/hosts'] });
      assert.equal(r.accepted, true);
      const refs = r.posted[0]!;
      assert.equal(refs.type, 'references');
      assert.equal(refs.added.length, 1);
      assert.equal(refs.added[0].value, png);
      assert.ok(refs.added[0].thumb, 'no thumbnail');
      assert.equal(refs.problems.length, 1, 'the file outside the workspace was not refused');

      const uploads = (await fakeRequests()).filter((q) => q.path.startsWith('/api/v1/files/upload')).length;
      const prompt = 'the same fox, in autumn';
      r = await generate(prompt, OPTIONS, [{ kind: 'file', path: png }]);
      assert.deepEqual(r.posted.map((m) => `${m.type}:${m.phase}:${m.uploads}`), ['submission:uploading:1', 'submission:queued:1']);
      await waitForJob(prompt, (j) => j.state === 'completed', 'the edit to complete');
      assert.equal((await fakeRequests()).filter((q) => q.path.startsWith('/api/v1/files/upload')).length, uploads + 1);
    });

    it('Generate Again sends an entry of the history again; Remove forgets it', async () => {
      const entry = (await panelState()).history.find((h) => h.prompt === 'a kite over the dunes')!;
      const creates = (await fakeCreates()).length;
      await closeAllEditors();
      const r = await panelSend({ type: 'generateAgain', id: entry.id, requestId: 'again-1' });
      assert.equal(r.accepted, true, r.reason);
      assert.deepEqual(r.posted.map((m) => `${m.type}:${m.phase}:${m.requestId}`), ['submission:sending:again-1', 'submission:queued:again-1']);
      assert.equal((r.posted[1]!.jobIds as string[]).length, 1);
      await waitFor('a new task', async () => (await fakeCreates()).length === creates + 1);
      await waitFor('two entries', async () => (await panelState()).history.filter((h) => h.prompt === entry.prompt).length === 2);
      assert.equal((await panelSend({ type: 'removeHistory', id: entry.id })).accepted, true);
      assert.equal((await panelState()).history.some((h) => h.id === entry.id), false);
    });
  });
});
