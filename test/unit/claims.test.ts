import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClaimRegistry, pidAlive, placeholderClaimKey, realPagePath } from '../../src/core/claims';

describe('ClaimRegistry: one placeholder, one paid task', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'pictor-claims-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a key to the first owner only, until it is released', async () => {
    const a = new ClaimRegistry(dir, 60_000);
    const b = new ClaimRegistry(dir, 60_000); // another window, same shared folder
    assert.equal(await a.acquire('/docs/a.md|![fox]()', 'job-1'), true);
    assert.equal(await b.acquire('/docs/a.md|![fox]()', 'job-2'), false);
    assert.equal((await b.holder('/docs/a.md|![fox]()'))?.owner, 'job-1');
    assert.equal(await b.acquire('/docs/a.md|![cat]()', 'job-3'), true, 'another placeholder is free');
    await b.release('/docs/a.md|![fox]()', 'job-2'); // not the holder: no effect
    assert.equal(await b.acquire('/docs/a.md|![fox]()', 'job-2'), false);
    await a.release('/docs/a.md|![fox]()', 'job-1');
    assert.equal(await b.acquire('/docs/a.md|![fox]()', 'job-2'), true);
  });

  it('lets the same owner take its claim again (a resume after a reload)', async () => {
    const a = new ClaimRegistry(dir, 60_000);
    assert.equal(await a.acquire('k', 'job-1'), true);
    assert.equal(await new ClaimRegistry(dir, 60_000).acquire('k', 'job-1'), true);
  });

  it('takes over a claim that is stale or unreadable (its window died)', async () => {
    let now = 1_000_000;
    const a = new ClaimRegistry(dir, 10_000, () => now);
    assert.equal(await a.acquire('k', 'job-1'), true);
    now += 5_000;
    assert.equal(await a.acquire('k', 'job-2'), false);
    now += 6_000;
    assert.equal(await a.acquire('k', 'job-2'), true);
    const [file] = readdirSync(dir);
    writeFileSync(path.join(dir, file!), '{half');
    assert.equal(await a.acquire('k', 'job-3'), false, 'a claim being written right now is respected');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path.join(dir, file!), old, old);
    assert.equal(await a.acquire('k', 'job-3'), true, 'a half-written claim left long ago is taken over');
  });

  it('decides races between concurrent acquirers: exactly one wins', async () => {
    const regs = Array.from({ length: 8 }, () => new ClaimRegistry(dir, 60_000));
    const wins = await Promise.all(regs.map((r, i) => r.acquire('race', `job-${i}`)));
    assert.equal(wins.filter(Boolean).length, 1);
  });

  // Issue 10 item 9: two windows that both find the same abandoned claim must not both take it over.
  it('a stale claim is taken over by exactly one of the windows racing for it (300 trials)', async () => {
    let now = 1_000_000;
    const clock = () => now;
    let doubles = 0;
    for (let trial = 0; trial < 300; trial++) {
      const key = `stale-${trial}`;
      now = 1_000_000;
      assert.equal(await new ClaimRegistry(dir, 10_000, clock).acquire(key, 'dead-window-job'), true);
      now += 20_000; // the claim is stale now
      const racers = Array.from({ length: 3 }, () => new ClaimRegistry(dir, 10_000, clock));
      const wins = await Promise.all(racers.map((r, i) => r.acquire(key, `job-${trial}-${i}`)));
      if (wins.filter(Boolean).length !== 1) doubles++;
      // Whoever won holds it, and a fourth window now sees it held.
      assert.equal(await new ClaimRegistry(dir, 10_000, clock).acquire(key, 'late-window'), false);
    }
    assert.equal(doubles, 0, `${doubles} of 300 trials had more (or fewer) than one winner`);
  });

  it('an error while claiming counts as not acquired (and is told)', async () => {
    const blocked = path.join(dir, 'not-a-folder');
    writeFileSync(blocked, 'a file where the claims folder should be');
    const errors: Error[] = [];
    const r = new ClaimRegistry(path.join(blocked, 'claims'), 60_000, Date.now, { onError: (e) => errors.push(e) });
    assert.equal(await r.acquire('k', 'job-1'), false);
    const c = await r.claim('k', 'job-1');
    assert.equal(c.result, 'failed');
    assert.equal(errors.length, 2);
  });

  it('on start, releases claims of dead processes that no live job owns; keeps live ones', async () => {
    const dead = 999_999_999;
    const write = (name: string, info: object) => writeFileSync(path.join(dir, name), JSON.stringify(info));
    const reg = new ClaimRegistry(dir, 24 * 3600_000, Date.now, { pidAlive: (pid) => pid !== dead });
    assert.equal(await reg.acquire('orphan', 'reloaded-job'), true);
    assert.equal(await reg.acquire('resumed', 'resumed-job'), true);
    assert.equal(await reg.acquire('other-window', 'other-job'), true);
    // Rewrite the first two as left by a process that is gone; the third belongs to a live window.
    for (const f of readdirSync(dir)) {
      const info = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { owner: string };
      if (info.owner !== 'other-job') write(f, { ...info, pid: dead });
      else write(f, { ...info, pid: 1 });
    }
    writeFileSync(path.join(dir, 'left.claim.abc.takeover'), '1');
    const old = new Date(Date.now() - 120_000);
    utimesSync(path.join(dir, 'left.claim.abc.takeover'), old, old);

    const released = await reg.releaseOrphans((owner) => owner === 'resumed-job');
    assert.equal(released, 1);
    const other = new ClaimRegistry(dir, 24 * 3600_000);
    assert.equal(await other.acquire('orphan', 'new-job'), true, 'the orphaned claim still blocks the placeholder');
    assert.equal(await other.acquire('resumed', 'new-job'), false, 'a resumed job lost its claim');
    assert.equal(await other.acquire('other-window', 'new-job'), false, 'a live window lost its claim');
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.takeover')), 'an old takeover mark was left');
  });

  it('creates its folder, and the state folder above it, for this user only (0700; claims 0600)', async function () {
    if (process.platform === 'win32') this.skip(); // no POSIX modes: the folder is the user's own there
    const state = path.join(dir, 'state');
    const r = new ClaimRegistry(path.join(state, 'claims'), 60_000);
    assert.equal(await r.acquire('k', 'job-1'), true);
    assert.equal(statSync(state).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(state, 'claims')).mode & 0o777, 0o700);
    for (const f of readdirSync(path.join(state, 'claims'))) assert.equal(statSync(path.join(state, 'claims', f)).mode & 0o777, 0o600, f);
  });

  it('a claim taken on another computer (a shared home) is never released as an orphan here', async () => {
    const dead = 999_999_999;
    const here = new ClaimRegistry(dir, 24 * 3600_000, Date.now, { pidAlive: (pid) => pid !== dead, host: 'this-laptop' });
    const there = new ClaimRegistry(dir, 24 * 3600_000, Date.now, { host: 'build-box' });
    assert.equal(await there.acquire('theirs', 'their-job'), true);
    assert.equal(await here.acquire('mine', 'my-job'), true);
    for (const f of readdirSync(dir)) {
      const info = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as object;
      writeFileSync(path.join(dir, f), JSON.stringify({ ...info, pid: dead }));
    }
    assert.equal(await here.releaseOrphans(() => false), 1);
    assert.equal((await here.holder('theirs'))?.owner, 'their-job', 'the other computer\'s claim was released: its pid means nothing here');
    assert.equal(await here.holder('mine'), undefined);
  });
});

