// A CodeLens above each placeholder: Generate / Generate all (N), or the progress while it runs.
import * as vscode from 'vscode';
import type { Generator } from './generate';

export class PlaceholderLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly generator: Generator) {
    this.onDidChangeCodeLenses = generator.onDidChange;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const scan = this.generator.scan(doc);
    const runningFor = this.generator.runningIn(doc);
    const running = scan.placeholders.map((p) => (p.empty ? undefined : runningFor(p)));
    const ready = scan.placeholders.filter((p, i) => !p.empty && !running[i]).length;
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
        lenses.push(new vscode.CodeLens(range, { title: `$(sync~spin) Pictor: ${label}`, command: 'pictor.openPanel', tooltip: vscode.l10n.t('Open the Pictor panel') }));
        continue;
      }
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('$(sparkle) Generate'),
        command: 'pictor.generatePlaceholder',
        arguments: [doc.uri, range],
        tooltip: vscode.l10n.t('Generate this image with gpt-image-2'),
      }));
      if (ready > 1) {
        lenses.push(new vscode.CodeLens(range, {
          title: vscode.l10n.t('Generate all ({0})', ready),
          command: 'pictor.generateAllPlaceholders',
          arguments: [doc.uri],
        }));
      }
    }
    return lenses;
  }
}
