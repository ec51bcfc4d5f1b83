// The finalize step's one addition for recipes: before a staged image is copied into the workspace,
// its recipe goes into it (PNG) or beside it (a sidecar for JPEG/WebP, copied along with it).
// A recipe that cannot be written never costs the user the image: it is logged and the image saved.
import * as vscode from 'vscode';
import { rm } from 'node:fs/promises';
import { makeRecipe, sidecarPath, stampStagedImage } from '../../core/recipe';
import type { JobRecord } from '../../core/store';
import type { DownloadedImage } from '../../core/types';
import type { JobMeta } from '../state/jobMeta';
import { copyIn } from './workspaceFiles';

export interface Stamped {
  file: DownloadedImage;
  /** A staged sidecar to copy next to the image (JPEG/WebP). */
  sidecar?: string;
}

/** Puts the job's recipe into the staged image `f`, which will be saved at `finalPath`. */
export async function stampRecipe(job: JobRecord<JobMeta>, f: DownloadedImage, index: number, count: number, finalPath: string,
  log: vscode.LogOutputChannel, keyed?: boolean): Promise<Stamped> {
  try {
    const hints = job.target.meta?.recipe;
    const recipe = makeRecipe({ body: job.body, taskId: job.taskId, createdAt: job.createdAt, ...hints, ...(keyed !== undefined ? { keyed } : {}) }, finalPath, { index, count });
    const { bytes, sidecar } = await stampStagedImage(f.path, f.type, recipe);
    return { file: { ...f, bytes }, sidecar };
  } catch (e) {
    log.warn(`Could not add the recipe to ${f.path}: ${(e as Error).message}. The image is saved without it.`);
    return { file: f };
  }
}

/**
 * Copies a staged sidecar next to the saved image (never over an existing file, never out of the
 * workspace folder `folder`), then drops the staged one.
 */
export async function placeSidecar(sidecar: string, image: vscode.Uri, folder: string, log: vscode.LogOutputChannel): Promise<void> {
  const target = image.with({ path: sidecarPath(image.path) });
  try {
    await copyIn(vscode.Uri.file(sidecar), target, folder);
    await rm(sidecar, { force: true });
  } catch (e) {
    log.warn(`Could not save the recipe ${vscode.workspace.asRelativePath(target)}: ${(e as Error).message}`);
  }
}
