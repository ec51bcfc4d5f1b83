// Whether a path lies inside a folder: by its text (after `.` and `..`) and, for files that exist,
// once symbolic links are followed. One copy for every place that keeps files in the workspace:
// reference images must come from it, saved images must land in it.
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { Result } from '../shared/result';

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

export type RealInside = Result<{ real: string }, { reason: 'outside' | 'missing'; real?: string }>;

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

export type OpenedInside = Result<{ real: string; handle: FileHandle; size: number }, { reason: 'outside' | 'missing' | 'changed' | 'notFile'; real?: string }>;

/**
 * Read-only, and without waiting for a writer when the path is a named pipe (O_NONBLOCK, where the
 * platform has it; it changes nothing for a regular file).
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Opens a file for reading (see READ_FLAGS). */
export function openForReading(file: string): Promise<FileHandle> {
  return open(file, READ_FLAGS);
}

/**
 * Opens `file` for reading, then checks the file it opened: its real path (symbolic links followed,
 * parent folders included) must lie inside one of `folders`, and what is at that real path now must
 * be the very file held open (same device and inode, a regular file, not a link). A path swapped
 * for a link between the open and the check is `changed`. On success the caller owns the handle and
 * reads only through it, so whatever happens to the path later, the bytes are the checked file's.
 */
export async function openInside(file: string, folders: readonly string[]): Promise<OpenedInside> {
  if (!path.isAbsolute(file)) return { ok: false, reason: 'outside' };
  let handle: FileHandle;
  try {
    handle = await openForReading(file);
  } catch {
    return { ok: false, reason: 'missing' };
  }
  let kept = false;
  try {
    const where = await realInside(file, folders);
    if (!where.ok) return where;
    const [held, there] = await Promise.all([handle.stat({ bigint: true }), lstat(where.real, { bigint: true }).catch(() => undefined)]);
    if (!held.isFile()) return { ok: false, reason: 'notFile', real: where.real };
    if (!there?.isFile() || held.dev !== there.dev || held.ino !== there.ino) return { ok: false, reason: 'changed', real: where.real };
    kept = true;
    return { ok: true, real: where.real, handle, size: Number(held.size) };
  } finally {
    if (!kept) await handle.close().catch(() => undefined);
  }
}

export type TargetInside = Result<{ real: string }, { reason: 'outside' | 'missing' | 'exists'; real?: string }>;

/**
 * The gate Pictor passes right before it writes, moves or deletes a file in a workspace folder,
 * symbolic links followed (parent folders included):
 * - `existing` (a file to move or delete): it must exist, and its real path lie inside `folder`;
 * - `new` (a file to create, a folder to make): nothing may be at the path yet, not even a link, and
 *   the nearest folder on its way that exists must really be `folder` or lie inside it.
 */
export async function targetInside(file: string, folder: string, kind: 'existing' | 'new'): Promise<TargetInside> {
  if (!path.isAbsolute(file)) return { ok: false, reason: 'outside' };
  if (kind === 'existing') return realInside(file, [folder]);
  try {
    await lstat(file);
    return { ok: false, reason: 'exists' };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, reason: 'missing' };
  }
  const realFolder = await realpath(folder).catch(() => path.resolve(folder));
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      if (await lstat(dir).then(() => true, () => false)) {
        // Made a moment ago (by another image of the batch placed at the same time): read it again.
        const now = await realpath(dir).catch(() => undefined);
        // A link that leads nowhere is not a folder to create things through.
        if (now === undefined) return { ok: false, reason: 'outside' };
        real = now;
      } else {
        if (path.dirname(dir) === dir) return { ok: false, reason: 'missing' };
        continue;
      }
    }
    return atOrInside(real, realFolder) ? { ok: true, real: path.join(real, path.relative(dir, file)) } : { ok: false, reason: 'outside', real };
  }
}
