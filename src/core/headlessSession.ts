// One workspace's engine for the faces without an editor (the `pictor` command, the agent server): the
// provider's client, the queue with its money gate and its task store, the placer and the claims,
// built once and shared by every run of that face. Tasks are stored the moment they exist, in a file
// per workspace under the per-user state folder (stateDir.ts), outside the repository: a run that was
// stopped (Ctrl-C, a killed process, a closed agent) resumes them — waited for and placed, no new task.
// It shows nothing; the face renders what it returns.

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { EvoLinkClient } from './api/client';
import { UploadCache } from './uploadCache';
import { OpaqueOriginals } from './originals';
import { PageLocks } from './pageLocks';
import { ClaimRegistry, CLAIM_STALE_MS, pidAlive, placeholderClaimKey } from './claims';
import { FileTaskStore } from './fileStore';
import { HeadlessPlacer, fillPages, isGenerateMeta, isHeadlessJob, isHeadlessMeta, planPrompt, submitPages, submitPrompt, type GenerateMeta, type GenerateResult, type HeadlessMeta, type HeadlessOptions, type PageReport, type PickedPlaceholder, type PlannedPrompt, type PromptInput, type SubmittedPages } from './headless';
import { PictorError } from './api/errors';
import { openInside } from './paths';
import { JobQueue, isFinal } from './jobs';
import type { JobEvent } from './jobs/types';
import { moneyGate, type Approval, type SpendingGuards } from './money';
import { words } from '../shared/words';
import { creditsOf, readUsage } from './spend';
import type { JobRecord, TaskStore } from './store';
import type { PlanSettings } from './plan';

export interface SessionOptions {
  /** The workspace folder: every file read or written is inside it. */
  root: string;
  /** The per-user state folder (stateDir.ts): the task store, the staging folder and the page locks live under it. */
  stateDir: string;
  /** The claims folder every face shares (stateDir.ts claimsDir). */
  claimsDir: string;
  apiKey: string;
  baseUrl: string;
  filesBaseUrl: string;
  userAgent: string;
  guards: SpendingGuards;
  settings: PlanSettings;
  destination: Record<string, string>;
  concurrency: number;
  /** A line for the person (saved files, links left out). */
  log?: (line: string) => void;
  /** The queue's poll pace (ms); the product's defaults when absent. */
  minPollMs?: number;
}

/** The store of a workspace's tasks (fileStore.ts: a folder of job files named by this path): one per workspace folder (its real path), under the state folder. */
export function taskStoreFile(stateDir: string, root: string): string {
  return path.join(stateDir, 'tasks', `${workspaceKey(root)}.json`);
}

function workspaceKey(root: string): string {
  return createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 16);
}

/** The unfinished headless jobs stored for a workspace: what a run would resume. Reads only. */
export async function storedJobs(stateDir: string, root: string): Promise<JobRecord[]> {
  const store = new FileTaskStore(taskStoreFile(stateDir, root));
  if (!existsSync(store.dir) && !existsSync(store.filePath)) return [];
  return (await store.load()).filter((j) => isHeadlessJob(j.target.meta));
}

export class HeadlessSession {
  readonly client: EvoLinkClient;
  readonly queue: JobQueue<HeadlessMeta | GenerateMeta>;
  readonly placer: HeadlessPlacer;
  readonly claims: ClaimRegistry;
  /** Where the queue downloads before the placer moves images into the workspace. */
  readonly stagingDir: string;
  private readonly credits = new Map<string, number>();

