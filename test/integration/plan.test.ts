// Issue 20 item 1: the planning pipeline exists once. For one page (front matter with a style, an
// override, an invalid override, an over-long prompt, an empty placeholder) the core's planner is asked
// directly, with the settings as data; then every face is read the way a person or an agent reads it —
// the CodeLens titles and tooltips, the Problems view, the tools' confirmations, what the commands send
// and refuse, what the panel sends — and each must tell the same plan: the same requests with the same
// options, the same placeholders left out, for the same reason, in the same words.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { planPage, plan as planItems, type Plan, type PlanSettings, type SkipReason } from '../../src/core/plan';
import { problemWords, type OptionValues } from '../../src/core/pageOptions';
import { scanMarkdown, type Placeholder } from '../../src/core/placeholders';
import { formatCost } from '../../src/shared/optionsCheck';
import { formatSize } from '../../src/shared/sizes';
import { english } from '../../src/shared/words';
import { closeAllEditors, waitFor } from './helpers';
import { assertNoCreates, createsFor, freshFolder, show, withSettings, writeDoc, type JobSummary } from './editorHelpers';
import { logMark, waitForLog } from './hostFiles';
import { generate as panelGenerate, waitForJob } from './panelHook';

type Prepared = { invocationMessage?: string; confirmation?: { title: string; message: string } } | undefined;
const prepare = (name: string, input: object) => Promise.resolve(vscode.commands.executeCommand<Prepared>('pictor._test.prepareTool', name, input));
const pictorDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pictor');

/** The settings as the planner takes them, read the plain way (every face must read them alike). */
function settingsNow(): PlanSettings {
  const c = vscode.workspace.getConfiguration('pictor');
  const values: OptionValues = {
    size: c.get<string>('size')!, resolution: c.get<string>('resolution')!, quality: c.get<string>('quality')!,
    n: c.get<number>('n')!, style: c.get<string>('style')!.trim(),
    background: c.get<OptionValues['background']>('background')!, format: c.get<OptionValues['format']>('format')!,
    maxWidth: c.get<number>('maxWidth')!, references: c.get<string[]>('references')!, styleFrom: '',
  };
  return { layers: [{ from: 'workspace', values }], values, model: c.get<string>('model'), callbackUrl: c.get<string>('callbackUrl') };
}

/** The reason code of each placeholder, in page order: `sent` for a request. */
function reasonsOf(p: Plan, count: number): (SkipReason | 'sent')[] {
  return Array.from({ length: count }, (_, i) => (p.requests.some((r) => r.index === i) ? 'sent' : p.skipped.find((s) => s.index === i)!.reason));
}

