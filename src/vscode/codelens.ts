// A CodeLens above each placeholder: Generate (with the pixel size and quality a click will use: the
// settings, the page's front matter and the placeholder's override) / Generate all (N), or the progress
// while it runs.
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { Placeholder } from '../core/placeholders';
import { formatSize } from '../shared/sizes';
import { inputFromSettings, readSettings } from './config';
import type { Generator } from './generate';
import { describeProblem, requestOptions, resolveOptions, sentPrompt, settingsLayers } from './pageOptions';
import type { PictorService } from './service';

interface Cost { label: string; tooltip: string; images: number; each?: number }

export class PlaceholderLenses extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly generator: Generator, private readonly service: PictorService) {
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
    const ready = scan.placeholders.filter((p, i) => !p.empty && !running[i]).length;
    const costs = ready ? this.costsOf(doc, scan.placeholders.filter((p, i) => !p.empty && !running[i])) : new Map<Placeholder, Cost>();
    const all = [...costs.values()];
    const total = all.every((c) => c.each !== undefined)
      ? { images: all.reduce((s, c) => s + c.images, 0), cost: all.reduce((s, c) => s + c.each!, 0) } : undefined;
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
      const cost = costs.get(p);
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('$(sparkle) Generate{0}', cost?.label ?? ''),
        command: 'pictor.generatePlaceholder',
        arguments: [doc.uri, range],
        tooltip: cost?.tooltip ?? vscode.l10n.t('Generate this image with gpt-image-2'),
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

  /**
   * What one click on each placeholder costs, worked out by the very validation the command runs on
   * its effective options (settings, page, override): ` · 1536×1024 · low` (and ` · ×2` for two images).
   */
  private costsOf(doc: vscode.TextDocument, placeholders: Placeholder[]): Map<Placeholder, Cost> {
    const settings = readSettings(doc.uri);
    const layers = settingsLayers(doc.uri);
    const scan = this.generator.scan(doc);
    const text = doc.getText();
    const byOptions = new Map<string, Cost>();
    const out = new Map<Placeholder, Cost>();
    for (const p of placeholders) {
      const o = resolveOptions({ doc, scan, placeholder: p, text, settings: layers });
      const bad = o.problems.find((x) => x.severity === 'error');
      if (bad) {
        out.set(p, { label: vscode.l10n.t(' · fix the page options'), tooltip: describeProblem(bad), images: 0 });
        continue;
      }
      const key = JSON.stringify(o.values);
      let cost = byOptions.get(key);
      if (!cost) {
        cost = this.costOf(inputFromSettings(sentPrompt('x', o), settings), requestOptions(o), o.values.style);
        byOptions.set(key, cost);
      }
      out.set(p, cost);
    }
    return out;
  }

  private costOf(base: ReturnType<typeof inputFromSettings>, options: ReturnType<typeof requestOptions>, style: string): Cost {
    const v = this.service.validate({ ...base, ...options });
    if (!v.ok) {
      return { label: vscode.l10n.t(' · check the settings'), tooltip: vscode.l10n.t('Pictor: {0} Fix it in the settings, then generate.', v.message), images: options.n };
    }
    const size = v.expectedSize ? formatSize(v.expectedSize) : vscode.l10n.t('auto size');
    const quality = v.body.quality ?? options.quality;
    const count = v.imageCount > 1 ? ` · ×${v.imageCount}` : '';
    const styled = style ? vscode.l10n.t(' Style added to the prompt: "{0}".', style) : '';
    return {
      label: ` · ${size} · ${quality}${count}`,
      tooltip: vscode.l10n.t('Generate this image with gpt-image-2: {0}, {1} quality, {2} image(s), about {3}× the cost of one medium 1024×1024 image. Change it in the settings (pictor.size, pictor.quality, pictor.n), the page\'s front matter (pictor:) or an override comment after the placeholder.',
        size, quality, v.imageCount, v.relativeCost.toFixed(2)) + styled,
      images: v.imageCount,
      each: v.relativeCost,
    };
  }
}
