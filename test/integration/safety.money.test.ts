// Issue 18: money passes one gate. Every entry point that can create a task — the command, the CodeLens,
// Generate all, Generate Variants, the panel's Generate and Retry, Regenerate, each agent tool — meets
// the same guards, counted at the fake provider: the session budget (also when a batch crosses it
// midway), the image-count and cost questions, a repository's settings that try to lift a guard, and
// the agent tool's confirmation that names every reference it would upload.
// A test host refuses to show a modal dialog (VS Code skips dialogs under test): the question's text
// then comes back as the error, which is the user saying no.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, waitFor } from './helpers';
import { createsFor, setFake } from './fakeControl';
import { freshFolder, show, writeDoc, type JobSummary } from './editorHelpers';
import { logMark, logSince } from './hostFiles';
import { panelSend, panelState } from './panelHook';

const cfg = () => vscode.workspace.getConfiguration('pictor');
const GUARDS = ['maxCreditsPerSession', 'confirmAboveImages', 'confirmAboveCost', 'size', 'resolution', 'quality', 'n', 'variants'];

async function setAll(values: Record<string, unknown>, target = vscode.ConfigurationTarget.Workspace): Promise<void> {
  for (const [k, v] of Object.entries(values)) await cfg().update(k, v, target);
}

async function sessionCredits(): Promise<number> {
  const r = await panelSend({ type: 'ready' });
  const init = r.posted.find((p) => p.type === 'init') as { spend?: { session: { credits: number } } } | undefined;
  assert.ok(init?.spend, 'the panel shows no spend');
  return init.spend.session.credits;
}

/**
 * What the user was told when an entry point stopped: the error it ended with, its answer, or what it
 * posted or logged. The panel's Generate says it in the log, a moment after it answers: the log is
 * read until it says `said` (up to 10 s), so the caller's match fails with everything that was said.
 */
async function refusalOf(run: () => Promise<unknown>, said: RegExp): Promise<string> {
  const mark = logMark();
  let told = '';
  try {
    const r = await run();
    if (typeof r === 'string') told = r;
    else if (r && typeof r === 'object' && 'posted' in r) told = JSON.stringify((r as { posted: unknown }).posted);
    else if (r && typeof r === 'object' && 'content' in r) {
      told = (r as vscode.LanguageModelToolResult).content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    } else told = JSON.stringify(r);
  } catch (e) {
    told = (e as Error).message;
  }
  const all = () => `${told}\n${logSince(mark)}`;
  await waitFor(`the refusal to be told (${said.source})`, () => said.test(all()), 10_000, 50).catch(() => undefined);
  return all();
}

