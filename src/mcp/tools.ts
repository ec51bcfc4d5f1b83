// The agent server's tools: the rules and the words of the editor's language model tools
// (src/vscode/tools), on the headless engine. Each answers with the text an agent reads and the same
// facts as structured content: workspace-relative paths, pixel sizes, Markdown links, job ids, and
// refusals with their reason. No image data unless the agent asks for a preview.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { ClaimRegistry, CLAIM_STALE_MS, placeholderClaimKey } from '../core/claims';
import { isHeadlessJob, planPages, planPicked } from '../core/headless';
import { resolveDestination } from '../core/destination';
import { storedJobs } from '../core/headlessSession';
import { withRunning } from '../core/plan';
import type { JobRecord } from '../core/store';
import type { ReferenceInput } from '../core/types';
import type { CallOptions } from '../core/plan';
import { formatCost } from '../shared/optionsCheck';
import { formatSize } from '../shared/sizes';
import { english } from '../shared/words';
import { BACKGROUNDS } from '../core/pageOptions';
import { MAX_EDGE } from '../shared/sizes';
import { MAX_N, MAX_PROMPT_CODE_POINTS, MAX_REFERENCE_IMAGES, MIN_N, QUALITIES, RESOLUTIONS } from '../shared/limits';
import { imageTypeNamed } from '../shared/imageFormats';
import { QUALITY_COST } from '../shared/sizes';
import { refuse } from './workspace';
import { admit, engineOf, needKey, type Engine, type Server } from './context';
import { FORMAT_NAMES, jobSchema, listItemSchema, refusalSchema, skippedSchema, type ListItem } from './schemas';
import { answering, follow, generateAnswer, jobLines, jobOut, lineOf, previews, shortPrompt } from './answers';

export type { Engine, Server } from './context';

// ---------------------------------------------------------------------------------------------
// The tools

