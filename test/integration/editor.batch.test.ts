// Whole pages: a batch of twelve placeholders in every place Markdown allows one, and the look-alikes
// that must never be taken for one.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  assertName, assertNoCreates, createsFor, assertOneCreateEach, assertPng, filesIn, freshFolder, jobFor, type JobSummary, onDisk, page, show, withSettings, withUserSettings, writeDoc, editorSuite,
} from './editorHelpers';

editorSuite('editor batches', 120_000, () => {
  it('twelve placeholders (lists, block quotes, a table, CJK, a folder with spaces): each filled once, with <…> links to files beside the page', async () => {
    const dir = await freshFolder('trip notes');
    const file = path.join(dir, 'day one.md');
    const prompts: Record<string, [string, string]> = {
      title: ['a map of the coast, hand drawn', 'a-map-of-the-coast-hand-drawn'],
      bullet: ['a red kite over the dunes', 'a-red-kite-over-the-dunes'],
      nested: ['a crab under a rock', 'a-crab-under-a-rock'],
      ordered: ['a tide table pinned to a door', 'a-tide-table-pinned-to-a-door'],
      quote: ['a fisherman mending nets', 'a-fisherman-mending-nets'],
      quoted: ['gulls over the harbour wall', 'gulls-over-the-harbour-wall'],
      cell1: ['a blue boat', 'a-blue-boat'],
      cell2: ['a green boat', 'a-green-boat'],
      cjk: ['東京の夜景、水彩', '東京の夜景-水彩'],
      emphasis: ['a *very* small lighthouse', 'a-very-small-lighthouse'],
    };
    // The same placeholder twice: each copy gets an image of its own (they are told apart by where they are).
    const twice = 'a pebble beach';
    const t = [
      '# Day one',
      '',
      '![a map of the coast, hand drawn]({title})',
      '',
      '- ![a red kite over the dunes]({bullet})',
      '  - nested: ![a crab under a rock]({nested<>})',
      '1. ![a tide table pinned to a door]({ordered})',
      '',
      '> ![a fisherman mending nets]({quote})',
      '> > ![gulls over the harbour wall]({quoted})',
      '',
      '| port | starboard |',
      '| ---- | --------- |',
      '| ![a blue boat]({cell1}) | ![a green boat]({cell2}) |',
      '',
      '夜: ![東京の夜景、水彩]({cjk})',
      '',
      'Inline ![a *very* small lighthouse]({emphasis}) in a sentence, and ![a pebble beach]({twice1}).',
      '',
      '![a pebble beach]({twice2})',
      '',
    ].join('\n');
    const uri = await writeDoc(file, page(t));

    const jobs = await withSettings({
      // Per-page image folders, as people set up markdown.copyFiles.destination: the folder has a space.
      destination: { 'trip notes/*.md': 'images/${documentBaseName}/' },
      // Twelve images and the user's threshold of twelve: no confirmation (the dialog is tested in e2e).
    }, () => withUserSettings({ confirmAboveImages: 12 },
      async () => vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri)));

    const expectedPrompts = Object.values(prompts).map(([p]) => p.replace(/\*/g, ''));
    assert.equal(jobs.length, 12, `jobs: ${JSON.stringify(jobs.map((j) => [j.prompt, j.state, j.error]))}`);
    const links: Record<string, string> = {};
    const folder = path.join(dir, 'images', 'day one');
    const check = async (key: string, job: JobSummary, slug: string) => {
      assert.equal(job.state, 'completed', `${key}: ${job.error}`);
      assert.equal(job.linked, true, key);
      assert.equal(job.files.length, 1);
      assert.equal(path.dirname(job.files[0]!), folder);
      assertName(job.files[0]!, slug);
      await assertPng(job.files[0]!);
      links[key] = `<images/day one/${path.basename(job.files[0]!)}>`;
    };
    for (const [key, [prompt, slug]] of Object.entries(prompts)) await check(key, jobFor(jobs, prompt.replace(/\*/g, '')), slug);
    const pebbles = jobs.filter((j) => j.prompt === twice);
    assert.equal(pebbles.length, 2);
    await check('twice1', pebbles[0]!, 'a-pebble-beach');
    await check('twice2', pebbles[1]!, 'a-pebble-beach');
    assert.notEqual(links.twice1, links.twice2);
    // Which of the two copies got which of the two images does not matter; each got one.
    const text = await onDisk(file);
    if (text.indexOf(links.twice1!) > text.indexOf(links.twice2!)) [links.twice1, links.twice2] = [links.twice2!, links.twice1!];
    // A page open in no editor is saved with its links.
    assert.equal(text, page(t, links));
    assert.equal((await vscode.workspace.openTextDocument(uri)).isDirty, false);
    assert.deepEqual(await filesIn(folder), Object.values(links).map((l) => path.basename(l.slice(1, -1))).sort());
    assert.deepEqual(await filesIn(path.join(dir, 'images')), ['day one'], 'something else was written to images/');
    await assertOneCreateEach(expectedPrompts);
    assert.equal((await createsFor([twice])).length, 2);
  });

  it('look-alikes stay untouched: code spans, fenced and indented code, HTML blocks, comments, front matter, escapes, plain links', async () => {
    const dir = await freshFolder('traps');
    const traps = [
      'front matter trap', 'code span trap', 'backtick fence trap', 'tilde fence trap', 'indented trap', 'html block trap',
      'comment trap', 'escaped trap', 'plain link trap', 'reference trap', 'toml trap',
    ];
    const yaml = path.join(dir, 'yaml.md');
    const t = [
      '---',
      'title: ![front matter trap]()',
      '---',
      '',
      'A code span `![code span trap]()` in a sentence.',
      '',
      '```markdown',
      '![backtick fence trap]()',
      '```',
      '',
      '~~~',
      '![tilde fence trap]()',
      '~~~',
      '',
      '    ![indented trap]()',
      '',
      '<div>',
      '![html block trap]()',
      '</div>',
      '',
      '<!-- ![comment trap]() -->',
      '',
      '\\![escaped trap]()',
      '',
      '[plain link trap]()',
      '',
      '![reference trap][ref]',
      '',
      '[ref]: <>',
      '',
      '![the only real one, a quiet harbour]({real})',
      '',
    ].join('\n');
    const uri = await writeDoc(yaml, page(t));
    const toml = path.join(dir, 'toml.md');
    const tomlText = '+++\ntitle = "![toml trap]()"\n+++\n\n![the real one after toml, a rowing boat]({real})\n';
    const tomlUri = await writeDoc(toml, page(tomlText));
    const editor = await show(uri);

    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders');
    const tomlJobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', tomlUri);

    assert.deepEqual(jobs.map((j) => j.prompt), ['the only real one, a quiet harbour']);
    assert.deepEqual(tomlJobs.map((j) => j.prompt), ['the real one after toml, a rowing boat']);
    assert.equal(editor.document.getText(), page(t, { real: `images/${path.basename(jobs[0]!.files[0]!)}` }));
    assert.equal(await onDisk(toml), page(tomlText, { real: `images/${path.basename(tomlJobs[0]!.files[0]!)}` }));
    assert.deepEqual(await filesIn(path.join(dir, 'images')), [...jobs, ...tomlJobs].map((j) => path.basename(j.files[0]!)).sort());
    await assertNoCreates(traps);
    await assertOneCreateEach(['the only real one, a quiet harbour', 'the real one after toml, a rowing boat']);

    // A page of nothing but look-alikes: the command says there is nothing to do and sends nothing.
    const only = await show(await writeDoc(path.join(dir, 'only-traps.md'), '`![code span trap]()`\n\n    ![indented trap]()\n'));
    assert.deepEqual(await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders'), []);
    assert.equal(only.document.getText(), '`![code span trap]()`\n\n    ![indented trap]()\n');
    await assertNoCreates(traps);
  });
});
