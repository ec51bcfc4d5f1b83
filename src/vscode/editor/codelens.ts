// A CodeLens above each placeholder: Generate (with the pixel size and quality a click will use: the
// settings, the page's front matter and the placeholder's override, from the page's plan, the same the
// diagnostics and the commands use) / Generate all (N), or the progress while it runs.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import { entriesOf, type Figures, type Plan, type PlannedRequest, type SkippedItem } from '../../core/plan';
import { formatSize } from '../../shared/sizes';
import type { Generator } from '../run/generate';
import { pagePlan } from '../run/plans';
import { say, sayWords } from '../say';
import { IMAGE_MODEL } from '../../shared/model';

interface Cost { label: string; tooltip: string }

export class PlaceholderLenses extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly generator: Generator) {
    super();
    this.register(
      generator.onDidChange(() => this.changed.fire()),
      // The cost shown comes from the settings: a changed size or quality changes every lens.
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('pictor')) this.changed.fire(); }),
      this.changed,
    );
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const scan = this.generator.scan(doc);
    const runningFor = this.generator.runningIn(doc);
    const running = scan.placeholders.map((p) => (p.empty ? undefined : runningFor(p)));
    // The page's plan (shared with the diagnostics): what a click on each placeholder sends, or why not.
    const plan = pagePlan(doc, scan);
    const entries = entriesOf(plan);
    const ready = scan.placeholders.filter((p, i) => !p.empty && !running[i]).length;
    const total = ready > 1 ? allCost(plan, (i) => !scan.placeholders[i]!.empty && !running[i]) : undefined;
    const lenses: vscode.CodeLens[] = [];
    for (const [i, p] of scan.placeholders.entries()) {
      const range = new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.start));
      if (p.empty) {
        lenses.push(new vscode.CodeLens(range, { title: vscode.l10n.t('Pictor: write a prompt between the brackets'), command: '' }));
        continue;
      }
      const job = running[i];
      if (job?.pick) {
        lenses.push(new vscode.CodeLens(range, {
          title: vscode.l10n.t('$(check-all) {0} variants ready — Pick…', job.pick.count),
          command: 'pictor.pickVariant',
          arguments: [job.pick.id],
          tooltip: vscode.l10n.t('Open the Pictor panel on the variants and pick the one this placeholder links'),
        }));
        continue;
      }
      if (job) {
        const label = job.state === 'uploading' ? vscode.l10n.t('uploading references')
          : job.state === 'queued' ? vscode.l10n.t('queued') : `${job.progress ?? 0}%`;
        lenses.push(new vscode.CodeLens(range, { title: vscode.l10n.t('$(sync~spin) Pictor: {0}', label), command: 'pictor.openPanel', tooltip: vscode.l10n.t('Open the Pictor panel') }));
        continue;
      }
      const cost = costOf(entries[i]);
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('$(sparkle) Generate{0}', cost?.label ?? ''),
        command: 'pictor.generatePlaceholder',
        arguments: [doc.uri, range],
        tooltip: cost?.tooltip ?? vscode.l10n.t('Generate this image with {0}', IMAGE_MODEL.id),
      }));
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('Variants…'),
        command: 'pictor.generateVariants',
        arguments: [doc.uri, range],
        tooltip: vscode.l10n.t('Generate several variants of this image (each is billed) and pick the one to link'),
      }));
      if (ready > 1) {
        lenses.push(new vscode.CodeLens(range, {
          title: vscode.l10n.t('Generate all ({0})', ready),
          command: 'pictor.generateAllPlaceholders',
          arguments: [doc.uri],
          tooltip: total === undefined ? undefined
            : vscode.l10n.t('Generate {0} images: about {1}× the cost of one medium 1024×1024 image', total.images, total.cost.toFixed(2)),
        }));
      }
    }
    return lenses;
  }
}

/** What Generate all would bill: the requests of the ready placeholders, unless one of them cannot be sent for its options or settings. */
function allCost(plan: Plan, ready: (index: number) => boolean): { images: number; cost: number } | undefined {
  if (plan.skipped.some((s) => ready(s.index) && (s.reason === 'options' || s.reason === 'request'))) return undefined;
  const requests = plan.requests.filter((r) => ready(r.index));
  return { images: requests.reduce((n, r) => n + r.figures.images, 0), cost: requests.reduce((n, r) => n + r.figures.cost, 0) };
}

/**
 * What one click on a placeholder sends, from its entry in the page's plan: ` · 1536×1024 · low` (and
 * ` · ×2` for two images), or why nothing would be sent.
 */
function costOf(entry: { request?: PlannedRequest; skipped?: SkippedItem } | undefined): Cost | undefined {
  const { request, skipped } = entry ?? {};
  if (request) return withReferences(figuresCost(request.figures, request.style), request);
  if (!skipped) return undefined;
  switch (skipped.reason) {
    case 'reference':
    case 'styleFrom':
      return { label: vscode.l10n.t(' · check the references'), tooltip: vscode.l10n.t('Pictor will not send this placeholder: {0}', sayWords(skipped.words)) };
    case 'options':
      return { label: vscode.l10n.t(' · fix the page options'), tooltip: sayWords(skipped.words) };
    case 'request': {
      const settings = skipped.errors.filter((e) => e.field !== 'prompt').map(say).join(' ');
      return { label: vscode.l10n.t(' · check the settings'), tooltip: vscode.l10n.t('Pictor: {0} Fix it in the settings, then generate.', settings) };
    }
    case 'prompt':
      // The options are fine: the figures stay, and the tooltip says why the prompt would be refused (the diagnostic marks it).
      return skipped.figures && {
        label: figuresCost(skipped.figures, skipped.options?.values.style ?? '').label,
        tooltip: vscode.l10n.t('Pictor will not send this placeholder: {0}', sayWords(skipped.words)),
      };
    default:
      return undefined;
  }
}

/** The page's references a click sends (`references:`, `styleFrom: first`'s image): " · +1 style reference", " · +3 references". */
function withReferences(cost: Cost, r: PlannedRequest): Cost {
  const n = r.request.references.length + (r.follows !== undefined ? 1 : 0);
  if (!n) return cost;
  const label = n === 1 ? vscode.l10n.t(' · +1 style reference') : vscode.l10n.t(' · +{0} references', n);
  const after = r.follows !== undefined ? vscode.l10n.t(' It is sent once the first image of the page is made, with that image as a reference (styleFrom: first).') : '';
  return { label: cost.label + label, tooltip: cost.tooltip + vscode.l10n.t(' Reference images of the page sent with it: {0}.', n) + after };
}

function figuresCost(f: Figures, style: string): Cost {
  const size = f.size ? formatSize(f.size) : vscode.l10n.t('auto size');
  const count = f.images > 1 ? ` · ×${f.images}` : '';
  const styled = style ? vscode.l10n.t(' Style added to the prompt: "{0}".', style) : '';
  return {
    label: ` · ${size} · ${f.quality}${count}`,
    tooltip: vscode.l10n.t('Generate this image with {4}: {0}, {1} quality, {2} image(s), about {3}× the cost of one medium 1024×1024 image. Change it in the settings (pictor.size, pictor.quality, pictor.n), the page\'s front matter (pictor:) or an override comment after the placeholder.',
      size, f.quality, f.images, f.cost.toFixed(2), IMAGE_MODEL.id) + styled,
  };
}
