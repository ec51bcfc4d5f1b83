// The engine's headless run (issue 20 items 2 and 6) against the fake provider over real HTTP: pages of
// a plain-files workspace planned by the one planner (page options, override comments, the style, a
// refused placeholder), each image placed where pictor.destination says under a free name, stamped
// with its recipe, and linked by placeholder identity — the same results the editor writes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EvoLinkClient } from '../../src/core/api/client';
import { FileTaskStore } from '../../src/core/fileStore';
import { HeadlessPlacer, fillPages, isHeadlessJob, submitPages, waitPages } from '../../src/core/headless';
import { JobQueue } from '../../src/core/jobs';
import { moneyGate, stricterGuards } from '../../src/core/money';
import { readRecipeFile } from '../../src/core/recipe';
import { readWorkspaceSettings } from '../../src/core/workspaceSettings';
import { english } from '../../src/shared/words';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';
import { readPngSize } from '../fake-evolink/png';
import { UploadCache } from '../../src/core/uploadCache';
import { encodePng } from '../fake-evolink/png';
import { OpaqueOriginals } from '../../src/core/originals';
import { chooseKeyColour } from '../../src/core/keyColour';
import { PNG } from 'pngjs';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, never> } };
};

describe('the headless run of the engine, against the fake provider', function () {
  this.timeout(30_000);
  let fake: FakeEvolink;
  let ws: string;
  const closers: (() => Promise<void> | void)[] = [];

  before(async () => {
    fake = await startFakeEvolink({ behavior: { stepMs: 20, progressSteps: 2 } });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-headless-'));
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    fs.rmSync(ws, { recursive: true, force: true });
  });

  async function setup(guards = {}, uploads?: UploadCache, originals?: OpaqueOriginals) {
    const settings = await readWorkspaceSettings(ws, manifest.contributes.configuration.properties);
    const client = new EvoLinkClient({ baseUrl: fake.url, filesBaseUrl: fake.url, apiKey: async () => fake.apiKey });
    const placer = new HeadlessPlacer(ws, settings.destination, undefined, originals);
    const queue = new JobQueue({
      client, store: new FileTaskStore(path.join(ws, '..', `${path.basename(ws)}-tasks.json`), { meta: isHeadlessJob }), minPollMs: 20, maxPollMs: 100,
      gate: moneyGate({ trusted: () => true, hasKey: async () => true, guards: () => stricterGuards(guards, settings.guards), sessionCredits: () => 0 }),
      finalize: (job, files) => placer.finalize(job, files),
      ...(uploads ? { uploads } : {}),
      ...(originals ? { originals } : {}),
    });
    closers.push(() => client.close(), () => queue.dispose(), () => fs.rmSync(path.join(ws, '..', `${path.basename(ws)}-tasks.json`), { force: true }));
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-headless-staging-'));
    closers.push(() => fs.rmSync(staging, { recursive: true, force: true }));
    return { settings, queue, placer, opts: { root: ws, settings: settings.plan, destination: settings.destination, queue, stagingDir: staging } };
  }

  async function run(pages: string[], guards = {}) {
    const { settings, placer, opts } = await setup(guards);
    return { reports: await fillPages(pages, opts, placer), settings };
  }

  const write = (rel: string, text: string) => {
    const file = path.join(ws, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const bodies = () => fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations'))
    .map((r) => r.body as { prompt: string; size?: string; quality?: string; n?: number });

  it('fills a page as Generate all does: page options, an override comment, the style, readable names, links relative to the page, the recipe in each PNG', async () => {
    write('.vscode/settings.json', '{\n  // the workspace\'s own settings, with comments and a trailing comma\n  "pictor.quality": "low",\n  "pictor.style": "ink sketch",\n}\n');
    const page = write('docs/tour.md', [
      '---', 'title: Tour', 'pictor:', '  size: "3:2"', '---', '',
      '# A tour',
      '',
      '![a lighthouse at dawn]()',
      '',
      '- ![a harbour crane](<>) <!-- pictor: size=1:1 -->',
      '',
      '| a | b |', '|---|---|', '| ![a gull on a post]() | x |',
      '',
      '`![not a placeholder]()`',
      '',
    ].join('\r\n'));
    const { reports } = await run([page]);
    assert.equal(reports.length, 1);
    const r = reports[0]!;
    assert.deepEqual(r.skipped, []);
    assert.equal(r.sent.length, 3);
    assert.ok(r.sent.every((s) => s.state === 'completed' && s.linked), JSON.stringify(r.sent));
    // What the provider received: the page's size, the override's, the workspace's quality and style.
    const sent = bodies();
    const by = (p: string) => sent.find((b) => b.prompt.startsWith(p))!;
    assert.deepEqual({ size: by('a lighthouse at dawn').size, quality: by('a lighthouse at dawn').quality }, { size: '3:2', quality: 'low' });
    assert.equal(by('a harbour crane').size, '1:1');
    assert.equal(by('a gull on a post').prompt, 'a gull on a post\n\nStyle: ink sketch');
    // The page: links relative to it, CRLF kept, the look-alike and the comment untouched.
    const text = fs.readFileSync(page, 'utf8');
    assert.match(text, /\r\n!\[a lighthouse at dawn\]\(images\/a-lighthouse-at-dawn-[0-9a-f]{4}\.png\)\r\n/);
    assert.match(text, /- !\[a harbour crane\]\(images\/a-harbour-crane-[0-9a-f]{4}\.png\) <!-- pictor: size=1:1 -->\r\n/);
    assert.match(text, /\| !\[a gull on a post\]\(images\/a-gull-on-a-post-[0-9a-f]{4}\.png\) \| x \|/);
    assert.ok(text.includes('`![not a placeholder]()`'));
    assert.ok(!/[^\r]\n/.test(text), 'every line ends in CRLF');
    // The files: beside the page in images/, real PNGs of the size asked, each with its recipe.
    for (const s of r.sent) {
      const file = s.files[0]!;
      assert.equal(path.dirname(file), path.join(ws, 'docs', 'images'));
      const recipe = await readRecipeFile(file);
      assert.ok(recipe, `no recipe in ${file}`);
      assert.equal(recipe.style, 'ink sketch');
      assert.equal(recipe.prompt, s.prompt);
    }
    assert.deepEqual(readPngSize(fs.readFileSync(r.sent.find((s) => s.prompt === 'a lighthouse at dawn')!.files[0]!)), { width: 1536, height: 1024 });
  });

  it('a refused placeholder is named with its reason while the good ones are sent; a page without placeholders is left alone', async () => {
    const page = write('p.md', `![a fox]()\n\n![]()\n\n![${'x'.repeat(32_001)}]()\n\n![an owl]() <!-- pictor: quality=ultra -->\n`);
    const none = write('none.md', '# Nothing to fill\n');
    const { reports } = await run([page, none]);
    const r = reports[0]!;
    assert.deepEqual(r.sent.map((s) => [s.prompt, s.linked]), [['a fox', true]]);
    assert.deepEqual(r.skipped.map((s) => [s.line, s.reason]), [[3, 'empty'], [5, 'prompt'], [7, 'options']]);
    assert.match(english(r.skipped[2]!.words), /quality/);
    assert.equal(fake.creates(), 1);
    assert.deepEqual(reports[1], { page: none, sent: [], skipped: [] });
    assert.equal(fs.readFileSync(none, 'utf8'), '# Nothing to fill\n');
  });

  it('never writes over an existing file: a taken name gets the next free one', async () => {
    write('.vscode/settings.json', '{ "pictor.destination": { "**/*.md": "art/${documentBaseName}.png" } }');
    const page = write('cover.md', '![a cover]()\n');
    write('art/cover.png', 'an image the user made');
    const { reports } = await run([page]);
    const file = reports[0]!.sent[0]!.files[0]!;
    assert.equal(file, path.join(ws, 'art', 'cover-2.png'));
    assert.equal(fs.readFileSync(path.join(ws, 'art', 'cover.png'), 'utf8'), 'an image the user made');
    assert.equal(fs.readFileSync(page, 'utf8'), '![a cover](art/cover-2.png)\n');
  });

  it('the money gate holds here too: above the image-count guard nothing is sent', async () => {
    write('.vscode/settings.json', '{ "pictor.n": 3 }');
    const page = write('p.md', '![three foxes]()\n');
    const { reports } = await run([page], { confirmAboveImages: 2 });
    assert.equal(fake.creates(), 0);
    assert.equal(reports[0]!.sent[0]!.state, 'failed');
    assert.match(reports[0]!.sent[0]!.error?.message ?? '', /would bill 3 images, more than pictor\.confirmAboveImages \(2\)/);
    assert.equal(fs.readFileSync(page, 'utf8'), '![three foxes]()\n');
  });

  it('submitPages returns the job ids without waiting; the jobs go on and their images are placed and linked without waitPages', async () => {
    const page = write('p.md', '![a fox [hold]]()\n\n![a hare]() <!-- pictor: quality=ultra -->\n');
    const { queue, placer, opts } = await setup();
    const submitted = await submitPages([page], opts, placer);
    assert.equal(submitted.jobs.length, 1);
    assert.deepEqual(submitted.reports[0]!.skipped.map((s) => [s.prompt, s.reason]), [['a hare', 'options']]);
    const id = submitted.jobs[0]!.jobId;
    assert.notEqual(queue.get(id)?.state, 'completed');
    assert.equal(fs.readFileSync(page, 'utf8'), '![a fox [hold]]()\n\n![a hare]() <!-- pictor: quality=ultra -->\n');
    await until(() => fake.creates() === 1);
    fake.release();
    // Nobody waits through waitPages: the job's own end places and links it.
    const end = await submitted.jobs[0]!.done;
    assert.equal(end?.state, 'completed');
    assert.match(fs.readFileSync(page, 'utf8'), /^!\[a fox \[hold\]\]\(images\/a-fox-hold-[0-9a-f]{4}\.png\)\n/);
    const reports = await waitPages(submitted, queue, placer);
    assert.equal(reports[0]!.sent[0]!.linked, true);
    assert.equal(fake.creates(), 1);
  });

  describe('a page\'s references and styleFrom: first (issue 24 §1)', () => {
    const creates = () => fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations'))
      .map((r) => r.body as { prompt: string; image_urls?: string[] });

    it('a page of 30 placeholders with one style image uploads it once, and every create sends its URL; a second run reuses it', async () => {
      const state = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-uploads-'));
      closers.push(() => fs.rmSync(state, { recursive: true, force: true }));
      fs.mkdirSync(path.join(ws, 'docs'), { recursive: true });
      fs.writeFileSync(path.join(ws, 'docs', 'style.png'), encodePng(8, 8));
      const lines = ['---', 'pictor:', '  references: [style.png]', '---', ''];
      for (let i = 1; i <= 30; i++) lines.push(`![scene ${i}]()`, '');
      const page = write('docs/book.md', lines.join('\n'));
      const cache = new UploadCache(path.join(state, 'uploads.json'));
      const { placer, opts } = await setup({}, cache);
      const [report] = await fillPages([page], opts, placer);
      assert.equal(report!.sent.filter((s) => s.state === 'completed').length, 30);
      assert.equal(fake.uploaded.length, 1, 'the style image is uploaded once');
      const urls = creates().map((b) => b.image_urls);
      assert.equal(urls.length, 30);
      assert.ok(urls.every((u) => u?.length === 1 && u[0] === urls[0]![0]), 'every create sends the one uploaded URL');
      // The recipe records the page's reference (Regenerate sends it again).
      const recipe = await readRecipeFile(report!.sent[0]!.files[0]!);
      assert.deepEqual(recipe?.references?.map((r) => ('file' in r ? path.basename(r.file) : r.url)), ['style.png']);
      // Another run (another face, the same state folder) reuses the URL while it lives.
      write('docs/more.md', ['---', 'pictor:', '  references: [style.png]', '---', '', '![one more]()', ''].join('\n'));
      const again = await setup({}, new UploadCache(path.join(state, 'uploads.json')));
      await fillPages([path.join(ws, 'docs', 'more.md')], again.opts, again.placer);
      assert.equal(fake.uploaded.length, 1, 'not uploaded again');
      assert.deepEqual(creates().at(-1)!.image_urls, urls[0]);
    });

    it('styleFrom: first: the first placeholder is created alone, then the others with its image as a reference', async () => {
      const page = write('docs/story.md', ['---', 'pictor:', '  styleFrom: first', '---', '', '![a red fox]()', '', '![a hare]()', '', '![an owl]()', ''].join('\n'));
      const state = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-uploads-'));
      closers.push(() => fs.rmSync(state, { recursive: true, force: true }));
      const { placer, opts } = await setup({}, new UploadCache(path.join(state, 'uploads.json')));
      let createsWhenFirstDone = -1;
      opts.queue.onEvent((e) => {
        if (e.type === 'completed' && (e.job.body.prompt.startsWith('a red fox'))) createsWhenFirstDone = fake.creates();
      });
      const [report] = await fillPages([page], opts, placer);
      assert.equal(report!.sent.filter((s) => s.state === 'completed').length, 3);
      assert.equal(createsWhenFirstDone, 1, 'nothing else was created before the first image was done');
      const bodies = creates();
      assert.equal(bodies[0]!.prompt, 'a red fox');
      assert.equal(bodies[0]!.image_urls, undefined);
      // The first image, as placed, uploaded once (the followers share one upload) and sent with both others.
      assert.equal(fake.uploaded.length, 1);
      const first = report!.sent.find((s) => s.prompt === 'a red fox')!;
      assert.deepEqual(fake.uploaded[0], fs.readFileSync(first.files[0]!));
      for (const b of bodies.slice(1)) assert.equal(b.image_urls?.length, 1);
    });

    it('styleFrom: first with a transparent first image: the others are sent its opaque original, their recipe names the image as placed, and a later page referencing it sends the original too', async () => {
      const state = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-originals-'));
      closers.push(() => fs.rmSync(state, { recursive: true, force: true }));
      const originals = new OpaqueOriginals(path.join(state, 'originals'));
      const page = write('docs/story.md', ['---', 'pictor:', '  size: "1:1"', '  styleFrom: first', '  background: transparent', '---', '', '![a green frog]()', '', '![a hare]()', '', '![an owl]()', ''].join('\n'));
      const { placer, opts } = await setup({}, new UploadCache(path.join(state, 'uploads.json')), originals);
      const [report] = await fillPages([page], opts, placer);
      assert.equal(report!.sent.filter((s) => s.state === 'completed').length, 3, JSON.stringify(report));
      const first = report!.sent.find((s) => s.prompt === 'a green frog')!.files[0]!;
      const placed = PNG.sync.read(fs.readFileSync(first));
      assert.equal(placed.data[3], 0, 'the first image as placed is transparent');
      // One upload for both others: the opaque original, on the key colour the model was asked for.
      assert.equal(fake.uploaded.length, 1);
      const sent = PNG.sync.read(fake.uploaded[0]!);
      let seeThrough = 0;
      for (let i = 3; i < sent.data.length; i += 4) if (sent.data[i] !== 255) seeThrough++;
      assert.equal(seeThrough, 0, 'the reference sent is opaque');
      const hex = '#' + [...sent.data.subarray(0, 3)].map((v) => v.toString(16).padStart(2, '0')).join('').toUpperCase();
      assert.equal(hex, chooseKeyColour('a green frog').hex, 'its backdrop is the key colour');
      // The recipe of the others names the first image as placed: Regenerate sends it again (and so its original).
      for (const s of report!.sent.filter((x) => x.prompt !== 'a green frog')) {
        const recipe = await readRecipeFile(s.files[0]!);
        const refs = (recipe?.references ?? []).map((r) => ('file' in r ? path.resolve(path.dirname(s.files[0]!), r.file) : r.url));
        assert.deepEqual(refs, [first]);
      }
      // A later page naming it in `references:` (a fresh upload cache: it must upload) sends the original too.
      const rel = path.relative(path.join(ws, 'docs'), first).split(path.sep).join('/');
      const later = write('docs/later.md', ['---', 'pictor:', `  references: [${rel}]`, '---', '', '![a badger]()', ''].join('\n'));
      const again = await setup({}, new UploadCache(path.join(state, 'uploads-2.json')), originals);
      const [r2] = await fillPages([later], again.opts, again.placer);
      assert.equal(r2!.sent[0]?.state, 'completed');
      assert.equal(fake.uploaded.length, 2);
      assert.deepEqual(fake.uploaded[1], fake.uploaded[0], 'the same opaque original');
      // An image edited since (other bytes) is sent as it is.
      const edited = PNG.sync.write(placed);
      fs.writeFileSync(first, edited);
      const third = await setup({}, new UploadCache(path.join(state, 'uploads-3.json')), originals);
      await fillPages([write('docs/last.md', ['---', 'pictor:', `  references: [${rel}]`, '---', '', '![a mole]()', ''].join('\n'))], third.opts, third.placer);
      assert.deepEqual(fake.uploaded[2], edited, 'an edited image is sent as it is');
    });

    it('styleFrom: first whose first image fails: the others are not sent, and each says why', async () => {
      const page = write('docs/story.md', ['---', 'pictor:', '  styleFrom: first', '---', '', '![a red fox [fail:content_policy_violation]]()', '', '![a hare]()', '', '![an owl]()', ''].join('\n'));
      const { placer, opts } = await setup();
      const [report] = await fillPages([page], opts, placer);
      assert.equal(fake.creates(), 1, 'only the first was created');
      assert.deepEqual(report!.sent.map((s) => s.state), ['failed']);
      assert.deepEqual(report!.skipped.map((s) => [s.prompt, s.reason]), [['a hare', 'styleFrom'], ['an owl', 'styleFrom']]);
      for (const s of report!.skipped) assert.match(english(s.words), /first image of the page \("a red fox.*"\).*failed/);
    });
  });
});

async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 10));
}
