// The History section: past generations (they survive restarts) with prompt, options, date, files
// and task id; per entry Reuse Settings (fills the form) and Generate Again.
import type { HistoryView, PanelOptions } from '../src/shared/protocol';
import { button, el, keepFocus, section } from './dom';
import { resultItem } from './results';
import { newRequestId, send, t } from './state';

export class HistoryList {
  readonly root: HTMLElement;
  private readonly list = el('ol', { id: 'history', class: 'history' });
  private readonly empty = el('p', { id: 'history-empty', class: 'note' });

  constructor(private readonly reuse: (options: PanelOptions, prompt: string) => void) {
    this.empty.textContent = t('historyEmpty');
    this.root = section('history-section', t('history'), this.empty, this.list);
  }

  set(entries: HistoryView[]): void {
    this.empty.hidden = entries.length > 0;
    keepFocus(this.list, () => this.list.replaceChildren(...entries.map((e) => this.entry(e))));
  }

  private entry(e: HistoryView): HTMLLIElement {
    const o = e.options;
    const size = o.size === 'auto' ? t('sizeAuto') : /^\d+:\d+$/.test(o.size) ? `${o.size} · ${o.resolution}` : o.size;
    const when = new Date(e.date);
    return el('li', { class: 'entry', 'data-id': e.id },
      el('p', { class: 'entry-prompt', title: e.prompt }, e.prompt),
      el('p', { class: 'note' },
        el('time', { datetime: when.toISOString() }, when.toLocaleString()),
        ` · ${size} · ${o.quality} · ${t('imagesCount', o.n)}`,
        look(o),
        e.references ? ` · ${t('historyReferences', e.references)}` : '',
        e.taskId ? ` · ${t('taskId', e.taskId)}` : ''),
      e.files.length ? el('ul', { class: 'results small', 'aria-label': t('filesOf', e.prompt.slice(0, 60)) }, ...e.files.map((f) => resultItem(f, true))) : null,
      el('div', { class: 'actions' },
        button({ label: t('reuse'), aria: t('reuseFor', e.prompt.slice(0, 60)), icon: 'reply', key: `reuse:${e.id}`, onClick: () => this.reuse(o, e.prompt) }),
        button({ label: t('generateAgain'), aria: t('generateAgainFor', e.prompt.slice(0, 60)), icon: 'sparkle', key: `again:${e.id}`,
          onClick: () => send({ type: 'generateAgain', id: e.id, requestId: newRequestId() }) }),
        button({ label: t('removeEntry'), aria: t('removeEntryFor', e.prompt.slice(0, 60)), icon: 'trash', iconOnly: true, key: `forget:${e.id}`,
          onClick: () => send({ type: 'removeHistory', id: e.id }) })),
    );
  }
}

const FORMAT_NAMES: Record<string, string> = { png: 'PNG', webp: 'WebP', jpeg: 'JPEG' };

/** The look an entry was made with, where it is not the plain one: " · transparent · WebP · at most 1200 px wide". */
function look(o: PanelOptions): string {
  const parts: string[] = [];
  if (o.background === 'transparent') parts.push(t('backgroundTransparent'));
  if (o.format && o.format !== 'png') parts.push(FORMAT_NAMES[o.format] ?? o.format);
  if (o.maxWidth) parts.push(t('historyMaxWidth', o.maxWidth));
  return parts.map((p) => ` · ${p}`).join('');
}
