// The one place the VS Code side reaches the core: it owns the provider client and the task queue,
// submits the requests the planner validated (core/plan.ts), and hands the results to the linker.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { EvoLinkClient } from '../core/api/client';
import { PictorError } from '../core/api/errors';
import { JobQueue, type JobEvent, type QueueOptions } from '../core/jobs';
import type { JobRecord } from '../core/store';
import type { ValidRequest } from '../core/request';
import type { DownloadedImage } from '../core/types';
import { readGuards, readSettings, type PictorSettings } from './settings/config';
import { billOf, moneyGate, type Approval } from '../core/money';
import { expectedSize } from '../shared/sizes';
import type { Resolution } from '../shared/limits';
import { approvalOf, askCost } from './run/costQuestion';
import type { ProxyOptions } from '../core/api/proxy';
import { MementoTaskStore } from './state/mementoStore';
import { ApiKeyStore, KEYS_PAGE } from './settings/secrets';
import type { JobMeta } from './state/jobMeta';
import { openReferenceForUpload } from './run/references';
import { SpendTracker } from './settings/spend';
import { say } from './say';
import { vscodeNotify, type Notify } from './userInput';
import { discardStaged, sweepStaging } from '../core/staging';
import { UploadCache } from '../core/uploadCache';
import { originalsDir, uploadsFile } from '../core/stateDir';
import { OpaqueOriginals } from '../core/originals';
import { IMAGE_MODEL } from '../shared/model';

export const DASHBOARD_PAGE = 'https://evolink.ai/dashboard';

/** A staged file nobody names is swept once it is this old: a download in flight is never that old. */
const STAGING_SWEEP_AGE_MS = 24 * 60 * 60 * 1000;

export interface SubmitResult {
  job: JobRecord<JobMeta>;
  done: Promise<JobRecord<JobMeta>>;
}

export type Finalizer = (job: JobRecord<JobMeta>, files: DownloadedImage[]) => Promise<DownloadedImage[]>;

/**
 * How often the queue may poll a task, and how long the client waits before trying a request again
 * (the number of tries stays the core's); the core's defaults (docs/provider-api.md, "Pacing") unless the host of the
 * extension says otherwise.
 */
export type QueueTiming = Pick<QueueOptions, 'minPollMs' | 'maxPollMs'> & { retryDelays?: { baseDelayMs: number; maxDelayMs: number } };

export class PictorService implements vscode.Disposable {
  readonly queue: JobQueue<JobMeta>;
  readonly spend: SpendTracker;
  private client: EvoLinkClient;
  private settings: PictorSettings;
  private proxy = readProxySettings();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stagingRoot: string;
  private readonly stagingDir: string | undefined;
  private readonly emitter = new vscode.EventEmitter<JobEvent<JobMeta>>();
  readonly onJobEvent = this.emitter.event;

