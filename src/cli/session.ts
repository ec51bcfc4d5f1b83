// A run that may send: the engine's headless session opened with this process's key and provider
// addresses, its events printed (a line per task in a log, the progress line on a terminal), and
// Ctrl-C, which keeps the tasks sent stored for `pictor resume`.

import { isGenerateMeta, isHeadlessMeta } from '../core/headless';
import { HeadlessSession } from '../core/headlessSession';
import { isActive, isFinal } from '../core/jobs';
import { claimsDir } from '../core/stateDir';
import type { PlanSettings } from '../core/plan';
import { providerAddresses } from '../core/processSettings';
import type { JobRecord } from '../core/store';
import { errorText, Exit, INTERRUPTED, manifest, requireKey, slash, USAGE, type Ctx } from './context';
import { clock, type Tally } from './progress';

/** A session open for a run: its jobs as last seen, the progress line, and Ctrl-C. */
export interface Live {
  session: HeadlessSession;
  /** Shows the progress line (a terminal only) for a run of `total` images; jobs seen before count too. */
  show(total: number, jobs?: readonly JobRecord[]): void;
  /** The progress line erased, the signal handlers removed; the elapsed time as a clock. */
  end(): string;
}

export function openSession(ctx: Ctx, plan: PlanSettings): Live {
  const { args, env, out } = ctx;
  const apiKey = requireKey(ctx);
  const { baseUrl, filesBaseUrl } = providerAddresses(args, env);
  for (const [name, u] of [['--base-url', baseUrl], ['--files-base-url', filesBaseUrl]]) {
    try {
      new URL(u!);
    } catch {
      throw new Exit(USAGE, `${name} is not a URL: ${u}`);
    }
  }
  const session = new HeadlessSession({
    root: ctx.root, stateDir: ctx.state, claimsDir: claimsDir(ctx.host), apiKey, baseUrl, filesBaseUrl, userAgent: `pictor-cli/${manifest.version}`,
    guards: ctx.guards, settings: plan, destination: ctx.settings.destination, concurrency: args.concurrency ?? 4, log: (msg) => out.say(msg),
  });
  const jobs = new Map<string, JobRecord>();
  const started = Date.now();
  let total = 0;
  session.onEvent((e) => {
    jobs.set(e.job.id, e.job);
    const what = jobLabel(ctx.root, e.job);
    // On a terminal the progress line says what was sent; a log gets a line per task.
    if (e.type === 'created' && !out.screen.tty) out.say(`${what}: sent (task ${e.job.taskId})`);
    else if (e.type === 'failed' || e.type === 'timed_out') out.warn(`${what}: ${e.type === 'failed' ? 'failed' : 'timed out'}: ${errorText(e.job.error)}`);
    out.screen.redraw();
  });
  const tally = (): Tally => {
    let done = 0;
    let running = 0;
    let failed = 0;
    for (const j of jobs.values()) {
      if (j.state === 'completed') done += (j.files ?? []).filter((f) => f.placed).length || (j.body.n ?? 1);
      else if (isActive(j)) running++;
      else if (isFinal(j)) failed++;
    }
    return { total: Math.max(total, done), done, running, failed, elapsedMs: Date.now() - started };
  };
  // Ctrl-C or a stop: the tasks sent stay stored (resume places them); nothing more is waited for.
  const stop = (signal: NodeJS.Signals) => {
    out.screen.stop();
    const open = [...jobs.values()].filter((j) => !isFinal(j)).length;
    const again = args.command === 'fill' ? `pictor resume (or the same pictor fill)` : 'pictor resume';
    out.warn(`pictor: interrupted (${signal}). ${open} task(s) sent and kept: run ${again} to wait for them and place their images; nothing is sent again.`);
    ctx.report.exitCode = INTERRUPTED;
    ctx.report.problems.push(`interrupted (${signal})`);
    if (args.json) process.stdout.write(`${JSON.stringify(ctx.report, null, 2)}\n`);
    process.exit(INTERRUPTED);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    session,
    show: (t, seen = []) => {
      total = t;
      for (const j of seen) jobs.set(j.id, j);
      out.screen.start(tally);
    },
    end: () => {
      out.screen.stop();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      return clock(Date.now() - started);
    },
  };
}

/** A job as a person reads it: its page and prompt, or the prompt of its own. */
export function jobLabel(root: string, job: JobRecord): string {
  const meta = job.target.meta;
  if (isHeadlessMeta(meta)) return `${slash(root, meta.page)}: "${meta.prompt}"`;
  if (isGenerateMeta(meta)) return `"${meta.prompt}"`;
  return job.id;
}
