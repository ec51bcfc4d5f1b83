// The file gates of issue 18: a file read for upload is opened once and checked as opened
// (openInside); files written, moved or deleted lie inside the folder at the moment of the
// operation (targetInside). On real files in a temporary folder, symbolic links included.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openInside, targetInside } from '../../src/core/paths';

const symlinks = process.platform !== 'win32';

describe('file gates (issue 18)', () => {
  let root: string;
  let ws: string;
  let outsideDir: string;

  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-gates-')));
    ws = path.join(root, 'ws');
    outsideDir = path.join(root, 'outside');
    fs.mkdirSync(path.join(ws, 'images'), { recursive: true });
    fs.mkdirSync(outsideDir);
    fs.writeFileSync(path.join(ws, 'images', 'a.png'), 'inside bytes');
    fs.writeFileSync(path.join(outsideDir, 'secret.png'), 'outside bytes');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('openInside: the file opened is the file checked', () => {
    it('a file inside: open, with its real path and size; reads go through the handle even after the path is swapped', async function () {
      if (!symlinks) this.skip();
      const file = path.join(ws, 'images', 'a.png');
      const r = await openInside(file, [ws]);
      assert.ok(r.ok);
      try {
        assert.equal(r.real, file);
        assert.equal(r.size, 'inside bytes'.length);
        fs.rmSync(file);
        fs.symlinkSync(path.join(outsideDir, 'secret.png'), file);
        const buf = Buffer.alloc(r.size);
        await r.handle.read(buf, 0, r.size, 0);
        assert.equal(buf.toString(), 'inside bytes');
      } finally {
        await r.handle.close();
      }
    });

    it('a link inside the workspace to a file outside: refused as outside, nothing left open', async function () {
      if (!symlinks) this.skip();
      const link = path.join(ws, 'images', 'leak.png');
      fs.symlinkSync(path.join(outsideDir, 'secret.png'), link);
      const r = await openInside(link, [ws]);
      assert.deepEqual(r, { ok: false, reason: 'outside', real: path.join(outsideDir, 'secret.png') });
    });

    it('a folder on the way that is a link out of the workspace: outside', async function () {
      if (!symlinks) this.skip();
      fs.symlinkSync(outsideDir, path.join(ws, 'shared'));
      const r = await openInside(path.join(ws, 'shared', 'secret.png'), [ws]);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'outside');
    });

    it('a missing file, a relative path, a folder', async () => {
      assert.deepEqual(await openInside(path.join(ws, 'nope.png'), [ws]), { ok: false, reason: 'missing' });
      assert.deepEqual(await openInside('images/a.png', [ws]), { ok: false, reason: 'outside' });
      const dir = await openInside(path.join(ws, 'images'), [ws]);
      // Windows does not open a folder as a file at all.
      assert.equal(!dir.ok && dir.reason, process.platform === 'win32' ? 'missing' : 'notFile');
    });
  });

  describe('targetInside: what is written, moved or deleted lies inside the folder at that moment', () => {
    it('a file to move or delete: inside, missing, or outside through a link (of the file or of a folder on the way)', async function () {
      const a = path.join(ws, 'images', 'a.png');
      assert.deepEqual(await targetInside(a, ws, 'existing'), { ok: true, real: a });
      assert.deepEqual(await targetInside(path.join(ws, 'gone.png'), ws, 'existing'), { ok: false, reason: 'missing' });
      assert.deepEqual(await targetInside(path.join(ws, '..', 'outside', 'secret.png'), ws, 'existing'),
        { ok: false, reason: 'outside', real: path.join(outsideDir, 'secret.png') });
      if (!symlinks) return;
      fs.symlinkSync(path.join(outsideDir, 'secret.png'), path.join(ws, 'images', 'leak.png'));
      fs.symlinkSync(outsideDir, path.join(ws, 'shared'));
      for (const p of [path.join(ws, 'images', 'leak.png'), path.join(ws, 'shared', 'secret.png')]) {
        assert.deepEqual(await targetInside(p, ws, 'existing'), { ok: false, reason: 'outside', real: path.join(outsideDir, 'secret.png') }, p);
      }
      // A workspace opened through a link is still the workspace.
      fs.symlinkSync(ws, path.join(root, 'ws-link'));
      assert.equal((await targetInside(path.join(root, 'ws-link', 'images', 'a.png'), path.join(root, 'ws-link'), 'existing')).ok, true);
    });

    it('a file to create: inside (folders still to be made included), never where something already is', async () => {
      assert.deepEqual(await targetInside(path.join(ws, 'images', 'b.png'), ws, 'new'), { ok: true, real: path.join(ws, 'images', 'b.png') });
      assert.deepEqual(await targetInside(path.join(ws, 'new', 'deeper', 'b.png'), ws, 'new'), { ok: true, real: path.join(ws, 'new', 'deeper', 'b.png') });
      assert.deepEqual(await targetInside(path.join(ws, 'images', 'a.png'), ws, 'new'), { ok: false, reason: 'exists' });
      assert.equal((await targetInside(path.join(root, 'elsewhere', 'b.png'), ws, 'new')).ok, false);
      assert.equal((await targetInside('relative/b.png', ws, 'new')).ok, false);
    });

    it('a folder made by another write at the same moment is a folder inside, never a link that leads nowhere', async () => {
      // Images of one batch placed at once into folders none of them found: the other image's mkdir lands
      // right after this check looked for the folder (realpath: missing) and before it looked again (lstat:
      // there). The gate once read that as a link that leads nowhere, and refused a folder inside.
      const fsp = require('node:fs/promises') as { realpath: (p: string) => Promise<string> };
      const realpath = fsp.realpath;
      const images = path.join(ws, 'fresh');
      let raced = 0;
      fsp.realpath = async (p: string) => {
        if (p === images && raced++ === 0) {
          const missing = await realpath(p).then(() => undefined, (e: unknown) => e);
          fs.mkdirSync(path.join(images, 'day one'), { recursive: true });
          if (missing) throw missing;
        }
        return realpath(p);
      };
      try {
        assert.deepEqual(await targetInside(path.join(images, 'day one'), ws, 'new'), { ok: true, real: path.join(images, 'day one') });
        assert.equal(raced, 2, 'the race was not staged');
      } finally {
        fsp.realpath = realpath;
      }
    });

    it('a file to create through a linked folder that leads out, or through a link that leads nowhere: refused', async function () {
      if (!symlinks) this.skip();
      fs.symlinkSync(outsideDir, path.join(ws, 'shared'));
      assert.deepEqual(await targetInside(path.join(ws, 'shared', 'new', 'b.png'), ws, 'new'), { ok: false, reason: 'outside', real: outsideDir });
      fs.symlinkSync(path.join(root, 'nowhere'), path.join(ws, 'dangling'));
      assert.equal((await targetInside(path.join(ws, 'dangling', 'b.png'), ws, 'new')).ok, false);
      // A dangling link where the new file would go: a copy would follow it out.
      fs.symlinkSync(path.join(outsideDir, 'planted.png'), path.join(ws, 'images', 'c.png'));
      assert.deepEqual(await targetInside(path.join(ws, 'images', 'c.png'), ws, 'new'), { ok: false, reason: 'exists' });
    });
  });
});
