// The key never leaks (issue 6, docs/design.md "Public contract"): a whole session with a key nobody
// else uses — successes, every error path the provider can produce, an upload, the key from the
// environment, with the log at its most verbose — then every place a key could end up is searched:
// Pictor's log files, the settings files, every file in the workspace and the user-data folder
// (global storage: task staging, claims), Pictor's state folder (claims), the browser profile the workbench runs in, every message
// the panel posted to its webview, every message a command handed back, and the requests themselves.
//
// The session runs against a fake provider of its own, started in this extension host, because the
// shared one accepts only the launcher's key.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { encodePng } from '../fake-evolink/png';
import { closeAllEditors, closedPort, fake, waitFor, workspaceRoot } from './helpers';
import { note } from './index';
import { allPictorLogs, globalStorageDir, pictorLogFile, stateDir, userDataDir, walk } from './hostFiles';
import { describeLeaks, needlesFor, scanDirs, scanFiles, scanText, type Leak } from './leakScan';
import { freshDir, placeholderAt, pollFor, runCommand, writePage, type JobSummary } from './pages';
import { panelSend, type Reply } from './panelHook';

const SECRET = randomBytes(12).toString('hex');
const KEY = `sk-evo-LEAKCHECK-${SECRET}`;
const NEEDLES = needlesFor(KEY, SECRET);

async function setPictor(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('pictor').update(key, value, vscode.ConfigurationTarget.Workspace);
}

async function pointAt(url: string): Promise<void> {
  await setPictor('baseUrl', url);
  await setPictor('filesBaseUrl', url);
  await waitFor(`pictor.baseUrl to be ${url}`, () => vscode.workspace.getConfiguration('pictor').get('baseUrl') === url);
}

