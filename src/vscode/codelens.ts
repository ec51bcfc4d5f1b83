// A CodeLens above each placeholder: Generate (with the pixel size and quality a click will use) /
// Generate all (N), or the progress while it runs.
import * as vscode from 'vscode';
import { formatSize } from '../core/sizes';
import { inputFromSettings, readSettings } from './config';
import type { Generator } from './generate';
import type { PictorService } from './service';

export class PlaceholderLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly generator: Generator, private readonly service: PictorService) {
    this.subs = [
      generator.onDidChange(() => this.changed.fire()),
      // The cost shown comes from the settings: a changed size or quality changes every lens.
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('pictor')) this.changed.fire(); }),
      this.changed,
    ];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const scan = this.generator.scan(doc);
    const runningFor = this.generator.runningIn(doc);
    const running = scan.placeholders.map((p) => (p.empty ? undefined : runningFor(p)));
    const ready = scan.placeholders.filter((p, i) => !p.empty && !running[i]).length;
    const cost = ready ? this.costOf(doc) : undefined;
    const lenses: vscode.CodeLens[] = [];
    for (const [i, p] of scan.placeholders.entries()) {
      const range = new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.start));
      if (p.empty) {
        lenses.push(new vscode.CodeLens(range, { title: vscode.l10n.t('Pictor: write a prompt between the brackets'), command: '' }));
        continue;
      }
      const job = running[i];
      if (job) {
        const label = job.state === 'queued' ? vscode.l10n.t('queued') : `${job.progress ?? 0}%`;
        lenses.push(new vscode.CodeLens(range, { title: vscode.l10n.t('$(sync~spin) Pictor: {0}', label), command: 'pictor.openPanel', tooltip: vscode.l10n.t('Open the Pictor panel') }));
        continue;
      }
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('$(sparkle) Generate{0}', cost?.label ?? ''),
        command: 'pictor.generatePlaceholder',
        arguments: [doc.uri, range],
        tooltip: cost?.tooltip ?? vscode.l10n.t('Generate this image with gpt-image-2'),
      }));
      if (ready > 1) {
        lenses.push(new vscode.CodeLens(range, {
          title: vscode.l10n.t('Generate all ({0})', ready),
          command: 'pictor.generateAllPlaceholders',
          arguments: [doc.uri],
          tooltip: cost?.each === undefined ? undefined
            : vscode.l10n.t('Generate {0} images: about {1}× the cost of one medium 1024×1024 image', ready * cost.images, (ready * cost.each).toFixed(2)),
        }));
      }
    }
    return lenses;
  }

  /**
   * What one click costs, worked out by the very validation the command runs on the document's
   * settings: ` · 1536×1024 · low` (and ` · ×2` for two images per prompt).
   */
  private costOf(doc: vscode.TextDocument): { label: string; tooltip: string; images: number; each?: number } {
    const settings = readSettings(doc.uri);
    const v = this.service.validate(inputFromSettings('x', settings));
    if (!v.ok) {
      return { label: vscode.l10n.t(' · check the settings'), tooltip: vscode.l10n.t('Pictor: {0} Fix it in the settings, then generate.', v.message), images: settings.n };
    }
    const size = v.expectedSize ? formatSize(v.expectedSize) : vscode.l10n.t('auto size');
    const quality = v.body.quality ?? settings.quality;
    const count = v.imageCount > 1 ? ` · ×${v.imageCount}` : '';
    return {
      label: ` · ${size} · ${quality}${count}`,
      tooltip: vscode.l10n.t('Generate this image with gpt-image-2: {0}, {1} quality, {2} image(s), about {3}× the cost of one medium 1024×1024 image. Change it in the settings (pictor.size, pictor.quality, pictor.n).',
        size, quality, v.imageCount, v.relativeCost.toFixed(2)),
      images: v.imageCount,
      each: v.relativeCost,
    };
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
  }
}