export function registerTools(server: Server): void {
  const { mcp } = server;

  mcp.registerTool('list_placeholders', {
    title: 'List the image placeholders of a page',
    description: 'Lists the image placeholders ![prompt]() of a Markdown page in the workspace: each with its line, prompt, options (size, resolution, quality, n, style) and where they came from, its pixel size and relative cost, '
      + 'and why it would not be sent, if so; and the images the page already links. Reads only; sends nothing, costs nothing.',
    inputSchema: { document: z.string().min(1).max(4096).describe('The Markdown page, relative to the workspace folder (e.g. docs/page.md)') },
    outputSchema: {
      document: z.string().optional(),
      placeholders: z.array(listItemSchema).optional(),
      images: z.array(z.object({ line: z.number().int(), markdown: z.string() })).optional().describe('Images the page already links'),
      bill: z.object({ images: z.number().int(), cost: z.number() }).optional().describe('What fill_placeholders would bill now'),
      refusal: refusalSchema.optional(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (input) => answering(server, 'list_placeholders', {}, async () => {
    const { ws, engines } = await server.workspace();
    const { root, file } = await ws.page(input.document);
    const engine = engineOf(engines, root.path);
    const [planned] = await planPages([file], engine.settings.plan);
    const { text, scan } = planned!;
    const claims = engine.session?.claims ?? new ClaimRegistry(server.claimsDir, CLAIM_STALE_MS);
    const held = new Set<number>();
    for (const p of scan.placeholders) if (!p.empty && await claims.holder(await placeholderClaimKey(file, text.slice(p.start, p.end)))) held.add(p.start);
    const plan = withRunning(planned!.plan, (p) => held.has(p.start));
    const rel = ws.relative(file);
    const items: ListItem[] = [];
    for (const r of plan.requests) {
      const o = r.options.values;
      items.push({
        line: lineOf(text, r.placeholder!.start), prompt: r.prompt, status: 'ready',
        options: { size: o.size, resolution: o.resolution, quality: o.quality, n: o.n, ...(o.style ? { style: o.style } : {}) },
        from: { ...r.options.from }, pixelSize: r.figures.size ? formatSize(r.figures.size) : 'auto', images: r.figures.images, cost: Math.round(r.figures.cost * 100) / 100,
      });
    }
    for (const s of plan.skipped) {
      items.push({
        line: s.placeholder ? lineOf(text, s.placeholder.start) : 0, prompt: s.prompt,
        status: s.reason === 'empty' ? 'empty' : s.reason === 'running' ? 'running' : 'refused', reason: s.reason, message: english(s.words),
      });
    }
    items.sort((a, b) => a.line - b.line);
    const images = scan.images.map((img) => ({ line: lineOf(text, img.start), markdown: text.slice(img.start, img.end) }));
    const lines = [`${rel}: ${scan.placeholders.length} placeholder(s), ${scan.images.length} linked image(s).`];
    if (items.length) {
      lines.push('Placeholders (the alt text is the prompt):');
      for (const i of items) {
        const state = i.status === 'empty' ? ' (no prompt yet: write one between the brackets)'
          : i.status === 'running' ? ' (being generated)'
            : i.status === 'refused' ? ` (not sent: ${i.message})`
              : ` ${i.pixelSize} · ${i.options!.quality} · n=${i.options!.n} · relative cost ≈${formatCost(i.cost!)}×`;
        lines.push(`- line ${i.line}: "${shortPrompt(i.prompt, 500)}"${state}`);
      }
    }
    if (images.length) {
      lines.push('Images already linked:');
      for (const img of images) lines.push(`- line ${img.line}: ${img.markdown}`);
    }
    if (plan.requests.length) lines.push(`Fill them all with fill_placeholders: ${plan.bill.images} image(s), relative cost ≈${formatCost(plan.bill.cost)}×.`);
    return {
      content: [{ type: 'text', text: lines.join('\n') }],
      structuredContent: { document: rel, placeholders: items, images, bill: { images: plan.bill.images, cost: Math.round(plan.bill.cost * 100) / 100 } },
    };
  }));

  mcp.registerTool('fill_placeholders', {
    title: 'Fill every placeholder of a page',
    description: 'Fills every image placeholder ![prompt]() of a Markdown page in the workspace, as Pictor\'s "Generate all" does: each alt text is the prompt; the page\'s options, override comments and pictor.* settings apply; '
      + 'the images are saved into the workspace (pictor.destination, never over a file) and linked into the page. Every image is billed to the user\'s EvoLink account. '
      + 'If one placeholder cannot be sent, nothing is sent and the answer names it. Returns the saved files with their pixel sizes and Markdown links; '
      + 'jobs still running after the wait limit go on in the server, are linked when they finish, and job_status reports them.',
    inputSchema: {
      document: z.string().min(1).max(4096).describe('The Markdown page, relative to the workspace folder (e.g. docs/page.md)'),
      preview: z.boolean().optional().describe('Add a small JPEG preview (at most 256 pixels an edge) of each image to the answer; off by default'),
    },
    outputSchema: {
      document: z.string().optional(),
      jobs: z.array(jobSchema).optional(),
      stillRunning: z.array(z.string()).optional().describe('Ids of jobs still running: call job_status with them'),
      skipped: z.array(skippedSchema).optional(),
      bill: z.object({ images: z.number().int(), cost: z.number() }).optional(),
      refusal: refusalSchema.optional(),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, (input, extra) => answering(server, 'fill_placeholders', {}, async () => {
    const { ws, engines } = await server.workspace();
    const { root, file } = await ws.page(input.document);
    const engine = engineOf(engines, root.path);
    const rel = ws.relative(file);
    const [planned] = await planPages([file], engine.settings.plan);
    const { text, scan } = planned!;
    if (!scan.placeholders.length) refuse('noPlaceholders', `Nothing was sent: ${rel} has no image placeholders. Write one like ![a red fox asleep in snow]() where an image belongs.`);
    const claims = engine.session?.claims ?? new ClaimRegistry(server.claimsDir, CLAIM_STALE_MS);
    const held = new Set<number>();
    for (const p of scan.placeholders) if (!p.empty && await claims.holder(await placeholderClaimKey(file, text.slice(p.start, p.end)))) held.add(p.start);
    const plan = withRunning(planned!.plan, (p) => held.has(p.start));
    const problems: string[] = [];
    for (const s of plan.skipped) {
      if (s.reason === 'empty' || s.reason === 'running') continue;
      const said = `line ${s.placeholder ? lineOf(text, s.placeholder.start) : 0} ("${shortPrompt(s.prompt, 40)}"): ${english(s.words)}`;
      if (!problems.includes(said)) problems.push(said);
    }
    if (problems.length) refuse('placeholders', `Nothing was sent for ${rel}. Fix these placeholders, then call again: ${problems.join(' ')}`);
    if (!plan.requests.length) {
      refuse('allRunning', plan.skipped.some((s) => s.reason === 'running')
        ? `Nothing was sent: every placeholder of ${rel} is already being generated. Call list_placeholders or job_status later to see their links.`
        : `Nothing was sent: the placeholders of ${rel} have no prompt. Describe each image between the brackets: ![a red fox asleep in snow]().`);
    }
    needKey(server, engine);
    const approval = await admit(server, engine, plan.bill, `filling ${plan.requests.length} placeholder(s) of ${rel}`);
    const submitted = await engine.session!.submit([file], approval);
    const ids = submitted.jobs.map((j) => j.jobId);
    server.log('info', `${rel}: ${ids.length} job(s) submitted: ${ids.join(', ')}`);
    const ended = ids.length ? await follow(server, engine, ids, submitted.jobs.map((j) => j.done), extra) : 'done';
    const jobs = ids.map((id) => jobOut(ws, engine, engine.session!.queue.get(id)!));
    const skipped = submitted.reports.flatMap((r) => r.skipped.map((s) => ({ line: s.line, prompt: s.prompt, reason: s.reason, message: english(s.words) })));
    const running = jobs.filter((j) => !['completed', 'failed', 'cancelled', 'timed_out', 'unknown'].includes(j.state)).map((j) => j.id);
    const saved = jobs.flatMap((j) => j.files);
    const lines = [`${rel}: ${jobs.length} placeholder(s) sent, ${saved.length} image(s) saved, ${jobs.filter((j) => j.linked).length} linked into the page (links relative to the page):`];
    for (const j of jobs) {
      lines.push(`"${shortPrompt(j.prompt)}"${j.state === 'completed' && j.linked === false ? ' (not linked: the placeholder was changed or removed meanwhile)' : ''}`);
      lines.push(...jobLines(j));
    }
    for (const s of skipped.filter((s) => s.reason === 'running')) lines.push(`Not sent: line ${s.line} ("${shortPrompt(s.prompt, 40)}"): another agent or editor is already generating it.`);
    const empty = skipped.filter((s) => s.reason === 'empty').length;
    if (empty) lines.push(`${empty} placeholder(s) have no prompt and were skipped: describe the image between the brackets.`);
    if (running.length) {
      lines.push(ended === 'cancelled'
        ? `Cancelled: stopped waiting. ${running.length} job(s) go on in the Pictor server (they are paid for); their images are saved and linked into the page when they finish. Call job_status with ids ${running.join(', ')} to see them.`
        : `Still running after ${server.maxWaitMs / 1000} s — call job_status with ids ${running.join(', ')}. The jobs go on in the Pictor server; their images are saved and linked into the page when they finish, without another call.`);
    }
    const content: CallToolResult['content'] = [{ type: 'text', text: server.scrub(lines.join('\n')) }];
    if (input.preview) content.push(...await previews(ws, jobs));
    return {
      content,
      structuredContent: { document: rel, jobs, stillRunning: running, skipped, bill: { images: plan.bill.images, cost: Math.round(plan.bill.cost * 100) / 100 } },
    };
  }));

  mcp.registerTool('generate_image', {
    title: 'Generate an image',
    description: 'Generates images for one prompt with Pictor and saves them into the workspace, never elsewhere. With document and placeholder, fills that placeholder of the page '
      + '(its alt text is the prompt) exactly as Pictor\'s Generate does; with document alone, saves beside the page as pictor.destination says and edits nothing; '
      + 'otherwise saves into images/ at the workspace root (or destination). background: transparent makes the background transparent; format (webp, jpeg) and maxWidth make lighter files; '
      + 'the answer names the bytes saved and any image kept opaque, and why. Options left out come from the placeholder\'s comment, the page\'s front matter and the pictor.* settings. '
      + 'Every image is billed to the user\'s EvoLink account. Returns the saved files with their pixel sizes and Markdown links; a job still running after the wait limit goes on in the server and job_status reports it.',
    inputSchema: {
      prompt: z.string().max(MAX_PROMPT_CODE_POINTS).optional().describe('What the image shows (required unless placeholder is given: then the placeholder\'s alt text is the prompt)'),
      size: z.string().max(20).optional().describe('auto, a ratio (1:1, 3:2, 2:3, 16:9, 9:16, 4:3, 3:4, 21:9 …) or WxH with edges multiples of 16 (e.g. 1536x1024)'),
      resolution: z.enum(RESOLUTIONS).optional().describe('Used with a ratio: 16:9 at 2K is 2048×1152'),
      quality: z.enum(QUALITIES).optional().describe(QUALITIES.map((q) => `${q} ${QUALITY_COST[q] === 1 ? '' : '≈ '}${QUALITY_COST[q]}×${q === QUALITIES[0] ? ' cost' : ''}`).join(', ')),
      n: z.number().int().min(MIN_N).max(MAX_N).optional().describe(`Images for this prompt, ${MIN_N}–${MAX_N}; each is billed`),
      referenceImages: z.array(z.string().min(1).max(4096)).max(MAX_REFERENCE_IMAGES).optional().describe('Reference images: paths inside the workspace (uploaded to EvoLink\'s file service) or https:// URLs'),
      background: z.enum(BACKGROUNDS).optional().describe('transparent: the subject on a flat key colour that Pictor makes transparent (png or webp only: with jpeg nothing is sent); a background not flat enough is kept opaque, and the answer says why'),
      format: z.enum(FORMAT_NAMES).optional().describe('The saved file\'s format (its extension follows): webp and jpeg are much lighter; jpg is taken for jpeg'),
      maxWidth: z.number().int().min(0).max(MAX_EDGE).optional().describe(`Scale the saved image down to at most this many pixels wide (never up); 0 for no limit; at most ${MAX_EDGE}`),
      references: z.array(z.string().min(1).max(4096)).max(MAX_REFERENCE_IMAGES).optional().describe('Style references for the page, as its references option: image paths relative to document, sent with its images so they share one look'),
      document: z.string().min(1).max(4096).optional().describe('A Markdown page, relative to the workspace folder: links are made relative to it'),
      placeholder: z.string().min(1).max(MAX_PROMPT_CODE_POINTS).optional().describe('The alt text (prompt) of the placeholder of document to fill'),
      destination: z.string().min(1).max(4096).optional().describe('A folder inside the workspace to save into (not with placeholder: the page\'s destination applies)'),
      preview: z.boolean().optional().describe('Add a small JPEG preview (at most 256 pixels an edge) of each image to the answer; off by default'),
    },
    outputSchema: {
      prompt: z.string().optional(),
      document: z.string().optional(),
      jobs: z.array(jobSchema).optional(),
      stillRunning: z.array(z.string()).optional().describe('Ids of jobs still running: call job_status with them'),
      bill: z.object({ images: z.number().int(), cost: z.number() }).optional(),
      refusal: refusalSchema.optional(),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }, (input, extra) => answering(server, 'generate_image', {}, async () => {
    const { ws, engines } = await server.workspace();
    if (input.placeholder !== undefined && input.document === undefined) {
      refuse('path', 'placeholder needs document: give the workspace-relative path of the Markdown page that holds the placeholder.');
    }
    if (input.placeholder !== undefined && input.destination !== undefined) refuse('path', 'destination cannot be used with placeholder: a placeholder\'s images go where pictor.destination says for its page.');
    const page = input.document !== undefined ? await ws.page(input.document) : undefined;
    const dest = input.destination !== undefined ? await ws.resolve(input.destination, 'destination', 'any') : undefined;
    const root = page?.root ?? dest?.root ?? ws.roots[0]!;
    if (dest && page && dest.root !== page.root) refuse('outside', 'destination and document are in different workspace folders.');
    const engine = engineOf(engines, root.path);
    const refs: ReferenceInput[] = [];
    for (const item of input.referenceImages ?? []) {
      if (/^https:\/\//i.test(item.trim())) {
        refs.push({ kind: 'url', url: item.trim() });
        continue;
      }
      if (/^[a-z][a-z0-9+.-]+:/i.test(item.trim()) && !/^[a-z]:\//i.test(item.trim())) {
        refuse('uri', `referenceImages "${item}" is neither a path inside the workspace nor an https:// URL: Pictor never reads file:// or other URIs. Nothing was read or sent.`);
      }
      const r = await ws.resolve(item, 'referenceImages');
      if (r.root !== root) refuse('outside', `referenceImages "${item}" is in another workspace folder than the images are saved in.`);
      refs.push({ kind: 'file', path: r.file, bytes: (await fs.stat(r.file)).size });
    }
    const call: CallOptions = {
      ...(input.size !== undefined ? { size: input.size } : {}), ...(input.resolution !== undefined ? { resolution: input.resolution } : {}),
      ...(input.quality !== undefined ? { quality: input.quality } : {}), ...(input.n !== undefined ? { n: input.n } : {}),
      // The look, the call's layer: transparent with jpeg is refused by the planner, before anything is paid.
      ...(input.background !== undefined ? { background: input.background } : {}),
      ...(input.format !== undefined ? { format: imageTypeNamed(input.format)! } : {}),
      ...(input.maxWidth !== undefined ? { maxWidth: input.maxWidth } : {}),
      ...(input.references !== undefined ? { references: input.references } : {}),
    } as CallOptions;
    const docRel = page ? ws.relative(page.file) : undefined;

    if (page && input.placeholder !== undefined) {
      // One placeholder of the page, exactly as the Generate CodeLens fills it.
      const [planned] = await planPages([page.file], engine.settings.plan);
      const pick = { prompt: input.placeholder, call, references: refs };
      const plan = planPicked(planned!, engine.settings.plan, pick);
      if (!plan) refuse('missing', `${docRel} has no placeholder "${shortPrompt(input.placeholder)}". Call list_placeholders to see its placeholders; give one's alt text as placeholder.`);
      const target = [...plan.requests, ...plan.skipped][0]!;
      const p = target.placeholder!;
      const claims = engine.session?.claims ?? new ClaimRegistry(server.claimsDir, CLAIM_STALE_MS);
      if (await claims.holder(await placeholderClaimKey(page.file, planned!.text.slice(p.start, p.end)))) {
        refuse('allRunning', `Nothing was sent: the placeholder on line ${lineOf(planned!.text, p.start)} of ${docRel} is already being generated. Call job_status or list_placeholders later to see its link.`);
      }
      const skipped = plan.skipped[0];
      if (skipped) refuse('placeholders', `Nothing was sent: ${english(skipped.words)}`);
      needKey(server, engine);
      const approval = await admit(server, engine, plan.bill, `generating for the placeholder on line ${lineOf(planned!.text, p.start)} of ${docRel}`);
      const submitted = await engine.session!.submit([page.file], approval, pick);
      if (!submitted.jobs.length) refuse('allRunning', `Nothing was sent: another agent or editor is already generating this placeholder of ${docRel}.`);
      return generateAnswer(server, ws, engine, extra, { prompt: p.prompt, docRel, linkFrom: page.file, placeholder: true, preview: input.preview === true, bill: plan.bill },
        submitted.jobs.map((j) => j.jobId), submitted.jobs.map((j) => j.done));
    }

    if (typeof input.prompt !== 'string' || !input.prompt.trim()) refuse('prompt', 'prompt is empty: describe the image, e.g. "a red fox asleep in the snow, watercolour".');
    let out = dest?.file;
    if (!out && page) {
      const d = resolveDestination({ documentPath: page.file, workspaceFolder: root.path, patterns: engine.settings.destination, fileName: 'image', ext: 'png' });
      out = d.ok ? d.dir : path.join(path.dirname(page.file), 'images');
    }
    out ??= path.join(root.path, 'images');
    if (!engine.session) {
      needKey(server, engine);
    }
    const planned = await engine.session!.planPrompt({
      prompt: input.prompt, call, references: refs.map((r) => (r.kind === 'url' ? r.url : r.path)), out, cwd: root.path,
      ...(page ? { linkFrom: page.file } : {}),
    });
    if (!planned.ok) refuse(planned.reason === 'out' || planned.reason === 'reference' ? 'outside' : 'request', `Nothing was sent: ${planned.message}`);
    const bill = { images: planned.request.figures.images, cost: planned.request.figures.cost };
    const approval = await admit(server, engine, bill, `generating ${bill.images} image(s) for "${shortPrompt(input.prompt, 60)}"`);
    const { job, done } = await engine.session!.submitPrompt(planned, approval);
    return generateAnswer(server, ws, engine, extra, { prompt: input.prompt, ...(docRel ? { docRel } : {}), linkFrom: planned.linkFrom, placeholder: false, preview: input.preview === true, bill },
      [job.id], [done.catch(() => undefined)]);
  }));

  mcp.registerTool('job_status', {
    title: 'The state of Pictor\'s jobs',
    description: 'Reports the image jobs of this workspace (those still running after a call returned, and the recent ones): each with its state, progress, page and prompt, and its saved files with pixel sizes and Markdown links. Reads only.',
    inputSchema: { ids: z.array(z.string().min(1).max(200)).max(100).optional().describe('Job ids from an earlier answer; all of this workspace\'s jobs when left out') },
    outputSchema: {
      jobs: z.array(jobSchema).optional(),
      unknown: z.array(z.string()).optional().describe('Ids this workspace has no job for'),
      refusal: refusalSchema.optional(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (input) => answering(server, 'job_status', {}, async () => {
    const { ws, engines } = await server.workspace();
    const all: { engine: Engine; job: JobRecord }[] = [];
    for (const engine of engines.values()) {
      const jobs = engine.session ? engine.session.queue.list() : await storedJobs(server.stateDir, engine.root.path);
      for (const job of jobs) if (isHeadlessJob(job.target.meta)) all.push({ engine, job });
    }
    const wanted = input.ids ? all.filter(({ job }) => input.ids!.includes(job.id)) : all;
    const unknown = (input.ids ?? []).filter((id) => !all.some(({ job }) => job.id === id));
    const jobs = wanted.sort((a, b) => a.job.createdAt - b.job.createdAt).map(({ engine, job }) => jobOut(ws, engine, job));
    const lines = [jobs.length ? `${jobs.length} job(s):` : 'No jobs in this workspace.'];
    for (const j of jobs) {
      lines.push(`Job ${j.id}: "${shortPrompt(j.prompt)}"${j.document ? ` for ${j.document}` : ''}: ${j.state}${j.linked ? ', linked into the page' : ''}`);
      lines.push(...jobLines(j));
    }
    if (unknown.length) lines.push(`Unknown job id(s): ${unknown.join(', ')}.`);
    return { content: [{ type: 'text', text: server.scrub(lines.join('\n')) }], structuredContent: { jobs, unknown } };
  }));
}
