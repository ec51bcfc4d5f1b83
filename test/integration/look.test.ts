// Issue 24 through the editor: a page whose front matter asks for `background: transparent`,
// `format: webp` and `maxWidth` is filled by Generate all in a real VS Code host against the fake
// provider, which draws on the key colour Pictor's instruction asks for. Checked: the prompt the fake
// received (the key-colour instruction), the files written (format sniffed from the bytes, pixel size,
// alpha present), the links, the recipe read back; and the not-flat path (kept opaque, told on the link).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PNG } from 'pngjs';
import { imageInfo } from '../../src/core/api/imageInfo';
import { chooseKeyColour } from '../../src/core/matte';
import { readRecipeFile } from '../../src/core/recipe';
import { decodeWebp } from '../unit/codecs';
import { closeAllEditors, waitFor } from './helpers';
import { createsFor, freshFolder, jobFor, linkTo, show, writeDoc, type JobSummary } from './editorHelpers';

const pictorDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pictor');

describe('one look per page: transparent, light files (issue 24)', function () {
  this.timeout(120_000);
  afterEach(closeAllEditors);

  it('a page with background: transparent, format: webp, maxWidth: light transparent WebP files, linked, each with its recipe', async () => {
    const dir = await freshFolder('look/transparent-webp');
    const file = path.join(dir, 'look.md');
    const prompts = ['a green frog on a lily pad', 'a pink flamingo standing'];
    const front = ['---', 'pictor:', '  size: "1:1"', '  background: transparent', '  format: webp', '  maxWidth: 400', '---', ''];
    const body = (links: string[] = []) => [...front, ...prompts.flatMap((p, i) => [`![${p}](${links[i] ?? ''})`, ''])].join('\n');
    const uri = await writeDoc(file, body());
    await show(uri);
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
    assert.equal(jobs.length, 2, JSON.stringify(jobs));
    assert.ok(jobs.every((j) => j.state === 'completed' && j.linked), JSON.stringify(jobs));

    // The prompt the provider received: the prompt, then the instruction for a key colour away from its colours.
    const sent = prompts.map((p) => `${p}\n\n${chooseKeyColour(p).instruction}`);
    assert.deepEqual([chooseKeyColour(prompts[0]!).name, chooseKeyColour(prompts[1]!).name], ['magenta', 'green']);
    const creates = await createsFor(sent);
    assert.equal(creates.length, 2, 'one create each, with the key-colour instruction');

    const links: string[] = [];
    for (const [i, prompt] of prompts.entries()) {
      const job = jobFor(jobs, sent[i]!);
      assert.equal(job.files.length, 1);
      const saved = job.files[0]!;
      assert.equal(path.extname(saved), '.webp', 'the extension follows the format');
      const bytes = readFileSync(saved);
      const info = imageInfo(bytes);
      assert.equal(info?.type, 'webp', 'WebP, sniffed from the bytes');
      assert.deepEqual([info?.width, info?.height], [400, 400], 'scaled down to maxWidth, the shape kept');
      const px = await decodeWebp(bytes);
      assert.equal(px.data[3], 0, 'the corner (the key-colour backdrop) is transparent');
      const mid = (200 * 400 + 200) * 4;
      assert.equal(px.data[mid + 3], 255, 'the subject is opaque');
      links.push(linkTo(file, saved));
      const recipe = await readRecipeFile(saved);
      assert.equal(recipe?.prompt, prompt, 'the recipe keeps the prompt as written, without the instruction');
      assert.equal(recipe?.background, 'transparent');
      assert.equal(recipe?.keyed, true);
      assert.equal(recipe?.key, chooseKeyColour(prompt).hex);
      assert.equal(recipe?.format, 'webp');
      assert.equal(recipe?.maxWidth, 400);
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), body(links), 'each placeholder links its WebP file');
  });

  it('a backdrop that is not flat enough: the image is kept opaque and linked, the recipe says so, and the link carries the reason', async () => {
    const dir = await freshFolder('look/not-flat');
    const file = path.join(dir, 'busy.md');
    const prompt = 'a fox in a busy market [busy]';
    const text = (link = '') => ['---', 'pictor:', '  size: "1:1"', '  background: transparent', '---', '', `![${prompt}](${link})`, ''].join('\n');
    const uri = await writeDoc(file, text());
    await show(uri);
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
    const job = jobFor(jobs, `${prompt}\n\n${chooseKeyColour(prompt).instruction}`);
    assert.equal(job.state, 'completed');
    assert.ok(job.linked);
    const saved = job.files[0]!;
    assert.equal(path.extname(saved), '.png');
    const png = PNG.sync.read(readFileSync(saved));
    let transparent = 0;
    for (let i = 3; i < png.data.length; i += 4) if (png.data[i] !== 255) transparent++;
    assert.equal(transparent, 0, 'not one pixel made transparent: never a half-eaten subject');
    const recipe = await readRecipeFile(saved);
    assert.equal(recipe?.background, 'transparent');
    assert.equal(recipe?.keyed, false);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), text(linkTo(file, saved)));
    const d = await waitFor('a warning on the link saying why it is opaque', () => {
      const found = pictorDiagnostics(uri).find((x) => /not flat enough/.test(x.message));
      return found;
    });
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    const linkLine = doc.getText().split('\n').findIndex((l) => l.startsWith(`![${prompt}]`));
    assert.equal(d.range.start.line, linkLine, 'on the image link that replaced the placeholder');
  });
});
