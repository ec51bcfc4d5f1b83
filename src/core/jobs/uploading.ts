// The first phase of a job with local reference images: each file is checked again and uploaded
// (free), its URL saved the moment it comes back, and once every file has one the URLs go into the
// create body and the job takes its place in the queue. A reload resumes with the files still
// missing a URL; a cancel stops it with nothing created. A job uploads its files one at a time; at
// most maxConcurrent jobs upload at once (the others wait, in submit order), and an upload holds no
// slot of the creates: a job without files is never held behind one that uploads.

import { basename } from 'node:path';
import type { JobRecord } from '../store';
import type { UploadSource } from '../api/upload';
import { withUploadedReferences } from '../request';
import { reuseWindowMs } from '../uploadCache';
import { type QueueCore, snap } from './queueState';
import { toJobError } from './admission';
import type { Transitions } from './transitions';
import { said, words } from '../../shared/words';

export class Uploading<M> {
  private uploading = 0;
  private readonly waiting: (() => void)[] = [];
  /** Aborts the upload in flight of a cancelled job, by job id. */
  private readonly stops = new Map<string, AbortController>();

  constructor(
    private readonly core: QueueCore<M>,
    private readonly tx: Transitions<M>,
    /** Every file has its URL: the job (state 'queued', saved) joins the queue. */
    private readonly onUploaded: (job: JobRecord<M>) => void,
  ) {}

  /** A new job with files to upload: saved, announced ('queued': accepted), then its uploads start. */
  async enter(job: JobRecord<M>): Promise<JobRecord<M>> {
    const core = this.core;
    core.jobs.set(job.id, job);
    try {
      await core.store.save(job);
    } catch (e) {
      core.jobs.delete(job.id);
      core.rts.delete(job.id);
      throw e;
    }
    // A cancel during the save already persisted and announced 'cancelled'.
    if (core.alive(job) && job.state === 'uploading') {
      core.emit('queued', job);
      this.start(job);
    }
    return snap(job);
  }

  /** Starts (or, after a reload, resumes) the job's uploads. */
  start(job: JobRecord<M>): void {
    const stop = new AbortController();
    this.stops.set(job.id, stop);
    void this.core.guard(job, this.turn(() => this.uploadAll(job, stop.signal)).finally(() => {
      if (this.stops.get(job.id) === stop) this.stops.delete(job.id);
    }));
  }

  /** Runs `op` once fewer than maxConcurrent jobs upload. */
  private async turn(op: () => Promise<void>): Promise<void> {
    // A finished upload hands its turn straight to the next waiting job.
    if (this.uploading >= this.core.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.uploading++;
    try {
      await op();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.uploading--;
    }
  }

  /** A cancel: the upload in flight is abandoned and no further one starts. */
  stop(id: string): void {
    this.stops.get(id)?.abort();
  }

  /** Still the job to upload for: not cancelled, removed or disposed meanwhile. */
  private still(job: JobRecord<M>, signal: AbortSignal): boolean {
    return this.core.alive(job) && job.state === 'uploading' && !signal.aborted;
  }

  private async uploadAll(job: JobRecord<M>, stopped: AbortSignal): Promise<void> {
    const core = this.core;
    if (!this.still(job, stopped)) return;
    const up = job.upload;
    const upload = core.client.uploadFile?.bind(core.client);
    if (!up || !upload) {
      // Never so in a record this queue wrote, or with the client the extension gives it.
      await this.tx.fail(job, { kind: 'store', ...said(words('job.cannotUpload')), retryable: false });
      return;
    }
    const missing = [...new Set(up.references.flatMap((r) => (r.kind === 'file' ? [r.path] : [])))].filter((f) => !(f in up.urls));
    // Every file is opened and checked before the first is sent: one refused (outside the workspace,
    // a link swapped meanwhile) stops the whole request with nothing uploaded. Each is sent from the
    // file opened here, retries included, and closed once the uploads are over.
    const opened: UploadSource[] = [];
    try {
      for (const file of missing) {
        try {
          const src = await core.openReference(file);
          opened.push(src);
          // An image Pictor made transparent goes as its opaque original (originals.ts), checked file and all.
          const original = core.originals ? await core.originals.open(src).catch(() => undefined) : undefined;
          if (original) {
            opened[opened.length - 1] = original;
            await src.handle.close().catch(() => undefined);
            core.log('info', `job ${job.id}: ${basename(file)} was made transparent; its opaque original is sent`);
          }
        } catch (e) {
          if (this.still(job, stopped)) await this.failed(job, file, e);
          return;
        }
        if (!this.still(job, stopped)) return;
      }
      const signal = AbortSignal.any([core.rt(job).ctrl.signal, stopped]);
      for (const [i, file] of missing.entries()) {
        let url: string;
        try {
          const send = async () => {
            core.log('info', `job ${job.id}: uploading reference image ${basename(file)}`);
            return (await upload(opened[i]!, signal)).file_url;
          };
          // The same bytes uploaded before (by any job or face) are not uploaded again while their URL lives.
          url = core.uploads ? await core.uploads.url(opened[i]!, core.client.filesService?.() ?? '', reuseWindowMs(core.timeoutMs), send) : await send();
        } catch (e) {
          if (this.still(job, stopped)) await this.failed(job, file, e);
          return;
        }
        if (!this.still(job, stopped)) return;
        up.urls[file] = url;
        await core.persist(job);
        if (!this.still(job, stopped)) return;
      }
    } finally {
      await Promise.all(opened.map((o) => o.handle.close().catch(() => undefined)));
    }
    // Throws if a file has no URL (never here): sending without it would silently drop an image.
    job.body = withUploadedReferences(job.body, up.references, new Map(Object.entries(up.urls)));
    job.upload = undefined;
    job.state = 'queued';
    // Saved before it can be sent (admission saves again before the create): a reload from here
    // finds it queued with its URLs, and never uploads or creates twice.
    await core.persist(job);
    if (!core.alive(job) || job.state !== 'queued') return;
    core.log('info', `job ${job.id}: ${missing.length} reference image(s) uploaded; queued`);
    this.onUploaded(job);
  }

  /** The upload (or the check before it) failed: the job ends with the reason and nothing created. */
  private failed(job: JobRecord<M>, file: string, e: unknown): Promise<void> {
    const err = toJobError(e);
    this.core.log('warn', `job ${job.id}: uploading ${basename(file)} failed: ${err.message}`);
    return this.tx.fail(job, { ...err, ...said(words('job.uploadFailed', basename(file), err.words ?? err.message)) });
  }
}
