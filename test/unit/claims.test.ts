import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClaimRegistry } from '../../src/core/claims';

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
});
