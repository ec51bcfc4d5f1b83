// The page locks every face of Pictor takes while it writes a page (core/pageLocks.ts): writes of one
// page never overlap, within a process or across processes; a lock left by a face that died goes
// stale; a writer never waits for one for ever. And the files workspace takes them: many faces
// filling one page at once all land.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FilesWorkspace, identityOf } from '../../src/core/filesWorkspace';
import { PAGE_LOCK_STALE_MS, PageLocks } from '../../src/core/pageLocks';
import { scanMarkdown } from '../../src/core/placeholders';

let dir: string;
let locksDir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-page-locks-'));
  locksDir = path.join(dir, 'state', 'locks');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A child Node process holding the lock of `page` (the compiled module) until its stdin closes or it is killed; resolves once it holds it. */
async function holderProcess(page: string): Promise<{ kill: () => void; release: () => Promise<void> }> {
  const mod = path.join(__dirname, '..', '..', 'src', 'core', 'pageLocks.js');
  const script = `const { PageLocks } = require(${JSON.stringify(mod)});
new PageLocks(${JSON.stringify(locksDir)}).hold(${JSON.stringify(page)}, (held) => new Promise((resolve) => {
  process.stdout.write(held ? 'held\\n' : 'not held\\n');
  process.stdin.on('end', resolve);
  process.stdin.resume();
})).then(() => process.stdout.write('released\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    for (const w of waiters.splice(0)) w();
  });
  const said = (line: string) => new Promise<void>((resolve, reject) => {
    const check = () => (lines.includes(line) ? resolve() : lines.some((l) => l !== 'held' && l !== 'released') ? reject(new Error(lines.join('; '))) : waiters.push(check));
    child.once('exit', () => (lines.includes(line) ? resolve() : reject(new Error(`the holder exited: ${lines.join('; ')}`))));
    check();
  });
  await said('held');
  return { kill: () => child.kill('SIGKILL'), release: async () => { child.stdin.end(); await said('released'); } };
}

describe('page locks (unit, real files, real processes)', () => {
  it('two faces\' writes of one page never overlap, and each holds the lock', async () => {
    const page = path.join(dir, 'page.md');
    const faces = [new PageLocks(locksDir), new PageLocks(locksDir)];
    let inside = 0;
    let most = 0;
    const helds: boolean[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => faces[i % 2]!.hold(page, async (held) => {
      helds.push(held);
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    })));
    assert.equal(most, 1, 'two writes of the page ran at once');
    assert.deepEqual(helds, Array(10).fill(true));
    assert.deepEqual(await fs.readdir(locksDir), [], 'a lock was left behind');
  });

  it('different pages do not wait for each other', async () => {
    const locks = new PageLocks(locksDir);
    let release!: () => void;
    let entered!: () => void;
    const firstIn = new Promise<void>((r) => { entered = r; });
    const first = locks.hold(path.join(dir, 'a.md'), () => { entered(); return new Promise<void>((r) => { release = r; }); });
    await firstIn;
    const second = await locks.hold(path.join(dir, 'b.md'), async (held) => held);
    assert.equal(second, true);
    release();
    await first;
  });

  it('another process holding the page (by another path to it) is waited for; then the lock is this one\'s', async () => {
    const page = path.join(dir, 'page.md');
    await fs.writeFile(page, 'x');
    const other = path.join(dir, 'link.md');
    await fs.symlink(page, other);
    const holder = await holderProcess(other);
    let entered = false;
    const mine = new PageLocks(locksDir).hold(page, async (held) => { entered = true; return held; });
    // The child holds it until told: nothing here may enter meanwhile. The child is told only after
    // this side has tried (claim attempts run every few milliseconds).
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(entered, false, 'entered while another process held the page');
    await holder.release();
    assert.equal(await mine, true);
  });

  it('a lock left by a process that died while writing is taken over once it is stale', async () => {
    const page = path.join(dir, 'page.md');
    const holder = await holderProcess(page);
    holder.kill();
    // Soon after, the lock still counts (a write takes this long at most) …
    const soon = await new PageLocks(locksDir, { waitMs: 50 }).hold(page, async (held) => held);
    assert.equal(soon, false);
    // … and once stale it is taken over at once.
    const later = new PageLocks(locksDir, { now: () => Date.now() + PAGE_LOCK_STALE_MS + 1_000, waitMs: 0 });
    assert.equal(await later.hold(page, async (held) => held), true);
  });

  it('a writer waits at most waitMs for a lock that stays held, then goes ahead told it holds none', async () => {
    const page = path.join(dir, 'page.md');
    const locks = new PageLocks(locksDir, { waitMs: 80 });
    let release!: () => void;
    let entered!: (held: boolean) => void;
    const firstHeld = new Promise<boolean>((r) => { entered = r; });
    const first = locks.hold(page, (held) => { entered(held); return new Promise<void>((r) => { release = r; }); });
    assert.equal(await firstHeld, true);
    assert.equal(await locks.hold(page, async (held) => held), false);
    release();
    await first;
    // The first one's lock is gone with it.
    assert.equal(await locks.hold(page, async (held) => held), true);
  });

  it('a lock that cannot be taken (its folder cannot be made) is an error told, and the write goes ahead without it', async () => {
    const blocked = path.join(dir, 'file-not-folder');
    await fs.writeFile(blocked, '');
    const errors: string[] = [];
    const locks = new PageLocks(path.join(blocked, 'locks'), { onError: (e) => errors.push(e.message) });
    assert.equal(await locks.hold(path.join(dir, 'page.md'), async (held) => held), false);
    assert.equal(errors.length, 1, errors.join('; '));
  });

  it('files workspaces of eight faces fill eight placeholders of one page at once: every link lands', async () => {
    const prompts = Array.from({ length: 8 }, (_, i) => `picture ${i}`);
    const text = `# Page\n\n${prompts.map((p) => `![${p}]()`).join('\n\n')}\n`;
    const page = path.join(dir, 'page.md');
    await fs.writeFile(page, text);
    const all = scanMarkdown(text).placeholders;
    const results = await Promise.all(prompts.map((p, i) => {
      const face = new FilesWorkspace(new PageLocks(locksDir));
      return face.fill(page, identityOf(text, all[i]!, all), p, [`images/${i}.png`]);
    }));
    assert.deepEqual(results.map((r) => r.ok), Array(8).fill(true), JSON.stringify(results.filter((r) => !r.ok)));
    const after = await fs.readFile(page, 'utf8');
    for (const [i, p] of prompts.entries()) assert.ok(after.includes(`![${p}](images/${i}.png)`), after);
  });
});
