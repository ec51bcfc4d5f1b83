// `pictor generate "PROMPT"`: a prompt of its own, planned with the editor's rules, its images saved
// (default images/ under the current folder) and each printed with its pixel size and Markdown link.

import { english } from '../shared/words';
import { planPrompt, type GenerateResult } from '../core/headless';
import { formatSize } from '../shared/sizes';
import { approvalFor, callOf, errorText, Exit, FAILED, OK, requireKey, round2, slash, USAGE, type Ctx, type ReportItem } from './context';
import { openSession } from './session';

/** `pictor generate "PROMPT"`: one prompt planned with the editor's rules, sent, its images saved and linked. */
export async function generate(ctx: Ctx): Promise<number> {
  const { args, out, report } = ctx;
  const prompt = args.paths[0]!;
  const planned = await planPrompt(ctx.root, ctx.settings.plan, { prompt, call: callOf(args), references: args.references, ...(args.out !== undefined ? { out: args.out } : {}), cwd: ctx.cwd });
  if (!planned.ok) {
    report.problems.push(planned.message);
    // A folder or a file that is not there or not inside is a mistake in the call; the rest the provider would refuse.
    throw new Exit(planned.reason === 'out' || planned.reason === 'reference' ? USAGE : FAILED, `Not sent (${planned.reason}): ${planned.message}`);
  }
  const r = planned.request;
  const o = r.options;
  const size = r.figures.size ? formatSize(r.figures.size) : 'auto';
  const item: ReportItem = {
    line: 0, prompt, status: 'planned',
    options: { size: o.values.size, resolution: o.values.resolution, quality: o.values.quality, n: o.values.n, ...(o.values.style ? { style: o.values.style } : {}) },
    from: { ...o.from }, size, images: r.figures.images, cost: round2(r.figures.cost),
  };
  report.generated = { out: slash(ctx.root, planned.out), item, images: [] };
  report.bill = { images: r.figures.images, cost: round2(r.figures.cost) };
  if (args.dryRun) {
    report.summary.planned = 1;
    out.say(`"${prompt}"  ${size} · ${o.values.quality} · n=${o.values.n} · cost ${item.cost} -> ${slash(ctx.root, planned.out)}/. Nothing was sent.`, true);
    return OK;
  }
  requireKey(ctx);
  const approval = await approvalFor(ctx, report.bill, [{ size, images: r.figures.images }]);
  const live = openSession(ctx, ctx.settings.plan);
  let result: GenerateResult;
  try {
    live.show(r.figures.images);
    result = await (await live.session.submitPrompt(planned, approval)).done;
  } finally {
    live.end();
    await live.session.close();
  }
  const links = result.links;
  report.generated.images = result.files.map((f, i) => ({ ...f, link: links[i]! }));
  if (result.job.state !== 'completed' || !result.files.length) {
    item.status = 'failed';
    item.message = result.error ? errorText(result.error) : result.job.state;
    report.summary.failed = 1;
    out.warn(`"${prompt}" failed: ${item.message}`);
    return FAILED;
  }
  item.status = 'filled';
  item.files = result.files.map((f) => f.path);
  if (result.notes?.length) item.notes = result.notes.map(english);
  report.summary.filled = 1;
  for (const [i, f] of result.files.entries()) out.say(`${f.path} (${f.width}×${f.height})  ${links[i]}`, true);
  for (const n of item.notes ?? []) out.say(n, true);
  return OK;
}