  constructor(
    context: vscode.ExtensionContext,
    private readonly keys: ApiKeyStore,
    private readonly log: vscode.LogOutputChannel,
    /** The linker that moves saved images into the workspace and edits documents (the queue's finalize hook). */
    finalize: Finalizer,
    private readonly timing: QueueTiming = {},
  ) {
    this.settings = readSettings();
    this.stagingRoot = path.join(context.globalStorageUri.fsPath, 'staging');
    // One folder per workspace (the global storage is every window's): a sweep sees only files whose
    // jobs this window's store knows. A window without a folder stages at the root and never sweeps.
    this.stagingDir = context.storageUri
      ? path.join(this.stagingRoot, createHash('sha256').update(context.storageUri.toString()).digest('hex').slice(0, 16))
      : undefined;
    this.client = this.makeClient();
    this.spend = new SpendTracker(context.workspaceState, (key) => this.client.getCredits(undefined, key), log);
    this.queue = new JobQueue({
      client: {
        // Every task object carries the provider's usage: the spend tracker reads it on the way past.
        createTask: (b, s) => this.client.createTask(b, s).then((t) => this.spend.observe(t, true)),
        getTask: (id, s) => this.client.getTask(id, s).then((t) => this.spend.observe(t, false)),
        download: (u, d, n, s) => this.client.download(u, d, n, s),
        uploadFile: (f, s) => this.client.uploadFile(f, s),
        // Read at each upload: the setting may change while the window lives.
        filesService: () => this.settings.filesBaseUrl,
      },
      // A reference file uploaded once is reused by every face (the per-user state folder) while its URL lives.
      uploads: new UploadCache(uploadsFile()),
      // An image made transparent is sent as its opaque original when it is a reference (placing.ts keeps it).
      originals: new OpaqueOriginals(originalsDir()),
      // The money gate, immediately before every create: trust, key, the guards, the session budget.
      gate: moneyGate({
        trusted: () => vscode.workspace.isTrusted,
        hasKey: async () => Boolean(await this.keys.get()),
        guards: readGuards,
        sessionCredits: () => this.spend.totals().session.credits,
        askOverBudget: (spent, limit, waiting) => this.spend.askOverBudget(spent, limit, waiting),
        waiting: () => this.queue.list().filter((j) => j.state === 'queued' || j.state === 'uploading' || j.state === 'creating').length,
        log: (msg) => this.log.info(`Money gate: ${msg}`),
      }),
      // The one check of a reference image, again on the file opened for upload (a link may have been swapped).
      openReference: openReferenceForUpload,
      store: new MementoTaskStore(context.workspaceState),
      maxConcurrent: this.settings.maxConcurrentTasks,
      timeoutMinutes: this.settings.timeoutMinutes,
      minPollMs: timing.minPollMs,
      maxPollMs: timing.maxPollMs,
      log: (level, msg) => this.log[level](msg),
      finalize,
      // A job forgotten for good takes its staged images with it (only ever files in the staging folder).
      discard: async (files) => {
        const gone = await discardStaged(files, this.stagingRoot);
        if (gone.length) this.log.info(`Removed ${gone.length} staged file(s) of forgotten task(s).`);
      },
    });
    const sub = this.queue.onEvent((e) => {
      this.logEvent(e);
      if (e.type === 'completed' || e.type === 'failed') this.spend.refreshSoon();
      this.emitter.fire(e);
    });
    this.disposables.push({ dispose: () => sub.dispose() }, this.emitter, this.spend);
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('pictor') && !affectsProxy(e)) return;
      const before = this.settings;
      const proxyBefore = this.proxy;
      this.proxy = readProxySettings();
      this.settings = readSettings();
      // The client first: nothing below may leave requests going to the old address.
      if (before.baseUrl !== this.settings.baseUrl || before.filesBaseUrl !== this.settings.filesBaseUrl || !sameProxy(proxyBefore, this.proxy)) {
        const old = this.client;
        this.client = this.makeClient();
        void old.close();
      }
      try {
        this.queue.setOptions({ maxConcurrent: this.settings.maxConcurrentTasks, timeoutMinutes: this.settings.timeoutMinutes });
      } catch (e) {
        this.log.error(`Could not apply the queue settings: ${(e as Error).message}`);
      }
    }));
  }

  private makeClient(): EvoLinkClient {
    return new EvoLinkClient({
      baseUrl: this.settings.baseUrl,
      filesBaseUrl: this.settings.filesBaseUrl,
      apiKey: () => this.keys.get(),
      ...this.proxy,
      log: (level, msg) => this.log[level](msg),
      userAgent: `pictor-vscode/${vscode.version}`,
      ...(this.timing.retryDelays ? { retry: this.timing.retryDelays } : {}),
    });
  }

  /** Resumes every unfinished task of this workspace (after a reload or a crash). */
  async resume(): Promise<JobRecord<JobMeta>[]> {
    const jobs = await this.queue.resume();
    if (jobs.length) this.log.info(`Resumed ${jobs.length} unfinished task(s).`);
    void this.sweepStaging();
    return jobs;
  }

  /** Staged files no task of this workspace names, untouched for a day (a killed download's leftovers). */
  private async sweepStaging(): Promise<void> {
    if (!this.stagingDir) return;
    try {
      const gone = await sweepStaging(this.stagingDir, this.queue.list(), Date.now(), STAGING_SWEEP_AGE_MS);
      if (gone.length) this.log.info(`Removed ${gone.length} staged file(s) no task names any more.`);
    } catch (e) {
      this.log.warn(`Could not clean the staging folder ${this.stagingDir}: ${(e as Error).message}`);
    }
  }

  /** Makes sure a key is there before anything is sent; asks for one when there is none. */
  async ensureKey(): Promise<boolean> {
    if (await this.keys.get()) return true;
    const setKey = vscode.l10n.t('Set API Key');
    const getKey = vscode.l10n.t('Get a Key');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Pictor needs an EvoLink API key to generate images. Set one, or set the EVOLINK_API_KEY environment variable.'),
      setKey, getKey);
    if (pick === getKey) {
      void vscode.env.openExternal(vscode.Uri.parse(KEYS_PAGE));
      return false;
    }
    if (pick === setKey) return Boolean(await vscode.commands.executeCommand<boolean>('pictor.setApiKey'));
    return false;
  }

  /**
   * Submits a validated request; returns once the job is stored. A job with local reference images
   * uploads them first, as its first phase (stored and cancellable; their upload costs nothing; the
   * create is the billed step and happens once).
   */
  async submit(v: ValidRequest, meta: JobMeta, baseName: string, approval?: Approval): Promise<SubmitResult> {
    // The recipe written into the image names the references as given, not the uploads that expire.
    const withRefs: JobMeta = v.references.length ? { ...meta, recipe: { ...meta.recipe, references: v.references } } : meta;
    const job = await this.queue.submit(v.body, { dir: this.stagingDir ?? this.stagingRoot, baseName, meta: withRefs }, v.references, approval);
    return { job, done: this.queue.wait(job.id) };
  }

  /**
   * Retries a job. One that sends a new task is a new bill: it asks the cost question and the budget
   * question as any action does, and its answer goes to the money gate with the new job.
   */
  retry(id: string): Promise<JobRecord<JobMeta>> {
    return this.queue.retry(id, {
      approve: async (job) => {
        const bill = billOf(job.body);
        const size = expectedSize(job.body.size ?? IMAGE_MODEL.defaults.size, (job.body.resolution ?? IMAGE_MODEL.defaults.resolution) as Resolution);
        const asked = await askCost([{ ...bill, size, quality: job.body.quality ?? IMAGE_MODEL.defaults.quality }], 1, readGuards(), this.log);
        if (asked === false) return false;
        const budget = await this.spend.confirmBudget();
        if (!budget) return false;
        return approvalOf(asked, budget);
      },
    });
  }

  get current(): PictorSettings {
    return this.settings;
  }

  private logEvent(e: JobEvent<JobMeta>): void {
    const j = e.job;
    const what = `${e.type} job ${j.id}${j.taskId ? ` (task ${j.taskId})` : ''}`;
    if (e.type === 'failed' || e.type === 'timed_out') this.log.warn(`${what}: ${j.error?.message ?? ''}`);
    else if (e.type !== 'progress') this.log.info(what);
    else this.log.trace(`${what}: ${j.progress}%`);
  }

  dispose(): void {
    this.queue.dispose();
    void this.client.close();
    for (const d of this.disposables) d.dispose();
  }
}