  constructor(readonly opts: SessionOptions) {
    this.client = new EvoLinkClient({ baseUrl: opts.baseUrl, filesBaseUrl: opts.filesBaseUrl, apiKey: async () => opts.apiKey, userAgent: opts.userAgent });
    // Credits are counted from the provider's own usage figures, for the session budget.
    const observe = <T extends { id: string; usage?: unknown }>(t: T) => {
      const u = readUsage(t.usage);
      if (u) this.credits.set(t.id, creditsOf(u));
      return t;
    };
    const originals = new OpaqueOriginals(path.join(opts.stateDir, 'originals'));
    // Every face of Pictor writes a page under its lock, in the state folder they share.
    this.placer = new HeadlessPlacer(opts.root, opts.destination, opts.log, originals, new PageLocks(path.join(opts.stateDir, 'locks')));
    this.stagingDir = path.join(opts.stateDir, 'staging', workspaceKey(opts.root));
    this.queue = new JobQueue({
      client: {
        createTask: (b, s) => this.client.createTask(b, s).then(observe),
        getTask: (id, s) => this.client.getTask(id, s).then(observe),
        download: (u, d, n, s) => this.client.download(u, d, n, s),
        uploadFile: (f, s) => this.client.uploadFile(f, s),
        filesService: () => opts.filesBaseUrl,
      },
      // A reference file uploaded once is reused by every face while its URL lives.
      uploads: new UploadCache(path.join(opts.stateDir, 'uploads.json')),
      // An image made transparent is sent as its opaque original when it is a reference.
      originals,
      store: this.ownStore(new FileTaskStore(taskStoreFile(opts.stateDir, opts.root), { meta: isHeadlessJob })),
      maxConcurrent: opts.concurrency,
      gate: moneyGate({ trusted: () => true, hasKey: async () => true, guards: () => opts.guards, sessionCredits: () => this.creditsUsed() }),
      finalize: (job, files) => this.placer.finalize(job, files),
      // A reference file is opened once, and the file opened must really lie inside the workspace then.
      openReference: async (file) => {
        const opened = await openInside(file, [opts.root]);
        if (!opened.ok) throw new PictorError('invalid', words('reference.outside', path.basename(file), opts.root));
        // Type and size are checked by the client as it uploads (api/upload.ts inspectUpload).
        return { path: opened.real, handle: opened.handle };
      },
      ...(opts.minPollMs !== undefined ? { minPollMs: opts.minPollMs } : {}),
    });
    this.claims = new ClaimRegistry(opts.claimsDir, CLAIM_STALE_MS);
  }

  /**
   * The workspace's store as this session sees it: a job another live process is running (a second
   * `pictor fill`, the agent server) is not loaded, so it is never resumed, created or placed twice.
   */
  private ownStore(store: FileTaskStore<HeadlessMeta | GenerateMeta>): TaskStore<HeadlessMeta | GenerateMeta> {
    return {
      load: async () => {
        const out: JobRecord<HeadlessMeta | GenerateMeta>[] = [];
        for (const j of await store.load()) if (!(await this.runningElsewhere(j))) out.push(j);
        return out;
      },
      save: (j) => store.save(j),
      remove: (id) => store.remove(id),
    };
  }

  /** Whether a stored job belongs to another live process on this computer (its claim's or its runner's). */
  private async runningElsewhere(job: JobRecord): Promise<boolean> {
    const meta = job.target.meta;
    let runner: { pid: number; host?: string } | undefined;
    if (isHeadlessMeta(meta) && meta.claim) {
      const held = await this.claims.holder(meta.claim.key);
      if (held?.owner === meta.claim.owner) runner = held;
    } else if (isGenerateMeta(meta)) runner = meta.runner;
    if (!runner || runner.pid === process.pid) return false;
    // A runner on another computer (a shared state folder) cannot be asked: left alone, as its claim is.
    return runner.host !== undefined && runner.host !== hostname() ? true : pidAlive(runner.pid);
  }

  /** Credits the provider reported for this session's tasks. */
  creditsUsed(): number {
    return [...this.credits.values()].reduce((a, b) => a + b, 0);
  }

  onEvent(listener: (e: JobEvent) => void): { dispose(): void } {
    return this.queue.onEvent(listener);
  }

  /**
   * Resumes the workspace's stored unfinished jobs: each holds its placeholder's claim again and is
   * waited for and placed, without a new task. Claims left by runs that ended without a live job are
   * released. Returns the jobs resumed, each with the promise of its end (claim released then).
   */
  async resume(): Promise<{ job: JobRecord; done: Promise<JobRecord> }[]> {
    const resumed = (await this.queue.resume()).filter((j) => isHeadlessJob(j.target.meta) && !isFinal(j));
    const owners = new Set(resumed.flatMap((j) => (isHeadlessMeta(j.target.meta) && j.target.meta.claim ? [j.target.meta.claim.owner] : [])));
    await this.claims.releaseOrphans((owner) => owners.has(owner));
    const out: { job: JobRecord; done: Promise<JobRecord> }[] = [];
    // Twins (identical placeholders of one page) share a claim: it is released when the last of them ends.
    const holding = new Map<string, number>();
    for (const job of resumed) {
      const meta = job.target.meta;
      const c = isHeadlessMeta(meta) ? meta.claim : undefined;
      // Followed again, so a twin placed first moves this one up, as in the run that sent it.
      if (isHeadlessMeta(meta)) this.placer.bind(job.id, this.placer.pages.follow(meta.page, meta.identity));
      if (c) {
        if (!holding.has(c.key)) await this.claims.acquire(c.key, c.owner);
        holding.set(c.key, (holding.get(c.key) ?? 0) + 1);
      }
      out.push({
        job,
        done: this.queue.wait(job.id).then(async (end) => {
          if (c) {
            const left = (holding.get(c.key) ?? 1) - 1;
            holding.set(c.key, left);
            if (left === 0) await this.claims.release(c.key, c.owner);
          }
          return end;
        }),
      });
    }
    return out;
  }

