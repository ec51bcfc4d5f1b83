// The Queue section: every task of this window with its prompt, status, a progress bar with the
// percent, the elapsed time, Cancel while it runs, Retry after a failure, and why it failed.
import type { JobStateView, JobView, StringKey, UsageView } from '../src/shared/protocol';
import { usageText } from './spend';
import { button, el, formatElapsed, icon, keepFocus, section } from './dom';
import { send, t } from './state';

const STATE_ICON: Record<JobStateView, string> = {
  uploading: 'cloud-upload', queued: 'clock', creating: 'loading', running: 'loading', downloading: 'cloud-download',
  completed: 'pass-filled', failed: 'error', cancelled: 'circle-slash', timed_out: 'watch', unknown: 'question',
};
const STATE_TEXT: Record<JobStateView, StringKey> = {
  uploading: 'stateUploading', queued: 'stateQueued', creating: 'stateCreating', running: 'stateRunning', downloading: 'stateDownloading',
  completed: 'stateCompleted', failed: 'stateFailed', cancelled: 'stateCancelled', timed_out: 'stateTimedOut', unknown: 'stateUnknown',
};

export class QueueView {
  readonly root: HTMLElement;
  private readonly list = el('ul', { id: 'queue', class: 'queue' });
  private readonly empty = el('p', { id: 'queue-empty', class: 'note' });
  private jobs: JobView[] = [];
  /** The provider's usage per task id (from the host's `spend` message). */
  private usage: Record<string, UsageView> = {};
  /** performance.now() when the jobs arrived: elapsed times tick on from the host's numbers. */
  private receivedAt = 0;
  private timer: number | undefined;
  /** Rows whose Retry was clicked and that now ask whether to send a create that may be billed again. */
  private readonly asking = new Set<string>();

  constructor() {
    this.empty.textContent = t('queueEmpty');
    this.root = section('queue-section', t('queue'), this.empty, this.list);
  }

  set(jobs: JobView[]): void {
    this.jobs = jobs;
    for (const id of [...this.asking]) if (!jobs.some((j) => j.id === id && j.canRetry)) this.asking.delete(id);
    this.receivedAt = performance.now();
    this.render();
  }

  /** Draws the rows again from the jobs already received (the elapsed times keep their base). */
  private render(): void {
    const jobs = this.jobs;
    this.empty.hidden = jobs.length > 0;
    keepFocus(this.list, () => this.list.replaceChildren(...jobs.map((j) => this.row(j))));
    this.tick();
  }

  setUsage(usage: Record<string, UsageView>): void {
    this.usage = usage;
    this.set(this.jobs);
  }

  private row(j: JobView): HTMLLIElement {
    const usage = j.taskId ? usageText(this.usage[j.taskId]) : undefined;
    const busy = j.state === 'creating' || j.state === 'running';
    const title = j.prompt || t('noPrompt');
    const progress = el('progress', { max: '100', value: String(j.progress), 'aria-label': t('progressOf', title) });
    return el('li', { class: `job state-${j.state}`, 'data-id': j.id },
      el('div', { class: 'job-head' },
        icon(STATE_ICON[j.state], busy ? 'codicon-modifier-spin' : ''),
        el('span', { class: 'job-prompt', title }, title),
        el('span', { class: 'job-status' }, t(STATE_TEXT[j.state]))),
      el('div', { class: 'job-progress' },
        progress,
        el('span', { class: 'pct' }, `${j.progress}%`),
        el('span', { class: 'elapsed', 'data-elapsed': j.id, title: t('elapsed') }, formatElapsed(j.elapsedMs))),
      j.error ? el('p', { class: 'job-error' }, icon('warning'), ' ', j.error) : null,
      j.sizeNote ? el('p', { class: 'note size-note' }, icon('info'), ' ', j.sizeNote) : null,
      ...(j.converted ?? []).map((c) => el('p', { class: 'note converted' }, icon('file-media'), ' ', t('converted', c))),
      j.retrying ? el('p', { class: 'note retrying' }, icon('refresh'), ' ', t('retrying')) : null,
      this.asking.has(j.id) && j.retryAsks
        ? el('div', { class: 'retry-ask', role: 'alert' },
          el('p', { class: 'job-error' }, icon('warning'), ' ', j.retryAsks),
          el('div', { class: 'actions' },
            button({ label: t('retryAgain'), aria: t('retryAgain'), icon: 'refresh', key: `retry-confirm:${j.id}`, onClick: () => this.confirm(j.id) }),
            button({ label: t('retryKeep'), aria: t('retryKeep'), icon: 'close', key: `retry-keep:${j.id}`, onClick: () => this.dismiss(j.id) })))
        : j.canCancel || j.canRetry
          ? el('div', { class: 'actions' },
            j.canCancel ? button({ label: t('cancel'), aria: t('cancelTask', title), icon: 'stop-circle', key: `cancel:${j.id}`, onClick: () => send({ type: 'cancel', id: j.id }) }) : null,
            j.canRetry ? button({ label: t('retry'), aria: t('retryTask', title), icon: 'refresh', key: `retry:${j.id}`, onClick: () => this.retry(j) }) : null)
          : null,
      j.taskId ? el('p', { class: 'note task-id' }, t('taskId', j.taskId)) : null,
      usage ? el('p', { class: 'note usage' }, usage) : null,
    );
  }

  /** A Retry that may bill a second create asks first, in the row, and says why. */
  private retry(j: JobView): void {
    if (!j.retryAsks) {
      send({ type: 'retry', id: j.id });
      return;
    }
    this.asking.add(j.id);
    this.render();
  }

  private confirm(id: string): void {
    this.asking.delete(id);
    send({ type: 'retry', id, confirmBilled: true });
    this.render();
  }

  private dismiss(id: string): void {
    this.asking.delete(id);
    this.render();
  }

  /** Elapsed times of running tasks move every second without asking the host. */
  private tick(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    const running = this.jobs.filter((j) => j.ticking);
    if (!running.length) return;
    const since = performance.now() - this.receivedAt;
    for (const j of running) {
      const cell = this.list.querySelector(`[data-elapsed="${CSS.escape(j.id)}"]`);
      if (cell) cell.textContent = formatElapsed(j.elapsedMs + since);
    }
    this.timer = window.setTimeout(() => this.tick(), 1000);
  }
}
