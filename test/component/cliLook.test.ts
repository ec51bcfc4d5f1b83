// Issue 24 through the terminal command: the look flags --background, --format, --max-width on
// `generate` (the call: above everything) and `fill` (below each page's own options), against the fake
// provider that draws on the key colour Pictor's instruction asks for. The files are sniffed from their
// bytes; transparent + JPEG is refused before anything is sent; a backdrop that cannot be keyed is a
// line in the report.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { imageInfo } from '../../src/core/api/imageInfo';
import { chooseKeyColour } from '../../src/core/keyColour';
import { readRecipeFile } from '../../src/core/recipe';
import { cliSuite } from './cliRun';
import { decodeWebp } from '../unit/codecs';

describe('the pictor command: the look flags (issue 24)', function () {
  this.timeout(60_000);
  const cli = cliSuite('pictor-cli-look');
  const pictor = (args: string[]) => cli.pictor(args);
  const creates = () => cli.fake.requests.filter((q) => q.method === 'POST' && q.path.startsWith('/v1/images/generations')).map((q) => (q.body as { prompt: string }).prompt);

  it('generate --background transparent --format webp --max-width: a transparent WebP of that width, its recipe, the size saved in the report', async () => {
    const prompt = 'a green frog';
    const r = await pictor(['generate', prompt, '--size', '3:2', '--background', 'transparent', '--format', 'webp', '--max-width', '300', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(creates(), [`${prompt}\n\n${chooseKeyColour(prompt).instruction}`], 'the key-colour instruction goes with the prompt');
    const report = JSON.parse(r.stdout) as { generated: { item: { notes?: string[] }; images: { path: string; width: number; height: number; link: string }[] } };
    const img = report.generated.images[0]!;
    assert.match(img.path, /^images\/a-green-frog-[0-9a-f]{4}\.webp$/);
    assert.deepEqual([img.width, img.height], [300, 200]);
    const bytes = fs.readFileSync(path.join(cli.ws, img.path));
    assert.equal(imageInfo(bytes)?.type, 'webp');
    const px = await decodeWebp(bytes);
    assert.equal(px.data[3], 0, 'the backdrop is transparent');
    assert.match(report.generated.item.notes?.join(' ') ?? '', /\d+ (B|KB|MB) PNG → \d+ (B|KB) WebP/);
    const recipe = await readRecipeFile(path.join(cli.ws, img.path));
    assert.deepEqual([recipe?.prompt, recipe?.background, recipe?.keyed, recipe?.format, recipe?.maxWidth], [prompt, 'transparent', true, 'webp', 300]);
  });

  it('transparent + jpeg is refused before anything is sent (exit 1, reason look); a bad flag value is bad usage (exit 2)', async () => {
    const r = await pictor(['generate', 'a fox', '--background', 'transparent', '--format', 'jpeg']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Not sent \(look\): A transparent background cannot be saved as JPEG/);
    assert.equal(creates().length, 0);
    for (const bad of [['--background', 'clear'], ['--format', 'gif'], ['--max-width', '-1'], ['--max-width', '9000']]) {
      const b = await pictor(['generate', 'a fox', ...bad]);
      assert.equal(b.code, 2, `${bad.join(' ')}: ${b.stderr}`);
    }
    assert.equal(creates().length, 0);
  });

  it('fill: the flags sit below the page\'s own options; a backdrop that cannot be keyed is kept opaque and the report says why', async () => {
    fs.writeFileSync(path.join(cli.ws, 'a.md'), '---\npictor:\n  format: png\n---\n\n![a fox in a busy market [busy]]()\n');
    fs.writeFileSync(path.join(cli.ws, 'b.md'), '![a quiet owl]()\n');
    const r = await pictor(['fill', '--background', 'transparent', '--format', 'webp', '--yes', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { pages: { page: string; placeholders: { files?: string[]; notes?: string[] }[] }[] };
    const a = report.pages.find((p) => p.page === 'a.md')!.placeholders[0]!;
    const b = report.pages.find((p) => p.page === 'b.md')!.placeholders[0]!;
    assert.match(a.files![0]!, /\.png$/, 'the page says png: it wins over --format');
    assert.match(b.files![0]!, /\.webp$/, 'a page without its own: the flag');
    assert.match(a.notes!.join(' '), /not flat enough/);
    const png = PNG.sync.read(fs.readFileSync(path.join(cli.ws, a.files![0]!)));
    for (let i = 3; i < png.data.length; i += 4 * 101) assert.equal(png.data[i], 255, 'kept opaque');
    assert.match(r.stderr, /a\.md: "a fox in a busy market \[busy\]" -> .*not flat enough/);
    assert.match(fs.readFileSync(path.join(cli.ws, 'a.md'), 'utf8'), /!\[a fox in a busy market \[busy\]\]\(images\/.*\.png\)/);
    assert.match(fs.readFileSync(path.join(cli.ws, 'b.md'), 'utf8'), /!\[a quiet owl\]\(images\/a-quiet-owl-[0-9a-f]{4}\.webp\)/);
  });
});
