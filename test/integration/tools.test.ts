// The language model tools (issue 12), called the way an agent calls them: vscode.lm.invokeTool with
// no chat token, inside the real extension host, against the fake provider. What is checked: the
// answer's text (verbatim where it matters), the files on disk and their real pixel size, the links
// in the page, what the provider was sent (nothing on a refusal), and the preview image parts where
// this VS Code supports them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { imageSize } from 'image-size';
import { ClaimRegistry, placeholderClaimKey } from '../../src/core/claims';
import { readPngSize } from '../fake-evolink/png';
import { imageInfo } from '../../src/core/api/imageInfo';
import { chooseKeyColour } from '../../src/core/keyColour';
import { releaseTasks, setFake, resetFakeKnobs } from './fakeControl';
import { closeAllEditors, EXTENSION_ID, fakeRequests, waitFor, workspaceRoot } from './helpers';
import { assertOneCreateEach, createsFor, filesIn, freshFolder, onDisk, withSettings, writeDoc } from './editorHelpers';
import { logMark, sharedClaimsDir, waitForLog } from './hostFiles';
import { note } from './index';
import { panelState } from './panelHook';

const TOOLS = ['pictor_generateImage', 'pictor_fillPlaceholders', 'pictor_listPlaceholders'] as const;

interface Answer { text: string; images: { mimeType: string; data: Uint8Array }[]; parts: unknown[] }

async function invoke(name: string, input: object, token?: vscode.CancellationToken): Promise<Answer> {
  const r = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, token);
  const text = r.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart).map((p) => p.value).join('');
  const images = r.content.filter((p): p is { mimeType: string; data: Uint8Array } =>
    typeof p === 'object' && p !== null && 'mimeType' in p && 'data' in p) as { mimeType: string; data: Uint8Array }[];
  return { text, images, parts: r.content };
}

/** VS Code 1.106 and later hand image parts of tool results to the model; Pictor adds previews there only. */
function supportsImageParts(): boolean {
  const [major, minor] = vscode.version.split('.').map(Number);
  return major! > 1 || (major === 1 && minor! >= 106);
}

/** One preview per saved image on VS Code ≥ 1.106 (a small JPEG), none before. */
function assertPreviews(a: Answer, count: number): void {
  if (!supportsImageParts()) {
    assert.equal(a.images.length, 0, `VS Code ${vscode.version} gets no image parts`);
    assert.equal(a.parts.length, 1, 'only the text part');
    return;
  }
  assert.equal(a.images.length, count, `one preview per image on VS Code ${vscode.version}`);
  for (const img of a.images) {
    assert.equal(img.mimeType, 'image/jpeg');
    const s = imageSize(img.data);
    assert.equal(s.type, 'jpg');
    assert.ok(Math.max(s.width, s.height) <= 256, `the preview is ${s.width}×${s.height}, not small`);
  }
}

function rel(file: string): string {
  return path.relative(workspaceRoot().fsPath, file).split(path.sep).join('/');
}

/** The files under `dir` whose name starts with `slug-` (absolute paths). */
async function savedAs(dir: string, slug: string): Promise<string[]> {
  return (await filesIn(dir)).filter((f) => f.startsWith(`${slug}-`)).map((f) => path.join(dir, f));
}

function pixelSize(file: string): string {
  const s = readPngSize(fs.readFileSync(file));
  assert.ok(s, `${file} is not a PNG`);
  return `${s.width}×${s.height}`;
}

async function requestCount(): Promise<number> {
  return (await fakeRequests()).length;
}

