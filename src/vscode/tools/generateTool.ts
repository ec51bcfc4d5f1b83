// pictor_generateImage: one prompt → validated, generated, saved into the workspace; with
// `placeholder`, that placeholder of `document` is filled exactly as the Generate CodeLens does.
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import type { Placeholder } from '../../core/placeholders';
import type { ValidRequest } from '../../core/request';
import type { ReferenceInput } from '../../core/types';
import type { ImageOptions } from '../../shared/model';
import type { RunOptions } from '../run/runTypes';
import { actionPlan } from '../run/plans';
import { sayWords } from '../say';
import type { JobMeta } from '../state/jobMeta';
import {
  checkCancelled, checkKey, checkTrust, describeFigures, figures, folders, lineOf, linkBase, openPage, planningFailed, referenceLines,
  references, refuse, runOptions, type ToolDeps,
} from './common';
import { shortLine } from '../../shared/text';
import { answer, followToken, jobLines, outcomes, whyNotSent, type JobOutcome } from './run';

export interface GenerateImageInput extends Partial<ImageOptions> {
  prompt: string;
  referenceImages?: string[];
  /** The look (issue 24), the call's layer: above the placeholder's override, the page and the settings. */
  background?: string;
  format?: string;
  maxWidth?: number;
  /** Style references for the page (paths relative to the page), as the page option `references`. */
  references?: string[];
  document?: string;
  placeholder?: string;
}

interface Plan {
  prompt: string;
  doc: vscode.TextDocument | undefined;
  placeholder: Placeholder | undefined;
  options: RunOptions;
  refs: ReferenceInput[];
  request: ValidRequest;
}

/** Everything checked before anything is sent; throws a Refusal naming what is wrong. */
async function plan(deps: ToolDeps, input: GenerateImageInput, withReferences: boolean): Promise<Plan> {
  if (!input || typeof input !== 'object') refuse(vscode.l10n.t('The input must be an object with at least a prompt.'));
  folders();
  const doc = input.document !== undefined ? await openPage(input.document) : undefined;
  if (input.placeholder !== undefined && !doc) {
    refuse(vscode.l10n.t('placeholder needs document: give the workspace-relative path of the Markdown page that holds the placeholder.'));
  }
  const placeholder = doc && input.placeholder !== undefined ? findPlaceholder(deps, doc, input.placeholder) : undefined;
  // A placeholder's alt text is its prompt, exactly as with the Generate CodeLens.
  const prompt = placeholder ? placeholder.prompt : typeof input.prompt === 'string' ? input.prompt : '';
  const refs = withReferences ? await references(input.referenceImages) : [];
  const options = runOptions(input);
  // What the input leaves out comes from the placeholder's override, the page's front matter, then the settings.
  const planned = actionPlan(doc, doc && deps.generator.scan(doc), [{ prompt, placeholder, references: refs }], options);
  const skipped = planned.skipped[0];
  if (skipped) refuse(vscode.l10n.t('Nothing was sent: {0}', sayWords(skipped.words)));
  const v = planned.requests[0]!.request;
  return { prompt, doc, placeholder, options, refs, request: v };
}

function findPlaceholder(deps: ToolDeps, doc: vscode.TextDocument, wanted: string): Placeholder {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  const target = norm(wanted);
  const all = deps.generator.scan(doc).placeholders.filter((p) => !p.empty);
  let found = all.filter((p) => norm(p.prompt) === target);
  if (!found.length) found = all.filter((p) => norm(p.prompt).toLowerCase() === target.toLowerCase());
  if (!found.length) {
    const partial = all.filter((p) => norm(p.prompt).toLowerCase().includes(target.toLowerCase()));
    if (partial.length === 1) found = partial;
  }
  const label = vscode.workspace.asRelativePath(doc.uri);
  if (!found.length) {
    const list = all.map((p) => vscode.l10n.t('line {0}: "{1}"', lineOf(doc, p.start), shortLine(p.prompt))).join('; ');
    refuse(all.length
      ? vscode.l10n.t('Nothing was sent: {0} has no placeholder with the alt text "{1}". Its placeholders: {2}. Pass one of them as placeholder.', label, shortLine(wanted), list)
      : vscode.l10n.t('Nothing was sent: {0} has no image placeholders. Write one like ![a red fox asleep in snow]() first.', label));
  }
  const running = deps.generator.runningIn(doc);
  const free = found.find((p) => !running(p));
  if (!free) refuse(vscode.l10n.t('Nothing was sent: the placeholder "{0}" in {1} is already being generated. Call pictor_listPlaceholders later to see its link.', shortLine(wanted), label));
  return free;
}

