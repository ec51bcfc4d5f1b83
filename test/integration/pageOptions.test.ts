// Issue 13 item 1: page options. A page's front matter and a placeholder's override comment set the
// options of its requests (placeholder > page > settings > defaults) and a style that is added to the
// prompt that is sent, never to the alt text; an invalid value is marked where it is written and
// nothing is sent for the placeholders that would use it. Checked through the real commands, the real
// CodeLens provider, the tools and the panel, against what the fake provider received.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readRecipeFile } from '../../src/core/recipe';
import { formatBytes } from '../../src/core/finish';
import { encodePng } from '../fake-evolink/png';
import { closeAllEditors, waitFor, workspaceRoot } from './helpers';
import {
  assertName, assertNoCreates, createsFor, filesIn, freshFolder, jobFor, linkTo, onDisk, show, withSettings, writeDoc, type JobSummary,
} from './editorHelpers';
import { panelState } from './panelHook';

const pictorDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pictor');
const lensTitles = async (uri: vscode.Uri) => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100))
  .filter((l) => l.command?.command === 'pictor.generatePlaceholder').map((l) => l.command!.title);

interface Body { prompt: string; size?: string; resolution?: string; quality?: string; n?: number }

describe('page options (issue 13 item 1)', function () {
  this.timeout(120_000);
  afterEach(closeAllEditors);

  const style = 'flat vector illustration, pastel palette';
  const styled = (p: string) => `${p}\n\nStyle: ${style}`;

  it('a page with front matter and one override fills in one batch, each request with its own options; the style goes into the prompt, never the alt text', async () => {
    const dir = await freshFolder('page-options/batch');
    const file = path.join(dir, 'tour.md');
    const prompts = { a: 'a lighthouse at dawn', hero: 'a wide hero of the harbour', b: 'a small gull icon' };
    const front = ['---', 'title: The tour', 'pictor:', '  size: "1:1"', '  quality: low', '  n: 1', `  style: "${style}"`, '---'];
    const comment = '<!-- pictor: size=16:9 resolution=2K quality=medium -->';
    const body = (links: Record<string, string> = {}) => [
      ...front,
      '',
      `![${prompts.a}](${links.a ?? ''})`,
      '',
      `![${prompts.hero}](${links.hero ?? ''}) ${comment}`,
      '',
      `- ![${prompts.b}](${links.b ?? ''})`,
      '',
    ].join('\n');
    const uri = await writeDoc(file, body());
    await show(uri);

    // The settings say otherwise for everything the page sets: the page wins, key by key; the
    // resolution the page leaves out comes from the settings.
    await withSettings({ size: '3:2', quality: 'high', n: 2, resolution: '1K', style: 'charcoal sketch' }, async () => {
      await waitFor('the lenses to show each placeholder\'s own options', async () => {
        const t = await lensTitles(uri);
        return JSON.stringify(t) === JSON.stringify([
          '$(sparkle) Generate · 1024×1024 · low',
          '$(sparkle) Generate · 2048×1152 · medium',
          '$(sparkle) Generate · 1024×1024 · low',
        ]) ? t : undefined;
      });
      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
      assert.equal(jobs.length, 3, JSON.stringify(jobs));
      assert.ok(jobs.every((j) => j.state === 'completed' && j.linked), JSON.stringify(jobs));

      // What the provider was sent: one create each, with the page's (or the override's) options and the style appended.
      const creates = await createsFor(Object.values(prompts).map(styled));
      const sent = Object.fromEntries(creates.map((c) => {
        const b = c.body as Body;
        return [b.prompt, { size: b.size, resolution: b.resolution, quality: b.quality, n: b.n }];
      }));
      assert.equal(creates.length, 3, 'one create per placeholder');
      assert.deepEqual(sent, {
        [styled(prompts.a)]: { size: '1:1', resolution: '1K', quality: 'low', n: 1 },
        [styled(prompts.hero)]: { size: '16:9', resolution: '2K', quality: 'medium', n: 1 },
        [styled(prompts.b)]: { size: '1:1', resolution: '1K', quality: 'low', n: 1 },
      });
      await assertNoCreates(Object.values(prompts));

      // The page: alt texts exactly as written, the override comment untouched, file names from the prompt alone.
      const links: Record<string, string> = {};
      for (const [key, prompt] of Object.entries(prompts)) {
        // A command's summary names the prompt that was sent.
        const job = jobFor(jobs, styled(prompt));
        assert.equal(job.files.length, 1);
        assertName(job.files[0]!, prompt.replace(/ /g, '-'));
        links[key] = linkTo(file, job.files[0]!);
        const recipe = await readRecipeFile(job.files[0]!);
        assert.equal(recipe?.prompt, prompt, 'the recipe keeps the prompt as written');
        assert.equal(recipe?.style, style, 'and the style apart');
      }
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.getText(), body(links));
      assert.ok(!doc.getText().includes('Style:'));
      assert.deepEqual(await filesIn(path.join(dir, 'images')), Object.values(links).map((l) => path.basename(l)).sort());
    });
  });

  it('pictor_generateImage with a document uses the page\'s options for what the input leaves out', async () => {
    const dir = await freshFolder('page-options/tool');
    const uri = await writeDoc(path.join(dir, 'page.md'), ['---', 'pictor:', '  size: "4:3"', '  quality: low', `  style: "${style}"`, '---', '', '# A page', ''].join('\n'));
    const prompt = 'a tool-made weather vane';
    const rel = vscode.workspace.asRelativePath(uri, false);
    await vscode.lm.invokeTool('pictor_generateImage', { input: { prompt, document: rel, quality: 'medium' }, toolInvocationToken: undefined });
    const [c] = await createsFor([styled(prompt)]);
    assert.ok(c, 'the prompt was sent with the page\'s style');
    const b = c.body as Body;
    assert.deepEqual({ size: b.size, resolution: b.resolution, quality: b.quality, n: b.n }, { size: '4:3', resolution: '1K', quality: 'medium', n: 1 });
  });

  it('an invalid value in the front matter is marked on its line, and nothing is sent for the page; an invalid override stops only its placeholder', async () => {
    const dir = await freshFolder('page-options/invalid');
    const prompts = ['a fern in a jar', 'a copper kettle with its own override']; // prompts no other suite sends
    const text = ['---', 'pictor:', '  size: "1:1"', '  quality: ultra', '---', '', `![${prompts[0]}]()`, '', `![${prompts[1]}]()`, ''].join('\n');
    const uri = await writeDoc(path.join(dir, 'page.md'), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await show(uri);

    const [d] = await waitFor('a Pictor diagnostic on the front matter', () => {
      const all = pictorDiagnostics(uri);
      return all.length ? all : undefined;
    });
    assert.equal(d!.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d!.range.start.line, 3, 'on the line of quality:');
    assert.match(d!.message, /quality cannot be "ultra".*Allowed: low, medium or high/);
    assert.deepEqual((await lensTitles(uri)), ['$(sparkle) Generate · fix the page options', '$(sparkle) Generate · fix the page options']);

    const all = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
    assert.deepEqual(all, []);
    const one = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(6, 3, 6, 3));
    assert.deepEqual(one, []);
    await assertNoCreates(prompts);
    assert.equal(doc.getText(), text, 'the page was touched');
    assert.equal(await onDisk(uri), text);

    // Fixed: the mark goes. Then one placeholder's override is wrong: only that one is held back.
    const editor = await show(uri);
    await editor.edit((e) => e.replace(new vscode.Range(3, 11, 3, 16), 'low'));
    await waitFor('the diagnostic to go', () => pictorDiagnostics(uri).length === 0);
    await editor.edit((e) => e.insert(doc.lineAt(8).range.end, ' <!-- pictor: n=12 -->'));
    const [o] = await waitFor('a diagnostic on the override', () => {
      const ds = pictorDiagnostics(uri);
      return ds.length ? ds : undefined;
    });
    assert.equal(o!.range.start.line, 8);
    assert.equal(doc.getText(o!.range), 'n=12');
    assert.match(o!.message, /n cannot be 12.*Allowed: a whole number from 1 to 10/);
    await doc.save();
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
    assert.deepEqual(jobs.map((j) => j.prompt), [prompts[0]]);
    assert.equal((await createsFor([prompts[0]!])).length, 1);
    await assertNoCreates([prompts[1]!]);
    assert.ok(doc.getText().includes(`![${prompts[1]}]() <!-- pictor: n=12 -->`));
  });

  it('the panel shows the options the active page\'s placeholders use, and where each comes from', async () => {
    const dir = await freshFolder('page-options/panel');
    const uri = await writeDoc(path.join(dir, 'page.md'), ['---', 'pictor:', '  size: "1:1"', '  resolution: 2K', `  style: "${style}"`, '---', '', '![a moth]()', ''].join('\n'));
    await vscode.commands.executeCommand('pictor.openPanel');
    const editor = await show(uri);
    await withSettings({ quality: 'high' }, async () => {
      const page = await waitFor('the page line', async () => (await panelState()).target as { page?: { summary: string; sources: string; problems: string[] } });
      assert.equal(page.page?.summary, `This page: 1:1 · 2K · high · 1 image(s) · style "${style}"`);
      assert.equal(page.page?.sources, 'From page: size, resolution, style · workspace settings: quality · default: n');
      assert.deepEqual(page.page?.problems, []);
      // The front matter changes: so does the line, with the problem in words.
      await editor.edit((e) => e.replace(new vscode.Range(3, 14, 3, 16), '8K'));
      const after = (await panelState()).target as { page?: { summary: string; problems: string[] } };
      assert.equal(after.page?.summary, `This page: 1:1 · 8K (invalid) · high · 1 image(s) · style "${style}"`);
      assert.equal(after.page?.problems.length, 1);
      assert.match(after.page!.problems[0]!, /resolution cannot be "8K".*Allowed: 1K, 2K or 4K/);
    });
  });

  it('the panel shows the page\'s reference images (issue 24): a thumbnail for each good file, the reason for each it cannot send', async () => {
    const dir = await freshFolder('page-options/panel-references');
    const outside = path.join(path.dirname(workspaceRoot().fsPath), `outside-refs-${process.pid}`);
    fs.mkdirSync(outside, { recursive: true });
    try {
      fs.mkdirSync(path.join(dir, 'refs'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'refs', 'palette.png'), encodePng(320, 200));
      fs.writeFileSync(path.join(dir, 'refs', 'notes.png'), 'not an image at all');
      fs.writeFileSync(path.join(outside, 'private.png'), encodePng(64, 64));
      fs.symlinkSync(path.join(outside, 'private.png'), path.join(dir, 'refs', 'leak.png'));
      fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'images', 'first.png'), encodePng(256, 256));
      fs.writeFileSync(path.join(workspaceRoot().fsPath, 'house-style.png'), encodePng(128, 128));
      const uri = await writeDoc(path.join(dir, 'page.md'), ['---', 'pictor:', '  references: [refs/palette.png, refs/missing.png, refs/leak.png, refs/notes.png]', '  styleFrom: first', '---', '',
        '![the first](images/first.png)', '', '![a moth]()', ''].join('\n'));
      await vscode.commands.executeCommand('pictor.openPanel');
      await show(uri);
      type Ref = { kind: string; label: string; from: string; thumb?: string; detail?: string; problem?: string };
      const refsOf = async () => ((await panelState()).target as { page?: { references?: Ref[] } }).page?.references;
      const refs = await waitFor('the page\'s references', refsOf);
      const rel = (f: string) => path.relative(workspaceRoot().fsPath, path.join(dir, f)).split(path.sep).join('/');
      assert.deepEqual(refs.map((r) => [r.label, r.from]), [
        [rel('refs/palette.png'), 'page'], ['refs/missing.png', 'page'], [rel('refs/leak.png'), 'page'], [rel('refs/notes.png'), 'page'], [rel('images/first.png'), 'styleFrom: first'],
      ]);
      const [good, missing, leak, notImage, first] = refs as [Ref, Ref, Ref, Ref, Ref];
      // A good file: a webview URI of that very file (the webview may load only its resource roots), its size.
      assert.ok(good.thumb && good.thumb.includes('palette.png') && !good.thumb.startsWith('file:'), good.thumb);
      assert.equal(good.detail, `320×200 · ${formatBytes(fs.statSync(path.join(dir, 'refs', 'palette.png')).size)}`);
      assert.equal(good.problem, undefined);
      assert.equal(first.detail, `256×256 · ${formatBytes(fs.statSync(path.join(dir, 'images', 'first.png')).size)}`);
      assert.ok(first.thumb);
      // The others: no thumbnail, and why, in the words the plan and the upload use.
      for (const r of [missing, leak, notImage]) assert.equal(r.thumb, undefined, `${r.label} has a thumbnail`);
      assert.match(missing.problem ?? '', /reference image refs\/missing\.png does not exist/);
      assert.match(leak.problem ?? '', /refs\/leak\.png \(it leads to .*private\.png\) is outside this window's workspace folders/);
      assert.match(notImage.problem ?? '', /refs\/notes\.png is not a PNG, JPEG or WebP image: its bytes are something else/);

      // The setting's references are relative to the workspace folder; a first placeholder is "made first".
      await withSettings({ references: ['house-style.png'] }, async () => {
        const editor = await show(uri);
        await editor.edit((e) => e.replace(new vscode.Range(2, 0, 3, 0), ''));
        await editor.edit((e) => e.replace(new vscode.Range(5, 0, 6, 0), ''));
        const next = await waitFor('the setting\'s reference and the first placeholder', async () => {
          const r = await refsOf();
          return r?.length === 2 ? r : undefined;
        });
        assert.deepEqual(next.map((r) => [r.kind, r.label, r.from]), [['file', 'house-style.png', 'workspace settings'], ['first', 'a moth', 'styleFrom: first']]);
        assert.ok(next[0]!.thumb);
        assert.equal(next[1]!.detail, 'made first, then sent with the others as their reference');
        await vscode.commands.executeCommand('workbench.action.files.revert');
      });
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
      fs.rmSync(path.join(workspaceRoot().fsPath, 'house-style.png'), { force: true });
    }
  });
});