describe('language model tools (issue 12)', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  it('registers the three tools with their schemas, and the manifest gives each a #reference name', () => {
    const names = vscode.lm.tools.map((t) => t.name);
    for (const t of TOOLS) assert.ok(names.includes(t), `${t} is not in vscode.lm.tools: ${names.join(', ')}`);
    const gen = vscode.lm.tools.find((t) => t.name === 'pictor_generateImage')!;
    assert.deepEqual((gen.inputSchema as { required: string[] }).required, ['prompt']);
    assert.deepEqual(Object.keys((gen.inputSchema as { properties: object }).properties).sort(),
      ['background', 'document', 'format', 'maxWidth', 'n', 'placeholder', 'prompt', 'quality', 'referenceImages', 'references', 'resolution', 'size']);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { languageModelTools: { name: string; toolReferenceName: string; canBeReferencedInPrompt: boolean }[] };
    };
    const refs = Object.fromEntries(manifest.contributes.languageModelTools.map((t) => [t.name, t.toolReferenceName]));
    assert.deepEqual(refs, { pictor_generateImage: 'pictorGenerate', pictor_fillPlaceholders: 'pictorFill', pictor_listPlaceholders: 'pictorPlaceholders' });
    assert.ok(manifest.contributes.languageModelTools.every((t) => t.canBeReferencedInPrompt));
  });

  describe('pictor_generateImage', () => {
    it('without a document: saved in images/ at the workspace root; the answer names the file, its real size and a link from the root', async () => {
      const prompt = 'a copper kettle on a camp stove, agent tool';
      const slug = 'a-copper-kettle-on-a-camp-stove-agent-tool';
      const a = await invoke('pictor_generateImage', { prompt, size: '1:1', quality: 'low' });

      const files = await savedAs(path.join(workspaceRoot().fsPath, 'images'), slug);
      assert.equal(files.length, 1, a.text);
      const file = files[0]!;
      assert.equal(pixelSize(file), '1024×1024');
      note(`pictor_generateImage answered (VS Code ${vscode.version}):\n${a.text}`);
      const name = path.basename(file);
      assert.equal(a.text, [
        `Saved 1 image(s) for "${prompt}" (links relative to the workspace root):`,
        `- images/${name} (1024×1024 pixels). Markdown: ![${prompt}](images/${name})`,
        'No page was edited: insert the Markdown link where the image belongs.',
      ].join('\n'));
      const [create] = await createsFor([prompt]);
      assert.equal(create?.body.size, '1:1');
      assert.equal((create?.body as { quality?: string }).quality, 'low');
      await assertOneCreateEach([prompt]);
      assertPreviews(a, 1);
    });

    it('a result whose header says 16000×16000 (a 1 MB decompression bomb): saved and named, and no preview is decoded (issue 18)', async function () {
      // Before 1.106 no preview is made at all, so there is nothing to refuse.
      if (!supportsImageParts()) this.skip();
      const prompt = 'a lighthouse in fog, oversized result';
      await setFake({ resultMode: 'oversized' });
      try {
        // The longest pause of this (the extension host's) event loop while the tool runs: a report, not a verdict.
        let last = Date.now();
        let gap = 0;
        const tick = setInterval(() => {
          gap = Math.max(gap, Date.now() - last);
          last = Date.now();
        }, 50);
        const started = Date.now();
        const a = await invoke('pictor_generateImage', { prompt, size: '1:1', quality: 'low' }).finally(() => clearInterval(tick));
        note(`oversized result: the tool answered in ${Date.now() - started} ms; the host's event loop paused at most ${gap} ms`);
        const [file] = await savedAs(path.join(workspaceRoot().fsPath, 'images'), 'a-lighthouse-in-fog-oversized-result');
        assert.ok(file, a.text);
        assert.equal(pixelSize(file), '16000×16000');
        assert.ok(a.text.includes(`- images/${path.basename(file)} (16000×16000 pixels).`), a.text);
        assert.equal(a.images.length, 0, 'a preview of the 16000×16000 image was made: it was decoded');
        assert.equal(a.parts.length, 1, 'only the text part');
      } finally {
        await resetFakeKnobs();
      }
    });

    it('without a document, pictor.destination decides as for a page at the workspace root', async () => {
      const prompt = 'a brass compass on a map, agent tool';
      const root = workspaceRoot().fsPath;
      // A page at the root matches `*.md`; a page in a folder would not (the glob has no `**/`).
      const a = await withSettings({ destination: { '*.md': 'art/tools-root/', '**/*.md': 'elsewhere/' } },
        () => invoke('pictor_generateImage', { prompt, size: '2:3' }));
      const [file] = await savedAs(path.join(root, 'art', 'tools-root'), 'a-brass-compass-on-a-map-agent-tool');
      assert.ok(file, a.text);
      assert.equal(pixelSize(file), '1024×1536');
      assert.ok(a.text.includes(`- art/tools-root/${path.basename(file)} (1024×1536 pixels). Markdown: ![${prompt}](art/tools-root/${path.basename(file)})`), a.text);
      assert.equal(fs.existsSync(path.join(root, 'elsewhere')), false);
    });

    it('with a document: saved where pictor.destination puts that page\'s images; the link is relative to the page; the page is not edited', async () => {
      const dir = await freshFolder('tools/guide');
      const page = path.join(dir, 'chapter one', 'intro.md');
      const before = '# Intro\n\nSome text.\n';
      const doc = await writeDoc(page, before);
      const prompt = 'a paper boat on a puddle';
      const a = await withSettings({ destination: { 'editor/tools/guide/**/*.md': '${documentWorkspaceFolder}/editor/tools/guide/art/' } },
        () => invoke('pictor_generateImage', { prompt, document: rel(page), size: '3:2', n: 2 }));

      const art = path.join(dir, 'art');
      const files = await savedAs(art, 'a-paper-boat-on-a-puddle');
      assert.equal(files.length, 2, a.text);
      const lines = a.text.split('\n');
      assert.equal(lines[0], `Saved 2 image(s) for "${prompt}" (links relative to ${rel(page)}):`);
      for (const f of files) {
        assert.equal(pixelSize(f), '1536×1024');
        // From chapter one/ up to the guide, then into art/ (no spaces in that path: no <…>).
        assert.ok(lines.includes(`- ${rel(f)} (1536×1024 pixels). Markdown: ![${prompt}](../art/${path.basename(f)})`), a.text);
      }
      assert.equal(await onDisk(doc), before);
      assert.equal((await createsFor([prompt]))[0]?.body.n, 2);
      await assertOneCreateEach([prompt]);
      assertPreviews(a, 2);
    });

    it('with a placeholder: fills it exactly as Generate does (link in the page, other placeholders untouched)', async () => {
      const dir = await freshFolder('tools/fill-one');
      const first = 'a lighthouse in fog, charcoal';
      const second = 'a harbour at dawn, charcoal';
      const page = path.join(dir, 'page.md');
      const doc = await writeDoc(page, `# Coast\n\n![${first}]()\n\n![${second}]()\n`);
      const a = await invoke('pictor_generateImage', { prompt: first, document: rel(page), placeholder: first, quality: 'high' });

      const [file] = await savedAs(path.join(dir, 'images'), 'a-lighthouse-in-fog-charcoal');
      assert.ok(file, a.text);
      const name = path.basename(file);
      // The page was open in no editor: it is saved with its link.
      assert.equal(await onDisk(doc), `# Coast\n\n![${first}](images/${name})\n\n![${second}]()\n`);
      assert.equal(a.text, [
        `Saved 1 image(s) for "${first}" (links relative to ${rel(page)}):`,
        `- ${rel(file)} (${pixelSize(file)} pixels). Markdown: ![${first}](images/${name})`,
        `The placeholder in ${rel(page)} now links the image; nothing else on the page changed.`,
      ].join('\n'));
      assert.equal((await createsFor([first]))[0]?.body.prompt, first);
      assert.equal(((await createsFor([first]))[0]?.body as { quality?: string }).quality, 'high');
      await assertOneCreateEach([first]);
      assert.equal((await createsFor([second])).length, 0);
    });

    it('a placeholder another VS Code window is generating: nothing is sent, and the answer says why', async () => {
      const dir = await freshFolder('tools/other-window');
      const prompt = 'a tin soldier on a windowsill';
      const page = path.join(dir, 'page.md');
      const original = `![${prompt}]()\n`;
      const doc = await writeDoc(page, original);
      const other = new ClaimRegistry(sharedClaimsDir(), 60 * 60_000);
      const key = await placeholderClaimKey(doc.fsPath, `![${prompt}]()`);
      assert.equal(await other.acquire(key, 'other-window-job'), true);
      try {
        const before = await requestCount();
        const a = await invoke('pictor_generateImage', { prompt, document: rel(page), placeholder: prompt });
        assert.equal(a.text, 'Nothing was sent: another VS Code window is already generating this placeholder.');
        assert.equal(await requestCount(), before);
        assert.equal(await onDisk(doc), original);
      } finally {
        await other.release(key, 'other-window-job');
      }
    });
  });

  describe('refusals: what is wrong and the limit, and nothing sent', () => {
    let dir: string;
    before(async () => {
      dir = await freshFolder('tools/refusals');
      await writeDoc(path.join(dir, 'page.md'), '# Page\n\n![a red kite over hills]()\n\n![a blue kite over sea]()\n');
      await writeDoc(path.join(dir, 'notes.txt'), 'not markdown\n');
    });

    const cases: [string, () => object, RegExp][] = [
      ['a prompt of 32,001 code points', () => ({ prompt: 'x'.repeat(32_001) }),
        /^Nothing was sent: The prompt has 32,001 characters \(Unicode code points\); the limit is 32,000\. Shorten it by 1\.$/],
      ['n = 11', () => ({ prompt: 'eleven foxes', n: 11 }), /^Nothing was sent: .*\b(n|images?)\b.*\b10\b/i],
      ['a size that is not a multiple of 16', () => ({ prompt: 'a fox', size: '1000x1000' }), /^Nothing was sent: Size .*16/],
      ['an unknown quality', () => ({ prompt: 'a fox', quality: 'ultra' }), /^Nothing was sent: .*quality.*low, medium.*high/i],
      ['a reference outside the workspace', () => ({ prompt: 'a fox', referenceImages: ['../../outside.png'] }),
        /^referenceImages "\.\.\/\.\.\/outside\.png" is outside the workspace folder/],
      ['a reference that does not exist', () => ({ prompt: 'a fox', referenceImages: ['editor/tools/refusals/refs/missing.png'] }),
        /^Nothing was sent: The image editor\/tools\/refusals\/refs\/missing\.png does not exist\. Fix the link, then try again\.$/],
      ['a plain-http reference URL', () => ({ prompt: 'a fox', referenceImages: ['http://example.com/a.png'] }), /^Nothing was sent: .*https/i],
      ['a document that is not Markdown', () => ({ prompt: 'a fox', document: 'editor/tools/refusals/notes.txt' }),
        /^document "editor\/tools\/refusals\/notes\.txt" is not a Markdown page \(plaintext\)/],
      ['a document that does not exist', () => ({ prompt: 'a fox', document: 'editor/tools/refusals/nope.md' }),
        /^document "editor\/tools\/refusals\/nope\.md" does not exist in the workspace/],
      ['a placeholder the page does not have', () => ({ prompt: 'a fox', document: 'editor/tools/refusals/page.md', placeholder: 'a green kite' }),
        /^Nothing was sent: editor\/tools\/refusals\/page\.md has no placeholder with the alt text "a green kite"\. Its placeholders: line 3: "a red kite over hills"; line 5: "a blue kite over sea"\./],
      ['a placeholder without a document', () => ({ prompt: 'a fox', placeholder: 'a red kite over hills' }), /^placeholder needs document/],
    ];
    for (const [what, input, expected] of cases) {
      it(`pictor_generateImage refuses ${what}`, async () => {
        const before = await requestCount();
        const a = await invoke('pictor_generateImage', input());
        assert.match(a.text, expected);
        assert.doesNotMatch(a.text, /\n\s+at /, 'a stack trace in the answer');
        assert.equal(a.parts.length, 1);
        assert.equal(await requestCount(), before, 'a request was sent for a refused call');
      });
    }

    it('pictor_fillPlaceholders refuses a page with one prompt over the limit, naming its line; nothing is sent for the others', async () => {
      const page = path.join(dir, 'long.md');
      await writeDoc(page, `![a short prompt that is fine]()\n\n![${'y'.repeat(32_001)}]()\n`);
      const before = await requestCount();
      const a = await invoke('pictor_fillPlaceholders', { document: rel(page) });
      assert.match(a.text, /^Nothing was sent for editor\/tools\/refusals\/long\.md\. Fix these placeholders, then call again: line 3 \("y+…"\): The prompt has 32,001 characters \(Unicode code points\); the limit is 32,000\. Shorten it by 1\.$/);
      assert.equal(await requestCount(), before);
      await assertNoCreatesFor('a short prompt that is fine');
    });

    it('pictor_fillPlaceholders refuses a page with no placeholders', async () => {
      const page = path.join(dir, 'none.md');
      await writeDoc(page, '# Nothing here\n');
      const before = await requestCount();
      const a = await invoke('pictor_fillPlaceholders', { document: rel(page) });
      assert.equal(a.text, 'Nothing was sent: editor/tools/refusals/none.md has no image placeholders. Write one like ![a red fox asleep in snow]() where an image belongs.');
      assert.equal(await requestCount(), before);
    });
  });

  describe('the look (issue 24): background, format, maxWidth as the call\'s options', () => {
    it('format: webp, maxWidth: 600: a WebP file 600 wide, and the answer names its size and what was saved', async () => {
      const prompt = 'a paper boat on a pond, light file';
      const slug = 'a-paper-boat-on-a-pond-light-file';
      const a = await invoke('pictor_generateImage', { prompt, size: '3:2', quality: 'low', format: 'webp', maxWidth: 600 });
      const files = (await filesIn(path.join(workspaceRoot().fsPath, 'images'))).filter((f) => f.startsWith(`${slug}`)).map((f) => path.join(workspaceRoot().fsPath, 'images', f));
      assert.equal(files.length, 1, a.text);
      const file = files[0]!;
      assert.equal(path.extname(file), '.webp', 'the extension follows the format');
      const info = imageInfo(fs.readFileSync(file));
      assert.equal(info?.type, 'webp', 'WebP, sniffed from the bytes');
      assert.deepEqual([info?.width, info?.height], [600, 400], '1536×1024 scaled down to 600 wide');
      note(`pictor_generateImage with a look answered:\n${a.text}`);
      const name = path.basename(file);
      const lines = a.text.split('\n');
      assert.equal(lines[1], `- images/${name} (600×400 pixels). Markdown: ![${prompt}](images/${name})`);
      assert.match(lines[2]!, /^ {2}Converted: \d+(\.\d)? [KM]?B PNG → \d+(\.\d)? [KM]?B WebP$/);
      assert.doesNotMatch(a.text, /instead of the/, 'a maxWidth is not the provider sending another size');
      // The provider was asked for the size as given: the look is Pictor's work after the download.
      const [create] = await createsFor([prompt]);
      assert.equal(create?.body.size, '3:2');
      // The WebP gets its preview as a PNG does (it had none: no WebP decoder).
      assertPreviews(a, 1);
    });

    it('background: transparent with format: jpeg is refused with the planner\'s words, and nothing is sent', async () => {
      const before = await requestCount();
      const a = await invoke('pictor_generateImage', { prompt: 'a glass marble, transparent jpeg', background: 'transparent', format: 'jpeg' });
      assert.equal(a.text, 'Nothing was sent: A transparent background cannot be saved as JPEG, which has no transparency: choose format png or webp, or background opaque.');
      assert.equal(a.parts.length, 1);
      assert.equal(await requestCount(), before, 'a request was sent for a refused call');
    });

    it('a format the look does not know is refused naming what is allowed, and nothing is sent', async () => {
      const before = await requestCount();
      const a = await invoke('pictor_generateImage', { prompt: 'a glass marble, gif', format: 'gif' });
      assert.equal(a.text, 'Nothing was sent: format cannot be "gif"; allowed: png, webp or jpeg.');
      assert.equal(await requestCount(), before);
    });

    it('background: transparent: the key-colour instruction is sent, and a backdrop that is not flat is kept opaque with the reason in the answer', async () => {
      const prompt = 'a fox in a busy market [busy], agent tool';
      const a = await invoke('pictor_generateImage', { prompt, size: '1:1', quality: 'low', background: 'transparent' });
      const creates = await createsFor([`${prompt}\n\n${chooseKeyColour(prompt).instruction}`]);
      assert.equal(creates.length, 1, 'one create, with the key-colour instruction');
      assert.match(a.text, /\n {2}Note: .*not flat enough/, a.text);
    });
  });

  describe('pictor_fillPlaceholders', () => {
    it('fills every placeholder of the page as Generate all does, skipping the empty one, and lists every file', async () => {
      const dir = await freshFolder('tools/fill-all');
      const prompts = ['a fern in a clay pot', 'a cactus on a sill'];
      const page = path.join(dir, 'plants.md');
      const doc = await writeDoc(page, `# Plants\n\n![${prompts[0]}]()\n\n![]()\n\n- ![${prompts[1]}](<>)\n`);
      const a = await invoke('pictor_fillPlaceholders', { document: rel(page) });

      const images = path.join(dir, 'images');
      const [fern] = await savedAs(images, 'a-fern-in-a-clay-pot');
      const [cactus] = await savedAs(images, 'a-cactus-on-a-sill');
      assert.ok(fern && cactus, a.text);
      assert.equal(await onDisk(doc), `# Plants\n\n![${prompts[0]}](images/${path.basename(fern)})\n\n![]()\n\n- ![${prompts[1]}](images/${path.basename(cactus)})\n`);
      const lines = a.text.split('\n');
      assert.equal(lines[0], `${rel(page)}: 2 placeholder(s) sent, 2 image(s) saved, 2 linked into the page (links relative to the page):`);
      for (const [prompt, file] of [[prompts[0]!, fern], [prompts[1]!, cactus]] as const) {
        const i = lines.indexOf(`"${prompt}"`);
        assert.ok(i > 0, a.text);
        assert.equal(lines[i + 1], `- ${rel(file)} (${pixelSize(file)} pixels). Markdown: ![${prompt}](images/${path.basename(file)})`);
      }
      assert.equal(lines.at(-1), '1 placeholder(s) have no prompt and were skipped: describe the image between the brackets.');
      await assertOneCreateEach(prompts);
      assertPreviews(a, 2);
    });
  });

  describe('the cost guard', () => {
    it('a page that would bill more than pictor.confirmAboveImages images asks first, as Generate all does; nothing is sent unasked', async () => {
      const dir = await freshFolder('tools/guard');
      const page = path.join(dir, 'p.md');
      const prompts = ['a red door', 'a green door', 'a blue door'];
      await writeDoc(page, prompts.map((p) => `![${p}]()`).join('\n\n') + '\n');
      const before = await requestCount();
      // 3 placeholders × n = 2 = 6 images > 4. A test host refuses to show the modal dialog
      // (VS Code skips dialogs under test), so the call ends there with the question in its answer.
      const a = await withSettings({ n: 2, confirmAboveImages: 4 }, () => invoke('pictor_fillPlaceholders', { document: rel(page) }));
      assert.match(a.text, /Generate 6 images/);
      assert.equal(await requestCount(), before, 'a request was sent before the user was asked');
      assert.equal(await onDisk(page), prompts.map((p) => `![${p}]()`).join('\n\n') + '\n');
    });
  });

  describe('pictor_listPlaceholders', () => {
    it('lists a page\'s placeholders (line, prompt) and its linked images, and sends nothing', async () => {
      const dir = await freshFolder('tools/list');
      const page = path.join(dir, 'list.md');
      await writeDoc(page, '# List\n\n![a quiet pond at night]()\n\n![done](images/done.png)\n\n![]()\n\n`![not one]()`\n');
      const before = await requestCount();
      const a = await invoke('pictor_listPlaceholders', { document: rel(page) });
      assert.equal(a.text, [
        `${rel(page)}: 2 placeholder(s), 1 linked image(s).`,
        'Placeholders (the alt text is the prompt):',
        '- line 3: "a quiet pond at night"',
        '- line 7: "" (no prompt yet: write one between the brackets)',
        'Images already linked:',
        '- line 5: ![done](images/done.png)',
        'Fill one with pictor_generateImage (document and placeholder), or all with pictor_fillPlaceholders.',
      ].join('\n'));
      assert.equal(await requestCount(), before);
    });

    it('without a document: every open Markdown page', async () => {
      const dir = await freshFolder('tools/list-open');
      const one = await writeDoc(path.join(dir, 'one.md'), '![a moth on a lamp]()\n');
      const two = await writeDoc(path.join(dir, 'two.md'), 'no images\n');
      await vscode.window.showTextDocument(one);
      await vscode.window.showTextDocument(two, { preview: false });
      const a = await invoke('pictor_listPlaceholders', {});
      assert.ok(a.text.includes(`${rel(one.fsPath)}: 1 placeholder(s), 0 linked image(s).\nPlaceholders (the alt text is the prompt):\n- line 1: "a moth on a lamp"`), a.text);
      assert.ok(a.text.includes(`${rel(two.fsPath)}: 0 placeholder(s), 0 linked image(s).`), a.text);
    });
  });

  describe('prepareInvocation: the confirmation a chat shows', () => {
    type Prepared = { invocationMessage?: string; confirmation?: { title: string; message: string } } | undefined;
    const prepare = (name: string, input: object) => Promise.resolve(vscode.commands.executeCommand<Prepared>('pictor._test.prepareTool', name, input));

    it('pictor_generateImage: number of images, pixel size, quality and relative cost (the panel\'s figures)', async () => {
      const p = await prepare('pictor_generateImage', { prompt: 'a stone bridge', size: '3:2', quality: 'high', n: 2 });
      assert.equal(p?.confirmation?.title, 'Generate 2 image(s) with Pictor?');
      // high = 4×, two images, 1536×1024 = 1.5× the pixels of 1024×1024: 12×, as the panel shows it.
      assert.ok(p.confirmation.message.startsWith('2 image(s) · pixel size 1536×1024 · quality high · relative cost ≈12.00× (1× = one medium 1024×1024 image)'), p.confirmation.message);
      assert.match(p.confirmation.message, /Prompt: "a stone bridge"/);
    });

    it('pictor_fillPlaceholders: the figures of the whole page', async () => {
      const dir = await freshFolder('tools/prepare-fill');
      const page = path.join(dir, 'p.md');
      await writeDoc(page, '![one owl]()\n\n![two owls]()\n\n![three owls]()\n');
      const p = await withSettings({ size: '1:1', quality: 'low' }, () => prepare('pictor_fillPlaceholders', { document: rel(page) }));
      assert.equal(p?.confirmation?.title, `Fill 3 placeholder(s) of ${rel(page)} with Pictor?`);
      assert.ok(p.confirmation.message.startsWith('3 image(s) · pixel size 1024×1024 · quality low · relative cost ≈0.33×'), p.confirmation.message);
    });

    it('pictor_listPlaceholders asks for no confirmation; a request that will be refused shows the reason in its confirmation (issue 18: never none)', async () => {
      const list = await prepare('pictor_listPlaceholders', {});
      assert.ok(list?.invocationMessage);
      assert.equal(list.confirmation, undefined);
      const bad = await prepare('pictor_generateImage', { prompt: 'a fox', n: 99 });
      assert.match(bad?.confirmation?.message ?? '', /Pictor will not send this request as it is: .*The number of images \(n\) must be a whole number from 1 to 10; got 99/);
    });
  });

  describe('while it runs', () => {
    afterEach(resetFakeKnobs);

    it('the job shows in the panel; cancelling the token cancels the task, and the page is not filled', async () => {
      const dir = await freshFolder('tools/cancel');
      // Held at the fake until the cancel has gone through.
      const prompt = 'a slow snail crossing a leaf [hold]';
      const page = path.join(dir, 'page.md');
      const original = `![${prompt}]()\n`;
      const doc = await writeDoc(page, original);
      await vscode.commands.executeCommand('pictor.openPanel');
      const source = new vscode.CancellationTokenSource();
      const mark = logMark();
      const call = invoke('pictor_generateImage', { prompt, document: rel(page), placeholder: prompt }, source.token)
        .then((a) => ({ a }), (e: unknown) => ({ e }));
      await waitFor('the task to be created', async () => (await createsFor([prompt])).length > 0, 20_000);
      const row = await waitFor('the tool\'s job in the panel', async () => (await panelState()).jobs.find((j) => j.prompt === prompt), 10_000, 500);
      assert.ok(['creating', 'running', 'queued'].includes(row.state), row.state);
      source.cancel();
      const settled = await call;
      await waitForLog(mark, /A language model tool call was cancelled: stopping 1 task\(s\)/);
      const after = await waitFor('the job to be cancelled', async () => (await panelState()).jobs.find((j) => j.prompt === prompt && j.state === 'cancelled'), 10_000, 500);
      assert.equal(after.state, 'cancelled');
      if ('a' in settled) assert.match(settled.a.text, /Cancel/);
      assert.equal(await onDisk(doc), original, 'a cancelled call filled the placeholder');
      await assertOneCreateEach([prompt]);
      await releaseTasks(prompt);
    });
  });
});

async function assertNoCreatesFor(prompt: string): Promise<void> {
  assert.deepEqual((await createsFor([prompt])).map((c) => c.body.prompt), []);
}