async function invokeTool(name: string, input: object): Promise<string> {
  const r = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
  return r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

describe('safety: one gate for money (issue 18)', function () {
  this.timeout(120_000);
  afterEach(async () => {
    await setAll(Object.fromEntries(GUARDS.map((k) => [k, undefined])));
    await setAll({ confirmAboveImages: undefined, maxCreditsPerSession: undefined, confirmAboveCost: undefined }, vscode.ConfigurationTarget.Global);
    await setFake({ failCreate: null });
    await vscode.commands.executeCommand('pictor._test.forgetAnswers');
    // The boxes this suite answered are not a later suite's.
    await vscode.commands.executeCommand('pictor._test.inputBoxesAsked');
    await closeAllEditors();
  });

  it('a session budget reached in the middle of Generate all stops the rest before they are sent (defect 4: all were sent)', async () => {
    const dir = await freshFolder('money/midway');
    const prompts = ['budget one, a pear', 'budget two, a plum', 'budget three, a fig', 'budget four, a lime', 'budget five, a kiwi', 'budget six, a date'];
    const doc = await writeDoc(path.join(dir, 'page.md'), prompts.map((p) => `![${p}]()`).join('\n\n') + '\n');
    await show(doc);
    // Each 1:1 1K low task reserves 0.28 credits at the fake: the limit lets exactly two through.
    const spent = await sessionCredits();
    const limit = Math.round((spent + 0.55) * 100) / 100;
    // The user's own threshold (a workspace's may only lower it): six images are sent unasked.
    await setAll({ confirmAboveImages: 12 }, vscode.ConfigurationTarget.Global);
    await setAll({ size: '1:1', resolution: '1K', quality: 'low', n: 1, maxCreditsPerSession: limit });
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', doc);
    const sent = await createsFor(...prompts);
    assert.equal(sent.length, 2, `creates sent: ${sent.map((c) => c.body?.prompt).join(' | ')}`);
    assert.equal(jobs.filter((j) => j.state === 'completed').length, 2);
    const refused = jobs.filter((j) => j.state === 'failed');
    assert.equal(refused.length, 4);
    for (const j of refused) assert.match(j.error ?? '', /Not sent: this session has used [\d.]+ credits, at or over your limit of [\d.]+ \(pictor\.maxCreditsPerSession\)/);
  });

  // The same entry points against each limit: the session budget, and an image-count limit (the user's
  // confirmAboveImages of 0 asks before every action; a test host's "no" to the question sends nothing).
  const LIMITS = [
    { name: 'over the session budget', tag: 'budget', workspace: { maxCreditsPerSession: 0.01 }, user: {},
      said: /this session has (now )?used [\d.]+ credits, at or over your limit of 0\.01 \(pictor\.maxCreditsPerSession\)/ },
    { name: 'above the image-count limit', tag: 'count', workspace: {}, user: { confirmAboveImages: 0 },
      said: /Generate \d+ images for \d+ prompts?\?.*more than 0 images \(pictor\.confirmAboveImages\)/s },
  ];
  for (const limit of LIMITS) {
    it(`${limit.name}, every entry point that can create a task refuses the same way and sends nothing`, async () => {
      const dir = await freshFolder(`money/every-entry-${limit.tag}`);
      const p = (s: string) => `every entry (${limit.tag}): ${s}`;
      const prompts = {
        command: p('a teapot'), lens: p('a kettle'), all: p('a ladle'), variants: p('a whisk'), panel: p('a sieve'),
        retry: p('a colander'), tool: p('a spatula'), fill: p('a grater'), regenerate: p('a saucepan, again'),
      };
      // A failed job (the create refused, nothing billed) for the panel's Retry, and a Pictor image for Regenerate.
      await setAll({ size: '1:1', resolution: '1K', quality: 'low', n: 1 });
      await setFake({ failCreate: { status: 400, code: 'invalid_request', message: 'refused once', times: 1 } });
      const retryDoc = await writeDoc(path.join(dir, 'retry.md'), `![${prompts.retry}]()\n`);
      const failed = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', retryDoc, new vscode.Range(0, 3, 0, 3)).then(
        (j) => j, () => [] as JobSummary[]);
      await setFake({ failCreate: null });
      const failedJob = (await panelState()).jobs.find((j) => j.prompt === prompts.retry && j.canRetry);
      assert.ok(failedJob, `no failed job to retry (${JSON.stringify(failed)})`);
      const regenDoc = await writeDoc(path.join(dir, 'regen.md'), `![${p('a saucepan')}]()\n`);
      const made = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', regenDoc, new vscode.Range(0, 3, 0, 3));
      assert.equal(made[0]?.state, 'completed');
      const createsBefore = (await createsFor(p('a saucepan'), ...Object.values(prompts))).length;

      await setAll(limit.workspace);
      await setAll(limit.user, vscode.ConfigurationTarget.Global);
      if (limit.tag === 'budget') assert.ok((await sessionCredits()) >= 0.01, 'this session has spent something already');
      const page = await writeDoc(path.join(dir, 'page.md'), [prompts.command, prompts.lens, prompts.variants].map((x) => `![${x}]()`).join('\n\n') + '\n');
      const allPage = await writeDoc(path.join(dir, 'all.md'), `![${prompts.all}]()\n`);
      const fillPage = await writeDoc(path.join(dir, 'fill.md'), `![${prompts.fill}]()\n`);
      await show(page);
      const lens = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', page, 100))
        .find((l) => l.command?.command === 'pictor.generatePlaceholder' && l.range.start.line === 2);
      assert.ok(lens?.command, 'the placeholder has its Generate CodeLens');

      const entries: Record<string, () => Promise<unknown>> = {
        'the command': () => Promise.resolve(vscode.commands.executeCommand('pictor.generatePlaceholder', page, new vscode.Range(0, 3, 0, 3))),
        'the CodeLens': () => Promise.resolve(vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []))),
        'Generate all': () => Promise.resolve(vscode.commands.executeCommand('pictor.generateAllPlaceholders', allPage)),
        'Generate Variants': () => Promise.resolve(vscode.commands.executeCommand('pictor.generateVariants', page, new vscode.Range(4, 3, 4, 3), 2)),
        'the panel\'s Generate': () => panelSend({ type: 'generate', requestId: `money-${limit.tag}`, prompt: prompts.panel, options: { size: '1:1', resolution: '1K', quality: 'low', n: 1 }, references: [] }),
        'the panel\'s Retry': () => panelSend({ type: 'retry', id: failedJob.id }),
        'Regenerate': async () => {
          // The prompt box Regenerate opens, answered as the user would.
          await vscode.commands.executeCommand('pictor._test.answerInputBox', prompts.regenerate);
          return vscode.commands.executeCommand('pictor.regenerateImage', regenDoc, new vscode.Range(0, 3, 0, 3));
        },
        'pictor_generateImage': () => invokeTool('pictor_generateImage', { prompt: prompts.tool }),
        'pictor_fillPlaceholders': () => invokeTool('pictor_fillPlaceholders', { document: vscode.workspace.asRelativePath(fillPage) }),
      };
      for (const [name, run] of Object.entries(entries)) {
        const told = await refusalOf(run, limit.said);
        assert.match(told, limit.said, `${name}: ${told.slice(0, 600)}`);
      }
      const after = await createsFor(p('a saucepan'), ...Object.values(prompts));
      assert.equal(after.length, createsBefore, `a task was created ${limit.name}: ${after.slice(createsBefore).map((c) => c.body?.prompt).join(' | ')}`);
      // No new job for the Retry: the failed one still offers it.
      assert.equal((await panelState()).jobs.filter((j) => j.prompt === prompts.retry).length, 1);
    });
  }

  it('the cost question counts cost, not only images: n = 4 at 4K/high asks first (defect 9: it was sent unasked)', async () => {
    const dir = await freshFolder('money/cost');
    const prompt = 'four posters of a harbour at dawn';
    const doc = await writeDoc(path.join(dir, 'page.md'), `![${prompt}]()\n`);
    await show(doc);
    await setAll({ n: 4, size: '16:9', resolution: '4K', quality: 'high', variants: 'all' });
    const said = /Generate 4 images for 1 prompt\? Each at 3840×2160, high quality\. Each image is billed: about 126\.56× the cost of one medium 1024×1024 image in all, more than 16× \(pictor\.confirmAboveCost\)\./;
    const told = await refusalOf(() => Promise.resolve(vscode.commands.executeCommand('pictor.generatePlaceholder', doc, new vscode.Range(0, 3, 0, 3))), said);
    assert.match(told, said);
    assert.deepEqual(await createsFor(prompt), []);
  });

  it('a repository\'s own settings may lower a guard but never lift it: confirmAboveImages 1000 in the workspace still asks above the user\'s 4', async () => {
    const dir = await freshFolder('money/lift');
    const prompts = ['lift one, a gull', 'lift two, a tern', 'lift three, a puffin'];
    const doc = await writeDoc(path.join(dir, 'page.md'), prompts.map((p) => `![${p}]()`).join('\n\n') + '\n');
    await show(doc);
    await setAll({ size: '1:1', resolution: '1K', quality: 'low', n: 2, variants: 'all', confirmAboveImages: 1000, confirmAboveCost: 100000, maxCreditsPerSession: 1e9 });
    const said = /Generate 6 images for 3 prompts\?.*more than 4 images \(pictor\.confirmAboveImages\)/s;
    const told = await refusalOf(() => Promise.resolve(vscode.commands.executeCommand('pictor.generateAllPlaceholders', doc)), said);
    assert.match(told, said);
    assert.deepEqual(await createsFor(...prompts), []);
    // Lowering works: the workspace's 1 asks where the user's 4 would not.
    await setAll({ n: 1, confirmAboveImages: 1 });
    const lowered = await refusalOf(() => Promise.resolve(vscode.commands.executeCommand('pictor.generateAllPlaceholders', doc)), /Generate 3 images for 3 prompts\?/);
    assert.match(lowered, /Generate 3 images for 3 prompts\?/);
    assert.deepEqual(await createsFor(...prompts), []);
  });

  it('the agent tool\'s confirmation names every reference it would upload or pass on, and a planning error still gives a confirmation (defect 3)', async () => {
    const dir = await freshFolder('money/tool-refs');
    const secret = path.join(dir, 'private', 'passport.png');
    await fs.mkdir(path.dirname(secret), { recursive: true });
    await fs.copyFile(path.join(__dirname, '..', '..', '..', 'media', 'icon.png'), secret);
    const rel = vscode.workspace.asRelativePath(secret);
    const prepared = await vscode.commands.executeCommand<{ confirmation?: { title: string; message: string } }>('pictor._test.prepareTool', 'pictor_generateImage',
      { prompt: 'a portrait in the style of the reference', referenceImages: [rel, 'https://tracker.example/pixel.png'] });
    const message = prepared?.confirmation?.message ?? '';
    assert.match(message, new RegExp(`${rel.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*uploaded to EvoLink's file service`));
    assert.match(message, /https:\/\/tracker\.example\/pixel\.png.*passed to EvoLink/);
    assert.match(message, /Reference images \(2\):/);
    const bad = await vscode.commands.executeCommand<{ confirmation?: { title: string; message: string } }>('pictor._test.prepareTool', 'pictor_generateImage',
      { prompt: 'x', referenceImages: ['../../etc/passwd.png'] });
    assert.ok(bad?.confirmation, 'a request planning refused still shows a confirmation');
    assert.match(bad.confirmation.message, /Pictor will not send this request as it is: .*outside the workspace/);
  });
});