describe('page options: untrusted pages (issue 18)', function () {
  this.timeout(120_000);
  afterEach(closeAllEditors);

  it('a front-matter alias bomb is one short diagnostic on its line, at once; nothing is sent, and other pages keep their lenses', async () => {
    const dir = await freshFolder('page-options/alias-bomb');
    // 446 bytes of YAML, 4 × 10^8 values once expanded: on main the diagnostics spent 20 s and more
    // stringifying it, then threw RangeError (out of activation when the page was open at start).
    const lines = ['---', 'a: &a [lol,lol,lol,lol]'];
    let prev = 'a';
    for (let i = 1; i <= 8; i++) {
      lines.push(`l${i}: &l${i} [${Array(10).fill(`*${prev}`).join(',')}]`);
      prev = `l${i}`;
    }
    const prompt = 'a lantern behind an alias bomb'; // a prompt no other suite sends
    const text = [...lines, `pictor: *${prev}`, '---', '', `![${prompt}]()`, ''].join('\n');
    const uri = await writeDoc(path.join(dir, 'bomb.md'), text);
    const other = await writeDoc(path.join(dir, 'plain.md'), '# Plain\n\n![a quiet harbour at noon]()\n');

    await show(uri);
    const [d, ...more] = await waitFor('a Pictor diagnostic on the front matter', () => {
      const all = pictorDiagnostics(uri);
      return all.length ? all : undefined;
    });
    assert.deepEqual(more, []);
    assert.equal(d!.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d!.range.start.line, lines.length, 'on the pictor: line');
    assert.match(d!.message, /anchors \(&\) or aliases \(\*\)/);
    assert.ok(d!.message.length < 400, `${d!.message.length} characters`);
    assert.deepEqual(await lensTitles(uri), ['$(sparkle) Generate · fix the page options']);
    assert.deepEqual(await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri), []);
    await assertNoCreates([prompt]);

    // Pictor goes on: another page's placeholder gets its lens with the settings' options.
    await show(other);
    const titles = await waitFor('the other page\'s lens', async () => {
      const t = await lensTitles(other);
      return t.length ? t : undefined;
    });
    assert.match(titles[0]!, /^\$\(sparkle\) Generate · /);
    assert.doesNotMatch(titles[0]!, /fix the page options/);
  });
});
