// Menus that fit the cursor, what the CodeLens says a click costs, where progress shows, and the
// Explorer's image commands — through the real VS Code API against the fake provider. (The e2e
// suite checks what the menus then show a person.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { encodePng } from '../fake-evolink/png';
import { closeAllEditors, EXTENSION_ID, pictorPanelTabs, waitFor, workspaceRoot } from './helpers';
import {
  assertOneCreateEach, createsFor, freshFolder, jobFor, type JobSummary, show, start, waitForCreate, withSettings, writeDoc,
} from './editorHelpers';
import { releaseTasks } from './fakeControl';

type Keys = Record<'pictor.onPlaceholder' | 'pictor.onImage' | 'pictor.hasPlaceholders', boolean>;
const keys = () => vscode.commands.executeCommand<Keys>('pictor._test.contextKeys');

async function keysBecome(what: string, want: Keys): Promise<void> {
  let last: Keys | undefined;
  await waitFor(what, async () => {
    last = await keys();
    return JSON.stringify(last) === JSON.stringify(want);
  }, 5_000).catch((e: Error) => { throw new Error(`${e.message}; the keys are ${JSON.stringify(last)}`); });
}

interface MenuItem { command?: string; submenu?: string; when?: string; group?: string }
function manifest(): { contributes: { menus: Record<string, MenuItem[]>; walkthroughs: { steps: { id: string; description: string; completionEvents: string[] }[] }[] } } {
  return vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
}

