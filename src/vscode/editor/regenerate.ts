// Regenerate Image: on an image link whose file carries a Pictor recipe, send the same recipe again
// (the prompt editable first), save the new image and re-point the link. The recipe is read from the
// image file itself, so this works in a fresh clone with no history of how the image was made.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { imageAt, scanMarkdown, type ImageLink } from '../../core/placeholders';
import { inputFromRecipe, lookOfRecipe, readRecipeFile, sidecarPath, type Recipe } from '../../core/recipe';
import { lookCall } from '../../core/look';
import type { Generator } from '../run/generate';
import { commandRun } from '../run/reportNotices';
import type { JobSummary } from '../run/runTypes';
import type { JobMeta } from '../state/jobMeta';
import { say } from '../say';
import { keepReplacedImages } from '../settings/config';
import { targetInside } from '../../core/paths';
import { fileOfLink } from '../../core/markdownEdits';
import { exists } from '../place/placing';
import { deleteIn } from '../place/workspaceFiles';

/** The image file a link points at, when it is a file (not a web address). */
export function linkedFile(doc: vscode.TextDocument, url: string): string | undefined {
  if (doc.uri.scheme !== 'file') return undefined;
  return fileOfLink(path.dirname(doc.uri.fsPath), url);
}

export class Regenerator {
  /** Links being regenerated (`document|url`): a second click must not bill a second image. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly generator: Generator, private readonly log: vscode.LogOutputChannel) {}

  isRunning(doc: vscode.TextDocument, url: string): boolean {
    return this.inFlight.has(`${doc.uri.toString()}|${url}`);
  }

  /** From the palette (the link at the cursor) or a CodeLens (document and range given). */
  async regenerate(uriArg?: unknown, rangeArg?: unknown): Promise<JobSummary[]> {
    const editor = vscode.window.activeTextEditor;
    const uri = uriArg instanceof vscode.Uri ? uriArg : typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : undefined;
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!doc || doc.languageId !== 'markdown') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: put the cursor on an image link in a Markdown file to regenerate that image.'));
      return [];
    }
    const offset = rangeArg instanceof vscode.Range ? doc.offsetAt(rangeArg.start)
      : editor?.document === doc ? doc.offsetAt(editor.selection.active) : -1;
    const img = offset >= 0 ? imageAt(this.generator.scan(doc), offset) : undefined;
    if (!img) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: there is no image link at the cursor. Put the cursor on ![alt](path/to/image.png).'));
      return [];
    }
    const key = `${doc.uri.toString()}|${img.url}`;
    if (this.inFlight.has(key)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: this image is already being regenerated.'));
      return [];
    }
    this.inFlight.add(key);
    try {
      return await this.regenerateLink(doc, img);
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async regenerateLink(doc: vscode.TextDocument, img: ImageLink): Promise<JobSummary[]> {
    const file = linkedFile(doc, img.url);
    const recipe = file ? await readRecipeFile(file) : undefined;
    if (!file || !recipe) {
      const edit = vscode.l10n.t('Edit Image…');
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Pictor: {0} carries no Pictor recipe (it was not made by Pictor, or the recipe was removed), so it cannot be regenerated. Edit Image… sends it as a reference instead.', img.url),
        edit).then((pick) => pick === edit && vscode.commands.executeCommand('pictor.editImage'));
      return [];
    }
    const source = doc.getText().slice(img.start, img.end);
    const prompt = (await this.generator.ask({
      title: vscode.l10n.t('Pictor: Regenerate Image'),
      prompt: describe(recipe),
      value: recipe.prompt,
      valueSelection: [0, 0],
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Write a prompt, or press Escape to cancel.')),
    }))?.trim();
    if (!prompt) return [];

    // The user may have typed while the box was open: find the same link again, by its text.
    const now = findAgain(doc, img, source);
    if (!now) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: the image link changed while you were editing the prompt; nothing was sent. Run Regenerate Image again.'));
      return [];
    }
    const root = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath ?? path.dirname(doc.uri.fsPath);
    const made = inputFromRecipe(recipe, file, root, prompt);
    if (!made.ok) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pictor: nothing was sent. {0}', say(made)));
      return [];
    }
    const missing = await firstMissing(made.input.references ?? []);
    if (missing) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pictor: nothing was sent. The recipe\'s reference image {0} does not exist; put it back, or use Edit Image….', vscode.workspace.asRelativePath(missing)));
      return [];
    }
    const meta: JobMeta = {
      origin: 'edit', documentUri: doc.uri.toString(), alt: oneLine(img.alt) || oneLine(prompt), source, oldUrl: img.url,
      recipe: { prompt },
    };
    const { size, resolution, quality, n } = made.input;
    this.log.info(`Regenerating ${vscode.workspace.asRelativePath(file)} from its recipe (task ${recipe.taskId || 'unknown'}).`);
    // Everything from the recipe, the style too (none is none): the page's and the settings' options do not apply.
    const jobs = await commandRun(this.generator.notify, this.log, (onSent) => this.generator.run(doc, [{ prompt, meta, track: [now.start, now.end], references: made.input.references }],
      vscode.l10n.t('Regenerating the image'), { size, resolution, quality, n, style: recipe.style ?? '', ...lookCall(lookOfRecipe(recipe)) }, undefined, onSent));
    if (jobs.some((j) => j.linked) && !keepReplacedImages(doc.uri)) {
      await this.dropOld(doc, img.url, file, jobs);
    }
    return jobs;
  }

  /**
   * Moves the replaced image (and its sidecar) to the trash, and only then: the file must really lie
   * inside the page's workspace folder (workspaceFiles.ts checks it again at the moment of the
   * move), no page of the workspace may still name it, and where there is no trash it is kept.
   */
  private async dropOld(doc: vscode.TextDocument, url: string, file: string, jobs: JobSummary[]): Promise<void> {
    if (jobs.some((j) => j.files.includes(file))) return;
    if (scanMarkdown(doc.getText()).images.some((i) => i.url === url)) return;
    const rel = vscode.workspace.asRelativePath(file);
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    const where = folder ? await targetInside(file, folder.uri.fsPath, 'existing') : undefined;
    if (!folder || !where?.ok) {
      this.log.info(`Kept the replaced image ${file}: it is not inside the page's workspace folder.`);
      return;
    }
    const named = await pagesNaming(file);
    if (named === undefined || named.length) {
      this.log.info(`Kept the replaced image ${rel}: ${named?.length ? `still named by ${named.map((p) => vscode.workspace.asRelativePath(p)).join(', ')}` : 'the workspace\'s pages could not all be read'}.`);
      return;
    }
    for (const f of [file, sidecarPath(file)]) {
      const uri = vscode.Uri.file(f);
      if (!(await exists(uri))) continue; // no sidecar (PNG), or already gone
      let done: 'trashed' | 'deleted' | 'kept';
      try {
        done = await deleteIn(uri, folder.uri.fsPath, 'trash');
      } catch (e) {
        this.log.warn(`Kept the replaced image ${f}: ${(e as Error).message}`);
        return; // an image kept keeps its recipe sidecar too
      }
      if (done !== 'trashed') {
        this.log.info(`Kept the replaced image ${vscode.workspace.asRelativePath(f)}: there is no trash here, and it is not deleted for good.`);
        return;
      }
      this.log.info(`Moved the replaced image ${vscode.workspace.asRelativePath(f)} to the trash.`);
    }
  }
}

