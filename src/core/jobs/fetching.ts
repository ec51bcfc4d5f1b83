// Fetching and finalizing: the results of a completed task are held to what was asked (at most n
// images; their real pixel size compared with the size asked for), downloaded within the job's
// deadline, handed to finalize, and the job completes.

import type { JobError, JobRecord } from '../store';
import type { DownloadedImage } from '../types';
import type { Resolution } from '../../shared/limits';
import { expectedSize } from '../../shared/sizes';
import { toJobError } from './admission';
import { type QueueCore, endSentence, snap } from './queueState';
import { RESULTS_LIFETIME_MS } from './types';
import type { Transitions } from './transitions';
import { english, isWords, said, words, type WordArg, type Words } from '../../shared/words';
import { IMAGE_MODEL } from '../../shared/model';

/** The results the job keeps: at most n (the rest are logged and never downloaded). */
export function limitResults(job: JobRecord, results: string[], log: QueueCore['log']): string[] {
  const n = job.body.n ?? 1;
  if (results.length <= n) return results;
  log('warn', `job ${job.id}: task ${job.taskId} returned ${results.length} images for n=${n}; only the first ${n} are downloaded (ignored: ${results.slice(n).join(', ')})`);
  return results.slice(0, n);
}

/**
 * Words for images whose real size differs from the size asked for, or undefined when they match. The
 * provider's size is compared (before a `maxWidth` scaled the file down), never the saved file's.
 */
export function sizeNote(job: JobRecord, files: DownloadedImage[]): Words | undefined {
  const size = job.body.size;
  if (!size) return undefined;
  const want = expectedSize(size, (job.body.resolution ?? IMAGE_MODEL.defaults.resolution) as Resolution);
  if (!want) return undefined;
  const sent = files.map((f) => f.original ?? f);
  const other = sent.filter((f) => f.width !== want.width || f.height !== want.height);
  if (!other.length) return undefined;
  const got = [...new Set(other.map((f) => `${f.width}×${f.height}`))].join(', ');
  return words('job.sizeNote', got, `${want.width}×${want.height}`, /:/.test(size) ? words('job.sizeAt', size, job.body.resolution ?? IMAGE_MODEL.defaults.resolution) : size);
}

/** Why finalize failed: the core's words as a sentence of their own, or the glue's text inside one. */
function finalizeFailed(e: unknown): Words {
  const w = (e as { words?: unknown } | null)?.words;
  if (isWords(w)) return words('job.finalizeFailedSaid', /[.!?…]$/.test(english(w)) ? w : words('job.sentence', w));
  return words('job.finalizeFailed', String((e as Error)?.message ?? e).replace(/^Error: /, '').replace(/[.。]$/, ''));
}

export class Fetching<M> {
  constructor(
    private readonly core: QueueCore<M>,
    private readonly tx: Transitions<M>,
    /** Offers a freed slot to the next job (admission's pump). */
    private readonly slotFreed: () => void = () => undefined,
  ) {}

  /** The task completed: keep at most n results, save them with the job, then download. */
  async onCompleted(job: JobRecord<M>, all: string[]): Promise<void> {
    const core = this.core;
    job.results = limitResults(job, all, (l, m) => core.log(l, m));
    job.resultsAt = core.now();
    job.progress = 100;
    if (!job.detached) job.state = 'downloading';
    await core.persist(job);
    if (!core.alive(job)) return;
    core.emit('updated', job);
    await this.download(job);
  }