describe('menus, CodeLens cost and progress', function () {
  this.timeout(60_000);
  afterEach(closeAllEditors);

  describe('context keys', () => {
    it('follow the cursor: on a placeholder, on an image link, elsewhere; and whether the page has placeholders', async () => {
      const dir = await freshFolder('context-keys');
      const text = '# Keys\n\n![a kite over a beach]()\n\n![a shell](pics/shell.png)\n\nPlain text.\n';
      const editor = await show(await writeDoc(path.join(dir, 'page.md'), text));
      const at = (line: number, ch: number) => { editor.selection = new vscode.Selection(line, ch, line, ch); };

      at(2, 5);
      await keysBecome('the cursor on the placeholder', { 'pictor.onPlaceholder': true, 'pictor.onImage': false, 'pictor.hasPlaceholders': true });
      at(4, 4);
      await keysBecome('the cursor on the image link', { 'pictor.onPlaceholder': false, 'pictor.onImage': true, 'pictor.hasPlaceholders': true });
      at(6, 2);
      await keysBecome('the cursor on plain text', { 'pictor.onPlaceholder': false, 'pictor.onImage': false, 'pictor.hasPlaceholders': true });

      // Typing a path into the placeholder makes it an image link: the page has no placeholder left.
      await editor.edit((e) => e.insert(new vscode.Position(2, 23), 'pics/kite.png'));
      at(2, 5);
      await keysBecome('the filled placeholder to count as an image', { 'pictor.onPlaceholder': false, 'pictor.onImage': true, 'pictor.hasPlaceholders': false });

      // Another kind of editor: nothing applies.
      await show(await writeDoc(path.join(dir, 'notes.txt'), '![not markdown]()\n'));
      await keysBecome('a plain-text editor', { 'pictor.onPlaceholder': false, 'pictor.onImage': false, 'pictor.hasPlaceholders': false });
    });

    it('are what the menus\' when clauses ask for: each editor menu item shows only where it applies', () => {
      const menus = manifest().contributes.menus;
      const item = (menu: string, command: string) => {
        const found = menus[menu]?.find((m) => m.command === command);
        assert.ok(found, `${command} is not in the ${menu} menu`);
        return found.when ?? '';
      };
      // The editor's context menu holds one Pictor submenu, shown only when one of its items applies.
      assert.deepEqual(menus['editor/context']!.map((m) => m.submenu ?? m.command), ['pictor.editorContext']);
      assert.match(item('pictor.editorContext', 'pictor.generatePlaceholder'), /(^|&& )pictor\.onPlaceholder( &&|$)/);
      assert.match(item('pictor.editorContext', 'pictor.editImage'), /(^|&& )pictor\.onImage( &&|$)/);
      assert.match(item('pictor.editorContext', 'pictor.regenerateImage'), /(^|&& )pictor\.onImage( &&|$)/);
      assert.match(item('pictor.editorContext', 'pictor.generateAllPlaceholders'), /(^|&& )pictor\.hasPlaceholders( &&|$)/);
      assert.match(item('pictor.editorContext', 'pictor.generateFromSelection'), /(^|&& )editorHasSelection( &&|$)/);
      assert.match(item('editor/title', 'pictor.generateAllPlaceholders'), /(^|&& )pictor\.hasPlaceholders( &&|$)/);
      // Every pictor.* key a when clause reads is one the extension sets.
      const used = new Set(Object.values(menus).flat().flatMap((m) => m.when?.match(/pictor\.[A-Za-z]+/g) ?? []));
      // (pictor.hasPendingPicks is set by the variant picker, src/vscode/place/variants.ts.)
      assert.deepEqual([...used].sort(), ['pictor.hasPendingPicks', 'pictor.hasPlaceholders', 'pictor.onImage', 'pictor.onPlaceholder']);
    });

    it('the Explorer\'s Pictor submenu is offered on PNG, JPEG and WebP files only', () => {
      const menus = manifest().contributes.menus;
      const [entry] = menus['explorer/context']!;
      assert.equal(entry?.submenu, 'pictor.explorerContext');
      assert.deepEqual(menus['pictor.explorerContext']!.map((m) => m.command), ['pictor.editImage', 'pictor.useAsReference']);
      // The when clause's regular expression, as VS Code reads `resourceExtname =~ /…/i`.
      const m = /resourceExtname =~ \/(.+)\/(\w*)/.exec(entry!.when ?? '');
      assert.ok(m, `no resourceExtname test in ${entry?.when}`);
      const re = new RegExp(m[1]!, m[2]);
      assert.deepEqual(['.png', '.jpg', '.jpeg', '.webp', '.PNG', '.gif', '.md', '.svg', '.png.txt'].filter((e) => re.test(e)),
        ['.png', '.jpg', '.jpeg', '.webp', '.PNG']);
    });
  });

  describe('CodeLens', () => {
    const lensTitles = async (uri: vscode.Uri) => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100))
      .filter((l) => l.command?.command === 'pictor.generatePlaceholder').map((l) => l.command!.title);

    it('says the pixel size and quality a click uses, from the settings, and the click sends exactly that', async () => {
      const dir = await freshFolder('lens-cost');
      const prompt = 'a tram in the rain, gouache';
      const uri = await writeDoc(path.join(dir, 'page.md'), `![${prompt}]()\n`);
      await show(uri);
      await withSettings({ size: '9:16', resolution: '2K', quality: 'high', n: 2 }, async () => {
        await waitFor('the lens to show 1152×2048 · high · ×2', async () => (await lensTitles(uri))[0] === '$(sparkle) Generate · 1152×2048 · high · ×2');
      });
      await withSettings({ size: '3:2', quality: 'low' }, async () => {
        // The lens follows a change of the settings without the page being touched.
        const titles = await waitFor('the lens to show 1536×1024 · low', async () => {
          const t = await lensTitles(uri);
          return t[0] === '$(sparkle) Generate · 1536×1024 · low' ? t : undefined;
        });
        assert.deepEqual(titles, ['$(sparkle) Generate · 1536×1024 · low']);

        const [lens] = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100))
          .filter((l) => l.command?.command === 'pictor.generatePlaceholder');
        const jobs = await vscode.commands.executeCommand<JobSummary[]>(lens!.command!.command, ...(lens!.command!.arguments ?? []));
        assert.equal(jobFor(jobs, prompt).state, 'completed');
        const [create] = await createsFor([prompt]);
        assert.deepEqual({ size: create!.body.size, quality: (create!.body as { quality?: string }).quality, n: create!.body.n ?? 1 },
          { size: '3:2', quality: 'low', n: 1 });
      });
    });

    it('says when the settings would refuse the request, instead of a cost', async () => {
      const dir = await freshFolder('lens-invalid');
      const uri = await writeDoc(path.join(dir, 'page.md'), '![a kettle on a stove]()\n');
      await show(uri);
      await withSettings({ size: '5000x100' }, async () => {
        await waitFor('the lens to ask for a settings fix', async () => (await lensTitles(uri))[0] === '$(sparkle) Generate · check the settings');
        const lens = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100))
          .find((l) => l.command?.command === 'pictor.generatePlaceholder')!;
        assert.match(lens.command!.tooltip ?? '', /5000×100/);
      });
    });
  });

  describe('progress', () => {
    it('a single task opens no notification (its CodeLens and the status bar show it); a batch opens one whose bar fills by real increments to 100%', async () => {
      await vscode.commands.executeCommand('pictor._test.progress'); // starts recording
      const dir = await freshFolder('progress');
      const one = 'a single paper boat';
      let editor = await show(await writeDoc(path.join(dir, 'one.md'), `![${one}]()\n`));
      const single = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', editor.document.uri, new vscode.Range(0, 2, 0, 2));
      assert.equal(jobFor(single, one).state, 'completed');
      assert.deepEqual(await vscode.commands.executeCommand('pictor._test.progress'), [], 'a single task opened a progress notification');

      // Held at the fake and let go one at a time, each once the bar has shown the one before: the
      // bar then moves by real steps however close together a machine would have finished them.
      const prompts = ['a blue kite [hold]', 'a green kite [hold]', 'a red kite [hold]'];
      editor = await show(await writeDoc(path.join(dir, 'batch.md'), prompts.map((p) => `![${p}]()\n`).join('\n')));
      const running = start<JobSummary[]>('pictor.generateAllPlaceholders', editor.document.uri);
      for (const p of prompts) await waitForCreate(p);
      for (const [i, p] of prompts.entries()) {
        await releaseTasks(p);
        await waitFor(`the bar to say ${i + 1} of 3 done`, async () =>
          (await vscode.commands.executeCommand<{ reports: { message: string }[] }[]>('pictor._test.progressSoFar'))
            .some((r) => r.reports.some((x) => x.message.startsWith(`${i + 1} of 3 done`))));
      }
      const batch = await running;
      assert.deepEqual(batch.map((j) => j.state), ['completed', 'completed', 'completed']);
      const records = await vscode.commands.executeCommand<{ title: string; reports: { increment: number; message: string }[] }[]>('pictor._test.progress');
      assert.equal(records.length, 1, 'one notification for the batch');
      const [r] = records;
      assert.match(r!.title, /^Pictor: /);
      assert.ok(r!.reports.every((x) => x.increment >= 0), 'the bar went backwards');
      assert.equal(r!.reports.reduce((s, x) => s + x.increment, 0), 100, 'the increments do not add up to a full bar');
      assert.ok(r!.reports.some((x) => x.increment > 0 && x.increment < 100), 'the bar jumped from empty to full');
      assert.equal(r!.reports.at(-1)!.message, '3 of 3 done · 100%');
      assert.ok(r!.reports.some((x) => x.message.startsWith('1 of 3 done')) && r!.reports.some((x) => x.message.startsWith('2 of 3 done')));
      await assertOneCreateEach([one, ...prompts]);
    });
  });

  describe('Explorer: an image file\'s Pictor menu', () => {
    it('Edit Image… asks for the change, sends the file as the reference, and saves the new image in the workspace', async () => {
      const dir = await freshFolder('explorer-edit');
      const file = path.join(dir, 'cat.png');
      await fs.writeFile(file, encodePng(64, 64));
      const uri = vscode.Uri.file(file);
      const instruction = 'give the cat a tiny hat';
      await vscode.commands.executeCommand('pictor._test.answerInputBox', instruction);

      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.editImage', uri, [uri]);

      const [asked] = await vscode.commands.executeCommand<vscode.InputBoxOptions[]>('pictor._test.inputBoxesAsked');
      assert.match(asked?.prompt ?? '', /cat\.png/, 'the box does not say which image is edited');
      const job = jobFor(jobs, instruction);
      assert.equal(job.state, 'completed');
      const [create] = await createsFor([instruction]);
      assert.equal(create!.body.image_urls?.length, 1, 'the file was not sent as the reference');
      assert.ok(job.files[0]!.startsWith(workspaceRoot().fsPath + path.sep), 'the new image is not in the workspace');
      await fs.access(job.files[0]!);
      assert.deepEqual(await fs.readFile(file), encodePng(64, 64), 'the original image was changed');
    });

    it('Use as Reference opens the panel and adds the file to its references; a file that is not an image is refused with a reason', async () => {
      const dir = await freshFolder('explorer-reference');
      const file = path.join(dir, 'style.png');
      await fs.writeFile(file, encodePng(32, 32));
      const uri = vscode.Uri.file(file);

      const result = await vscode.commands.executeCommand<{ added: string[]; problems: string[] }>('pictor.useAsReference', uri, [uri]);
      assert.deepEqual(result, { added: [vscode.workspace.asRelativePath(file, false)], problems: [] });
      assert.equal(pictorPanelTabs().length, 1, 'the panel is not open');

      const text = vscode.Uri.file(path.join(dir, 'notes.txt'));
      await fs.writeFile(text.fsPath, 'not an image');
      const refused = await vscode.commands.executeCommand<{ added: string[]; problems: string[] }>('pictor.useAsReference', text, [text]);
      assert.deepEqual(refused.added, []);
      assert.equal(refused.problems.length, 1);
    });
  });

  describe('walkthrough', () => {
    it('leads from the key to a filled placeholder, the panel and chat; each step is completed by doing it', () => {
      const [w] = manifest().contributes.walkthroughs;
      assert.deepEqual(w!.steps.map((s) => s.id), ['key', 'fill', 'panel', 'chat']);
      assert.deepEqual(w!.steps.map((s) => s.completionEvents[0]), [
        'onCommand:pictor.setApiKey', 'onCommand:pictor.generatePlaceholder', 'onCommand:pictor.openPanel', 'onCommand:workbench.action.chat.open',
      ]);
    });

    it('"Open a Sample Page" opens a Markdown page whose placeholder has a Generate CodeLens', async () => {
      await vscode.commands.executeCommand('pictor.openSample');
      const editor = await waitFor('the sample page', () => vscode.window.activeTextEditor);
      assert.equal(editor.document.languageId, 'markdown');
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
      assert.ok(lenses.some((l) => l.command?.command === 'pictor.generatePlaceholder'), 'no Generate lens on the sample page');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  });
});
