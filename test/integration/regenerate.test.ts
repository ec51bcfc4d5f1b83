// The recipe travels with the image (issue 13 items 3 and 4): a generated PNG carries it, and
// Regenerate Image works from the file alone, as in a fresh clone where Pictor has no history.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { imageSize } from 'image-size';
import { encodePng } from '../fake-evolink/png';
import { embedRecipeInPng, readRecipeFile, type Recipe } from '../../src/core/recipe';
import { pngChunks } from '../../src/core/pngText';
import { closeAllEditors, waitFor, workspaceRoot } from './helpers';
import { logMark, waitForLog } from './hostFiles';
import { releaseTasks } from './fakeControl';
import { assertNoCreates, assertOneCreateEach, createsFor, filesIn, freshFolder, jobFor, show, withSettings, withUserSettings, writeDoc, type JobSummary } from './editorHelpers';

/** An image as another machine's Pictor saved it: only the file knows its recipe. */
async function clonedImage(file: string, recipe: Partial<Recipe> & { prompt: string }): Promise<Recipe> {
  const full: Recipe = {
    pictor: 1, style: null, model: 'gpt-image-2', size: '3:2', resolution: '1K', quality: 'low', n: 1,
    taskId: 'task-unified-1700000000-elsewhere', created: '2025-01-02T03:04:05.000Z', references: [], ...recipe,
  };
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, embedRecipeInPng(encodePng(1536, 1024), full));
  return full;
}

async function lensesAt(uri: vscode.Uri): Promise<{ line: number; title: string; command: string; args: unknown[] }[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  return lenses.filter((l) => l.command?.command === 'pictor.regenerateImage')
    .map((l) => ({ line: l.range.start.line, title: l.command!.title, command: l.command!.command, args: l.command!.arguments ?? [] }));
}

