// Issue 24 through the editor: a page whose front matter asks for `background: transparent`,
// `format: webp` and `maxWidth` is filled by Generate all in a real VS Code host against the fake
// provider, which draws on the key colour Pictor's instruction asks for. Checked: the prompt the fake
// received (the key-colour instruction), the files written (format sniffed from the bytes, pixel size,
// alpha present), the links, the recipe read back; and the not-flat path (kept opaque, told on the link).
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PNG } from 'pngjs';
import { imageInfo } from '../../src/core/api/imageInfo';
import { chooseKeyColour } from '../../src/core/keyColour';
import { readRecipeFile } from '../../src/core/recipe';
import { decodeWebp } from '../unit/codecs';
import { closeAllEditors, fakeRequests, waitFor } from './helpers';
import { panelSend, panelState, waitForHistory } from './panelHook';
import { createsFor, fakeFile, freshFolder, jobFor, linkTo, show, writeDoc, type CreateRequest, type JobSummary } from './editorHelpers';

const pictorDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pictor');

/** A small PNG of random colours: bytes no earlier run uploaded (the upload cache is by content). */
function palettePng(): Buffer {
  const png = new PNG({ width: 16, height: 16 });
  randomBytes(png.data.length).copy(png.data);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  return PNG.sync.write(png);
}

/** Every pixel opaque, and the corner's colour as `#RRGGBB`: what an opaque original on its key colour shows. */
function opaqueCorner(bytes: Buffer): { opaque: boolean; corner: string } {
  const png = PNG.sync.read(bytes);
  let opaque = true;
  for (let i = 3; i < png.data.length; i += 4) if (png.data[i] !== 255) opaque = false;
  return { opaque, corner: '#' + [...png.data.subarray(0, 3)].map((v) => v.toString(16).padStart(2, '0')).join('').toUpperCase() };
}

