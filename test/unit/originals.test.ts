// The opaque originals of images made transparent (core/originals.ts): kept by the placed image's
// bytes, found again from an open file with those bytes, bounded by size (least recently used first).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openForUpload } from '../../src/core/api/upload';
import { OpaqueOriginals } from '../../src/core/originals';

describe('OpaqueOriginals', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-originals-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, bytes: Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  async function sentFor(store: OpaqueOriginals, f: string): Promise<Buffer | undefined> {
    const src = await openForUpload(f);
    try {
      const o = await store.open(src);
      if (!o) return undefined;
      try {
        return await o.handle.readFile();
      } finally {
        await o.handle.close();
      }
    } finally {
      await src.handle.close();
    }
  }

  it('an image kept with its original is sent as that original; a file with other bytes (edited, another image) is not', async () => {
    const store = new OpaqueOriginals(path.join(dir, 'store'));
    const made = file('frog.png', Buffer.from('transparent frog'));
    const original = file('download.png', Buffer.from('frog on magenta'));
    assert.equal(await store.keep(made, original), true);
    fs.rmSync(original);
    assert.deepEqual(await sentFor(store, made), Buffer.from('frog on magenta'));
    // The same bytes under another name (a copy of the image) find it too: it goes by content.
    assert.deepEqual(await sentFor(store, file('copy.png', Buffer.from('transparent frog'))), Buffer.from('frog on magenta'));
    fs.writeFileSync(made, 'transparent frog, cropped');
    assert.equal(await sentFor(store, made), undefined);
  });

  it('a folder that does not exist yet has nothing; an original that cannot be read is not kept', async () => {
    const store = new OpaqueOriginals(path.join(dir, 'none'));
    const made = file('a.png', Buffer.from('a'));
    assert.equal(await sentFor(store, made), undefined);
    assert.equal(await store.keep(made, path.join(dir, 'missing.png')), false);
    assert.equal(await sentFor(store, made), undefined);
  });

  it('stays within its size: the least recently used original goes first, never the one just kept', async () => {
    const store = new OpaqueOriginals(path.join(dir, 'store'), 25);
    const keep = async (name: string) => {
      const made = file(`${name}.png`, Buffer.from(`made ${name}`));
      await store.keep(made, file(`${name}-orig.png`, Buffer.alloc(10, name)));
      return made;
    };
    const a = await keep('a');
    const b = await keep('b');
    // `a` used since: `b` is now the least recently used.
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, 'store', fs.readdirSync(path.join(dir, 'store')).find((n) => fs.readFileSync(path.join(dir, 'store', n))[0] === 'b'.charCodeAt(0))!), old, old);
    assert.ok(await sentFor(store, a));
    const c = await keep('c');
    assert.ok(await sentFor(store, a), 'recently used: kept');
    assert.equal(await sentFor(store, b), undefined, 'least recently used: dropped');
    assert.ok(await sentFor(store, c), 'just kept');
    // One larger than the whole bound is still kept (it is the newest).
    const big = file('big.png', Buffer.from('made big'));
    await store.keep(big, file('big-orig.png', Buffer.alloc(40, 1)));
    assert.ok(await sentFor(store, big));
    assert.equal(fs.readdirSync(path.join(dir, 'store')).length, 1);
  });
});
