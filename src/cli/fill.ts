// `pictor fill` and `pictor list`: every placeholder of the pages planned as *Generate all* plans
// them (list and --dry-run stop there), then sent, the stored unfinished tasks resumed first, and
// each page's placeholders reported as they ended.

import { isHeadlessMeta, planPages, type PageReport } from '../core/headless';
import { storedJobs } from '../core/headlessSession';
import { isFinal } from '../core/jobs';
import { aboveGuards } from '../core/money';
import { callLayer, type PlanSettings } from '../core/plan';
import type { JobRecord } from '../core/store';
import { formatSize } from '../shared/sizes';
import { english } from '../shared/words';
import { approvalFor, callOf, errorText, FAILED, limitsOf, OK, requireKey, round2, slash, type Ctx, type ReportItem } from './context';
import { collectPages } from './pages';
import { jobLabel, openSession } from './session';

export async function fill(ctx: Ctx): Promise<number> {
  const { args, cwd, out, report, root, settings, guards } = ctx;
  // fill's own --size … sit below each page's front matter and override comments, above the workspace's settings.
  const flags = callLayer(callOf(args));
  const planSettings: PlanSettings = flags ? { ...settings.plan, layers: [flags, ...settings.plan.layers] } : settings.plan;
  const pages = await collectPages(args.paths, cwd, root);
  const planned = await planPages(pages, planSettings);
  let requests = 0;
  for (const { page, text, plan } of planned) {
    if (!plan.requests.length && !plan.skipped.length) continue;
    const items: ReportItem[] = [];
    const line = (offset: number) => text.slice(0, offset).split('\n').length;
    for (const r of plan.requests) {
      const o = r.options;
      items.push({
        line: line(r.placeholder!.start), prompt: r.prompt, status: 'planned',
        options: {
          size: o.values.size, resolution: o.values.resolution, quality: o.values.quality, n: o.values.n, ...(o.values.style ? { style: o.values.style } : {}),
          ...(o.values.background !== 'opaque' ? { background: o.values.background } : {}),
          ...(o.values.format !== 'png' ? { format: o.values.format } : {}),
          ...(o.values.maxWidth ? { maxWidth: o.values.maxWidth } : {}),
        },
        from: { ...o.from },
        size: r.figures.size ? formatSize(r.figures.size) : 'auto', images: r.figures.images, cost: round2(r.figures.cost),
      });
    }
    for (const s of plan.skipped) items.push({ line: s.placeholder ? line(s.placeholder.start) : 0, prompt: s.prompt, status: 'skipped', reason: s.reason, message: english(s.words) });
    items.sort((a, b) => a.line - b.line);
    report.pages.push({ page: slash(root, page), placeholders: items });
    requests += plan.requests.length;
    report.bill = { images: report.bill.images + plan.bill.images, cost: round2(report.bill.cost + plan.bill.cost) };
  }
  const above = aboveGuards(report.bill, guards);
  const limits = limitsOf(report.bill, guards);

  if (args.command === 'list' || args.dryRun) {
    for (const p of report.pages) {
      for (const i of p.placeholders) {
        if (i.status === 'skipped') out.say(`${p.page}:${i.line}  "${i.prompt}"  not sent (${i.reason}): ${i.message}`, true);
        else {
          const from = Object.entries(i.from ?? {}).filter(([, f]) => f !== 'default').map(([k, f]) => `${k} from ${f === 'call' ? 'the command line' : f}`).join(', ');
          out.say(`${p.page}:${i.line}  "${i.prompt}"  ${i.size} · ${i.options!.quality} · n=${i.options!.n} · cost ${i.cost}${from ? `  (${from})` : ''}`);
        }
      }
    }
    report.summary.planned = requests;
    report.summary.skipped = report.pages.reduce((n, p) => n + p.placeholders.filter((i) => i.status === 'skipped').length, 0);
    out.say(`${requests} placeholder(s) to fill in ${report.pages.length} page(s): ${limits}.${above.images || above.cost ? ' This run is above the limits: fill would need --yes.' : ''} Nothing was sent.`, true);
    return OK;
  }

  // Everything below may send: the store of this workspace's tasks first (a run that was stopped resumes).
  const stored = (await storedJobs(ctx.state, root)).filter((j) => !isFinal(j));
  if (!requests && !stored.length) {
    const skipped = report.pages.reduce((n, p) => n + p.placeholders.filter((i) => i.status === 'skipped').length, 0);
    report.summary.skipped = skipped;
    for (const p of report.pages) for (const i of p.placeholders) out.warn(`${p.page}:${i.line}  "${i.prompt}"  not sent (${i.reason}): ${i.message}`);
    out.say(skipped ? `Nothing sent: ${skipped} placeholder(s) could not be sent.` : 'Nothing to fill.', true);
    return skipped ? FAILED : OK;
  }
  requireKey(ctx);
  const approval = await approvalFor(ctx, report.bill, report.pages.flatMap((p) => p.placeholders.filter((i) => i.status === 'planned').map((i) => ({ size: i.size!, images: i.images! }))));
  const live = openSession(ctx, planSettings);
  const session = live.session;
  const placer = session.placer;
  let reports: PageReport[] = [];
  const resumedReports: { job: JobRecord }[] = [];
  let took = '';
  try {
    // Stored unfinished jobs first: waited for and placed without a new task; they hold their claims again.
    const resumed = await session.resume();
    for (const { job: j } of resumed) out.say(`${jobLabel(root, j)}: resuming the stored task`);
    live.show(report.bill.images + resumed.reduce((n, { job }) => n + (job.body.n ?? 1), 0), resumed.map(({ job }) => job));
    const resumedDone = Promise.all(resumed.map(({ done }) => done.then((job) => { resumedReports.push({ job }); })));
    reports = await session.fill(pages, approval);
    await resumedDone;
  } finally {
    took = live.end();
    await session.close();
  }

  // The report: each page's placeholders as they ended.
  report.pages = [];
  const resumedKeys = new Set(resumedReports.flatMap(({ job }) => (isHeadlessMeta(job.target.meta) ? [`${job.target.meta.page}|${job.target.meta.prompt}`] : [])));
  for (const r of reports) {
    const items: ReportItem[] = [];
    for (const s of r.sent) {
      const ok = s.state === 'completed' && s.linked;
      items.push({
        line: 0, prompt: s.prompt, status: ok ? 'filled' : 'failed', files: s.files.map((f) => slash(root, f)), linked: s.linked,
        ...(s.notes?.length ? { notes: s.notes.map(english) } : {}),
        ...(s.error ? { message: errorText(s.error) } : s.why ? { message: `not linked: ${s.why}` } : s.state !== 'completed' ? { message: s.state } : {}),
      });
    }
    // A placeholder held by a stored task this run resumed is that task's, reported below.
    for (const s of r.skipped.filter((s) => !(s.reason === 'running' && resumedKeys.has(`${r.page}|${s.prompt}`)))) items.push({ line: s.line, prompt: s.prompt, status: 'skipped', reason: s.reason, message: english(s.words) });
    if (items.length) report.pages.push({ page: slash(root, r.page), placeholders: items });
  }
  for (const { job } of resumedReports) {
    const meta = job.target.meta;
    if (!isHeadlessMeta(meta)) continue;
    const page = slash(root, meta.page);
    let entry = report.pages.find((p) => p.page === page);
    if (!entry) report.pages.push(entry = { page, placeholders: [] });
    const ok = job.state === 'completed' && placer.outcomes.get(job.id)?.linked === true;
    entry.placeholders.push({ line: 0, prompt: meta.prompt, status: ok ? 'filled' : 'failed', files: (job.files ?? []).filter((f) => f.placed).map((f) => slash(root, f.path)), ...(job.error ? { message: errorText(job.error) } : {}) });
  }
  for (const p of report.pages) {
    for (const i of p.placeholders) {
      if (i.status === 'filled') {
        report.summary.filled++;
        out.say(`${p.page}: "${i.prompt}" -> ${i.files!.join(', ')}${i.notes?.length ? ` (${i.notes.join(' ')})` : ''}`);
      } else if (i.status === 'failed') {
        report.summary.failed++;
        out.warn(`${p.page}: "${i.prompt}" failed: ${i.message ?? ''}`);
      } else if (i.status === 'skipped') {
        report.summary.skipped++;
        out.warn(`${p.page}:${i.line}: "${i.prompt}" not sent (${i.reason}): ${i.message}`);
      }
    }
  }
  const { filled, failed, skipped } = report.summary;
  out.say(`${filled} filled, ${failed} failed, ${skipped} not sent${out.screen.tty ? ` in ${took}` : ''}.`, true);
  return failed || skipped ? FAILED : OK;
}
