// The headless runs' finalize hook: a finished job's images saved where `pictor.destination` says,
// stamped with their recipe, and the placeholder filled by its identity in the plain-files workspace.

import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { resolveDestination } from './destination';
import { fileBaseName, firstFreeName } from './fileNames';
import { FilesWorkspace, type PlaceholderIdentity } from './filesWorkspace';
import type { JobRecord } from './store';
import { relativeLink } from './markdownEdits';
import { targetInside } from './paths';
import { makeRecipe, sidecarPath, stampStagedImage } from './recipe';
import { finishImage, savedWords } from './finish';
import { readLook, type Look } from './look';
import { FORMAT_EXTENSION } from './convert';
import type { DownloadedImage, ReferenceInput } from './types';
import { english, errorOf, words, type Words } from '../shared/words';
import type { Finished } from './finish';
import type { OpaqueOriginals } from './originals';
import type { PageLocks } from './pageLocks';
import { isHeadlessMeta, isGenerateMeta, type GenerateMeta } from './headlessMeta';

/**
 * Puts a finished job's images in place and links them: the queue's finalize hook of a headless run.
 * Each image goes where `pictor.destination` says under a free name (never over a file), stamped with
 * its recipe; then the placeholder is filled by its identity. A page that no longer has it keeps its
 * text: the images stay saved and the report says why.
 */
export class HeadlessPlacer {
  readonly pages: FilesWorkspace;
  /**
   * The identity each job's placeholder has now, by job id: the object the files workspace follows (a
   * twin filled before it moves it up), where the job's own stored copy would still say where it was.
   */
  private readonly identities = new Map<string, PlaceholderIdentity>();
  /** How each job's images were linked, by job id. */
  readonly outcomes = new Map<string, { linked: boolean; why?: string }>();
  /** What each job's images were told about their look (kept opaque and why; the bytes saved), by job id. */
  readonly notes = new Map<string, Words[]>();

  /**
   * `destination`: `pictor.destination`, read when a job is placed (a long-lived face re-reads its settings).
   * `originals`: where the opaque original of an image made transparent is kept (originals.ts), to be sent
   * whenever it is a reference; absent: not kept.
   * `locks`: the page locks every face takes while it writes a page (pageLocks.ts).
   */
  constructor(private readonly root: string, public destination: Record<string, string>, private readonly log: (msg: string) => void = () => undefined,
    private readonly originals?: OpaqueOriginals, locks?: PageLocks) {
    this.pages = new FilesWorkspace(locks);
  }

  /** Links `jobId`'s images by `identity`, an identity the files workspace follows (pages.follow). */
  bind(jobId: string, identity: PlaceholderIdentity): void {
    this.identities.set(jobId, identity);
  }

  async finalize(job: JobRecord, files: DownloadedImage[]): Promise<DownloadedImage[]> {
    const meta = job.target.meta;
    if (isGenerateMeta(meta)) return this.saveGenerated(job, files, meta);
    if (!isHeadlessMeta(meta)) return files;
    const source = { prompt: meta.prompt, style: meta.style, ...(Array.isArray(meta.references) && meta.references.length ? { references: meta.references } : {}) };
    const placed = await this.saveAll(job, files, fileBaseName(meta.alt), readLook(meta.look), source, async (name, ext) => {
      const d = resolveDestination({ documentPath: meta.page, workspaceFolder: this.root, patterns: this.destination, fileName: name, ext });
      if (!d.ok) throw errorOf(d.words);
      await fs.mkdir(d.dir, { recursive: true });
      const inside = await targetInside(d.dir, this.root, 'existing');
      if (!inside.ok) throw errorOf(words('place.outside', d.dir, String(inside.real ?? this.root)));
      return d.file;
    });
    const links = placed.map((f) => relativeLink(meta.page, f.path));
    const r = await this.pages.fill(meta.page, this.identities.get(job.id) ?? meta.identity, meta.alt, links);
    this.identities.delete(job.id);
    this.outcomes.set(job.id, r.ok ? { linked: true } : { linked: false, why: r.reason });
    if (!r.ok) this.log(`${path.relative(this.root, meta.page)}: "${meta.alt}" was not linked (${r.reason}); its images are saved`);
    return placed;
  }

