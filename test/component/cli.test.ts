// The `pictor` command (issue 21) as a person or CI runs it: the bundled dist/cli/pictor.js as a child
// process, against the fake provider over real HTTP, on a temporary workspace of pages. The state
// folder (claims, stored tasks) is a temporary one too. And the packaged tarball, installed offline
// with an empty npm cache, runs.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ClaimRegistry, CLAIM_STALE_MS, placeholderClaimKey } from '../../src/core/claims';
import { readRecipeFile } from '../../src/core/recipe';
import { encodePng } from '../fake-evolink/png';
import { startTestProxy } from '../fake-evolink/proxy';
import { TEST_CA_PEM } from '../fake-evolink/tlsFixture';
import { PLACEMENT_CASES, type PlacementCase } from '../shared/placementTable';
import { bundle, cliSuite, exec, root, type Run } from './cliRun';

const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** Each link of an image written as LINK: names are generated, so the table's and the command's pages compare so. */
const linksAsWords = (text: string) => text.replace(/(!\[[^\]]*\])\((?!\))(?:<[^>]*>|[^)\s]*)\)/g, '$1(LINK)');
/** The empty placeholders of a page, a look-alike in code left out. */
const emptyPlaceholders = /(?<!`)(!\[[^\]]*\])\(\)/g;

/**
 * A table case as `pictor fill` must leave its page: the table's page (links as LINK). The command
 * fills every placeholder of a page where the table fills some: when every fill of the case is placed,
 * the placeholders the table leaves empty are filled too (identical ones included: one run's twins
 * share its claim, and each is placed where it was); when one is not (gone, not certain which), the
 * others are the table's.
 */
function commandExpects(c: PlacementCase): string {
  const allOk = (c.outcomes ?? []).every((o) => o === 'ok');
  const want = linksAsWords(c.expect);
  return allOk ? want.replace(emptyPlaceholders, (_m, alt: string) => `${alt}(LINK)`) : want;
}

describe('the pictor command (dist/cli/pictor.js), against the fake provider', function () {
  this.timeout(60_000);
  const cli = cliSuite('pictor-cli');
  const { env, pictor, write } = cli;
  const noKey = (r: Run) => {
    assert.ok(!r.stdout.includes(cli.fake.apiKey) && !r.stderr.includes(cli.fake.apiKey), 'the key appears in the output');
  };
  // eslint-disable-next-line no-control-regex
  const noControl = (r: Run) => assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(r.stdout + r.stderr), 'control characters in plain output');

  it('fill: page options, override comments, the style and destinations as the editor; links relative to the page, recipes; --json parses and never holds the key; exit 0', async () => {
    // A cloned repository cannot send the key elsewhere: its own provider address is never used.
    write('.vscode/settings.json', '{\n  // comments and a trailing comma\n  "pictor.quality": "low",\n  "pictor.style": "ink sketch",\n  "pictor.baseUrl": "http://127.0.0.1:9",\n}\n');
    const page = write('docs/tour.md', ['---', 'pictor:', '  size: "3:2"', '---', '', '![a lighthouse at dawn]()', '', '- ![a harbour crane]() <!-- pictor: size=1:1 -->', ''].join('\r\n'));
    write('docs/none.md', '# Nothing to fill\n');
    write('node_modules/pkg/readme.md', '![never this]()\n');
    write('.hidden/notes.md', '![nor this]()\n');
    const r = await pictor(['fill', '--json']);
    assert.equal(r.code, 0, r.stderr);
    noKey(r);
    noControl(r);
    assert.equal(cli.fake.creates(), 2);
    const report = JSON.parse(r.stdout) as { exitCode: number; summary: { filled: number }; pages: { page: string; placeholders: { prompt: string; status: string; files: string[] }[] }[] };
    assert.equal(report.exitCode, 0);
    assert.equal(report.summary.filled, 2);
    assert.deepEqual(report.pages.map((p) => p.page), ['docs/tour.md']);
    const text = fs.readFileSync(page, 'utf8');
    assert.match(text, /\r\n!\[a lighthouse at dawn\]\(images\/a-lighthouse-at-dawn-[0-9a-f]{4}\.png\)\r\n/);
    assert.match(text, /- !\[a harbour crane\]\(images\/a-harbour-crane-[0-9a-f]{4}\.png\) <!-- pictor: size=1:1 -->\r\n/);
    const bodies = cli.fake.requests.filter((q) => q.method === 'POST' && q.path.startsWith('/v1/images/generations')).map((q) => q.body as { prompt: string; size: string; quality: string });
    assert.deepEqual(bodies.map((b) => [b.prompt, b.size, b.quality]).sort(), [
      ['a harbour crane\n\nStyle: ink sketch', '1:1', 'low'], ['a lighthouse at dawn\n\nStyle: ink sketch', '3:2', 'low'],
    ]);
    for (const p of report.pages[0]!.placeholders) {
      const recipe = await readRecipeFile(path.join(cli.ws, p.files[0]!));
      assert.equal(recipe?.prompt, p.prompt);
    }
    assert.equal(fs.readFileSync(path.join(cli.ws, 'node_modules/pkg/readme.md'), 'utf8'), '![never this]()\n');
    // The tasks are stored under the state folder, never in the repository.
    assert.equal(fs.readdirSync(path.join(cli.state, 'tasks')).length, 1);
  });

  it('a refused placeholder is named with its reason (exit 1) while the good ones are sent', async () => {
    const page = write('p.md', '![a fox]()\n\n![an owl]() <!-- pictor: quality=ultra -->\n');
    const r = await pictor(['fill', 'p.md']);
    assert.equal(r.code, 1);
    assert.equal(cli.fake.creates(), 1);
    assert.match(r.stderr, /p\.md:3: "an owl" not sent \(options\): .*quality/);
    assert.match(r.stdout, /1 filled, 0 failed, 1 not sent\./);
    assert.match(fs.readFileSync(page, 'utf8'), /^!\[a fox\]\(images\/a-fox-[0-9a-f]{4}\.png\)\n/);
  });

  it('a placeholder claimed by another face (a VS Code window, another run) is not sent again', async () => {
    const page = write('p.md', '![a fox]()\n\n![a hare]()\n');
    const claims = new ClaimRegistry(path.join(cli.state, 'claims'), CLAIM_STALE_MS);
    assert.ok(await claims.acquire(await placeholderClaimKey(page, '![a hare]()'), 'a-window-job'));
    const r = await pictor(['fill', '--json']);
    assert.equal(r.code, 1);
    assert.equal(cli.fake.creates(), 1);
    const items = (JSON.parse(r.stdout) as { pages: { placeholders: { prompt: string; status: string; reason?: string }[] }[] }).pages[0]!.placeholders;
    assert.deepEqual(items.map((i) => [i.prompt, i.status, i.reason]), [['a fox', 'filled', undefined], ['a hare', 'skipped', 'running']]);
    assert.match(fs.readFileSync(page, 'utf8'), /!\[a hare\]\(\)/);
  });

  it('list and --dry-run: each placeholder with its size, cost and where its options came from; nothing sent', async () => {
    write('.vscode/settings.json', '{ "pictor.quality": "low" }');
    write('docs/a.md', '---\npictor:\n  size: "3:2"\n---\n![a fox]()\n');
    const list = await pictor(['list', 'docs']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /docs\/a\.md:5 {2}"a fox" {2}1536×1024 · low · n=1 · cost [0-9.]+ {2}\(size from page, quality from workspace\)/);
    const dry = await pictor(['fill', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const report = JSON.parse(dry.stdout) as { dryRun: boolean; summary: { planned: number } };
    assert.deepEqual([report.dryRun, report.summary.planned], [true, 1]);
    assert.equal(cli.fake.creates(), 0);
    assert.equal(fs.readFileSync(path.join(cli.ws, 'docs/a.md'), 'utf8'), '---\npictor:\n  size: "3:2"\n---\n![a fox]()\n');
  });

  it('above the guards without --yes: exit 1, nothing sent, the message names --yes and the limits; a repository may lower the guards, never raise them', async () => {
    write('.vscode/settings.json', '{ "pictor.confirmAboveImages": 100 }');
    write('p.md', '![one]()\n\n![two]()\n\n![three]()\n');
    const refused = await pictor(['fill'], { PICTOR_CONFIRM_ABOVE_IMAGES: '2' });
    assert.equal(refused.code, 1);
    assert.equal(cli.fake.creates(), 0);
    assert.match(refused.stderr, /3 image\(s\).*the limits are 2 images.*--yes/);
    const flag = await pictor(['fill', '--confirm-above-images', '2', '--yes', '--json'], { PICTOR_CONFIRM_ABOVE_IMAGES: '50' });
    assert.equal(flag.code, 0, flag.stderr);
    assert.equal(cli.fake.creates(), 3);
    // The workspace lowers the default (4) to 1: two placeholders now need --yes.
    write('.vscode/settings.json', '{ "pictor.confirmAboveImages": 1 }');
    write('q.md', '![four]()\n\n![five]()\n');
    const lowered = await pictor(['fill', 'q.md']);
    assert.equal(lowered.code, 1);
    assert.match(lowered.stderr, /the limits are 1 images/);
    assert.equal(cli.fake.creates(), 3);
  });

  it('no key: a message naming EVOLINK_API_KEY, nothing sent; a bad flag or an unreadable settings file: exit 2', async () => {
    write('p.md', '![a fox]()\n');
    const r = await pictor(['fill'], { EVOLINK_API_KEY: undefined });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /EVOLINK_API_KEY/);
    assert.equal(cli.fake.creates(), 0);
    const bad = await pictor(['fill', '--frobnicate']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option --frobnicate/);
    write('.vscode/settings.json', '{ "pictor.quality": ');
    const unreadable = await pictor(['fill']);
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /settings\.json is not valid JSON/);
    assert.equal(cli.fake.creates(), 0);
    const help = await pictor(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes:/);
  });

  it('killed mid-run and run again: the stored tasks are resumed and placed, one create per placeholder in all', async () => {
    cli.fake.set({ stepMs: 150, progressSteps: 20 });
    const page = write('p.md', '![a fox]()\n\n![a hare]()\n');
    const child = spawn(process.execPath, [bundle, 'fill'], { cwd: cli.ws, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if ((seen.match(/: sent \(task /g) ?? []).length === 2) resolve();
      });
      child.on('close', () => reject(new Error(`it ended before both tasks were sent: ${seen}`)));
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGKILL');
    await closed;
    assert.equal(cli.fake.creates(), 2);
    assert.equal(fs.readFileSync(page, 'utf8'), '![a fox]()\n\n![a hare]()\n');
    const again = await pictor(['fill', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(cli.fake.creates(), 2, 'a new task was created');
    assert.match(again.stdout, /"filled": 2/);
    assert.match(fs.readFileSync(page, 'utf8'), /^!\[a fox\]\(images\/a-fox-[0-9a-f]{4}\.png\)\n\n!\[a hare\]\(images\/a-hare-[0-9a-f]{4}\.png\)\n$/);
  });

  it('generate: explicit values win over the settings, a workspace reference is uploaded, every image of n=2 saved with its recipe under a new name; links relative to the current folder', async () => {
    write('.vscode/settings.json', '{ "pictor.quality": "low", "pictor.size": "1:1", "pictor.style": "ink sketch" }');
    fs.mkdirSync(path.join(cli.ws, 'docs'));
    fs.writeFileSync(path.join(cli.ws, 'docs/ref.png'), encodePng(64, 64));
    const docs = path.join(cli.ws, 'docs');
    const r = await pictor(['generate', 'a red fox', '--size', '16:9', '-n', '2', '--reference', 'ref.png', '--json'], {}, docs);
    assert.equal(r.code, 0, r.stderr);
    noKey(r);
    noControl(r);
    assert.equal(cli.fake.creates(), 1);
    const body = cli.fake.requests.find((q) => q.method === 'POST' && q.path.startsWith('/v1/images/generations'))!.body as { prompt: string; size: string; quality: string; n: number; image_urls?: string[] };
    assert.deepEqual([body.prompt, body.size, body.quality, body.n, body.image_urls?.length], ['a red fox\n\nStyle: ink sketch', '16:9', 'low', 2, 1]);
    const report = JSON.parse(r.stdout) as { exitCode: number; generated: { out: string; item: { from: Record<string, string> }; images: { path: string; width: number; height: number; link: string }[] } };
    assert.equal(report.generated.out, 'docs/images');
    assert.deepEqual([report.generated.item.from.size, report.generated.item.from.quality], ['call', 'workspace']);
    assert.equal(report.generated.images.length, 2);
    for (const [i, img] of report.generated.images.entries()) {
      assert.match(img.path, new RegExp(`^docs/images/a-red-fox-[0-9a-f]{4}-${i + 1}\\.png$`));
      assert.ok(img.width > img.height, `${img.width}×${img.height} is not 16:9`);
      assert.equal(img.link, `![a red fox](${img.path.slice('docs/'.length)})`);
      assert.match(r.stderr, new RegExp(`${img.path} \\(${img.width}×${img.height}\\)  !\\[a red fox\\]`));
      const recipe = await readRecipeFile(path.join(cli.ws, img.path));
      assert.deepEqual([recipe?.prompt, recipe?.style, recipe?.size, recipe?.image, recipe?.references], ['a red fox', 'ink sketch', '16:9', i + 1, [{ file: '../ref.png' }]]);
    }
    // Run again: new files, nothing overwritten.
    const again = await pictor(['generate', 'a red fox', '--out', 'art', '-q'], {}, docs);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^docs\/art\/a-red-fox-[0-9a-f]{4}\.png \(1024×1024\) {2}!\[a red fox\]\(art\/a-red-fox-[0-9a-f]{4}\.png\)\n$/);
    assert.equal(fs.readdirSync(path.join(docs, 'images')).filter((f) => f.endsWith('.png')).length, 2);
  });

  it('generate: a folder or reference outside the workspace is bad usage (exit 2), a refused option exit 1; nothing sent; --dry-run sends nothing', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-cli-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'ref.png'), encodePng(8, 8));
      const out = await pictor(['generate', 'a fox', '--out', outside]);
      assert.equal(out.code, 2);
      assert.match(out.stderr, /is not inside the workspace folder/);
      const ref = await pictor(['generate', 'a fox', '--reference', path.join(outside, 'ref.png')]);
      assert.equal(ref.code, 2);
      assert.match(ref.stderr, /reference image .* is not inside the workspace folder/);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
    const bad = await pictor(['generate', 'a fox', '--quality', 'ultra']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /quality/);
    const dry = await pictor(['generate', 'a fox', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /"a fox" {2}auto · medium · n=1 · cost 1 -> images\/\. Nothing was sent\./);
    assert.equal(cli.fake.creates(), 0);
    assert.ok(!fs.existsSync(path.join(cli.ws, 'images')));
  });

  /** Starts pictor and resolves once its output (stdout and stderr) matches `until`; `ended` resolves with its exit. */
  function start(args: string[], until: RegExp, more: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, [bundle, ...args], { cwd: cli.ws, env: env(more), stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { code: null, stdout: '', stderr: '' };
    const ended = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ ...run, code })));
    const seen = new Promise<void>((resolve, reject) => {
      const check = () => { if (until.test(run.stdout + run.stderr)) resolve(); };
      child.stdout.on('data', (d: Buffer) => { run.stdout += d.toString(); check(); });
      child.stderr.on('data', (d: Buffer) => { run.stderr += d.toString(); check(); });
      void ended.then((r) => reject(new Error(`it ended (${r.code}) before ${until}: ${r.stdout}${r.stderr}`)));
    });
    return { child, seen, ended };
  }

  /** Every file under a folder, as text: for the key check. */
  const allText = (dir: string): string => fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'latin1')).join('\n');

  it('Ctrl-C mid-run: exit 130, the task kept and named; status shows it; resume places it without a new task; recipe reads it; the key in no output and no state file', async () => {
    cli.fake.set({ hold: true });
    const page = write('docs/p.md', '# Tour\n\n![a quiet harbour]()\n');
    const running = start(['fill', '--json'], /: sent \(task /);
    await running.seen;
    running.child.kill('SIGINT');
    const stopped = await running.ended;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /interrupted \(SIGINT\)\. 1 task\(s\) sent and kept: run pictor resume/);
    assert.equal((JSON.parse(stopped.stdout) as { exitCode: number }).exitCode, 130);
    assert.equal(fs.readFileSync(page, 'utf8'), '# Tour\n\n![a quiet harbour]()\n');

    const status = await pictor(['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const tasks = (JSON.parse(status.stdout) as { tasks: { state: string; prompt: string; page: string; taskId: string; ageSeconds: number }[] }).tasks;
    assert.deepEqual(tasks.map((t) => [t.state, t.prompt, t.page]), [['running', 'a quiet harbour', 'docs/p.md']]);
    assert.match(tasks[0]!.taskId, /^task-/);
    assert.match(status.stderr, /running +\d+s ago +docs\/p\.md {2}"a quiet harbour"/);
    assert.match(status.stderr, /1 unfinished task\(s\): pictor resume/);

    cli.fake.set({ hold: false });
    cli.fake.release();
    const resumed = await pictor(['resume', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(cli.fake.creates(), 1, 'resume created a task');
    const report = JSON.parse(resumed.stdout) as { summary: { filled: number }; pages: { page: string; placeholders: { files: string[] }[] }[] };
    assert.equal(report.summary.filled, 1);
    const file = report.pages[0]!.placeholders[0]!.files[0]!;
    assert.match(fs.readFileSync(page, 'utf8'), /^# Tour\n\n!\[a quiet harbour\]\(images\/a-quiet-harbour-[0-9a-f]{4}\.png\)\n$/);
    const nothing = await pictor(['resume']);
    assert.deepEqual([nothing.code, nothing.stdout], [0, 'Nothing to resume.\n']);

    const recipe = await pictor(['recipe', file, '--json']);
    assert.equal(recipe.code, 0, recipe.stderr);
    const r = (JSON.parse(recipe.stdout) as { recipe: { prompt: string; taskId: string } }).recipe;
    assert.deepEqual([r.prompt, r.taskId], ['a quiet harbour', tasks[0]!.taskId]);
    assert.match(recipe.stderr, /^prompt: +a quiet harbour$/m);
    const none = await pictor(['recipe', 'docs/p.md']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /holds no Pictor recipe/);
    assert.equal((await pictor(['recipe', 'nope.png'])).code, 2);

    for (const run of [stopped, status, resumed, recipe]) noKey(run);
    assert.ok(!allText(cli.state).includes(cli.fake.apiKey), 'the key is in a state file');
    assert.ok(!allText(cli.ws).includes(cli.fake.apiKey), 'the key is in the workspace');
  });

  /** Runs pictor on a pseudo-terminal (util-linux `script`), `input` typed; its output as the terminal got it. */
  function onTerminal(args: string[], input: string, more: NodeJS.ProcessEnv = {}): Promise<Run> {
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', [process.execPath, bundle, ...args].map(quote).join(' '), '/dev/null'], { cwd: cli.ws, env: env(more), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
      child.stdin.end(input);
    });
  }

  it('on a terminal: a progress line redrawn in place and a summary; the cost question as y/N with the pixel sizes (no: exit 1, nothing sent); with CI set, plain lines', async () => {
    write('p.md', '![one]()\n\n![two]() <!-- pictor: size=3:2 -->\n');
    const tty = await onTerminal(['fill', 'p.md'], '');
    assert.equal(tty.code, 0, tty.stdout);
    assert.ok(tty.stdout.includes('\r\u001b[2K[####################] 2/2 images · 0 running'), tty.stdout);
    assert.match(tty.stdout, /2 filled, 0 failed, 0 not sent in \d+:\d\d\./);
    assert.ok(!/: sent \(task /.test(tty.stdout), 'per-task lines on a terminal');
    assert.equal(cli.fake.creates(), 2);

    write('q.md', '![three]()\n\n![four]() <!-- pictor: size=3:2 -->\n');
    const no = await onTerminal(['fill', 'q.md', '--confirm-above-images', '1'], 'n\n');
    assert.equal(no.code, 1, no.stdout);
    assert.match(no.stdout, /This run would bill 2 image\(s\), relative cost [0-9.]+; the limits are 1 images.*\r?\nImages: 1 × auto, 1 × 1536×1024\.\r?\nSend it\? \[y\/N\]/);
    assert.match(no.stdout, /Nothing was sent/);
    assert.equal(cli.fake.creates(), 2);
    const yes = await onTerminal(['fill', 'q.md', '--confirm-above-images', '1'], 'y\n');
    assert.equal(yes.code, 0, yes.stdout);
    assert.equal(cli.fake.creates(), 4);

    write('r.md', '![five]()\n');
    const ci = await onTerminal(['fill', 'r.md'], '', { CI: 'true' });
    assert.equal(ci.code, 0, ci.stdout);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/\u001b/.test(ci.stdout), 'control characters with CI set');
    assert.match(ci.stdout, /r\.md: "five": sent \(task /);
  });

  it('401 and 402 name the EvoLink dashboard and what to do; exit 1', async () => {
    write('p.md', '![a fox]()\n');
    const wrong = await pictor(['fill'], { EVOLINK_API_KEY: 'sk-evo-WRONG-7f3a9c' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /did not accept the API key \(HTTP 401\)\. Set EVOLINK_API_KEY to a valid key from your EvoLink dashboard \(https:\/\/evolink\.ai\/dashboard\/keys\)/);
    assert.ok(!(wrong.stdout + wrong.stderr).includes('sk-evo-WRONG-7f3a9c'), 'the key is in the output');
    assert.ok(!/Pictor: Set API Key/.test(wrong.stderr), 'an editor command named in the terminal');
    cli.fake.set({ failCreate: { status: 402, code: 'insufficient_quota' } });
    const broke = await pictor(['fill']);
    assert.equal(broke.code, 1);
    assert.match(broke.stderr, /out of credits \(HTTP 402\)\. Top up in your EvoLink dashboard \(https:\/\/evolink\.ai\/dashboard\)/);
  });

  it('fill with no paths skips what .gitignore ignores (nested ones too); a file named explicitly is filled; fill flags sit below the page and above the settings', async () => {
    write('.gitignore', 'build/\n*.draft.md\n');
    write('docs/.gitignore', 'private.md\n');
    write('build/out.md', '![built]()\n');
    write('docs/a.draft.md', '![drafted]()\n');
    write('docs/private.md', '![private]()\n');
    write('.vscode/settings.json', '{ "pictor.quality": "low", "pictor.size": "1:1" }');
    write('docs/a.md', '---\npictor:\n  size: "3:2"\n---\n![a fox]()\n');
    const list = await pictor(['list', '--quality', 'high', '--size', '2:3', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const report = JSON.parse(list.stdout) as { pages: { page: string; placeholders: { from: Record<string, string>; options: Record<string, string> }[] }[] };
    assert.deepEqual(report.pages.map((p) => p.page), ['docs/a.md']);
    const item = report.pages[0]!.placeholders[0]!;
    assert.deepEqual([item.options.size, item.from.size, item.options.quality, item.from.quality], ['3:2', 'page', 'high', 'call']);
    assert.match(list.stderr, /size from page, quality from the command line/);
    const named = await pictor(['list', 'docs/private.md']);
    assert.match(named.stdout, /docs\/private\.md:1 {2}"private"/);
  });

  it('two pictor fill at once on one page: one create per placeholder', async () => {
    cli.fake.set({ stepMs: 60, progressSteps: 4 });
    const page = write('p.md', '![one]()\n\n![two]()\n\n![three]()\n');
    const [a, b] = await Promise.all([pictor(['fill', '--json']), pictor(['fill', '--json'])]);
    assert.equal(cli.fake.creates(), 3, `${a.stdout}${a.stderr}${b.stdout}${b.stderr}`);
    const text = fs.readFileSync(page, 'utf8');
    assert.match(text, /^!\[one\]\(images\/one-[0-9a-f]{4}\.png\)\n\n!\[two\]\(images\/two-[0-9a-f]{4}\.png\)\n\n!\[three\]\(images\/three-[0-9a-f]{4}\.png\)\n$/);
    const filled = [a, b].reduce((n, r) => n + (JSON.parse(r.stdout) as { summary: { filled: number } }).summary.filled, 0);
    assert.equal(filled, 3, 'each placeholder reported filled once');
  });

  it('two pictor fill at once in one workspace (one task store), one killed while its tasks are held: a third run places them, one create per placeholder in all', async () => {
    // Every task held at the fake until both runs have sent theirs: both store their tasks into the
    // workspace's one store at the same moments, and none may end before the kill. Each run is given
    // a page of its own: on one page the claims would let whichever starts first take every placeholder.
    cli.fake.set({ hold: true });
    const prompts = { a: Array.from({ length: 10 }, (_, i) => `harbour number ${i + 1}`), b: Array.from({ length: 10 }, (_, i) => `lighthouse number ${i + 1}`) };
    const pages = { a: write('docs/a.md', prompts.a.map((p) => `![${p}]()\n`).join('\n')), b: write('docs/b.md', prompts.b.map((p) => `![${p}]()\n`).join('\n')) };
    const start = (page: string) => spawn(process.execPath, [bundle, 'fill', '--yes', '--concurrency', '10', page], { cwd: cli.ws, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const a = start('docs/a.md');
    const b = start('docs/b.md');
    const bDone = new Promise<Run>((resolve) => {
      let stdout = '';
      let stderr = '';
      b.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      b.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      b.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const sent = { a: 0, b: 0 };
    await new Promise<void>((resolve, reject) => {
      const watch = (who: 'a' | 'b', child: typeof a) => {
        let seen = '';
        child.stderr.on('data', (d: Buffer) => { seen += d.toString(); });
        child.stdout.on('data', (d: Buffer) => {
          seen += d.toString();
          // A task's line comes once its id is stored.
          sent[who] = (seen.match(/: sent \(task /g) ?? []).length;
          if (sent.a === prompts.a.length && sent.b === prompts.b.length) resolve();
        });
        child.on('error', reject);
        child.on('close', () => reject(new Error(`run ${who} ended before every task was sent: ${seen}`)));
      };
      watch('a', a);
      watch('b', b);
    });
    const closed = new Promise((resolve) => a.on('close', resolve));
    a.kill('SIGKILL');
    await closed;
    cli.fake.set({ hold: undefined });
    cli.fake.release();
    const bRun = await bDone;
    assert.equal(bRun.code, 0, bRun.stderr);
    const all = [...prompts.a, ...prompts.b];
    assert.equal(cli.fake.creates(), all.length);
    // The third run finds the killed run's tasks in the store and places them: no task made again.
    const c = await pictor(['fill', '--yes', '--json']);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(cli.fake.creates(), all.length, 'a placeholder was sent twice: a stored task was lost');
    const creates = cli.fake.requests.filter((r) => r.method === 'POST' && /\/images\/generations$/.test(r.path)).map((r) => (r.body as { prompt?: string }).prompt);
    assert.deepEqual([...creates].sort(), [...all].sort(), 'one create per placeholder');
    for (const who of ['a', 'b'] as const) {
      const text = fs.readFileSync(pages[who], 'utf8');
      for (const p of prompts[who]) assert.match(text, new RegExp(`!\\[${p}\\]\\(images/${p.replace(/ /g, '-')}-[0-9a-f]{4}\\.png\\)`), `${p} is not placed`);
    }
    assert.equal((JSON.parse(c.stdout) as { summary: { filled: number } }).summary.filled, prompts.a.length, 'the third run placed the killed run\'s images');
  });

  /** The shared placement table through `bin fill`: one page per case (plus a refused placeholder and a page with none). */
  async function fillTable(bin: string): Promise<void> {
    const pageOf = (n: number) => `table/case-${String(n).padStart(2, '0')}.md`;
    for (const [n, c] of PLACEMENT_CASES.entries()) write(pageOf(n), c.page);
    write('table/refused.md', '![an owl]() <!-- pictor: quality=ultra -->\n');
    write('table/none.md', '# Nothing to fill\n\nA ![link](to.png) and `![code]()`.\n');
    const groups = [1, 2].map((images) => [...PLACEMENT_CASES.entries()].filter(([, c]) => c.fill[0]!.links.length === images));
    assert.equal(groups[0]!.length + groups[1]!.length, PLACEMENT_CASES.length, 'a case of more than two images');
    for (const [gi, group] of groups.entries()) {
      const pages = group.map(([n]) => pageOf(n));
      if (gi === 0) pages.push('table/refused.md', 'table/none.md');
      // One create per placeholder, identical ones too.
      const expected = group.reduce((k, [, c]) => k + (c.page.match(emptyPlaceholders) ?? []).length, 0);
      const before = cli.fake.creates();
      // Held until every task of the run exists: then the pages are edited as a person would meanwhile.
      cli.fake.set({ hold: true });
      const child = spawn(bin, ['fill', '--yes', '--json', '--concurrency', '32', ...(gi === 1 ? ['-n', '2'] : []), ...pages], { cwd: cli.ws, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const ended = new Promise<number | null>((resolve, reject) => { child.on('error', reject); child.on('close', resolve); });
      await new Promise<void>((resolve, reject) => {
        const check = () => { if (cli.fake.creates() - before === expected && (stderr.match(/: sent \(task /g) ?? []).length === expected) resolve(); };
        child.stderr.on('data', check);
        void ended.then(() => reject(new Error(`fill ended before its ${expected} tasks were sent: ${stderr}`)));
      });
      for (const [n, c] of group) if (c.meanwhile) write(pageOf(n), c.meanwhile(fs.readFileSync(path.join(cli.ws, pageOf(n)), 'utf8')));
      cli.fake.set({ hold: undefined });
      cli.fake.release();
      const code = await ended;
      const report = JSON.parse(stdout) as { pages: { page: string; placeholders: { prompt: string; status: string; reason?: string; files?: string[] }[] }[] };
      // Not linked (gone, not certain which) and the refused placeholder: exit 1, named in the report.
      const notAllOk = group.some(([, c]) => (c.outcomes ?? []).some((o) => o !== 'ok')) || gi === 0;
      assert.equal(code, notAllOk ? 1 : 0, stderr);
      for (const [n, c] of group) {
        const text = fs.readFileSync(path.join(cli.ws, pageOf(n)), 'utf8');
        assert.equal(linksAsWords(text), commandExpects(c), `${c.name}: the page`);
        // Each link names a file beside the page's images/ (or as the table names it), holding the placeholder's recipe.
        for (const m of text.matchAll(/!\[([^\]]*)\]\(([^)\s]+)\)/g)) {
          if (m[2] === 'to.png') continue;
          const file = path.join(cli.ws, path.dirname(pageOf(n)), m[2]!);
          assert.match(m[2]!, /^images\/[^/]+\.png$/, `${c.name}: the link ${m[2]}`);
          assert.equal((await readRecipeFile(file))?.prompt, m[1], `${c.name}: the recipe of ${m[2]}`);
        }
        const entry = report.pages.find((p) => p.page === pageOf(n));
        const placed = entry?.placeholders.filter((i) => i.status === 'filled').length ?? 0;
        assert.equal(placed, (commandExpects(c).match(/\(LINK\)/g) ?? []).length / c.fill[0]!.links.length, `${c.name}: placeholders reported filled`);
      }
      if (gi === 0) {
        assert.equal(fs.readFileSync(path.join(cli.ws, 'table/refused.md'), 'utf8'), '![an owl]() <!-- pictor: quality=ultra -->\n');
        assert.deepEqual(report.pages.find((p) => p.page === 'table/refused.md')?.placeholders.map((i) => [i.status, i.reason]), [['skipped', 'options']]);
        assert.match(stderr, /table\/refused\.md:1: "an owl" not sent \(options\)/);
        assert.equal(fs.readFileSync(path.join(cli.ws, 'table/none.md'), 'utf8'), '# Nothing to fill\n\nA ![link](to.png) and `![code]()`.\n');
      }
      assert.equal(cli.fake.creates() - before, expected, 'one create per placeholder');
    }
  }

  it('goes through HTTPS_PROXY (the key never in what the proxy reads) and honours NO_PROXY', async () => {
    // The provider as https://api.evolink.test, reached only through the test proxy (a CONNECT tunnel
    // to a TLS front with a test CA); this machine cannot resolve that name itself.
    const proxy = await startTestProxy(Number(new URL(cli.fake.url).port));
    cli.fake.set({ resultBaseUrl: 'https://api.evolink.test' });
    const caFile = path.join(cli.state, 'test-ca.pem');
    fs.writeFileSync(caFile, TEST_CA_PEM);
    try {
      const page = write('p.md', '![a lighthouse through the proxy]()\n');
      const over = { PICTOR_BASE_URL: 'https://api.evolink.test', PICTOR_FILES_BASE_URL: 'https://api.evolink.test', HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: caFile };
      const r = await pictor(['fill'], over);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(cli.fake.creates(), 1);
      assert.match(fs.readFileSync(page, 'utf8'), /^!\[a lighthouse through the proxy\]\(images\/a-lighthouse-through-the-proxy-[0-9a-f]{4}\.png\)\n$/);
      assert.ok(proxy.connects.length >= 1);
      for (const c of proxy.connects) assert.equal(c.target, 'api.evolink.test:443');
      assert.ok(!proxy.connects.some((c) => c.head.includes(cli.fake.apiKey)), 'the key was in what the proxy can read');
      // NO_PROXY names the provider: it is reached directly (and cannot be here), the proxy is never asked.
      proxy.connects.length = 0;
      write('q.md', '![a lighthouse without the proxy]()\n');
      const direct = await pictor(['fill', 'q.md'], { ...over, NO_PROXY: '.evolink.test' });
      assert.equal(direct.code, 1, direct.stderr);
      assert.deepEqual(proxy.connects, []);
      assert.match(direct.stderr, /api\.evolink\.test/);
      assert.equal(cli.fake.creates(), 1);
      noKey(r);
      noKey(direct);
    } finally {
      await proxy.close();
    }
  });

  it('npm run package:cli makes a tarball that installs offline with an empty cache and runs, and fills the shared placement table as the editor does', async function () {
    this.timeout(300_000);
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-cli-prefix-'));
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pictor-cli-cache-'));
    try {
      const made = (await exec('npm', ['run', '--silent', 'package:cli'], { cwd: root, env: process.env })).stdout.trim().split('\n').pop()!;
      assert.equal(path.basename(made), `pictor-cli-${version}.tgz`);
      const install = await exec('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, '--cache', cache, made], { cwd: root, env: process.env });
      assert.equal(install.code, 0, install.stderr);
      const bin = process.platform === 'win32' ? path.join(prefix, 'pictor.cmd') : path.join(prefix, 'bin', 'pictor');
      const r = await exec(bin, ['--version'], { cwd: cli.ws, env: env() });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), version);
      // And it fills the shared placement table's pages (test/shared/placementTable.ts, the editor's
      // and the files workspace's) against the cli.fake, from where it was installed: each page edited as
      // the case says while its tasks are held at the cli.fake. Cases of two images run with -n 2.
      await fillTable(bin);
      // The agent server starts from the installed package too (the MCP SDK is inside the bundle): an MCP client lists its tools.
      const transport = new StdioClientTransport({ command: bin, args: ['mcp'], cwd: cli.ws, env: env() as Record<string, string>, stderr: 'pipe' });
      const client = new Client({ name: 'pictor-test', version: '1.0.0' });
      await client.connect(transport);
      try {
        assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ['fill_placeholders', 'generate_image', 'job_status', 'list_placeholders']);
        // Its workers and their .wasm are in the package: a WebP is made and previewed from there.
        const r = await client.callTool({ name: 'generate_image', arguments: { prompt: 'a boat from the installed package', size: '1:1', format: 'webp', preview: true } });
        const parts = r.content as { type: string; text?: string; mimeType?: string }[];
        assert.ok(!r.isError, JSON.stringify(parts));
        assert.match(parts.find((p) => p.type === 'text')?.text ?? '', /\.webp \(1024×1024 pixels\)/);
        assert.deepEqual(parts.filter((p) => p.type === 'image').map((p) => p.mimeType), ['image/jpeg'], 'no preview of the WebP from the installed package');
      } finally {
        await client.close();
      }
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});