/** Shows a failure the way docs/design.md asks ("Messages"): what happened, what to do, a button for the fix. */
export async function showJobError(error: { kind: string; message: string; code?: string } | PictorError | Error, notify: Notify = vscodeNotify): Promise<void> {
  const kind = 'kind' in error ? String(error.kind) : 'unknown';
  const message = vscode.l10n.t('Pictor: {0}', say(error));
  if (kind === 'auth') {
    const setKey = vscode.l10n.t('Set API Key');
    if ((await notify('error', message, setKey)) === setKey) {
      await vscode.commands.executeCommand('pictor.setApiKey');
    }
  } else if (kind === 'quota' || ('code' in error && error.code === 'quota_exceeded')) {
    // Out of credits, whether the create was refused (402) or the task failed for it.
    const open = vscode.l10n.t('Open Dashboard');
    if ((await notify('error', message, open)) === open) {
      void vscode.env.openExternal(vscode.Uri.parse(DASHBOARD_PAGE));
    }
  } else {
    const showLog = vscode.l10n.t('Show Log');
    if ((await notify('error', message, showLog)) === showLog) {
      await vscode.commands.executeCommand('pictor.showLog');
    }
  }
}

// VS Code's proxy settings, handed to the provider client. VS Code applies them to Node's own http
// modules, but Pictor's bundled HTTP client (undici) does not go through those, so it reads them here.
// The environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, NODE_EXTRA_CA_CERTS) is read by the client itself.
const PROXY_KEYS = ['proxy', 'noProxy', 'proxyStrictSSL', 'proxyAuthorization'] as const;

function readProxySettings(): ProxyOptions {
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.get<string>('proxy')?.trim();
  const noProxy = http.get<unknown>('noProxy');
  const auth = http.get<unknown>('proxyAuthorization');
  return {
    proxy: proxy || undefined,
    proxySource: vscode.l10n.t('the http.proxy setting'),
    noProxy: Array.isArray(noProxy) ? noProxy.filter((h): h is string => typeof h === 'string' && h.trim() !== '') : [],
    proxyStrictSSL: http.get<boolean>('proxyStrictSSL') !== false,
    proxyAuthorization: typeof auth === 'string' && auth.trim() ? auth.trim() : undefined,
  };
}

/** True when a configuration change touches one of the settings above. */
function affectsProxy(e: vscode.ConfigurationChangeEvent): boolean {
  return PROXY_KEYS.some((k) => e.affectsConfiguration(`http.${k}`));
}

/** Same proxy choice: no need to build a new client. */
function sameProxy(a: ProxyOptions, b: ProxyOptions): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
