// Every editor command of the public contract, run through the real VS Code API against the fake
// provider: what the document says afterwards, what is on disk, and what the provider was sent.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { encodePng } from '../fake-evolink/png';
import { fake, fakeRequests, waitFor } from './helpers';
import { releaseTasks } from './fakeControl';
import {
  assertName, assertNoCreates, assertOneCreateEach, assertPng, createsFor, fakeFile, filesIn, freshFolder, jobFor,
  type JobSummary, linkTo, onDisk, page, show, start, waitForCreate, writeDoc, editorSuite,
} from './editorHelpers';

editorSuite('editor commands', 60_000, () => {
  describe('Generate Image from Selection', () => {
    it('in Markdown: the link goes on a new line after the selection; the file is saved in images/ beside the page', async () => {
      const dir = await freshFolder('selection-md');
      const prompt = 'a lighthouse on a cliff at dusk, ink drawing';
      const before = ['# Coast', '', prompt, 'The next paragraph.', ''].join('\n');
      const editor = await show(await writeDoc(path.join(dir, 'coast.md'), before));
      editor.selection = new vscode.Selection(2, 0, 2, prompt.length);

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateFromSelection');

      const job = jobFor(jobs, prompt);
      assert.equal(job.state, 'completed');
      assert.equal(job.linked, true);
      assert.equal(job.files.length, 1);
      assertName(job.files[0]!, 'a-lighthouse-on-a-cliff-at-dusk-ink-drawing');
      assert.equal(path.dirname(job.files[0]!), path.join(dir, 'images'));
      assert.deepEqual(await filesIn(path.join(dir, 'images')), [path.basename(job.files[0]!)]);
      await assertPng(job.files[0]!);
      assert.equal(editor.document.getText(), ['# Coast', '', prompt, `![${prompt}](images/${path.basename(job.files[0]!)})`, 'The next paragraph.', ''].join('\n'));
      // The selection stays what the user selected; it does not swallow the new link.
      assert.deepEqual(editor.selection, new vscode.Selection(2, 0, 2, prompt.length));
      // An open document is left for the user to save (README): the file on disk is as it was.
      assert.equal(editor.document.isDirty, true);
      assert.equal(await onDisk(editor.document.uri), before);
      await assertOneCreateEach([prompt]);
    });

    it('in Markdown, a selection over two lines (ending at the start of the next) is one prompt; the link follows its last line', async () => {
      const dir = await freshFolder('selection-lines');
      const before = 'Intro.\na kite over the dunes,\nflat colours\nOutro.\n';
      const editor = await show(await writeDoc(path.join(dir, 'kite.md'), before));
      editor.selection = new vscode.Selection(1, 0, 3, 0);
      const prompt = 'a kite over the dunes,\nflat colours';

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateFromSelection');

      const job = jobFor(jobs, prompt);
      const name = path.basename(job.files[0]!);
      assertName(name, 'a-kite-over-the-dunes-flat-colours');
      assert.equal(editor.document.getText(), `Intro.\na kite over the dunes,\nflat colours\n![a kite over the dunes, flat colours](images/${name})\nOutro.\n`);
      await assertOneCreateEach([prompt]);
    });

    it('in a file that is not Markdown: the image is saved and offered; the file is not touched', async () => {
      const dir = await freshFolder('selection-txt');
      const prompt = 'a tin robot watering plants';
      const before = `TODO: illustration of ${prompt}\n`;
      const editor = await show(await writeDoc(path.join(dir, 'notes.txt'), before));
      assert.notEqual(editor.document.languageId, 'markdown');
      editor.selection = new vscode.Selection(0, 22, 0, 22 + prompt.length);

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateFromSelection');

      const job = jobFor(jobs, prompt);
      assert.equal(job.state, 'completed');
      assert.equal(job.linked, false);
      assert.equal(path.dirname(job.files[0]!), path.join(dir, 'images'));
      assertName(job.files[0]!, 'a-tin-robot-watering-plants');
      await assertPng(job.files[0]!);
      assert.equal(editor.document.getText(), before);
      assert.equal(editor.document.isDirty, false);
      assert.equal(await onDisk(editor.document.uri), before);
      await assertOneCreateEach([prompt]);
    });
  });

  describe('Generate Image for Placeholder', () => {
    it('given a document URI and a range: fills that placeholder only; a page open in no editor is saved', async () => {
      const dir = await freshFolder('placeholder-args');
      const file = path.join(dir, 'page.md');
      const t = '# Page\n\n![a green door in a stone wall]({door})\n\n![a blue door in a brick wall](<>)\n';
      const uri = await writeDoc(file, page(t));

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(2, 5, 2, 5));

      const job = jobFor(jobs, 'a green door in a stone wall');
      assert.equal(job.linked, true);
      assertName(job.files[0]!, 'a-green-door-in-a-stone-wall');
      assert.deepEqual(await filesIn(path.join(dir, 'images')), [path.basename(job.files[0]!)]);
      assert.equal(await onDisk(file), page(t, { door: linkTo(file, job.files[0]!) }));
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.isDirty, false);
      await assertOneCreateEach(['a green door in a stone wall']);
      await assertNoCreates(['a blue door in a brick wall']);
    });

    it('at the cursor: fills the placeholder under the cursor, written as (<>)', async () => {
      const dir = await freshFolder('placeholder-cursor');
      const file = path.join(dir, 'page.md');
      const t = 'One ![an owl on a branch at night]() and two ![a hare in a meadow at noon]({hare<>}).\n';
      const editor = await show(await writeDoc(file, page(t)));
      const at = editor.document.getText().indexOf('hare');
      editor.selection = new vscode.Selection(editor.document.positionAt(at), editor.document.positionAt(at));

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder');

      const job = jobFor(jobs, 'a hare in a meadow at noon');
      assert.equal(editor.document.getText(), page(t, { hare: linkTo(file, job.files[0]!) }));
      assert.deepEqual(await filesIn(path.join(dir, 'images')), [path.basename(job.files[0]!)]);
      await assertOneCreateEach(['a hare in a meadow at noon']);
      await assertNoCreates(['an owl on a branch at night']);
    });

    it('run twice on the same placeholder before the first finishes: one task, and the second says so', async () => {
      const dir = await freshFolder('placeholder-twice');
      const file = path.join(dir, 'page.md');
      // Held at the fake until the second run has answered.
      const prompt = 'a lantern on a jetty [hold]';
      const t = `![${prompt}]({p})\n`;
      const uri = await writeDoc(file, page(t));
      const range = new vscode.Range(0, 3, 0, 3);

      const first = start<JobSummary[]>('pictor.generatePlaceholder', uri, range);
      const second = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, range);
      await waitForCreate(prompt);
      await releaseTasks(prompt);
      const jobs = await first;

      assert.deepEqual(second, [], 'the second run started another task');
      const job = jobFor(jobs, prompt);
      assert.equal(await onDisk(file), page(t, { p: linkTo(file, job.files[0]!) }));
      await assertOneCreateEach([prompt]);
    });
  });

  describe('Generate Images for All Placeholders', () => {
    it('in the active editor: every placeholder gets its own image, once', async () => {
      const dir = await freshFolder('all-active');
      const file = path.join(dir, 'page.md');
      const prompts = ['a red bicycle against a wall', 'a yellow umbrella in the rain', 'a white cat on a windowsill'];
      const t = `# Three\n\n![${prompts[0]}]({a})\n\nText.\n\n![${prompts[1]}]({b})\n![${prompts[2]}]({c<>})\n`;
      const editor = await show(await writeDoc(file, page(t)));

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders');

      assert.equal(jobs.length, 3);
      const [a, b, c] = prompts.map((p) => jobFor(jobs, p));
      assert.ok([a, b, c].every((j) => j!.state === 'completed' && j!.linked));
      assert.equal(editor.document.getText(), page(t, { a: linkTo(file, a!.files[0]!), b: linkTo(file, b!.files[0]!), c: linkTo(file, c!.files[0]!) }));
      assert.deepEqual(await filesIn(path.join(dir, 'images')), [a, b, c].map((j) => path.basename(j!.files[0]!)).sort());
      await assertOneCreateEach(prompts);
    });

    it('given a document URI: fills that document, not the active one', async () => {
      const dir = await freshFolder('all-uri');
      const other = await show(await writeDoc(path.join(dir, 'other.md'), '![a decoy placeholder, never sent]()\n'));
      const file = path.join(dir, 'target.md');
      const t = '- ![a wooden sled in snow]({a})\n- ![a stone bridge over a brook]({b})\n';
      const uri = await writeDoc(file, page(t));

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);

      const a = jobFor(jobs, 'a wooden sled in snow');
      const b = jobFor(jobs, 'a stone bridge over a brook');
      assert.equal(await onDisk(file), page(t, { a: linkTo(file, a.files[0]!), b: linkTo(file, b.files[0]!) }));
      assert.equal(other.document.getText(), '![a decoy placeholder, never sent]()\n');
      await assertNoCreates(['a decoy placeholder, never sent']);
    });
  });

  describe('Edit Image…', () => {
    async function askedBoxes(): Promise<vscode.InputBoxOptions[]> {
      return (await vscode.commands.executeCommand<vscode.InputBoxOptions[]>('pictor._test.inputBoxesAsked')) ?? [];
    }

    it('on a workspace image: asks for the change, uploads the image, sends it as image_urls, saves a new file and re-points the link; the old file stays', async () => {
      const dir = await freshFolder('edit-local');
      const original = path.join(dir, 'pics', 'harbour (old).png');
      const pixels = encodePng(64, 48);
      await fs.mkdir(path.dirname(original), { recursive: true });
      await fs.writeFile(original, pixels);
      const file = path.join(dir, 'page.md');
      const before = 'Look:\n\n![the harbour at noon](<pics/harbour (old).png> "The harbour")\n\nEnd.\n';
      const editor = await show(await writeDoc(file, before));
      editor.selection = new vscode.Selection(2, 4, 2, 4);
      const instruction = 'make it night, with stars';
      await askedBoxes();
      const uploadsBefore = (await fakeRequests()).filter((r) => r.path.startsWith('/api/v1/files/upload')).length;

      await vscode.commands.executeCommand('pictor._test.answerInputBox', `  ${instruction}  `);
      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.editImage');

      const asked = await askedBoxes();
      assert.equal(asked.length, 1, 'the user was not asked for the change');
      assert.match(asked[0]!.prompt ?? '', /Describe the change/);
      const uploads = (await fakeRequests()).filter((r) => r.path.startsWith('/api/v1/files/upload')).slice(uploadsBefore) as unknown as { body: { fileName: string; size: number } }[];
      assert.equal(uploads.length, 1, 'the workspace image was not uploaded once');
      assert.equal(uploads[0]!.body.size, pixels.length);
      const [create] = await createsFor([instruction]);
      assert.ok(create, 'no task was created');
      assert.equal(create.body.image_urls?.length, 1);
      assert.deepEqual(await fakeFile(create.body.image_urls![0]!), pixels, 'the reference sent is not the uploaded image');

      const job = jobFor(jobs, instruction);
      assert.equal(job.linked, true);
      assertName(job.files[0]!, 'make-it-night-with-stars');
      assert.equal(editor.document.getText(), `Look:\n\n![the harbour at noon](images/${path.basename(job.files[0]!)} "The harbour")\n\nEnd.\n`);
      assert.deepEqual(await fs.readFile(original), pixels, 'the old image changed');
      await assertPng(job.files[0]!);
      await assertOneCreateEach([instruction]);
    });

    it('on an image URL: sends the URL as is (no upload) and re-points the link to the saved file', async () => {
      const dir = await freshFolder('edit-url');
      const file = path.join(dir, 'page.md');
      const url = 'https://example.com/lighthouse.png';
      const editor = await show(await writeDoc(file, `* ![](${url})\n`));
      editor.selection = new vscode.Selection(0, 6, 0, 6);
      const instruction = 'paint the lighthouse red and white';
      const uploadsBefore = (await fakeRequests()).filter((r) => r.path.startsWith('/api/v1/files/upload')).length;

      await vscode.commands.executeCommand('pictor._test.answerInputBox', instruction);
      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.editImage');

      const [create] = await createsFor([instruction]);
      assert.deepEqual(create?.body.image_urls, [url]);
      assert.equal((await fakeRequests()).filter((r) => r.path.startsWith('/api/v1/files/upload')).length, uploadsBefore, 'a URL was uploaded');
      const job = jobFor(jobs, instruction);
      assert.equal(editor.document.getText(), `* ![](images/${path.basename(job.files[0]!)})\n`);
      assert.deepEqual(await filesIn(path.join(dir, 'images')), [path.basename(job.files[0]!)]);
      await assertOneCreateEach([instruction]);
      await askedBoxes();
    });

    it('when the input box is dismissed: nothing is sent and the link stays', async () => {
      const dir = await freshFolder('edit-escape');
      const url = 'https://example.com/escape-me.png';
      const before = `![keep me](${url})\n`;
      const editor = await show(await writeDoc(path.join(dir, 'page.md'), before));
      editor.selection = new vscode.Selection(0, 2, 0, 2);
      const creates = (await fakeRequests()).filter((r) => r.path.startsWith('/v1/images/generations')).length;

      await vscode.commands.executeCommand('pictor._test.answerInputBox');
      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.editImage');

      assert.deepEqual(jobs, []);
      assert.equal((await askedBoxes()).length, 1);
      assert.equal(editor.document.getText(), before);
      assert.equal((await fakeRequests()).filter((r) => r.path.startsWith('/v1/images/generations')).length, creates);
    });
  });

  describe('CodeLens', () => {
    type Lens = vscode.CodeLens & { command: vscode.Command };
    async function lenses(uri: vscode.Uri): Promise<Lens[]> {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
      return all.filter((l): l is Lens => Boolean(l.command && /Pictor|Generate/.test(l.command.title)));
    }
    const titles = (ls: Lens[]) => ls.map((l) => `${l.range.start.line}: ${l.command.title}`);

    it('offers Generate and Generate all (N) above each placeholder, shows the progress while one runs, and its Generate fills it', async () => {
      const dir = await freshFolder('codelens');
      const file = path.join(dir, 'page.md');
      // Held at the fake until its running lens has been seen.
      const slow = 'a windmill in a storm [hold]';
      const t = `# Lenses\n\n![${slow}]({a})\n\n\`![not a placeholder]()\`\n\n![a ferry crossing a fjord]({b})\n\n![]()\n`;
      const uri = await writeDoc(file, page(t));
      await show(uri);

      // The default settings (size auto, quality medium, one image) are what a click uses.
      assert.deepEqual(titles(await lenses(uri)), [
        '2: $(sparkle) Generate · auto size · medium', '2: Generate all (2)',
        '6: $(sparkle) Generate · auto size · medium', '6: Generate all (2)',
        '8: Pictor: write a prompt between the brackets',
      ]);

      const first = (await lenses(uri))[0]!;
      assert.equal(first.command.command, 'pictor.generatePlaceholder');
      const running = start<JobSummary[]>(first.command.command, ...(first.command.arguments ?? []));
      await waitForCreate(slow);
      const during = await waitFor('the running lens', async () => {
        const ls = await lenses(uri);
        return ls.some((l) => l.command.title.startsWith('$(sync~spin) Pictor:')) ? ls : undefined;
      });
      assert.match(titles(during)[0]!, /^2: \$\(sync~spin\) Pictor: (queued|\d+%)$/);
      assert.deepEqual(titles(during).slice(1), ['6: $(sparkle) Generate · auto size · medium', '8: Pictor: write a prompt between the brackets'],
        'the running placeholder still offers Generate, or Generate all counts it');
      await releaseTasks(slow);
      const a = jobFor(await running, slow);

      const second = (await lenses(uri)).find((l) => l.range.start.line === 6 && l.command.command === 'pictor.generatePlaceholder')!;
      const b = jobFor(await vscode.commands.executeCommand<JobSummary[]>(second.command.command, ...(second.command.arguments ?? [])), 'a ferry crossing a fjord');
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.getText(), page(t, { a: linkTo(file, a.files[0]!), b: linkTo(file, b.files[0]!) }));
      assert.deepEqual(titles(await lenses(uri)), ['8: Pictor: write a prompt between the brackets']);
      await assertOneCreateEach([slow, 'a ferry crossing a fjord']);
      await assertNoCreates(['not a placeholder']);
    });
  });

  describe('Cancel All Running Tasks', () => {
    it('stops waiting: the command that started the task settles as cancelled and the page is untouched; the image still arrives and is saved, not linked', async () => {
      const dir = await freshFolder('cancel');
      const file = path.join(dir, 'page.md');
      // Held at the fake until Cancel All has answered; then it ends at the provider.
      const prompt = 'a hot-air balloon over fields [hold]';
      const before = `![${prompt}]()\n`;
      const editor = await show(await writeDoc(file, before));

      const running = start<JobSummary[]>('pictor.generatePlaceholder', editor.document.uri, new vscode.Range(0, 2, 0, 2));
      await waitForCreate(prompt);
      const n = await vscode.commands.executeCommand<number>('pictor.cancelAll');
      assert.equal(n, 1);
      const job = jobFor(await running, prompt);
      assert.equal(job.state, 'cancelled');
      assert.equal(job.linked, false);
      assert.equal(editor.document.getText(), before);
      await releaseTasks(prompt);

      // The provider has no cancel: the finished image is paid for, so it is kept (the queue then
      // polls a cancelled task only at its slowest pace).
      const saved = await waitFor('the cancelled task\'s image to be saved', async () => (await filesIn(path.join(dir, 'images'))).find((f) => f.endsWith('.png')), 40_000);
      assertName(saved, 'a-hot-air-balloon-over-fields-hold');
      assert.equal(editor.document.getText(), before);
      assert.equal(await vscode.commands.executeCommand<number>('pictor.cancelAll'), 0);
      await assertOneCreateEach([prompt]);
    });
  });

  describe('Show Log', () => {
    it('shows Pictor\'s log, which tells what happened and never holds the API key', async () => {
      await vscode.commands.executeCommand('pictor.setApiKey', fake().key);
      await vscode.commands.executeCommand('pictor.showLog');
      const log = await waitFor('the Pictor log in the Output panel', () =>
        vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /Pictor/i.test(d.uri.path) && d.getText().includes('API key stored')), 15_000);
      const text = log.getText();
      assert.match(text, /Saved .*\.png/, 'the log does not say where images were saved');
      assert.ok(!text.includes(fake().key), 'the API key is in the log');
    });
  });
});
