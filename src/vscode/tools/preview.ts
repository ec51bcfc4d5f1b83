// Image parts in tool results, so the model can see what it made: only where VS Code passes them on.
import * as vscode from 'vscode';
import { makePreviewOffThread, MAX_PREVIEW_FILE_BYTES, PREVIEW_TIMEOUT_MS } from '../../core/previewThread';
import type { DownloadedImage } from '../../core/types';

/** VS Code's version from which tool results carry image data parts (the API was finalized there). */
const DATA_PARTS_SINCE: readonly [number, number] = [1, 106];

interface DataPartClass {
  image(data: Uint8Array, mimeType: string): unknown;
}

/**
 * The LanguageModelDataPart class when this VS Code supports image parts in tool results. Older
 * builds (1.100 among them) already expose the class, but as a proposed API that chat does not hand
 * to the model, so the version is checked as well as the class.
 */
export function dataPartClass(version = vscode.version): DataPartClass | undefined {
  const cls = (vscode as unknown as { LanguageModelDataPart?: Partial<DataPartClass> }).LanguageModelDataPart;
  if (typeof cls?.image !== 'function') return undefined;
  const [major = 0, minor = 0] = version.split('.').map((x) => Number.parseInt(x, 10));
  const [wantMajor, wantMinor] = DATA_PARTS_SINCE;
  if (major < wantMajor || (major === wantMajor && minor < wantMinor)) return undefined;
  return cls as DataPartClass;
}

/** All previews of one answer together get this long (each one at most PREVIEW_TIMEOUT_MS). */
const ALL_PREVIEWS_MS = 2 * PREVIEW_TIMEOUT_MS;

/**
 * One preview part per image, in order; an image that cannot be read or decoded just has none. The
 * images came from the provider: each is decoded in a worker thread, never on the extension host's,
 * and only after its header is checked (makePreviewOffThread).
 */
export async function previewParts(files: DownloadedImage[]): Promise<unknown[]> {
  const cls = dataPartClass();
  if (!cls) return [];
  const parts: unknown[] = [];
  const until = Date.now() + ALL_PREVIEWS_MS;
  for (const f of files) {
    const left = until - Date.now();
    if (left <= 0) break;
    try {
      if (f.bytes > MAX_PREVIEW_FILE_BYTES) continue; // not read into memory at all
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(f.path));
      const p = await makePreviewOffThread(bytes, f.type, { timeoutMs: Math.min(left, PREVIEW_TIMEOUT_MS) });
      if (p) parts.push(cls.image(p.data, p.mimeType));
    } catch {
      // The text answer still names the file; a preview is a courtesy.
    }
  }
  return parts;
}
