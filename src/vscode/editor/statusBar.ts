// `$(sync~spin) Pictor: 2 running` while tasks run (`Pictor: 1 running · 40%` for one); a click opens the panel.
import * as vscode from 'vscode';
import { isLive } from '../../core/jobs/states';
import type { PictorService } from '../service';

export class RunningStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pictor.running', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;

  constructor(private readonly service: PictorService) {
    this.item.name = vscode.l10n.t('Pictor tasks');
    this.item.command = 'pictor.openPanel';
    this.sub = service.onJobEvent(() => this.update());
    this.update();
  }

  private update(): void {
    const active = this.service.queue.list().filter(isLive);
    const n = active.length;
    if (n === 0) {
      this.item.hide();
      return;
    }
    // A single task has no notification (see progress.ts): its progress shows here.
    const one = n === 1 && active[0]!.state === 'running' ? ` · ${active[0]!.progress ?? 0}%` : '';
    this.item.text = vscode.l10n.t('$(sync~spin) Pictor: {0} running', n) + one;
    this.item.tooltip = vscode.l10n.t('Pictor is generating {0} image task(s). Click to open the panel.', n);
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
