// The file gates of issue 18: a file read for upload is opened once and checked as opened
// (openInside); files written, moved or deleted lie inside the folder at the moment of the
// operation (targetInside). On real files in a temporary folder, symbolic links included.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openInside } from '../../src/core/paths';

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
});