export function generateImageTool(deps: ToolDeps): vscode.LanguageModelTool<GenerateImageInput> {
  return {
    async prepareInvocation({ input }) {
      let p: Plan;
      try {
        p = await plan(deps, input, true);
      } catch (e) {
        // The call will be refused without sending anything; the user still sees what was asked and why.
        return planningFailed(e, vscode.l10n.t('Generate an image with Pictor?'));
      }
      const what = describeFigures(figures([p.request]));
      const where = p.placeholder && p.doc
        ? vscode.l10n.t('Fills the placeholder on line {0} of {1}.', lineOf(p.doc, p.placeholder.start), vscode.workspace.asRelativePath(p.doc.uri))
        : p.doc
          ? vscode.l10n.t('Saved beside {0}, as pictor.destination says; the page is not edited.', vscode.workspace.asRelativePath(p.doc.uri))
          : vscode.l10n.t('Saved in the workspace, as pictor.destination says for a page at the workspace root.');
      return {
        invocationMessage: vscode.l10n.t('Generating {0} image(s) with Pictor', p.request.imageCount),
        confirmationMessages: {
          title: vscode.l10n.t('Generate {0} image(s) with Pictor?', p.request.imageCount),
          message: new vscode.MarkdownString(vscode.l10n.t('{0}\n\nPrompt: "{1}"\n\n{2}\n\nEach image is billed to your EvoLink account.',
            what, shortLine(p.prompt, 200), where) + referenceLines(p.refs)),
        },
      };
    },

    async invoke({ input }, token) {
      checkTrust();
      const p = await plan(deps, input, true);
      await checkKey(deps);
      checkCancelled(token);
      const doc = p.doc;
      const call = randomUUID();
      const docUri = doc?.uri.toString();
      const report = await followToken(deps, token, (onSubmitted) => {
        if (p.placeholder && doc) {
          const at = doc.positionAt(p.placeholder.start);
          return deps.generator.placeholder(doc.uri, new vscode.Range(at, at), { options: { ...p.options, variants: 'all' }, references: p.refs, onSubmitted });
        }
        const meta: JobMeta = { origin: 'tool', documentUri: docUri, alt: shortLine(p.prompt, 10_000), call };
        return deps.generator.run(doc, [{ prompt: p.prompt, meta, references: p.refs }], vscode.l10n.t('Generating an image for an agent'), p.options, onSubmitted);
      });
      const done = outcomes(deps, report.jobs);
      if (!done.length) {
        // Why, in the words of the run's report (no notification is shown for a tool call).
        const why = report.notSent.some((n) => n.reason === 'elsewhere')
          ? vscode.l10n.t('another VS Code window is already generating this placeholder.')
          : whyNotSent(report);
        return answer(vscode.l10n.t('Nothing was sent: {0}', why));
      }
      return answer(generateText(p, done, token.isCancellationRequested), done);
    },
  };
}

function generateText(p: Plan, done: JobOutcome[], cancelled: boolean): string {
  const base = linkBase(p.doc);
  const saved = done.flatMap((o) => o.files);
  const lines: string[] = [];
  const relTo = p.doc ? vscode.workspace.asRelativePath(p.doc.uri) : vscode.l10n.t('the workspace root');
  if (cancelled && !saved.length) lines.push(vscode.l10n.t('Cancelled: no image was saved.'));
  else lines.push(vscode.l10n.t('Saved {0} image(s) for "{1}" (links relative to {2}):', saved.length, shortLine(p.prompt), relTo));
  for (const o of done) lines.push(...jobLines(o, base));
  if (p.placeholder && p.doc) {
    const linked = done.some((o) => o.summary.linked);
    lines.push(linked
      ? vscode.l10n.t('The placeholder in {0} now links the image; nothing else on the page changed.', vscode.workspace.asRelativePath(p.doc.uri))
      : vscode.l10n.t('The placeholder in {0} was not filled (it was changed or removed meanwhile, or the task did not finish); insert the link above where it belongs.', vscode.workspace.asRelativePath(p.doc.uri)));
  } else if (saved.length) {
    lines.push(vscode.l10n.t('No page was edited: insert the Markdown link where the image belongs.'));
  }
  return lines.join('\n');
}