describe('recipe and Regenerate Image', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  it('a generated PNG carries its recipe (iTXt "pictor" + Description) and is still a whole image of its real size', async () => {
    const dir = await freshFolder('recipe-made');
    const prompt = 'a paper boat on a puddle, pencil sketch';
    const doc = await writeDoc(path.join(dir, 'boat.md'), `![${prompt}]()\n`);
    await show(doc);

    const jobs = await withSettings({ size: '4:3', quality: 'low' },
      async () => vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', doc, new vscode.Range(0, 0, 0, 0)));

    const job = jobFor(jobs, prompt);
    assert.equal(job.state, 'completed');
    const bytes = await fs.readFile(job.files[0]!);
    assert.deepEqual(imageSize(bytes), { width: 1360, height: 1024, type: 'png' });
    pngChunks(bytes); // every length and CRC checked
    const recipe = await readRecipeFile(job.files[0]!);
    assert.ok(recipe, 'the saved file has a recipe');
    assert.equal(recipe.prompt, prompt);
    assert.equal(recipe.taskId, job.taskId);
    assert.deepEqual([recipe.model, recipe.size, recipe.resolution, recipe.quality, recipe.n], ['gpt-image-2', '4:3', '1K', 'low', 1]);
    assert.ok(!Number.isNaN(Date.parse(recipe.created)) && recipe.created.endsWith('Z'), `created is ISO 8601: ${recipe.created}`);
    assert.deepEqual(recipe.references, []);
    assert.equal(recipe.style, null);
    assert.ok(bytes.includes(Buffer.from(`Description\0${prompt}`, 'latin1')), 'a tEXt Description with the prompt');
  });

  it('from a fresh workspace with no history: the CodeLens offers Regenerate on a recipe image only, and it sends the same recipe with the edited prompt', async () => {
    const dir = await freshFolder('regenerate-fresh');
    const oldFile = path.join(dir, 'images', 'lantern-1a2b.png');
    const recipe = await clonedImage(oldFile, { prompt: 'a paper lantern glowing at night' });
    await fs.writeFile(path.join(dir, 'images', 'plain.png'), encodePng(64, 64));
    const text = '# Night\n\n![a paper lantern](images/lantern-1a2b.png)\n\n![no recipe](images/plain.png)\n';
    const doc = await writeDoc(path.join(dir, 'night.md'), text);
    await show(doc);

    const lenses = await lensesAt(doc);
    assert.equal(lenses.length, 1, `one Regenerate lens, on the image with a recipe: ${JSON.stringify(lenses)}`);
    assert.equal(lenses[0]!.line, 2);
    assert.match(lenses[0]!.title, /Regenerate/);

    const edited = 'a paper lantern glowing at dawn';
    await vscode.commands.executeCommand('pictor._test.answerInputBox', edited);
    const jobs = await vscode.commands.executeCommand<JobSummary[]>(lenses[0]!.command, ...lenses[0]!.args);

    const asked = await vscode.commands.executeCommand<vscode.InputBoxOptions[]>('pictor._test.inputBoxesAsked');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.value, recipe.prompt, 'the box starts with the prompt read from the file');
    assert.match(asked[0]!.prompt ?? '', /3:2 1K.*quality low.*1 image/);

    const job = jobFor(jobs, edited);
    assert.equal(job.state, 'completed');
    assert.equal(job.linked, true);
    const [create] = await createsFor([edited]);
    assert.deepEqual({ ...create!.body }, { model: 'gpt-image-2', prompt: edited, size: '3:2', resolution: '1K', quality: 'low', n: 1 });
    await assertOneCreateEach([edited]);

    const newName = path.basename(job.files[0]!);
    assert.notEqual(newName, 'lantern-1a2b.png');
    assert.equal(vscode.window.activeTextEditor?.document.getText(), text.replace('images/lantern-1a2b.png', `images/${newName}`));
    assert.deepEqual(await filesIn(path.join(dir, 'images')), ['lantern-1a2b.png', newName, 'plain.png'].sort(), 'the old file is kept');
    const again = await readRecipeFile(job.files[0]!);
    assert.equal(again?.prompt, edited);
    assert.equal(again?.taskId, job.taskId);
    assert.equal(again?.size, '3:2');
  });

  it('keeps the style apart from the prompt, sends reference files again, and with keepReplacedImages off trashes the old image (or keeps it where there is no trash)', async () => {
    const dir = await freshFolder('regenerate-style');
    await fs.mkdir(path.join(dir, 'refs'), { recursive: true });
    const refBytes = encodePng(32, 32, 2);
    await fs.writeFile(path.join(dir, 'refs', 'sketch.png'), refBytes);
    const oldFile = path.join(dir, 'images', 'owl.png');
    await clonedImage(oldFile, { prompt: 'an owl on a branch', style: 'linocut, two colours', size: '1:1', quality: 'medium', references: [{ file: '../refs/sketch.png' }] });
    const doc = await writeDoc(path.join(dir, 'owl.md'), '![owl](images/owl.png)\n');
    const editor = await show(doc);
    editor.selection = new vscode.Selection(0, 3, 0, 3);

    await vscode.commands.executeCommand('pictor._test.answerInputBox', 'an owl on a branch');
    const mark = logMark();
    // The user's own choice (a workspace's settings may turn keepReplacedImages on, never off).
    const jobs = await withUserSettings({ keepReplacedImages: false }, async () => vscode.commands.executeCommand<JobSummary[]>('pictor.regenerateImage'));

    const sent = 'an owl on a branch\n\nStyle: linocut, two colours';
    const job = jobFor(jobs, sent);
    assert.equal(job.linked, true);
    const [create] = await createsFor([sent]);
    assert.equal(create!.body.image_urls?.length, 1, 'the reference from the recipe was uploaded and sent');
    const recipe = await readRecipeFile(job.files[0]!);
    assert.equal(recipe?.prompt, 'an owl on a branch', 'the new recipe keeps the prompt as written');
    assert.equal(recipe?.style, 'linocut, two colours');
    assert.deepEqual(recipe?.references, [{ file: '../refs/sketch.png' }]);
    // A desktop host has a trash; a server host (these tests' usual one) has none, and the image is
    // then kept rather than deleted for good (issue 18 defect 8).
    const said = await waitForLog(mark, /(Moved the replaced image .*owl\.png to the trash|Kept the replaced image .*owl\.png: there is no trash here)/);
    const trashed = /Moved the replaced image .*owl\.png to the trash/.test(said);
    assert.deepEqual(await filesIn(path.join(dir, 'images')), [...(trashed ? [] : ['owl.png']), path.basename(job.files[0]!)].sort(),
      trashed ? 'the replaced image said to be in the trash is still there' : 'the replaced image was deleted for good');
  });

  describe('keepReplacedImages off removes only what is safe to remove (issue 18 defect 8)', () => {
    let outside: string;
    before(async () => {
      // Another project beside the workspace folder, as ../other-project/images/hero.png would be.
      outside = path.join(path.dirname(workspaceRoot().fsPath), `other-project-${process.pid}`);
      await fs.mkdir(path.join(outside, 'images'), { recursive: true });
    });
    after(async () => {
      await fs.rm(outside, { recursive: true, force: true });
    });
    // Mocha runs this block after the file's other tests: the boxes asked here are not left for the next file.
    afterEach(async () => {
      await vscode.commands.executeCommand('pictor._test.inputBoxesAsked');
    });

    it('a replaced Pictor image outside the workspace (../other-project/…) is kept', async () => {
      const dir = await freshFolder('regenerate-outside');
      const hero = path.join(outside, 'images', 'hero.png');
      await clonedImage(hero, { prompt: 'a hero banner of a mountain pass' });
      const link = path.relative(dir, hero).split(path.sep).join('/');
      assert.match(link, /^\.\.\//);
      const doc = await writeDoc(path.join(dir, 'landing.md'), `![hero](${link})\n`);
      await show(doc);
      const mark = logMark();
      const prompt = 'a hero banner of a mountain pass at dusk';
      await vscode.commands.executeCommand('pictor._test.answerInputBox', prompt);
      const jobs = await withUserSettings({ keepReplacedImages: false },
        async () => vscode.commands.executeCommand<JobSummary[]>('pictor.regenerateImage', doc, new vscode.Range(0, 0, 0, 0)));
      const job = jobFor(jobs, prompt);
      assert.equal(job.linked, true);
      assert.ok(await fs.stat(hero).then(() => true, () => false), 'the image outside the workspace was deleted');
      assert.ok(await readRecipeFile(hero), 'the image outside the workspace was changed');
      await waitForLog(mark, /Kept the replaced image .*hero\.png: it is not inside the page's workspace folder/);
    });

    it('a replaced image another page of the workspace still links is kept', async () => {
      const dir = await freshFolder('regenerate-shared');
      const shared = path.join(dir, 'images', 'shared-badge-7q.png');
      await clonedImage(shared, { prompt: 'a round badge with a star' });
      const doc = await writeDoc(path.join(dir, 'one.md'), '![badge](images/shared-badge-7q.png)\n');
      const otherText = '# Two\n\n![the same badge](../images/shared-badge-7q.png)\n';
      const other = await writeDoc(path.join(dir, 'sub', 'two.md'), otherText);
      await show(doc);
      const mark = logMark();
      const prompt = 'a round badge with two stars';
      await vscode.commands.executeCommand('pictor._test.answerInputBox', prompt);
      const jobs = await withUserSettings({ keepReplacedImages: false },
        async () => vscode.commands.executeCommand<JobSummary[]>('pictor.regenerateImage', doc, new vscode.Range(0, 0, 0, 0)));
      assert.equal(jobFor(jobs, prompt).linked, true);
      assert.ok(await fs.stat(shared).then(() => true, () => false), 'an image another page links was deleted');
      assert.equal(await fs.readFile(other.fsPath, 'utf8'), otherText);
      await waitForLog(mark, /Kept the replaced image .*shared-badge-7q\.png: still named by .*two\.md/);
    });
  });

  it('a second Regenerate on a link that is being regenerated sends nothing (no second bill)', async () => {
    const dir = await freshFolder('regenerate-twice');
    await clonedImage(path.join(dir, 'images', 'bell.png'), { prompt: 'a brass bell' });
    const doc = await writeDoc(path.join(dir, 'bell.md'), '![bell](images/bell.png)\n');
    await show(doc);
    // Held at the fake until the second Regenerate has answered.
    const slow = 'a brass bell, polished [hold]';
    await vscode.commands.executeCommand('pictor._test.answerInputBox', slow);
    const first = Promise.resolve(vscode.commands.executeCommand<JobSummary[]>('pictor.regenerateImage', doc, new vscode.Range(0, 0, 0, 0)));
    await waitFor('the first task to be created', async () => (await createsFor([slow])).length > 0, 20_000);
    const lenses = await lensesAt(doc);
    assert.deepEqual(lenses, [], 'no Regenerate lens while it runs');
    assert.deepEqual(await vscode.commands.executeCommand('pictor.regenerateImage', doc, new vscode.Range(0, 0, 0, 0)), []);
    await releaseTasks(slow);
    assert.equal(jobFor(await first, slow).state, 'completed');
    await assertOneCreateEach([slow]);
    await vscode.commands.executeCommand('pictor._test.inputBoxesAsked');
  });

  it('sends nothing for an image without a recipe, on Escape, or when the recipe names a file outside the workspace', async () => {
    const dir = await freshFolder('regenerate-refused');
    await fs.mkdir(path.join(dir, 'images'), { recursive: true });
    await fs.writeFile(path.join(dir, 'images', 'plain.png'), encodePng(64, 64));
    await clonedImage(path.join(dir, 'images', 'kept.png'), { prompt: 'a kettle, escape pressed' });
    await clonedImage(path.join(dir, 'images', 'leak.png'), { prompt: 'a key, outside reference', references: [{ file: '../../../../../../../etc/hostname.png' }] });
    const doc = await writeDoc(path.join(dir, 'x.md'), '![a](images/plain.png)\n![b](images/kept.png)\n![c](images/leak.png)\n');
    await show(doc);
    await vscode.commands.executeCommand('pictor._test.inputBoxesAsked'); // forget earlier tests' boxes

    assert.deepEqual(await vscode.commands.executeCommand('pictor.regenerateImage', doc, new vscode.Range(0, 0, 0, 0)), []);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('pictor._test.answerInputBox'); // Escape
    assert.deepEqual(await vscode.commands.executeCommand('pictor.regenerateImage', doc, new vscode.Range(1, 0, 1, 0)), []);
    await vscode.commands.executeCommand('pictor._test.answerInputBox', 'a key, outside reference');
    assert.deepEqual(await vscode.commands.executeCommand('pictor.regenerateImage', doc, new vscode.Range(2, 0, 2, 0)), []);
    await assertNoCreates(['a kettle, escape pressed', 'a key, outside reference']);
    assert.deepEqual(await vscode.commands.executeCommand('pictor._test.inputBoxesAsked').then((a) => (a as unknown[]).length), 2,
      'no input box for the image without a recipe');
  });
});
