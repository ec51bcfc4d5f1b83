// pictor_listPlaceholders: what a page asks for and what it already shows. Reads only; costs nothing.
import * as vscode from 'vscode';
import { folders, lineOf, openPage, type ToolDeps } from './common';
import { shortLine } from '../../shared/text';
import { answer } from './run';

export interface ListPlaceholdersInput {
  document?: string;
}

export function listPlaceholdersTool(deps: ToolDeps): vscode.LanguageModelTool<ListPlaceholdersInput> {
  return {
    prepareInvocation({ input }) {
      // Free and read-only: a progress message, no confirmation.
      return { invocationMessage: input?.document
        ? vscode.l10n.t('Listing the image placeholders of {0}', input.document)
        : vscode.l10n.t('Listing the image placeholders of the open Markdown pages') };
    },

    async invoke({ input }) {
      let docs: vscode.TextDocument[];
      if (input?.document !== undefined) {
        docs = [await openPage(input.document)];
      } else {
        folders();
        docs = vscode.workspace.textDocuments.filter((d) => d.languageId === 'markdown' && d.uri.scheme === 'file' && !d.isClosed);
        if (!docs.length) {
          return answer(vscode.l10n.t('No Markdown page is open. Pass document (a workspace-relative path such as docs/page.md) to list the placeholders of a page.'));
        }
      }
      return answer(docs.map((d) => pageText(deps, d)).join('\n\n'));
    },
  };
}

function pageText(deps: ToolDeps, doc: vscode.TextDocument): string {
  const scan = deps.generator.scan(doc);
  const running = deps.generator.runningIn(doc);
  const lines = [vscode.l10n.t('{0}: {1} placeholder(s), {2} linked image(s).', vscode.workspace.asRelativePath(doc.uri), scan.placeholders.length, scan.images.length)];
  if (scan.placeholders.length) {
    lines.push(vscode.l10n.t('Placeholders (the alt text is the prompt):'));
    for (const p of scan.placeholders) {
      const r = running(p);
      const state = p.empty
        ? vscode.l10n.t(' (no prompt yet: write one between the brackets)')
        : r?.pick ? vscode.l10n.t(' ({0} variants are saved and wait for the user to pick one in the Pictor panel)', r.pick.count)
          : r ? vscode.l10n.t(' (being generated: {0}, {1}%)', r.state, r.progress) : '';
      lines.push(vscode.l10n.t('- line {0}: "{1}"{2}', lineOf(doc, p.start), shortLine(p.prompt, 500), state));
    }
  }
  if (scan.images.length) {
    lines.push(vscode.l10n.t('Images already linked:'));
    for (const img of scan.images) lines.push(vscode.l10n.t('- line {0}: {1}', lineOf(doc, img.start), doc.getText().slice(img.start, img.end)));
  }
  if (scan.placeholders.some((p) => !p.empty && !running(p))) {
    lines.push(vscode.l10n.t('Fill one with pictor_generateImage (document and placeholder), or all with pictor_fillPlaceholders.'));
  }
  return lines.join('\n');
}
