// Issue 10 item 9 at the user's layer: when the claim (the cross-window lock on a placeholder) cannot
// be written, the placeholder is not sent, and the user is told why. The old code counted such an
// error as "acquired" and sent it.
// Issue 20 item 4: the claims are shared by every face of Pictor, not only VS Code windows: a plain
// Node process (as the terminal command and the agent server are) that holds a placeholder stops this
// window from sending it, and sees the claim this window holds while it generates one.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, waitFor } from './helpers';
import { createsFor } from './fakeControl';
import { globalStorageDir, logMark, sharedClaimsDir, stateDir, waitForLog } from './hostFiles';
import { freshDir, onDisk, placeholderAt, runCommand, writePage, type JobSummary } from './pages';

/** A notification a run showed (recorded by the test host: pictor._test.notices). */
interface Notice { severity: string; message: string; items: string[] }

describe('safety: claims between windows (issue 10 item 9)', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  // The folder every face shares, and (until the release after 0.3) the one windows of Pictor 0.2 use.
  const folders: [string, () => string][] = [
    ['the shared state folder', () => sharedClaimsDir()],
    ['the folder of Pictor 0.2 (global storage)', () => path.join(globalStorageDir(), 'claims')],
  ];
  for (const [name, folder] of folders) {
    it(`a claim that cannot be written in ${name}: nothing is sent, the page is left alone, the user is told`, async () => {
      const claims = folder();
      const aside = `${claims}.aside-${process.pid}`;
      const had = fs.existsSync(claims);
      if (had) fs.renameSync(claims, aside);
      fs.mkdirSync(path.dirname(claims), { recursive: true });
      fs.writeFileSync(claims, 'a file where the claims folder should be');
      try {
        const dir = freshDir(`safety/claim-error-${folders.findIndex(([n]) => n === name)}`);
        const prompt = 'a cracked teacup, when claims fail';
        const original = `# Claims\n\n![${prompt}]()\n`;
        const doc = writePage(dir, original);
        const mark = logMark();
        await vscode.commands.executeCommand('pictor._test.notices');
        const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a cracked teacup'));
        assert.deepEqual(jobs, []);
        assert.equal((await createsFor(prompt)).length, 0, 'the placeholder was sent although its claim could not be written');
        assert.equal(onDisk(doc), original);
        await waitForLog(mark, /could not record .* so they were not sent/);
        // The command tells it in a notification (issue 20: the run's report, rendered by the command face).
        const told = await vscode.commands.executeCommand<Notice[]>('pictor._test.notices');
        assert.deepEqual(told.map((n) => n.severity), ['error'], JSON.stringify(told));
        assert.match(told[0]!.message, /^Pictor: could not record in its storage folder that this window is generating 1 placeholder\(s\) \(.+\), so they were not sent/);

        // An agent's call for the same placeholder is refused the same way: its answer says why (the
        // report's words, not "the notification says why"), and it shows no notification.
        const r = await vscode.lm.invokeTool('pictor_generateImage',
          { input: { prompt, document: vscode.workspace.asRelativePath(doc), placeholder: prompt }, toolInvocationToken: undefined });
        const text = r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
        assert.match(text, /^Nothing was sent: Pictor could not record that it is generating it \(.+\), so it was not sent: another window could otherwise bill it twice\./);
        assert.deepEqual(await vscode.commands.executeCommand<Notice[]>('pictor._test.notices'), [], 'a tool call showed a notification');
        assert.equal((await createsFor(prompt)).length, 0, 'the tool sent the placeholder although its claim could not be written');
        assert.equal(onDisk(doc), original);
      } finally {
        fs.rmSync(claims, { force: true });
        if (had) fs.renameSync(aside, claims);
      }
    });
  }
});

/**
 * Another face of Pictor on this computer: a plain Node process using the core's claims (as built in
 * out/src/core), the state folder from the same environment, given the page by the path it was given.
 */
class OtherFace {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: (() => void) | undefined;

  constructor() {
    const core = path.join(__dirname, '..', '..', 'src', 'core');
    const script = `
      const { CLAIM_STALE_MS, ClaimRegistry, placeholderClaimKey } = require(${JSON.stringify(path.join(core, 'claims.js'))});
      const { claimsDir } = require(${JSON.stringify(path.join(core, 'stateDir.js'))});
      const claims = new ClaimRegistry(claimsDir(), CLAIM_STALE_MS);
      const say = (v) => process.stdout.write(JSON.stringify(v) + '\\n');
      say({ ready: true, dir: claimsDir(), pid: process.pid });
      const answer = async (line) => {
        const { op, page, source, owner } = JSON.parse(line);
        const key = await placeholderClaimKey(page, source);
        if (op === 'acquire') say({ acquired: await claims.acquire(key, owner) });
        else if (op === 'release') { await claims.release(key, owner); say({ released: true }); }
        else say({ holder: (await claims.holder(key)) ?? null });
      };
      let last = Promise.resolve();
      require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => { last = last.then(() => answer(line)); });`;
    // In a desktop host process.execPath is Electron: as Node, then. The environment is this host's (PICTOR_STATE_DIR).
    this.child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'pipe' });
    let buffered = '';
    this.child.stdout.on('data', (b: Buffer) => {
      buffered += b.toString('utf8');
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        this.lines.push(buffered.slice(0, i));
        buffered = buffered.slice(i + 1);
      }
      this.waiting?.();
    });
    let err = '';
    this.child.stderr.on('data', (b: Buffer) => { err += b.toString('utf8'); });
    this.child.on('exit', (code) => {
      if (code) this.lines.push(JSON.stringify({ exited: code, err }));
      this.waiting?.();
    });
  }

  async next<T>(): Promise<T> {
    const until = Date.now() + 20_000;
    while (!this.lines.length) {
      if (Date.now() > until) throw new Error('the other face did not answer within 20 s');
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 500);
      });
    }
    const v = JSON.parse(this.lines.shift()!) as T & { exited?: number; err?: string };
    if (v.exited !== undefined) throw new Error(`the other face exited with ${v.exited}: ${v.err}`);
    return v;
  }

  async ask<T>(op: 'acquire' | 'release' | 'holder', page: string, source: string, owner = 'terminal-job'): Promise<T> {
    this.child.stdin.write(JSON.stringify({ op, page, source, owner }) + '\n');
    return this.next<T>();
  }

  stop(): void {
    this.child.kill();
  }
}