  /**
   * Downloads what is missing. The foreground deadline covers this phase too: when it passes, the
   * download in flight is aborted and the job times out with its result links kept.
   */
  async download(job: JobRecord<M>): Promise<void> {
    const core = this.core;
    const results = job.results ?? [];
    if (!results.length) {
      await this.tx.stop(job, { kind: 'task_failed', code: 'no_results', ...said(words('job.noResults')), retryable: true });
      return;
    }
    const rt = core.rt(job);
    const phase = new AbortController();
    const onAbort = () => phase.abort();
    rt.ctrl.signal.addEventListener('abort', onAbort);
    let late = false;
    const left = job.detached ? Infinity : rt.deadline - core.now();
    if (Number.isFinite(left)) {
      rt.downloadTimer = setTimeout(() => { late = true; phase.abort(); }, Math.max(0, left));
    }
    const n = results.length;
    let lost = 0;
    let lastErr: JobError | undefined;
    try {
      for (let i = 0; i < n; i++) {
        if (job.savedResults?.includes(i)) continue;
        if (late) break;
        const name = job.target.baseName + (n > 1 ? `-${i + 1}` : '');
        try {
          const file = await core.client.download(results[i]!, job.target.dir, name, phase.signal);
          if (!core.present(job)) return;
          addFile(job, i, file);
          // Recorded even after dispose(): the file is on disk, and a resume must not fetch it twice.
          await core.persist(job);
        } catch (e) {
          if (!core.alive(job) || late) break;
          lost++;
          lastErr = toJobError(e);
          core.log('warn', `job ${job.id}: result ${i + 1}/${n} not saved: ${lastErr.message}`);
        }
        if (!core.alive(job)) return;
      }
    } finally {
      clearTimeout(rt.downloadTimer);
      rt.downloadTimer = undefined;
      rt.ctrl.signal.removeEventListener('abort', onAbort);
    }
    if (!core.alive(job)) return;
    if (late) {
      await this.tx.timeOut(job, 'download');
      return;
    }
    this.noteSize(job);
    if (lost) {
      const saved = n - lost;
      const fresh = job.resultsAt !== undefined && core.now() - job.resultsAt < RESULTS_LIFETIME_MS;
      // The last error as a sentence (a final stop added where it had none), then what was saved and what Retry does.
      const why: WordArg = lastErr?.words
        ? (endSentence(lastErr.message) === lastErr.message ? lastErr.words : words('job.sentence', lastErr.words))
        : lastErr?.message ? endSentence(lastErr.message) : words('job.sentence', words('job.unknownError'));
      let w = words(n > 1 ? 'job.downloadsLost' : 'job.downloadLost', lost, n, why);
      if (saved) w = words('job.someSaved', w, saved);
      w = words(fresh ? 'job.retryDownloads' : 'job.linksExpired', w);
      await this.tx.stop(job, {
        kind: 'download',
        ...(lastErr?.code ? { code: lastErr.code } : {}),
        ...said(w),
        retryable: true,
      });
      return;
    }
    await this.finish(job);
  }

  /** Once per task: the real pixel size against the size asked for, in the log and on the record (the panel shows it). */
  private noteSize(job: JobRecord<M>): void {
    if (job.sizeNote || !job.files?.length) return;
    const note = sizeNote(job, job.files);
    if (!note) return;
    job.sizeNote = english(note);
    job.sizeNoteWords = note;
    this.core.log('warn', `job ${job.id}: ${job.sizeNote}`);
  }

  async finish(job: JobRecord<M>): Promise<void> {
    const core = this.core;
    if (core.finalizeFn) {
      let out: DownloadedImage[];
      // Finalize is local work (files, the document edit): the next task is sent meanwhile instead of
      // waiting for this job's link, which waits in turn for the links before it in the same document.
      const rt = core.rt(job);
      rt.finalizing = true;
      this.slotFreed();
      try {
        out = await core.finalizeFn(snap(job), (job.files ?? []).map((f) => ({ ...f })));
      } catch (e) {
        rt.finalizing = false; // a Retry may download again, which takes a slot
        if (!core.alive(job)) return;
        await this.tx.stop(job, {
          kind: 'finalize',
          // The core's words when the error has them (a file name, a destination), else what the glue
          // said (already in the user's language), without its final stop.
          ...said(finalizeFailed(e)),
          retryable: true,
        });
        return;
      }
      // Left set: complete() ends the active state; until then the slot is already given away.
      if (!core.present(job)) return;
      if (Array.isArray(out)) {
        if (out.length !== (job.files ?? []).length) job.savedResults = out.map((_, i) => i);
        job.files = out;
      }
    }
    if (!core.present(job)) return;
    await this.tx.complete(job);
  }

  /**
   * Asks the provider for the task again before re-downloading: a poll is free, and it may hand out
   * fresh result URLs where the old ones expired early. Keeps the old URLs when it cannot.
   */
  async refreshResults(job: JobRecord<M>): Promise<void> {
    if (!job.taskId || !job.results?.length) return;
    try {
      const t = await this.core.client.getTask(job.taskId);
      if (t.status === 'completed' && Array.isArray(t.results) && t.results.length >= job.results.length) {
        job.results = t.results.slice(0, job.results.length);
      }
    } catch (e) {
      this.core.log('debug', `job ${job.id}: could not refresh the result URLs (${(e as Error).message}); using the stored ones`);
    }
  }
}

function addFile(job: JobRecord, index: number, file: DownloadedImage): void {
  const idx = job.savedResults ?? [];
  const files = job.files ?? [];
  let at = idx.findIndex((k) => k > index);
  if (at < 0) at = idx.length;
  idx.splice(at, 0, index);
  files.splice(at, 0, file);
  job.savedResults = idx;
  job.files = files;
}