interface Notice { severity: string; message: string; items: string[] }

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

  it('Done when: references and styleFrom: first with transparent WebP at most 1200 wide: the page reference uploaded once, the first alone, the others after it with its opaque original, each file light and transparent with its recipe', async () => {
    const dir = await freshFolder('look/one-look');
    const file = path.join(dir, 'story.md');
    mkdirSync(path.join(dir, 'style'), { recursive: true });
    const palette = palettePng();
    writeFileSync(path.join(dir, 'style', 'palette.png'), palette);
    const prompts = ['a green tree frog on a leaf', 'a blue heron wading', 'a red fox in the snow'];
    const front = ['---', 'pictor:', '  size: "3:2"', '  references: [style/palette.png]', '  styleFrom: first', '  background: transparent', '  format: webp', '  maxWidth: 1200', '---', ''];
    const body = (links: string[] = []) => [...front, ...prompts.flatMap((p, i) => [`![${p}](${links[i] ?? ''})`, ''])].join('\n');
    const uri = await writeDoc(file, body());
    await show(uri);
    const before = (await fakeRequests()).length;
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
    assert.equal(jobs.length, 3, JSON.stringify(jobs));
    assert.ok(jobs.every((j) => j.state === 'completed' && j.linked), JSON.stringify(jobs));

    // The key-colour instruction is in each prompt the provider received.
    const sent = prompts.map((p) => `${p}\n\n${chooseKeyColour(p).instruction}`);
    const log = ((await fakeRequests()) as unknown as (CreateRequest & { body?: { fileName?: string; size?: number } })[]).slice(before);
    const createAt = (prompt: string) => {
      const i = log.findIndex((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && r.body?.prompt === prompt);
      assert.ok(i >= 0, `a create for "${prompt}"`);
      return i;
    };
    const creates = log.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations'));
    assert.deepEqual(creates.map((c) => c.body.prompt).sort(), [...sent].sort(), 'one create each, with the key-colour instruction');

    // The first alone, first: the others were created only once its image had been downloaded.
    const first = jobFor(jobs, sent[0]!);
    const firstDownload = log.findIndex((r) => r.method === 'GET' && r.path.startsWith(`/results/${first.taskId}/`));
    assert.ok(firstDownload >= 0, 'the first image was downloaded');
    assert.ok(createAt(sent[0]!) < firstDownload);
    for (const s of sent.slice(1)) assert.ok(createAt(s) > firstDownload, `"${s.split('\n')[0]}" was created after the first image was made`);

    // The page reference: uploaded once for all three (upload cache), every create sends its URL.
    const uploads = log.filter((r) => r.method === 'POST' && r.path.startsWith('/api/v1/files/upload/'));
    assert.equal(uploads.length, 2, `two uploads (the page reference, the first image's original): ${JSON.stringify(uploads.map((u) => u.body))}`);
    const urlsOf = (s: string) => creates.find((c) => c.body.prompt === s)!.body.image_urls ?? [];
    const firstUrls = urlsOf(sent[0]!);
    assert.equal(firstUrls.length, 1, 'the first sends the page reference only');
    assert.deepEqual(await fakeFile(firstUrls[0]!), palette, 'the page reference, as it is on disk');
    const styleUrls = new Set<string>();
    for (const s of sent.slice(1)) {
      const urls = urlsOf(s);
      assert.equal(urls.length, 2, 'the others send the page reference and the first image');
      assert.equal(urls[0], firstUrls[0], 'the same upload of the page reference');
      styleUrls.add(urls[1]!);
    }
    assert.equal(styleUrls.size, 1, 'the first image is uploaded once for both others');
    // What they were sent of the first image is its opaque original: the picture on the key colour it was drawn on.
    const styleBytes = await fakeFile([...styleUrls][0]!);
    assert.notDeepEqual(styleBytes, readFileSync(first.files[0]!), 'not the transparent image as placed');
    assert.equal(imageInfo(styleBytes)?.type, 'png', 'the download as the provider sent it');
    const style = opaqueCorner(styleBytes);
    assert.ok(style.opaque, 'the style reference has no transparent pixel');
    assert.equal(style.corner, chooseKeyColour(prompts[0]!).hex, 'its backdrop is the key colour');

    // The files: WebP by their bytes, at most 1200 wide (3:2 scaled down), transparent backdrop; linked; the recipe read back.
    const links: string[] = [];
    const firstFile = first.files[0]!;
    for (const [i, prompt] of prompts.entries()) {
      const job = jobFor(jobs, sent[i]!);
      const saved = job.files[0]!;
      const bytes = readFileSync(saved);
      const info = imageInfo(bytes);
      assert.equal(info?.type, 'webp', 'WebP, sniffed from the bytes');
      assert.equal(path.extname(saved), '.webp');
      assert.deepEqual([info?.width, info?.height], [1200, 800], 'scaled down to maxWidth, the shape kept');
      const px = await decodeWebp(bytes);
      assert.equal(px.data[3], 0, 'the corner is transparent');
      assert.equal(px.data[(400 * 1200 + 600) * 4 + 3], 255, 'the subject is opaque');
      links.push(linkTo(file, saved));
      const recipe = await readRecipeFile(saved);
      assert.equal(recipe?.prompt, prompt);
      assert.deepEqual([recipe?.background, recipe?.keyed, recipe?.format, recipe?.maxWidth], ['transparent', true, 'webp', 1200]);
      const refs = (recipe?.references ?? []).map((r) => ('file' in r ? path.resolve(path.dirname(saved), r.file) : r.url));
      const expected = [path.join(dir, 'style', 'palette.png'), ...(i === 0 ? [] : [firstFile])];
      assert.deepEqual(refs, expected, 'the recipe records the references (the first image as placed: Regenerate sends its original again)');
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), body(links), 'each placeholder links its WebP file');

    // The panel's history records the look and the references, and Generate Again sends the same, without the page open.
    const entry = await waitForHistory(prompts[1]!);
    assert.deepEqual(entry.options, { size: '3:2', resolution: '1K', quality: 'medium', n: 1, background: 'transparent', format: 'webp', maxWidth: 1200 });
    assert.equal(entry.references, 2);
    await closeAllEditors();
    const mark = (await fakeRequests()).length;
    const again = await panelSend({ type: 'generateAgain', id: entry.id, requestId: 'look-again' });
    assert.equal(again.accepted, true, again.reason);
    const jobIds = (again.posted.find((m) => m.phase === 'queued')?.jobIds ?? []) as string[];
    assert.equal(jobIds.length, 1, JSON.stringify(again.posted));
    const made = await waitFor('the entry of Generate Again', async () => (await panelState()).history.find((h) => h.id === jobIds[0]), 60_000, 250);
    const newCreates = ((await fakeRequests()) as unknown as CreateRequest[]).slice(mark).filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations'));
    assert.deepEqual(newCreates.map((c) => c.body.prompt), [sent[1]], 'the same prompt, with the key-colour instruction');
    assert.deepEqual(newCreates[0]!.body.image_urls, urlsOf(sent[1]!), 'the same references: the page reference and the first image\'s opaque original');
    const remade = readFileSync(made.files[0]!.path);
    assert.equal(imageInfo(remade)?.type, 'webp');
    assert.equal(imageInfo(remade)?.width, 1200);
    assert.equal((await decodeWebp(remade)).data[3], 0, 'transparent again');
  });

  it('styleFrom: first whose first image fails: the others are not sent, and the user is told why', async () => {
    const dir = await freshFolder('look/first-fails');
    const file = path.join(dir, 'story.md');
    const prompts = ['a green frog [fail:content_policy_violation]', 'a blue heron after the frog', 'a red fox after the frog'];
    const text = ['---', 'pictor:', '  size: "1:1"', '  styleFrom: first', '  background: transparent', '  format: webp', '---', '', ...prompts.flatMap((p) => [`![${p}]()`, '']), ''].join('\n');
    const uri = await writeDoc(file, text);
    await show(uri);
    await vscode.commands.executeCommand('pictor._test.notices');
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
    const sent = prompts.map((p) => `${p}\n\n${chooseKeyColour(p).instruction}`);
    assert.deepEqual(jobs.map((j) => [j.prompt, j.state]), [[sent[0], 'failed']], 'only the first was sent');
    assert.equal((await createsFor(sent)).length, 1, 'nothing else was created');
    const told: Notice[] = [];
    const isWhy = (n: Notice) => /styleFrom: first takes the first image of the page \("a green frog.*"\).*failed/.test(n.message);
    await waitFor('the user is told why the others were not sent', async () => {
      told.push(...await vscode.commands.executeCommand<Notice[]>('pictor._test.notices'));
      return told.filter(isWhy).length >= 2 ? true : undefined;
    }).catch((e: Error) => assert.fail(`${e.message}: ${JSON.stringify(told)}`));
    const why = told.filter(isWhy);
    assert.equal(why.length, 2, `one notice per placeholder not sent: ${JSON.stringify(told)}`);
    assert.ok(why.every((n) => n.severity === 'error'));
    assert.equal((await vscode.workspace.openTextDocument(uri)).getText(), text, 'the page keeps its placeholders');
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