  /** Fills every placeholder of the pages (headless.ts fillPages), each claimed first so no other face sends it too. */
  fill(pages: readonly string[], approval?: Approval): Promise<PageReport[]> {
    return fillPages(pages, this.runOptions(approval), this.placer);
  }

  /**
   * Submits every placeholder of the pages without waiting (headless.ts submitPages), each claimed
   * first: the jobs go on and are placed while the session lives, whether or not anybody waits.
   */
  submit(pages: readonly string[], approval?: Approval, pick?: PickedPlaceholder): Promise<SubmittedPages> {
    return submitPages(pages, { ...this.runOptions(approval), ...(pick ? { pick } : {}) }, this.placer);
  }

  private runOptions(approval?: Approval): HeadlessOptions {
    const owner = randomUUID();
    const held = new Map<string, number>();
    return {
      root: this.opts.root, settings: this.opts.settings, destination: this.opts.destination, queue: this.queue, stagingDir: this.stagingDir,
      ...(approval ? { approval } : {}),
      // One owner for the run: its twins (identical placeholders of a page) share one claim, held
      // until the last of them ends, as a VS Code window's Generate all does.
      claim: async (page, source) => {
        const key = await placeholderClaimKey(page, source);
        const count = held.get(key);
        if (count === undefined && !(await this.claims.acquire(key, owner))) return undefined;
        held.set(key, (count ?? 0) + 1);
        return {
          key, owner,
          release: async () => {
            const left = (held.get(key) ?? 1) - 1;
            if (left > 0) return void held.set(key, left);
            held.delete(key);
            await this.claims.release(key, owner);
          },
        };
      },
    };
  }

  /**
   * The workspace's settings changed (the agent server re-reads them when the file does): later plans,
   * placements and admissions use these. Jobs already sent keep the request they were sent with.
   */
  useSettings(next: Pick<SessionOptions, 'settings' | 'destination' | 'guards'>): void {
    this.opts.settings = next.settings;
    this.opts.destination = next.destination;
    this.opts.guards = next.guards;
    this.placer.destination = next.destination;
  }

  /** Plans a prompt of its own with the editor's rules (headless.ts planPrompt); nothing is sent. */
  planPrompt(input: PromptInput): Promise<PlannedPrompt> {
    return planPrompt(this.opts.root, this.opts.settings, input);
  }

  /**
   * Sends a planned prompt through the queue (its money gate decides before the create): returns its
   * job at once and `done`, which ends once its images are saved in the planned folder with their
   * recipes (or the job failed). The task is stored, so a stopped run resumes it.
   */
  submitPrompt(planned: Extract<PlannedPrompt, { ok: true }>, approval?: Approval): Promise<{ job: JobRecord; done: Promise<GenerateResult> }> {
    return submitPrompt(this.queue, this.stagingDir, this.opts.root, planned, approval, (id) => this.placer.notes.get(id));
  }

  /** Plans, sends and waits for a prompt of its own: its files and links, or why it was not sent. */
  async generate(input: PromptInput, approval?: Approval): Promise<GenerateResult | Extract<PlannedPrompt, { ok: false }>> {
    const planned = await this.planPrompt(input);
    if (!planned.ok) return planned;
    return (await this.submitPrompt(planned, approval)).done;
  }

  /** Stops polling (stored tasks stay stored, to resume) and closes the connections. */
  async close(): Promise<void> {
    this.queue.dispose();
    await this.client.close();
  }
}