describe('claim keys: one name for a placeholder, whichever path a face opened its page by', () => {
  let dir: string;
  beforeEach(() => { dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'pictor-keys-'))); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a page reached through a symbolic link (a linked workspace, a linked page) has its real path\'s key', async function () {
    const real = path.join(dir, 'docs');
    mkdirSync(real);
    writeFileSync(path.join(real, 'a.md'), '![a fox]()\n');
    try {
      symlinkSync(real, path.join(dir, 'linked-docs'), 'junction');
      symlinkSync(path.join(real, 'a.md'), path.join(dir, 'linked-a.md'));
    } catch (e) {
      if (process.platform === 'win32') this.skip(); // symbolic links need a privilege on Windows
      throw e;
    }
    const plain = await placeholderClaimKey(path.join(real, 'a.md'), '![a fox]()');
    assert.equal(plain, `${path.join(real, 'a.md')}|![a fox]()`);
    assert.equal(await placeholderClaimKey(path.join(dir, 'linked-docs', 'a.md'), '![a fox]()'), plain);
    assert.equal(await placeholderClaimKey(path.join(dir, 'linked-a.md'), '![a fox]()'), plain);
    assert.equal(await placeholderClaimKey(path.join(real, '..', 'docs', '.', 'a.md'), '![a fox]()'), plain);
    assert.notEqual(await placeholderClaimKey(path.join(real, 'a.md'), '![a cat]()'), plain, 'another placeholder, another key');
    // So a claim taken by a face that opened the linked folder holds the placeholder for one that opened the real one.
    const claims = path.join(dir, 'claims');
    assert.equal(await new ClaimRegistry(claims, 60_000).acquire(await placeholderClaimKey(path.join(dir, 'linked-docs', 'a.md'), '![a fox]()'), 'job-1'), true);
    assert.equal(await new ClaimRegistry(claims, 60_000).acquire(plain, 'job-2'), false);
  });

  it('a relative path is taken from the current folder, as a terminal face gets it', async () => {
    writeFileSync(path.join(dir, 'b.md'), '![x]()\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(await placeholderClaimKey('b.md', '![x]()'), `${path.join(dir, 'b.md')}|![x]()`);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a page not on disk is named by its folder\'s real path; a missing folder by the path as given', async () => {
    mkdirSync(path.join(dir, 'real'));
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'), 'junction');
    assert.equal(await realPagePath(path.join(dir, 'link', 'new.md')), path.join(dir, 'real', 'new.md'));
    assert.equal(await realPagePath(path.join(dir, 'gone', 'new.md')), path.join(dir, 'gone', 'new.md'));
  });

  it('on a file system that ignores case, the case as the file system reports it', async function () {
    writeFileSync(path.join(dir, 'Page.md'), '![x]()\n');
    const other = path.join(path.dirname(dir), path.basename(dir).toUpperCase(), 'PAGE.MD');
    if (!existsSync(other)) this.skip(); // a file system that tells case apart: two spellings are two pages
    assert.equal(await realPagePath(other), path.join(dir, 'Page.md'));
  });
});

describe('pidAlive: whether a claim\'s or a stored job\'s runner still runs', () => {
  it('a killed process its parent has not reaped (a zombie) is not alive, though it still answers signal 0', async function () {
    if (process.platform !== 'linux') this.skip();
    // The shell prints its background child's pid and becomes `sleep`, which never reaps that child.
    const { spawn } = await import('node:child_process');
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zpid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
      const state = () => { const s = readFileSync(`/proc/${zpid}/stat`, 'latin1'); return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3); };
      for (let i = 0; i < 500 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(state(), 'Z', 'the child never became a zombie');
      assert.doesNotThrow(() => process.kill(zpid, 0), 'signal 0 reaches it');
      assert.equal(pidAlive(zpid), false);
      assert.equal(pidAlive(parent.pid!), true, 'its living parent is alive');
      assert.equal(pidAlive(process.pid), true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
