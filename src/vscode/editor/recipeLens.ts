// A CodeLens above each image link whose file carries a Pictor recipe: Regenerate. Whether a file has
// one is read from the file (its PNG text chunks or its sidecar), cached by modification time so a
// page with many images is not re-read on every keystroke.
import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import { readRecipeFile } from '../../core/recipe';
import type { Generator } from '../run/generate';
import { linkedFile, type Regenerator } from './regenerate';

export class RecipeLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  private readonly known = new Map<string, { mtime: number; has: boolean }>();

  constructor(private readonly generator: Generator, private readonly regenerator: Regenerator) {
    this.onDidChangeCodeLenses = generator.onDidChange;
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    const lenses: vscode.CodeLens[] = [];
    for (const img of this.generator.scan(doc).images) {
      if (token.isCancellationRequested) return [];
      const file = linkedFile(doc, img.url);
      if (!file || !(await this.hasRecipe(file))) continue;
      const range = new vscode.Range(doc.positionAt(img.start), doc.positionAt(img.start));
      if (this.regenerator.isRunning(doc, img.url)) {
        lenses.push(new vscode.CodeLens(range, { title: vscode.l10n.t('$(sync~spin) Pictor: regenerating'), command: 'pictor.openPanel' }));
        continue;
      }
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('$(refresh) Regenerate'),
        command: 'pictor.regenerateImage',
        arguments: [doc.uri, range],
        tooltip: vscode.l10n.t('Send this image\'s recipe again (prompt editable) and link the new image'),
      }));
    }
    return lenses;
  }

  private async hasRecipe(file: string): Promise<boolean> {
    let mtime: number;
    try {
      mtime = (await stat(file)).mtimeMs;
    } catch {
      return false;
    }
    const k = this.known.get(file);
    if (k && k.mtime === mtime) return k.has;
    const has = Boolean(await readRecipeFile(file));
    if (this.known.size > 2000) this.known.clear();
    this.known.set(file, { mtime, has });
    return has;
  }
}