/** At most this many pages are read to find one that still names an image; more, and it is kept. */
const MAX_PAGES = 20_000;
const PAGE_GLOB = '**/*.{md,markdown,mdown,mkd,mkdn,mdwn,mdx,qmd,rmd}';

/**
 * The Markdown pages of the workspace (open ones as they are now, the rest from disk) whose text
 * names `file` by its file name, as written or percent-encoded; undefined when they could not all be
 * read. A name is enough: keeping an image a page might still show is the safe side.
 */
async function pagesNaming(file: string): Promise<string[] | undefined> {
  const name = path.basename(file);
  const names = [...new Set([name, encodeURI(name), encodeURIComponent(name)])].map(escapeRegExp).join('|');
  const named = new RegExp(`(?:^|[\\/\\s("'<=\\[:])(?:${names})(?=$|[\\s)"'>#?\\]|])`, 'im');
  const open = new Map(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file').map((d) => [d.uri.fsPath, d]));
  let found: vscode.Uri[];
  try {
    found = await vscode.workspace.findFiles(PAGE_GLOB, undefined, MAX_PAGES);
  } catch {
    return undefined;
  }
  if (found.length >= MAX_PAGES) return undefined;
  const pages = new Set([...found.map((u) => u.fsPath), ...[...open.values()].filter((d) => d.languageId === 'markdown').map((d) => d.uri.fsPath)]);
  const out: string[] = [];
  for (const page of pages) {
    let text: string;
    try {
      text = open.get(page)?.getText() ?? await readFile(page, 'utf8');
    } catch {
      return undefined;
    }
    if (named.test(text)) out.push(page);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the recipe will send besides the prompt, for the input box. */
function describe(r: Recipe): string {
  const parts = [r.size === 'auto' ? vscode.l10n.t('size auto') : `${r.size}${/:/.test(r.size) ? ` ${r.resolution}` : ''}`,
    vscode.l10n.t('quality {0}', r.quality), r.n > 1 ? vscode.l10n.t('{0} images', r.n) : vscode.l10n.t('1 image')];
  if (r.style) parts.push(vscode.l10n.t('style "{0}"', r.style));
  if (r.references.length) parts.push(vscode.l10n.t('{0} reference image(s)', r.references.length));
  return vscode.l10n.t('Edit the prompt, or press Enter to send the same recipe again ({0}). Each image is billed.', parts.join(', '));
}

function findAgain(doc: vscode.TextDocument, was: ImageLink, source: string): ImageLink | undefined {
  const text = doc.getText();
  const same = scanMarkdown(text).images.filter((i) => i.url === was.url && text.slice(i.start, i.end) === source);
  return same.find((i) => i.start === was.start) ?? (same.length === 1 ? same[0] : undefined);
}

async function firstMissing(refs: { kind: string; path?: string }[]): Promise<string | undefined> {
  for (const r of refs) {
    if (r.kind !== 'file' || !r.path) continue;
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(r.path));
    } catch {
      return r.path;
    }
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
