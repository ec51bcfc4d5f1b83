// The active page's own reference images as the panel shows them (issue 24 §1): its `references:`
// (front matter, or the `pictor.references` setting) and `styleFrom: first`'s image, resolved as the
// planner resolves them (core/pageReferences.ts), each file checked by the one check of a reference
// (vscode/run/references.ts: inside a workspace folder, symbolic links followed) and read through the
// core's gate (paths.ts openInside) to see it is an image. A thumbnail for a file that passes; for one
// that does not, why, in words: never a broken image.
import * as vscode from 'vscode';
import { HEAD_BYTES, imageInfo } from '../core/api/imageInfo';
import { formatBytes } from '../core/finish';
import type { MarkdownScan } from '../core/placeholders';
import type { OptionSource } from '../core/pageOptions';
import { firstImage, resolveReference } from '../core/pageReferences';
import { openInside } from '../core/paths';
import { describeSource, planSettings, resolveOptions } from '../vscode/settings/pageOptions';
import { checkReferenceFile, workspaceFolderPaths } from '../vscode/run/references';
import { checkUrl, type Thumb } from '../vscode/run/referenceChecks';
import { sayWords } from '../vscode/say';
import type { PageReferenceView } from '../shared/protocol';
import { shortLine } from '../shared/text';

/** More than the provider takes (16): the plan refuses the page, and the panel need not show a hundred. */
const MOST_SHOWN = 32;

/** The page's references, in the order they are sent (`references:` first, then the first image), each once. */
export async function pageReferencesView(doc: vscode.TextDocument, scan: MarkdownScan, thumb: Thumb): Promise<PageReferenceView[]> {
  const o = resolveOptions({ doc, scan });
  const base = { ...(doc.uri.scheme === 'file' ? { page: doc.uri.fsPath } : {}), ...rootOf(doc.uri) };
  const wanted: { written: string; from: OptionSource; style: boolean }[] = o.values.references.map((written) => ({ written, from: o.from.references, style: false }));
  const out: PageReferenceView[] = [];
  if (o.values.styleFrom === 'first') {
    const first = firstImage(scan);
    if (first?.image) wanted.push({ written: first.image.url, from: 'page', style: true });
    else if (first?.placeholder) {
      out.push({ kind: 'first', label: shortLine(first.placeholder.prompt, 60), from: 'styleFrom: first',
        detail: vscode.l10n.t('made first, then sent with the others as their reference') });
    }
  }
  const seen = new Set<string>();
  const views: PageReferenceView[] = [];
  for (const w of wanted.slice(0, MOST_SHOWN)) {
    const from = w.style ? 'styleFrom: first' : describeSource(w.from);
    const r = resolveReference(w.written, w.from, base);
    if (!r.ok) {
      views.push({ kind: 'file', label: w.written, from, problem: sayWords(r.words) });
      continue;
    }
    const key = r.ref.kind === 'url' ? `u:${r.ref.url}` : `f:${r.ref.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (r.ref.kind === 'url') {
      // The webview loads nothing remote: an address is shown as a link, checked by the request's rules.
      const c = checkUrl(r.ref.url);
      views.push({ kind: 'url', label: r.ref.url, from, ...(c.ok ? { detail: vscode.l10n.t('an address: the provider fetches it') } : { problem: c.problem }) });
    } else {
      views.push(await fileView(r.ref.path, w.written, from, thumb));
    }
  }
  // The first placeholder (made first) goes after the references the page lists, as the plan sends them.
  return [...views, ...out];
}

/** `pictor.references` is relative to the page's workspace folder, and every file must lie inside it. */
function rootOf(uri: vscode.Uri): { root?: string } {
  const root = planSettings(uri).root;
  return root ? { root } : {};
}

async function fileView(file: string, written: string, from: string, thumb: Thumb): Promise<PageReferenceView> {
  const label = vscode.workspace.asRelativePath(file, false);
  const view: PageReferenceView = { kind: 'file', label, from };
  const c = await checkReferenceFile(file, written);
  if (!c.ok) return { ...view, problem: c.problem };
  // Its first bytes, read through the file opened and checked as opened: is it an image at all?
  const opened = await openInside(file, workspaceFolderPaths());
  if (!opened.ok) return { ...view, problem: vscode.l10n.t('The image {0} cannot be read, so it cannot be sent.', written) };
  let head: Buffer;
  try {
    head = Buffer.alloc(Math.min(HEAD_BYTES, opened.size));
    await opened.handle.read(head, 0, head.length, 0);
  } catch {
    return { ...view, problem: vscode.l10n.t('The image {0} cannot be read, so it cannot be sent.', written) };
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
  const info = imageInfo(head);
  if (!info) return { ...view, problem: vscode.l10n.t('{0} is not a PNG, JPEG or WebP image: its bytes are something else.', written) };
  return { ...view, thumb: thumb(file), detail: `${info.width}×${info.height} · ${formatBytes(opened.size)}` };
}
