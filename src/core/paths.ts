// Whether a path lies inside a folder: by its text (after `.` and `..`) and, for files that exist,
// once symbolic links are followed. One copy for every place that keeps files in the workspace:
// reference images must come from it, saved images must land in it.
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';

/** The extension of a path (`/` or `\\` separated), lower case, with its dot (`.png`); '' when there is none. */
export function extensionOf(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

/** True when `file` is absolute and, once `.` and `..` are resolved, strictly inside one of `folders`. */
export function insideFolders(file: string, folders: readonly string[], p: typeof path = path): boolean {
  if (!p.isAbsolute(file)) return false;
  const target = p.resolve(file);
  return folders.some((folder) => {
    const rel = p.relative(p.resolve(folder), target);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel);
  });
}

/** `folder` itself or anything inside it (for a folder that may be the workspace folder's root). */
export function atOrInside(file: string, folder: string, p: typeof path = path): boolean {
  return p.resolve(file) === p.resolve(folder) || insideFolders(file, [folder], p);
}

export type RealInside = { ok: true; real: string } | { ok: false; reason: 'outside' | 'missing'; real?: string };

/**
 * Where `file` really is, symbolic links followed, and whether that lies inside one of `folders`
 * (whose own links are followed too: a workspace opened through a link is still the workspace).
 * A path that does not exist is `missing`: nothing can be checked, so nothing may be used.
 */
export async function realInside(file: string, folders: readonly string[]): Promise<RealInside> {
  if (!path.isAbsolute(file)) return { ok: false, reason: 'outside' };
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return { ok: false, reason: 'missing' };
  }
  const realFolders = await Promise.all(folders.map((f) => realpath(f).catch(() => path.resolve(f))));
  return insideFolders(real, realFolders) ? { ok: true, real } : { ok: false, reason: 'outside', real };
}

/** Like realInside for a folder that may be the root itself (a destination folder). */
export async function realDirInside(dir: string, folder: string): Promise<RealInside> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch {
    return { ok: false, reason: 'missing' };
  }
  const realFolder = await realpath(folder).catch(() => path.resolve(folder));
  return atOrInside(real, realFolder) ? { ok: true, real } : { ok: false, reason: 'outside', real };
}