  /**
   * A prompt's own images: each saved in its folder (inside the workspace) under a readable free name
   * with its recipe; no page is touched. The job's files are where they were saved.
   */
  private async saveGenerated(job: JobRecord, files: DownloadedImage[], meta: GenerateMeta): Promise<DownloadedImage[]> {
    const base = fileBaseName(meta.prompt);
    // The folder's way must stay inside before anything is made on it (a link may lead out).
    if (!existsSync(meta.out)) {
      const way = await targetInside(meta.out, this.root, 'new');
      if (!way.ok) throw errorOf(words('place.outside', meta.out, String(way.real ?? this.root)));
      await fs.mkdir(meta.out, { recursive: true });
    }
    const inside = await targetInside(meta.out, this.root, 'existing');
    if (!inside.ok) throw errorOf(words('place.outside', meta.out, String(inside.real ?? this.root)));
    const source = { prompt: meta.prompt, style: meta.style, ...(meta.references ? { references: meta.references } : {}) };
    const placed = await this.saveAll(job, files, base, readLook(meta.look), source, async (name, ext) => path.join(meta.out, `${name}.${ext}`));
    this.outcomes.set(job.id, { linked: false });
    return placed;
  }

  /**
   * Each image not yet placed: its look made (finish.ts), then saved with its recipe where `target`
   * names it (`base`, numbered when there are several, with the format's extension).
   */
  private async saveAll(job: JobRecord, files: DownloadedImage[], base: string, look: Look | undefined,
    source: { prompt: string; style: string; references?: ReferenceInput[] }, target: (name: string, ext: string) => Promise<string>): Promise<DownloadedImage[]> {
    const placed: DownloadedImage[] = [];
    for (const [i, staged] of files.entries()) {
      if (staged.placed) {
        placed.push(staged);
        continue;
      }
      const done = await this.finish(job, staged, look);
      const file = await target(files.length > 1 ? `${base}-${i + 1}` : base, FORMAT_EXTENSION[done.file.type]);
      placed.push(await this.save(job, done.file, file, { index: i, count: files.length }, { ...source, ...this.lookSource(look, done) }, done.original));
    }
    return placed;
  }

  /** The staged image with its look (finish.ts); what the user should hear of it goes to the job's notes. */
  private async finish(job: JobRecord, staged: DownloadedImage, look: Look | undefined): Promise<Finished> {
    const done = await finishImage(staged, look);
    const told = [done.note, savedWords(done)].filter((w): w is Words => w !== undefined);
    if (told.length) this.notes.set(job.id, [...(this.notes.get(job.id) ?? []), ...told]);
    if (done.note) this.log(`${path.basename(staged.path)}: ${english(done.note)}`);
    return done;
  }

  private lookSource(look: Look | undefined, done: Finished): { look?: Look; keyed?: boolean } {
    return look ? { look, ...(done.keyed ? { keyed: done.keyed.ok } : {}) } : {};
  }

  /** One staged image stamped with its recipe and copied to the first free name from `file` (never over a file). */
  private async save(job: JobRecord, staged: DownloadedImage, file: string, image: { index: number; count: number },
    src: { prompt: string; style: string; references?: ReferenceInput[]; look?: Look; keyed?: boolean }, original?: string): Promise<DownloadedImage> {
    const recipe = makeRecipe({ body: job.body, taskId: job.taskId, createdAt: job.createdAt, ...src }, file, image);
    const { bytes, sidecar } = await stampStagedImage(staged.path, staged.type, recipe);
    // Never over an existing file: the first free name, taken with an exclusive copy.
    const target = await firstFreeName(file, async (candidate) => {
      const gate = await targetInside(candidate, this.root, 'new');
      if (!gate.ok) return 'taken';
      try {
        await fs.copyFile(staged.path, candidate, fs.constants.COPYFILE_EXCL);
        return 'done';
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'taken';
        throw e;
      }
    }, 50);
    if (!target) throw errorOf(words('place.noFreeName', path.basename(file)));
    if (sidecar) await fs.copyFile(sidecar, sidecarPath(target), fs.constants.COPYFILE_EXCL).catch(() => undefined);
    await fs.rm(staged.path, { force: true });
    // Made transparent: its opaque original is what a reference to it sends (originals.ts).
    if (original && src.keyed && this.originals) await this.originals.keep(target, original);
    if (original) await fs.rm(original, { force: true });
    if (sidecar) await fs.rm(sidecar, { force: true });
    this.log(`saved ${path.relative(this.root, target)} (${staged.width}×${staged.height})`);
    return { ...staged, bytes, path: target, placed: true };
  }
}