describe('claims shared by every face (issue 20 item 4)', function () {
  this.timeout(60_000);
  let face: OtherFace;
  before(async () => {
    face = new OtherFace();
    const ready = await face.next<{ ready: boolean; dir: string; pid: number }>();
    // The same folder, found by the same function from the same environment: never the real home's.
    assert.equal(ready.dir, sharedClaimsDir());
    assert.ok(ready.dir.startsWith(stateDir()));
    assert.notEqual(ready.pid, process.pid);
  });
  after(() => face?.stop());
  afterEach(closeAllEditors);

  /** The page, and the same page through a symbolic link to its folder (the path the other face is given). */
  function pages(rel: string, text: string): { doc: vscode.Uri; linked: string } {
    const dir = freshDir(rel);
    const doc = writePage(dir, text);
    const link = `${dir}-linked`;
    fs.rmSync(link, { force: true, recursive: true });
    fs.symlinkSync(dir, link, 'junction');
    return { doc, linked: path.join(link, path.basename(doc.fsPath)) };
  }

  it('a placeholder another face holds: nothing is sent, the page is left alone; once it lets go, this window sends it once', async function () {
    const prompt = 'a lighthouse keeper\'s kettle';
    const source = `![${prompt}]()`;
    const original = `# Faces\n\n${source}\n`;
    let p: { doc: vscode.Uri; linked: string };
    try {
      p = pages('faces/held', original);
    } catch (e) {
      if (process.platform === 'win32') this.skip(); // symbolic links need a privilege on Windows
      throw e;
    }
    const { doc, linked } = p;
    assert.deepEqual(await face.ask('acquire', linked, source), { acquired: true });
    let released = false;
    try {
      const mark = logMark();
      const jobs = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a lighthouse keeper'));
      assert.deepEqual(jobs, [], 'a job was started for a placeholder another face holds');
      assert.equal((await createsFor(prompt)).length, 0, 'a create was sent for a placeholder another face holds');
      assert.equal(onDisk(doc), original);
      await waitForLog(mark, /another (VS Code )?window/i);
      assert.deepEqual(await face.ask('release', linked, source), { released: true });
      released = true;
    } finally {
      if (!released) await face.ask('release', linked, source);
    }
    const [job] = await runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a lighthouse keeper'));
    assert.equal(job?.state, 'completed', job?.error);
    assert.equal((await createsFor(prompt)).length, 1);
  });

  it('while this window generates a placeholder, another face sees its claim and cannot take it', async function () {
    const prompt = 'a ship in a bottle on a sill [slow:400]';
    const source = `![${prompt}]()`;
    let p: { doc: vscode.Uri; linked: string };
    try {
      p = pages('faces/mine', `# Mine\n\n${source}\n`);
    } catch (e) {
      if (process.platform === 'win32') this.skip();
      throw e;
    }
    const { doc, linked } = p;
    const running = runCommand<JobSummary[]>('pictor.generatePlaceholder', doc, placeholderAt(doc, 'a ship in a bottle'));
    await waitFor(`the task for "${prompt}" to be created`, async () => (await createsFor(prompt)).length > 0, 20_000);
    const { holder } = await face.ask<{ holder: { owner: string; pid: number } | null }>('holder', linked, source);
    assert.ok(holder, 'another face does not see the claim of a placeholder this window is generating');
    assert.equal(holder.pid, process.pid, 'the claim is not this extension host\'s');
    assert.ok(holder.owner.startsWith(`${vscode.env.sessionId}:`), `the claim's owner ${holder.owner} is not this window's`);
    const got = await face.ask<{ acquired: boolean }>('acquire', linked, source);
    if (got.acquired) await face.ask('release', linked, source);
    assert.deepEqual(got, { acquired: false }, 'another face could claim a placeholder this window is generating');
    const [job] = await running;
    assert.equal(job?.state, 'completed', job?.error);
    assert.equal((await createsFor(prompt)).length, 1);
    assert.deepEqual(await face.ask('holder', linked, source), { holder: null }, 'the claim was not released once the image was linked');
  });
});