describe('the API key never leaks (issue 6)', function () {
  this.timeout(240_000);

  let own: FakeEvolink;
  let dir: string;
  let page: vscode.Uri;
  /** Everything the user was shown or the webview was sent during the session. */
  const seen: { where: string; text: string }[] = [];
  const summaries: JobSummary[] = [];

  const record = (where: string, value: unknown) => seen.push({ where, text: JSON.stringify(value) });

  /** One placeholder per path through the code; each one's job is recorded. */
  async function generate(prompt: string): Promise<JobSummary | undefined> {
    const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', page, placeholderAt(page, prompt.slice(0, 24)));
    summaries.push(...jobs);
    record(`pictor.generatePlaceholder "${prompt}"`, jobs);
    return jobs[0];
  }

  async function panel(raw: unknown): Promise<Reply> {
    const r = await panelSend(raw);
    record(`panel reply to ${JSON.stringify(raw).slice(0, 60)}`, r);
    return r;
  }

  const prompts = {
    // Held at the fake until a poll has seen it in progress: the queue logs progress at trace level.
    ok: 'leak check: a plain success [hold]',
    fromEnv: 'leak check: the key from the environment',
    auth: 'leak check: 401 on create',
    quota: 'leak check: 402 on create',
    forbidden: 'leak check: 403 on create',
    invalid: 'leak check: 400 on create',
    storm: 'leak check: a 429 storm, then through',
    server: 'leak check: 503 until Pictor gives up',
    pollAuth: 'leak check: 401 on a poll',
    pollServer: 'leak check: 500 on polls, then through',
    taskFailed: 'leak check: a failed task [fail:content_policy_violation]',
    html: 'leak check: an HTML page instead of the image',
    truncated: 'leak check: a truncated download, then whole',
    expired: 'leak check: an expired result URL',
    reset: 'leak check: reset after the create was sent',
    cut: 'leak check: the create answer cut off',
    badJson: 'leak check: an unreadable create answer',
    refused: 'leak check: connection refused',
  };

  before(async function () {
    this.timeout(60_000);
    own = await startFakeEvolink({ host: '127.0.0.1', apiKey: KEY, behavior: { stepMs: 30, progressSteps: 2 } });
    dir = freshDir('secrets');
    page = writePage(dir, `# Leak check\n\n${Object.values(prompts).map((p) => `![${p}]()`).join('\n\n')}\n`);
    await pointAt(own.url);
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
    await waitFor('the log level to be Trace', () => vscode.env.logLevel === vscode.LogLevel.Trace);
    assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', KEY), true);
  });

  after(async function () {
    this.timeout(60_000);
    delete process.env.EVOLINK_API_KEY;
    // Set API Key checks a key with the provider it points at: point back first.
    await pointAt(fake().url);
    await vscode.commands.executeCommand('pictor.setApiKey', fake().key);
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'info');
    await own?.close();
    await closeAllEditors();
  });

  it('runs a whole session: successes, an upload, every error path, the key from the environment', async () => {
    const running = generate(prompts.ok);
    await waitFor('a poll of the held task', () => [...own.tasks.values()].some((t) => t.prompt === prompts.ok && own.polls(t.id) > 0), 20_000);
    own.release({ prompt: prompts.ok });
    const ok = await running;
    assert.equal(ok?.state, 'completed', `the plain success failed: ${JSON.stringify(ok)}`);

    // From the selection, in an open editor.
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(page));
    const line = editor.document.getText().split('\n').findIndex((l) => l.startsWith('# Leak check'));
    editor.selection = new vscode.Selection(line, 2, line, 12);
    const sel = await runCommand<JobSummary[]>('pictor.generateFromSelection');
    record('pictor.generateFromSelection', sel);
    assert.equal(sel[0]?.state, 'completed');
    // Saved, so the file on disk is what the rest of the session reads placeholders from.
    await editor.document.save();
    await closeAllEditors();

    // The panel: an upload of a workspace image (the key goes to the files service too), and a bad size.
    fs.writeFileSync(path.join(dir, 'reference.png'), encodePng(64, 64));
    await vscode.commands.executeCommand('pictor.openPanel');
    await panel({ type: 'ready' });
    const refPrompt = 'leak check: from the panel with a reference';
    const gen = await panel({
      type: 'generate', requestId: 'leak-1', prompt: refPrompt, options: { size: '1:1', resolution: '1K', quality: 'low', n: 1 },
      references: [{ kind: 'file', path: path.join(dir, 'reference.png') }],
    });
    assert.equal(gen.accepted, true, gen.reason);
    await pollFor('the panel job to finish', async () => {
      const init = (await panelSend({ type: 'ready' })).posted.find((m) => m.type === 'init');
      return (init?.jobs as { prompt: string; state: string }[]).find((j) => j.prompt === refPrompt && j.state === 'completed');
    }, 60_000);
    assert.ok(own.requests.some((r) => r.path.startsWith('/api/v1/files/upload/')), 'the reference was not uploaded');
    await panel({ type: 'generate', requestId: 'leak-2', prompt: 'leak check: a bad size', options: { size: '1000x1000', resolution: '1K', quality: 'low', n: 1 }, references: [] });

    // Every way the provider says no.
    own.set({ failCreate: { status: 401, code: 'unauthorized', times: 1 } });
    assert.equal((await generate(prompts.auth))?.state, 'failed');
    own.set({ failCreate: { status: 402, code: 'insufficient_quota', times: 1 } });
    assert.equal((await generate(prompts.quota))?.state, 'failed');
    own.set({ failCreate: { status: 403, code: 'model_access_denied', times: 1 } });
    assert.equal((await generate(prompts.forbidden))?.state, 'failed');
    own.set({ failCreate: { status: 400, code: 'invalid_request', message: 'prompt is required', times: 1 } });
    assert.equal((await generate(prompts.invalid))?.state, 'failed');
    own.set({ failCreate: { status: 429, code: 'rate_limit_exceeded', times: 3, retryAfter: 0 } });
    assert.equal((await generate(prompts.storm))?.state, 'completed');
    own.set({ failCreate: { status: 503, code: 'service_unavailable', times: 8, retryAfter: 0 } });
    assert.equal((await generate(prompts.server))?.state, 'failed');
    own.set({ failCreate: undefined, failPoll: { status: 401, code: 'unauthorized', times: 1 } });
    assert.notEqual((await generate(prompts.pollAuth))?.state, 'completed');
    own.set({ failPoll: { status: 500, code: 'internal_error', times: 2, retryAfter: 0 } });
    assert.equal((await generate(prompts.pollServer))?.state, 'completed');
    own.set({ failPoll: undefined });
    assert.equal((await generate(prompts.taskFailed))?.state, 'failed');

    // Downloads that go wrong.
    own.set({ resultMode: 'html' });
    assert.equal((await generate(prompts.html))?.state, 'failed');
    own.set({ resultMode: 'truncated', resultFailTimes: 1 });
    assert.equal((await generate(prompts.truncated))?.state, 'completed');
    own.set({ resultMode: 'expired', resultFailTimes: undefined });
    assert.equal((await generate(prompts.expired))?.state, 'failed');
    own.set({ resultMode: 'ok' });

    // The network: answers that never arrive whole, and no answer at all.
    own.set({ resetCreate: 1 });
    assert.notEqual((await generate(prompts.reset))?.state, 'completed');
    own.set({ cutCreate: 1 });
    assert.notEqual((await generate(prompts.cut))?.state, 'completed');
    own.set({ invalidJsonCreate: 1 });
    assert.notEqual((await generate(prompts.badJson))?.state, 'completed');
    await pointAt(`http://127.0.0.1:${await closedPort()}`);
    try {
      assert.equal((await generate(prompts.refused))?.state, 'failed');
    } finally {
      await pointAt(own.url);
    }

    // The key from the environment instead of secret storage.
    assert.equal(await vscode.commands.executeCommand('pictor.clearApiKey'), true);
    process.env.EVOLINK_API_KEY = KEY;
    assert.equal((await generate(prompts.fromEnv))?.state, 'completed');
    const fromEnv = own.requests.filter((r) => (r.body as { prompt?: string } | undefined)?.prompt === prompts.fromEnv);
    assert.equal(fromEnv[0]?.headers.authorization, `Bearer ${KEY}`, 'the environment key was not the one sent');
    assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', KEY), true);
    delete process.env.EVOLINK_API_KEY;

    // What the panel shows after all that: the queue with every error, the history.
    const init = await panel({ type: 'ready' });
    assert.ok(init.posted.some((m) => m.type === 'init'));
    await vscode.commands.executeCommand('pictor.showLog');
    assert.ok(summaries.filter((j) => j.error).length >= 10, `too few error paths were reached: ${summaries.map((j) => j.state).join(', ')}`);
  });

  it('the key is in no request but as its Authorization header, and every request stayed on loopback', () => {
    assert.ok(own.requests.length > 20, 'the session sent too few requests to say anything');
    const misplaced: Leak[] = [];
    for (const r of own.requests) {
      const { authorization, ...others } = r.headers;
      misplaced.push(...scanText(`${r.method} ${r.path} (url)`, r.path, NEEDLES));
      misplaced.push(...scanText(`${r.method} ${r.path} (other headers)`, JSON.stringify(others), NEEDLES));
      misplaced.push(...scanText(`${r.method} ${r.path} (body)`, JSON.stringify(r.body ?? ''), NEEDLES));
      if (authorization !== undefined) assert.equal(authorization, `Bearer ${KEY}`);
    }
    assert.deepEqual(misplaced, [], `the key went out in the wrong place:\n${describeLeaks(misplaced)}`);
    assert.ok(own.url.startsWith('http://127.0.0.1:'));
  });

  it('the scan finds the key where it is (positive controls)', () => {
    // A file deep in a hidden folder of the workspace: the real scan below walks the same roots.
    const control = path.join(workspaceRoot().fsPath, 'issue6', 'secrets-control', '.hidden', 'deep', 'x.bin');
    fs.mkdirSync(path.dirname(control), { recursive: true });
    fs.writeFileSync(control, Buffer.concat([randomBytes(64), Buffer.from(`token=${KEY};`), randomBytes(64)]));
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-leak-control-'));
    const wide = path.join(tmp, 'wide.txt');
    fs.writeFileSync(wide, Buffer.from(`key ${KEY}`, 'utf16le'));
    const masked = path.join(tmp, 'masked.log');
    fs.writeFileSync(masked, `Bearer sk-evo-…${SECRET.slice(SECRET.length / 2)}\n`);
    try {
      const inWorkspace = scanDirs([workspaceRoot().fsPath], NEEDLES).leaks.map((l) => l.where);
      assert.ok(inWorkspace.includes(control), 'the scan did not find the key planted in the workspace');
      const found = new Set(scanFiles([wide, masked], NEEDLES).map((l) => l.where));
      assert.deepEqual([...found].sort(), [masked, wide].sort(), 'the scan missed a UTF-16 or a half-masked key');
      assert.equal(scanText('a message', JSON.stringify({ error: `Bad key ${KEY}` }), NEEDLES).length > 0, true);
    } finally {
      fs.rmSync(path.dirname(path.dirname(path.dirname(control))), { recursive: true, force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the key is in no file: logs (at trace level), settings, workspace, user data, global storage, browser profile', async () => {
    const log = pictorLogFile();
    // The logger writes a moment later: the last job's lines must be in the file before it is read.
    const last = summaries[summaries.length - 1]!;
    await waitFor(`Pictor's log to mention job ${last.id}`, () => fs.readFileSync(log, 'utf8').includes(last.id), 15_000);
    const logText = fs.readFileSync(log, 'utf8');
    assert.match(logText, /\[trace\]/, 'the log was not at trace level: the verbose lines were never written');
    assert.match(logText, /\[warning\]|\[error\]/, 'no error path reached the log');

    const user = userDataDir();
    const runRoot = path.dirname(user);
    // The browser profile and code-server's own files sit next to the user data in the launcher's temp folder.
    const extra = ['browser', 'code-server-home', 'server-data'].map((d) => path.join(runRoot, d)).filter((d) => fs.existsSync(d));
    // Pictor's per-user state folder (the claims every face shares) lies wherever the launcher put it.
    const roots = [workspaceRoot().fsPath, user, ...extra, ...(fs.existsSync(stateDir()) ? [stateDir()] : [])];
    const { files, leaks } = scanDirs(roots, NEEDLES);

    // The scan covered what it must have.
    for (const f of [log, ...allPictorLogs()]) assert.ok(files.includes(f), `the scan did not read ${f}`);
    const settings = [path.join(workspaceRoot().fsPath, '.vscode', 'settings.json'), path.join(user, 'User', 'settings.json')];
    assert.ok(files.includes(settings[0]!), 'the workspace settings were not scanned');
    assert.ok(walk(globalStorageDir()).length === 0 || walk(globalStorageDir()).every((f) => files.includes(f)));
    assert.ok(files.some((f) => f.startsWith(path.join(dir, 'images'))), 'the session saved no image the scan could read');

    assert.deepEqual(leaks, [], `the key was found in ${leaks.length} place(s):\n${describeLeaks(leaks)}`);
    const bytes = files.reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
    note(`secrets: ${summaries.length} jobs (${summaries.filter((j) => j.error).length} with an error), ${own.requests.length} requests; scanned ${files.length} files (${Math.round(bytes / 1024)} KiB) and ${seen.length} messages: ${leaks.length} key leaks`);
  });

  it('the key is in no message a command returned or the panel posted to its webview', () => {
    assert.ok(seen.length > 15, 'too few messages were recorded to say anything');
    const leaks = seen.flatMap((s) => scanText(s.where, s.text, NEEDLES));
    assert.deepEqual(leaks, [], `the key was in what the user was shown:\n${describeLeaks(leaks)}`);
  });
});
