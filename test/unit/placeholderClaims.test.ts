// The extension's claims (src/vscode/state/placeholderClaims.ts): taken in the per-user folder every face
// shares, keyed by the page's real path, and for one release also where Pictor 0.2 kept them, so
// neither a terminal face nor a window still running 0.2 sends what this window is generating.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { ClaimRegistry, placeholderClaimKey } from '../../src/core/claims';
import { PlaceholderClaims } from '../../src/vscode/state/placeholderClaims';

/** A TextDocument as far as the claims look at it: its file's path as the window opened it. */
function docAt(fsPath: string): vscode.TextDocument {
  return { uri: { scheme: 'file', fsPath, toString: () => `file://${fsPath}` } } as unknown as vscode.TextDocument;
}

describe('the extension\'s claims: shared with every face, and with windows of Pictor 0.2', () => {
  let dir: string;
  let shared: string;
  let legacy: string;
  let page: string;
  let linked: string;
  const source = '![a fox]()';
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'pictor-pclaims-')));
    shared = path.join(dir, 'state', 'claims');
    legacy = path.join(dir, 'globalStorage', 'claims');
    mkdirSync(path.join(dir, 'docs'));
    page = path.join(dir, 'docs', 'a.md');
    writeFileSync(page, `${source}\n`);
    // The window opened the workspace through a symbolic link; a terminal face is given the real path.
    symlinkSync(path.join(dir, 'docs'), path.join(dir, 'linked'), 'junction');
    linked = path.join(dir, 'linked', 'a.md');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const windowClaims = () => new PlaceholderClaims(new ClaimRegistry(shared, 60_000), new ClaimRegistry(legacy, 60_000));
  /** A terminal face or agent server: the shared folder only, the page by whatever path it was given. */
  const terminal = () => new ClaimRegistry(shared, 60_000);
  /** A window still running 0.2: its profile's folder only, the page by the path it opened. */
  const oldWindow = () => new ClaimRegistry(legacy, 60_000);

  it('names the claim by the page\'s real path in the shared folder, and as 0.2 did in the old one', async () => {
    const ref = await windowClaims().ref(docAt(linked), source, 'job-1');
    assert.deepEqual(ref, { key: `${page}|${source}`, owner: 'job-1', legacyKey: `${linked}|${source}` });
  });

  it('a claim this window takes is seen by a terminal face and by a 0.2 window', async () => {
    const w = windowClaims();
    const ref = await w.ref(docAt(linked), source, 'job-1');
    assert.equal((await w.claim(ref)).result, 'acquired');
    assert.equal(await terminal().acquire(await placeholderClaimKey(page, source), 'cli-job'), false, 'a terminal face could claim it');
    assert.equal(await oldWindow().acquire(`${linked}|${source}`, 'old-job'), false, 'a 0.2 window could claim it');
    await w.release(ref);
    assert.deepEqual(readdirSync(shared), []);
    assert.deepEqual(readdirSync(legacy), []);
  });

  it('a placeholder a terminal face holds is not taken, and nothing is left in the old folder', async () => {
    assert.equal(await terminal().acquire(await placeholderClaimKey(page, source), 'cli-job'), true);
    const w = windowClaims();
    assert.equal((await w.claim(await w.ref(docAt(linked), source, 'job-1'))).result, 'held');
    assert.equal((await w.holder(docAt(linked), source))?.owner, 'cli-job');
    assert.equal(await oldWindow().acquire(`${linked}|${source}`, 'old-job'), true, 'the old folder was claimed for nothing');
  });

  it('a placeholder a 0.2 window holds is not taken, and the shared claim is let go again', async () => {
    assert.equal(await oldWindow().acquire(`${linked}|${source}`, 'old-job'), true);
    const w = windowClaims();
    assert.equal((await w.claim(await w.ref(docAt(linked), source, 'job-1'))).result, 'held');
    assert.equal((await w.holder(docAt(linked), source))?.owner, 'old-job');
    assert.equal(await terminal().acquire(await placeholderClaimKey(page, source), 'cli-job'), true, 'the shared claim was kept for a placeholder not sent');
  });

  it('an old folder that cannot be written: not acquired, and the shared claim is let go', async () => {
    mkdirSync(path.dirname(legacy), { recursive: true });
    writeFileSync(legacy, 'a file where the folder should be');
    const w = windowClaims();
    const c = await w.claim(await w.ref(docAt(page), source, 'job-1'));
    assert.equal(c.result, 'failed');
    assert.equal(await terminal().acquire(await placeholderClaimKey(page, source), 'cli-job'), true);
  });

  it('a job of 0.2 resumed after the update takes its claim again in the old folder, by its key', async () => {
    const old = { key: `${linked}|${source}`, owner: 'job-of-0.2' };
    await windowClaims().acquire(old);
    assert.equal(await oldWindow().acquire(old.key, 'old-job'), false);
    await windowClaims().release(old);
    assert.equal(await oldWindow().acquire(old.key, 'old-job'), true);
  });
});
