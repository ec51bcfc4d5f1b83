// `pictor recipe`, `pictor status` and `pictor resume`: what an image holds, the tasks stored for the
// workspace, and waiting for them (no new task).

import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isGenerateMeta, isHeadlessMeta } from '../core/headless';
import { storedJobs } from '../core/headlessSession';
import { isFinal } from '../core/jobs';
import { readRecipeFile, SIDECAR_SUFFIX } from '../core/recipe';
import type { JobRecord } from '../core/store';
import type { CliArgs } from './args';
import { errorText, Exit, FAILED, OK, slash, USAGE, type Ctx, type JsonReport, type Out, type ReportItem, type TaskItem } from './context';
import { jobLabel, openSession } from './session';

/** `pictor recipe FILE`: the recipe stored in an image (its PNG chunk, else its `.pictor.json` sidecar). */
export async function recipe(args: CliArgs, cwd: string, out: Out, report: JsonReport): Promise<number> {
  const given = args.paths[0]!;
  const file = path.resolve(cwd, given);
  if (!existsSync(file) || !statSync(file).isFile()) throw new Exit(USAGE, `No such file: ${given}`);
  const r = await readRecipeFile(file);
  report.recipe = r ?? null;
  if (!r) {
    out.warn(`${given} holds no Pictor recipe (none in the image, no ${SIDECAR_SUFFIX} file beside it).`);
    return FAILED;
  }
  out.say(`prompt:     ${r.prompt}`, true);
  if (r.style) out.say(`style:      ${r.style}`, true);
  out.say(`model:      ${r.model}`, true);
  out.say(`size:       ${r.size} · ${r.resolution} · ${r.quality} · n=${r.n}${r.image ? ` (image ${r.image} of ${r.n})` : ''}`, true);
  out.say(`task:       ${r.taskId}`, true);
  out.say(`created:    ${r.created}`, true);
  for (const ref of r.references) out.say(`reference:  ${'url' in ref ? ref.url : ref.file}`, true);
  return OK;
}

/** How long ago, as a person says it. */
function ageOf(seconds: number): string {
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}

/** `pictor status`: the tasks stored for this workspace (what `resume` or the next `fill` waits for). Sends nothing. */
export async function status(ctx: Ctx): Promise<number> {
  const { out, report, root } = ctx;
  const jobs = await storedJobs(ctx.state, root);
  const now = Date.now();
  report.tasks = jobs.map((j): TaskItem => {
    const meta = j.target.meta;
    return {
      id: j.id, ...(j.taskId ? { taskId: j.taskId } : {}), state: j.state,
      prompt: isHeadlessMeta(meta) || isGenerateMeta(meta) ? meta.prompt : j.body.prompt,
      ...(isHeadlessMeta(meta) ? { page: slash(root, meta.page) } : isGenerateMeta(meta) ? { out: slash(root, meta.out) } : {}),
      createdAt: new Date(j.createdAt).toISOString(), ageSeconds: Math.max(0, Math.round((now - j.createdAt) / 1000)),
      ...(j.error ? { message: errorText(j.error) } : {}),
    };
  });
  for (const t of report.tasks) out.say(`${t.state.padEnd(11)} ${ageOf(t.ageSeconds).padEnd(8)} ${t.page ?? `${t.out}/`}  "${t.prompt}"${t.taskId ? `  (task ${t.taskId})` : ''}${t.message ? `: ${t.message}` : ''}`, true);
  const open = jobs.filter((j) => !isFinal(j)).length;
  out.say(open ? `${open} unfinished task(s): pictor resume (or the same pictor fill) waits for them and places their images.` : jobs.length ? 'No unfinished task.' : 'No stored task.', true);
  return OK;
}

/** `pictor resume`: waits for the stored unfinished tasks and places their images; no new task. */
export async function resume(ctx: Ctx): Promise<number> {
  const { out, report, root } = ctx;
  const stored = (await storedJobs(ctx.state, root)).filter((j) => !isFinal(j));
  if (!stored.length) {
    out.say('Nothing to resume.', true);
    return OK;
  }
  const live = openSession(ctx, ctx.settings.plan);
  const session = live.session;
  const ended: JobRecord[] = [];
  let took = '';
  try {
    const resumed = await session.resume();
    for (const { job } of resumed) out.say(`${jobLabel(root, job)}: resuming the stored task`);
    live.show(resumed.reduce((n, { job }) => n + (job.body.n ?? 1), 0), resumed.map(({ job }) => job));
    await Promise.all(resumed.map(({ done }) => done.then((job) => { ended.push(job); })));
  } finally {
    took = live.end();
    await session.close();
  }
  for (const job of ended) {
    const meta = job.target.meta;
    const ok = job.state === 'completed' && (isGenerateMeta(meta) || session.placer.outcomes.get(job.id)?.linked === true);
    const files = (job.files ?? []).filter((f) => f.placed).map((f) => slash(root, f.path));
    const item: ReportItem = { line: 0, prompt: isHeadlessMeta(meta) || isGenerateMeta(meta) ? meta.prompt : job.body.prompt, status: ok ? 'filled' : 'failed', files, ...(job.error ? { message: errorText(job.error) } : {}) };
    const page = isHeadlessMeta(meta) ? slash(root, meta.page) : isGenerateMeta(meta) ? `${slash(root, meta.out)}/` : '';
    let entry = report.pages.find((p) => p.page === page);
    if (!entry) report.pages.push(entry = { page, placeholders: [] });
    entry.placeholders.push(item);
    if (ok) report.summary.filled++;
    else report.summary.failed++;
    if (ok) out.say(`${jobLabel(root, job)} -> ${files.join(', ')}`);
    else out.warn(`${jobLabel(root, job)} failed: ${item.message ?? job.state}`);
  }
  out.say(`${report.summary.filled} filled, ${report.summary.failed} failed${out.screen.tty ? ` in ${took}` : ''}.`, true);
  return report.summary.failed ? FAILED : OK;
}
