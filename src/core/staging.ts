// Pictor's staging folder: where downloads wait (in the extension's own storage) until they are
// placed in the workspace. A file stays there only while a job still names it: one whose images
// could not be placed keeps them for a Retry. When such a job is forgotten for good (pruned from the
// history, removed), its staged files go too; a sweep at startup removes what no job names any more
// (the leftovers of a process killed mid-download, of records forgotten by older versions).
import { lstat, readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { JobRecord } from './store';
import { realInside } from './paths';
import { sidecarPath } from './recipe';

/**
 * Deletes `files` (and their recipe sidecars) that really lie inside `root`, symbolic links
 * followed: a path in a stored record is never trusted to lead anywhere else. Returns those deleted.
 */
export async function discardStaged(files: readonly string[], root: string): Promise<string[]> {
  const gone: string[] = [];
  for (const file of files) {
    for (const f of [file, sidecarPath(file)]) {
      const where = await realInside(f, [root]);
      if (!where.ok) continue; // not there any more, or not ours to delete
      await rm(where.real, { force: true });
      gone.push(f);
    }
  }
  return gone;
}

/**
 * Deletes the regular files directly in `dir` (one workspace's staging folder) that no job in `jobs`
 * names (as an image or its sidecar) and that nobody has written for `minAgeMs` (a download or a
 * recipe being written right now is never touched). Returns those deleted.
 */
export async function sweepStaging(dir: string, jobs: readonly JobRecord[], now: number, minAgeMs: number): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const named = new Set<string>();
  for (const j of jobs) {
    for (const f of j.files ?? []) {
      named.add(path.resolve(f.path));
      named.add(path.resolve(sidecarPath(f.path)));
    }
  }
  const gone: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (named.has(path.resolve(file))) continue;
    const st = await lstat(file).catch(() => undefined);
    if (!st?.isFile() || now - st.mtimeMs < minAgeMs) continue;
    await rm(file, { force: true }).catch(() => undefined);
    gone.push(file);
  }
  return gone;
}
