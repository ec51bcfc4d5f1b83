// Where a command's progress shows. One task: its CodeLens and the status bar say enough, so no
// notification covers the editor for minutes. A batch: one notification whose bar fills by real
// increments (each task's own progress, finished tasks at 100%), cancellable.
import * as vscode from 'vscode';
import { FINAL_STATES, type JobRecord } from '../../core/store';
import type { JobMeta } from '../state/jobMeta';
import type { PictorService } from '../service';
import type { UserInput } from '../userInput';

export interface Submitted {
  job: JobRecord<JobMeta>;
  done: Promise<JobRecord<JobMeta>>;
}

export async function waitWithProgress(service: PictorService, title: string, submitted: Submitted[],
  withProgress: UserInput['withProgress']): Promise<JobRecord<JobMeta>[]> {
  if (submitted.length === 0) return [];
  if (submitted.length === 1) return [await submitted[0]!.done];
  return withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pictor: {0}', title), cancellable: true }, async (progress, token) => {
    const ids = new Set(submitted.map((s) => s.job.id));
    const cancel = token.onCancellationRequested(() => ids.forEach((id) => void service.queue.cancel(id)));
    let done = 0;
    let shown = 0; // percent of the whole batch the bar already shows
    const report = () => {
      const jobs = [...ids].map((id) => service.queue.get(id)).filter((j): j is JobRecord<JobMeta> => Boolean(j));
      const sum = jobs.reduce((s, j) => s + (FINAL_STATES.includes(j.state) ? 100 : Math.min(100, Math.max(0, j.progress ?? 0))), 0);
      const percent = Math.floor(sum / submitted.length);
      // The bar only moves forward: a task that is retried starts again at 0 but the bar stays.
      const increment = Math.max(0, percent - shown);
      shown += increment;
      const message = vscode.l10n.t('{0} of {1} done · {2}%', done, submitted.length, shown);
      progress.report({ increment, message });
    };
    const sub = service.onJobEvent((e) => { if (ids.has(e.job.id)) report(); });
    report();
    try {
      return await Promise.all(submitted.map((s) => s.done.then((j) => { done++; report(); return j; })));
    } finally {
      cancel.dispose();
      sub.dispose();
    }
  });
}