describe('one plan for every face (issue 20 item 1)', function () {
  this.timeout(120_000);
  afterEach(closeAllEditors);

  const style = 'woodcut print, two colours';
  const prompts = ['a quiet harbour at dusk, one plan', 'a copper weather vane, one plan', 'a kettle that asks for twelve, one plan'];
  const long = `a prompt far too long, one plan ${'y'.repeat(32_001)}`;
  const text = [
    '---', 'pictor:', '  size: "1:1"', '  quality: low', `  style: "${style}"`, '---', '',
    `![${prompts[0]}]()`, '',
    `![${prompts[1]}]() <!-- pictor: size=16:9 resolution=2K quality=medium -->`, '',
    `![${prompts[2]}]() <!-- pictor: n=12 -->`, '',
    `![${long}]()`, '',
    '![]()', '',
  ].join('\n');
  const styled = (p: string) => `${p}\n\nStyle: ${style}`;

  it('the CodeLens, the diagnostics, the tools, the command and the panel all tell the core planner\'s plan', async () => {
    const dir = await freshFolder('plan/faces');
    const file = path.join(dir, 'page.md');
    const uri = await writeDoc(file, text);
    const rel = vscode.workspace.asRelativePath(uri, false);
    const editor = await show(uri);
    const doc = editor.document;

    await withSettings({ size: '3:2', quality: 'high' }, async () => {
      // The core's plan of the page, asked directly.
      const scan = scanMarkdown(text);
      const placeholders = scan.placeholders;
      const core = planPage({ page: { text, scan }, settings: settingsNow() });
      // 0-based lines of the page as planned (linked images make the offsets move later on).
      const lineOf = (p: Placeholder) => text.slice(0, p.start).split('\n').length - 1;
      assert.deepEqual(reasonsOf(core, placeholders.length), ['sent', 'sent', 'options', 'prompt', 'empty']);
      const skipped = (i: number) => core.skipped.find((s) => s.index === i)!;

      // The CodeLens: a Generate lens per placeholder, titled with what a click sends, or why it would not be.
      const lenses = await waitFor('a lens on every placeholder', async () => {
        const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
        const first = placeholders.map((p) => all.find((l) => l.range.start.line === lineOf(p) && l.command && l.command.command !== 'pictor.generateVariants' && l.command.command !== 'pictor.generateAllPlaceholders'));
        return first.every((l) => l?.command?.title.includes(' · ') || l?.command?.title === 'Pictor: write a prompt between the brackets') ? first.map((l) => l!.command!) : undefined;
      });
      const lensReason = (c: vscode.Command): SkipReason | 'sent' => (c.command === '' ? 'empty'
        : c.title.endsWith(' · fix the page options') ? 'options'
          : c.title.endsWith(' · check the settings') ? 'request'
            : c.tooltip?.startsWith('Pictor will not send this placeholder: ') ? 'prompt' : 'sent');
      assert.deepEqual(lenses.map(lensReason), reasonsOf(core, placeholders.length), 'the lenses\' reasons');
      for (const r of core.requests) {
        const f = r.figures;
        assert.equal(lenses[r.index]!.title, `$(sparkle) Generate · ${formatSize(f.size!)} · ${f.quality}${f.images > 1 ? ` · ×${f.images}` : ''}`);
        assert.match(lenses[r.index]!.tooltip ?? '', new RegExp(`about ${f.cost.toFixed(2)}× the cost`));
      }
      assert.equal(lenses[2]!.tooltip, english(skipped(2).words));
      assert.equal(lenses[3]!.tooltip, `Pictor will not send this placeholder: ${english(skipped(3).words)}`);

      // The diagnostics: the page's option problems where they are written, and the refused prompt on its placeholder.
      const diagnostics = await waitFor('the diagnostics', () => {
        const all = pictorDiagnostics(uri);
        return all.length === 2 ? all : undefined;
      });
      const optionsMark = diagnostics.find((d) => d.range.start.line === lineOf(placeholders[2]!))!;
      assert.equal(doc.getText(optionsMark.range), 'n=12');
      assert.equal(optionsMark.message, english(skipped(2).words));
      assert.deepEqual(core.problems.map((p) => english(problemWords(p))), [optionsMark.message]);
      const promptMark = diagnostics.find((d) => d.range.start.line === lineOf(placeholders[3]!))!;
      assert.equal(promptMark.message, `Pictor will not send this placeholder: ${english(skipped(3).words)}`);
      const marked = (i: number) => diagnostics.some((d) => d.range.start.line === lineOf(placeholders[i]!));
      assert.deepEqual(placeholders.map((_, i) => marked(i)), core.skipped.reduce((m, s) => {
        m[s.index] = s.reason === 'options' || s.reason === 'prompt';
        return m;
      }, placeholders.map(() => false)));

      // The tools: filling the page names exactly the placeholders left out, with their line and words;
      // each placeholder asked for alone gives the plan's figures, or the plan's reason.
      const fill = await prepare('pictor_fillPlaceholders', { document: rel });
      const named = core.skipped.filter((s) => s.reason === 'options' || s.reason === 'prompt')
        .map((s) => `line ${lineOf(s.placeholder!) + 1} ("${s.prompt.length > 40 ? `${s.prompt.slice(0, 39)}…` : s.prompt}"): ${english(s.words)}`);
      assert.equal(fill?.confirmation?.message, `Pictor will not send this request as it is: Nothing was sent for ${rel}. Fix these placeholders, then call again: ${named.join(' ')}`);
      for (const [i, p] of placeholders.entries()) {
        if (p.empty) continue;
        const one = await prepare('pictor_generateImage', { prompt: 'ignored: the placeholder is the prompt', document: rel, placeholder: p.prompt });
        const r = core.requests.find((x) => x.index === i);
        if (r) {
          const f = r.figures;
          assert.ok(one?.confirmation?.message.startsWith(`${f.images} image(s) · pixel size ${formatSize(f.size!)} · quality ${f.quality} · relative cost ≈${formatCost(f.cost)}×`), one?.confirmation?.message);
        } else {
          assert.equal(one?.confirmation?.message, `Pictor will not send this request as it is: Nothing was sent: ${english(skipped(i).words)}`);
        }
      }

      // The commands: one placeholder left out alone is refused in the plan's words; Generate all sends
      // exactly the plan's requests, with their bodies, and names the others.
      let mark = logMark();
      assert.deepEqual(await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', uri, new vscode.Range(lineOf(placeholders[2]!), 2, lineOf(placeholders[2]!), 2)), []);
      await waitForLog(mark, new RegExp(`Pictor: nothing was sent\\. ${escape(english(skipped(2).words))}`));
      mark = logMark();
      const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri);
      assert.deepEqual(jobs.map((j) => j.prompt).sort(), core.requests.map((r) => r.request.body.prompt).sort());
      assert.ok(jobs.every((j) => j.state === 'completed' && j.linked), JSON.stringify(jobs));
      for (const r of core.requests) {
        const [c] = await createsFor([r.request.body.prompt]);
        assert.ok(c, `no create for ${r.prompt}`);
        const { prompt: _, ...sent } = c.body as Record<string, unknown>;
        const { prompt: __, ...planned } = r.request.body as unknown as Record<string, unknown>;
        assert.deepEqual(sent, planned, `the body sent for "${r.prompt}"`);
      }
      await assertNoCreates([prompts[2]!, styled(prompts[2]!), long, styled(long)]);
      const told = await waitForLog(mark, /placeholder\(s\) were not sent, the other \d+ were: /);
      for (const s of core.skipped.filter((x) => x.reason === 'options' || x.reason === 'prompt')) {
        assert.ok(told.includes(`(line ${lineOf(s.placeholder!) + 1}): ${english(s.words)}`), `the message names line ${lineOf(s.placeholder!) + 1} with the plan's words:\n${told.split('\n').filter((l) => l.includes('not sent')).join('\n')}`);
      }

      // The panel: a prompt of its own on this page, with the panel's options, is planned the same way
      // (the page's style still applies: the panel's options set no style).
      const options = { size: '4:3', resolution: '1K', quality: 'low', n: 1 };
      const prompt = 'a paper lantern from the panel, one plan';
      await vscode.commands.executeCommand('pictor.openPanel');
      await show(uri);
      const now = doc.getText();
      const expected = planItems({ page: { text: now, scan: scanMarkdown(now) }, settings: settingsNow(), call: options, items: [{ prompt }] }).requests[0]!;
      assert.equal(expected.request.body.prompt, styled(prompt));
      const reply = await panelGenerate(prompt, options);
      assert.ok(reply.accepted, JSON.stringify(reply));
      const [c] = await waitFor('the panel\'s create', async () => {
        const found = await createsFor([styled(prompt)]);
        return found.length ? found : undefined;
      });
      const { prompt: _, ...sent } = c!.body as Record<string, unknown>;
      const { prompt: __, ...planned } = expected.request.body as unknown as Record<string, unknown>;
      assert.deepEqual(sent, planned);
      await waitForJob(prompt, (j) => j.state === 'completed', 'the panel\'s job to finish');
    });
  });

  it('settings the provider would refuse: every face tells the same `request` reason, in the same words', async () => {
    const dir = await freshFolder('plan/settings');
    const page = ['# A page', '', '![a tin robot, one plan]()', '', '![a glass robot, one plan]()', ''].join('\n');
    const uri = await writeDoc(path.join(dir, 'page.md'), page);
    const rel = vscode.workspace.asRelativePath(uri, false);
    await show(uri);
    await withSettings({ size: '5000x100' }, async () => {
      const scan = scanMarkdown(page);
      const core = planPage({ page: { text: page, scan }, settings: settingsNow() });
      assert.deepEqual(reasonsOf(core, 2), ['request', 'request']);
      const words = english(core.skipped[0]!.words);
      assert.match(words, /^Size 5000×100: /);
      // The lens: check the settings, with the provider's words.
      const lenses = await waitFor('the lenses to ask for a settings fix', async () => {
        const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100))
          .filter((l) => l.command?.command === 'pictor.generatePlaceholder');
        return all.length === 2 && all.every((l) => l.command!.title === '$(sparkle) Generate · check the settings') ? all : undefined;
      });
      for (const l of lenses) assert.equal(l.command!.tooltip, `Pictor: ${words} Fix it in the settings, then generate.`);
      // The diagnostics mark nothing: the page is fine, the settings are not.
      assert.deepEqual(pictorDiagnostics(uri), []);
      // The tools: the fill names both lines with those words; one placeholder alone is refused with them.
      const fill = await prepare('pictor_fillPlaceholders', { document: rel });
      assert.equal(fill?.confirmation?.message, `Pictor will not send this request as it is: Nothing was sent for ${rel}. Fix these placeholders, then call again: `
        + core.skipped.map((s) => `line ${page.slice(0, s.placeholder!.start).split('\n').length} ("${s.prompt}"): ${english(s.words)}`).join(' '));
      const one = await prepare('pictor_generateImage', { prompt: 'x', document: rel, placeholder: 'a tin robot, one plan' });
      assert.equal(one?.confirmation?.message, `Pictor will not send this request as it is: Nothing was sent: ${words}`);
      // The command sends nothing.
      assert.deepEqual(await vscode.commands.executeCommand<JobSummary[]>('pictor.generateAllPlaceholders', uri), []);
      await assertNoCreates(['a tin robot, one plan', 'a glass robot, one plan']);
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
