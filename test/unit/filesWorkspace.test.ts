// The plain-files workspace (issue 20 item 2): the shared placement table on real files, a page edited
// while its images were generating, atomic writes, and a concurrent writer.
import { strict as assert } from 'node:assert';
import { promises as fs, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FilesWorkspace, identityOf, locate, stampOf } from '../../src/core/filesWorkspace';
import { scanMarkdown } from '../../src/core/placeholders';
import { PLACEMENT_CASES } from '../shared/placementTable';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pictor-files-ws-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** The identity of the `occurrence`-th placeholder whose source is `source`, in `text`. */
function idFor(text: string, source: string, occurrence = 0) {
  const all = scanMarkdown(text).placeholders;
  const p = all.filter((q) => text.slice(q.start, q.end) === source)[occurrence];
  assert.ok(p, `no placeholder ${source} #${occurrence}`);
  return identityOf(text, p, all);
}

describe('the files workspace (unit, real files)', () => {
  describe('the shared placement table', () => {
    for (const c of PLACEMENT_CASES) {
      it(c.name, async () => {
        const file = path.join(dir, 'page.md');
        await fs.writeFile(file, c.page);
        const ws = new FilesWorkspace();
        const read = await ws.read(file);
        // Every placeholder to fill is known when the page is read, as a batch knows them.
        const ids = c.fill.map((f) => ws.follow(file, idFor(read.text, f.source, f.occurrence)));
        if (c.meanwhile) await fs.writeFile(file, c.meanwhile(read.text));
        const outcomes: string[] = [];
        for (const [i, f] of c.fill.entries()) {
          const r = await ws.fill(file, ids[i]!, scanMarkdown(read.text).placeholders.find((p) => read.text.slice(p.start, p.end) === f.source)!.alt, f.links);
          outcomes.push(r.ok ? 'ok' : r.reason);
        }
        assert.deepEqual(outcomes, c.outcomes ?? c.fill.map(() => 'ok'));
        assert.equal(await fs.readFile(file, 'utf8'), c.expect);
        // Atomic writes leave no temporary files behind.
        assert.deepEqual(await fs.readdir(dir), ['page.md']);
      });
    }
  });

  it('keeps the file\'s mode', async () => {
    const file = path.join(dir, 'page.md');
    await fs.writeFile(file, '![a fox]()\n', { mode: 0o640 });
    await fs.chmod(file, 0o640);
    const ws = new FilesWorkspace();
    const page = await ws.read(file);
    const r = await ws.fill(file, idFor(page.text, '![a fox]()'), 'a fox', ['fox.png']);
    assert.ok(r.ok);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640);
  });

  it('fills of several placeholders of one page at once all land (writes to a page go one after another)', async () => {
    const file = path.join(dir, 'page.md');
    const prompts = Array.from({ length: 12 }, (_, i) => `![picture ${i}]()`);
    await fs.writeFile(file, prompts.join('\n\n') + '\n');
    const ws = new FilesWorkspace();
    const page = await ws.read(file);
    const results = await Promise.all(prompts.map((p, i) => ws.fill(file, idFor(page.text, p), `picture ${i}`, [`p${i}.png`])));
    assert.ok(results.every((r) => r.ok));
    assert.equal(await fs.readFile(file, 'utf8'), prompts.map((_, i) => `![picture ${i}](p${i}.png)`).join('\n\n') + '\n');
  });

  it('an unreadable page is reported, nothing thrown', async () => {
    const ws = new FilesWorkspace();
    const r = await ws.fill(path.join(dir, 'missing.md'), { source: '![x]()', override: '', index: 0, of: 1 }, 'x', ['x.png']);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'unreadable');
  });

  it('rewrite: another program\'s write between the read and the rename is kept, and the edit worked out again on it', async () => {
    const file = path.join(dir, 'page.md');
    await fs.writeFile(file, '# Page\n\n![a fox]()\n');
    const ws = new FilesWorkspace();
    const seen: string[] = [];
    const r = await ws.rewrite(file, (text) => {
      seen.push(text);
      // Another tool writes the page right after this read (before the compare and the rename).
      if (seen.length === 1) writeFileSync(file, 'Their line.\n\n' + text);
      const at = text.indexOf('![a fox]()') + '![a fox]('.length;
      return [{ start: at, end: at, text: 'fox.png' }];
    });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(seen.length, 2);
    assert.equal(await fs.readFile(file, 'utf8'), 'Their line.\n\n# Page\n\n![a fox](fox.png)\n');
    assert.equal(r.ok && r.before, 'Their line.\n\n# Page\n\n![a fox]()\n');
  });

  it('rewrite: a page that changes under both attempts is reported as changing, the other program\'s text kept; a plan\'s refusal writes nothing', async () => {
    const file = path.join(dir, 'page.md');
    await fs.writeFile(file, '![a fox]()\n');
    const ws = new FilesWorkspace();
    let n = 0;
    const r = await ws.rewrite(file, (text) => {
      writeFileSync(file, `edit ${++n}\n` + text);
      return [{ start: 0, end: 0, text: 'mine\n' }];
    });
    assert.equal(!r.ok && r.reason, 'changing');
    assert.equal(await fs.readFile(file, 'utf8'), 'edit 2\nedit 1\n![a fox]()\n');
    const refused = await ws.rewrite(file, () => ({ reason: 'gone' as const }));
    assert.equal(!refused.ok && refused.reason, 'gone');
    assert.equal(await fs.readFile(file, 'utf8'), 'edit 2\nedit 1\n![a fox]()\n');
    assert.deepEqual((await fs.readdir(dir)).sort(), ['page.md'], 'a temporary file was left behind');
  });

  it('locate: one candidate is found wherever it moved; a stale offset is never used', () => {
    const text = '![a]()\n\n![b]()\n';
    const id = idFor(text, '![b]()');
    const moved = 'intro\n\n![b]()\n\n![a]()\n';
    const at = locate(moved, id);
    assert.ok(at.ok);
    assert.equal(moved.slice(at.placeholder.start, at.placeholder.end), '![b]()');
    assert.notEqual(stampOf(text), stampOf(moved));
  });
});
