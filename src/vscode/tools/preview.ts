// Image parts in tool results, so the model can see what it made: only where VS Code passes them on.
import * as vscode from 'vscode';
import { makePreview } from '../../core/preview';
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

/** One preview part per image, in order; an image that cannot be read or decoded just has none. */
export async function previewParts(files: DownloadedImage[]): Promise<unknown[]> {
  const cls = dataPartClass();
  if (!cls) return [];
  const parts: unknown[] = [];
  for (const f of files) {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(f.path));
      const p = makePreview(bytes, f.type);
      if (p) parts.push(cls.image(p.data, p.mimeType));
    } catch {
      // The text answer still names the file; a preview is a courtesy.
    }
  }
  return parts;
}
