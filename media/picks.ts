// The Pick a Variant section: a placeholder's saved variants side by side, one listbox per
// placeholder. Arrow keys (and Home/End) move between them, Enter or Space links the one in focus,
// a click selects; Link This One links the selected one. Keep All, Link None stops waiting.
import type { PickView } from '../src/shared/protocol';
import { button, el, keepFocus } from './dom';
import { send, t } from './state';

export class PicksView {
  readonly root: HTMLElement;
  private readonly list = el('div', { id: 'picks', class: 'picks' });
  /** The selected variant of each pick, by pick id: kept across updates. */
  private readonly selected = new Map<string, string>();
  private picks: PickView[] = [];

  constructor() {
    this.root = el('section', { id: 'picks-section', 'aria-labelledby': 'picks-section-h', hidden: true },
      el('h2', { id: 'picks-section-h' }, t('picks')),
      el('p', { class: 'note', id: 'picks-hint' }, t('picksHint')),
      this.list);
  }

  set(picks: PickView[]): void {
    this.picks = picks;
    const ids = new Set(picks.map((p) => p.id));
    for (const id of [...this.selected.keys()]) if (!ids.has(id)) this.selected.delete(id);
    this.root.hidden = picks.length === 0;
    keepFocus(this.list, () => this.list.replaceChildren(...picks.map((p, i) => this.pickBlock(p, i))));
  }

  /** Puts keyboard focus on the selected (or first) variant of this pick and scrolls it into view. */
  focus(id: string): void {
    const box = [...this.list.querySelectorAll<HTMLElement>('[role="listbox"]')].find((b) => b.dataset.pick === id);
    const option = box?.querySelector<HTMLElement>('[role="option"][aria-selected="true"]') ?? box?.querySelector<HTMLElement>('[role="option"]');
    option?.scrollIntoView({ block: 'nearest' });
    option?.focus();
  }

  private pickBlock(p: PickView, index: number): HTMLElement {
    const headingId = `pick-${index}-h`;
    const current = this.selected.get(p.id) ?? p.files[0]?.path;
    const box = el('ul', {
      class: 'variants', role: 'listbox', 'aria-orientation': 'horizontal', 'aria-labelledby': headingId,
      'aria-describedby': 'picks-hint', 'data-pick': p.id,
    });
    const options = p.files.map((f, i) => {
      const dims = f.width && f.height ? `${f.width}×${f.height}` : '';
      const isSelected = f.path === current;
      const li = el('li', {
        role: 'option', class: 'variant', tabindex: isSelected ? '0' : '-1', 'aria-selected': isSelected ? 'true' : 'false',
        'aria-label': t('pickOption', i + 1, p.files.length, [f.label, dims].filter(Boolean).join(', ')),
        'data-key': `pick:${p.id}:${f.path}`, 'data-path': f.path, title: f.label,
      },
      f.thumb ? el('img', { src: f.thumb, alt: '', class: 'thumb' }) : null,
      el('span', { class: 'caption' }, `${i + 1}`, dims ? el('span', { class: 'note' }, ` · ${dims}`) : null));
      li.addEventListener('click', () => this.select(p.id, box, li));
      li.addEventListener('dblclick', () => send({ type: 'pickVariant', id: p.id, path: f.path }));
      return li;
    });
    box.append(...options);
    box.addEventListener('keydown', (e) => this.onKey(e, p, box));
    return el('div', { class: 'pick' },
      el('h3', { id: headingId }, t('pickFor', p.prompt, p.document)),
      box,
      el('div', { class: 'actions' },
        button({ label: t('pickThis'), icon: 'check', primary: true, key: `pickThis:${p.id}`,
          onClick: () => {
            const chosen = this.selected.get(p.id) ?? p.files[0]?.path;
            if (chosen) send({ type: 'pickVariant', id: p.id, path: chosen });
          } }),
        button({ label: t('pickDismiss'), aria: t('pickDismissFor', p.prompt), icon: 'close', key: `pickDismiss:${p.id}`,
          onClick: () => send({ type: 'dismissPick', id: p.id }) })));
  }

  private select(id: string, box: HTMLElement, option: HTMLElement): void {
    for (const o of box.querySelectorAll<HTMLElement>('[role="option"]')) {
      const on = o === option;
      o.setAttribute('aria-selected', on ? 'true' : 'false');
      o.tabIndex = on ? 0 : -1;
    }
    if (option.dataset.path) this.selected.set(id, option.dataset.path);
    option.focus();
  }

  private onKey(e: KeyboardEvent, p: PickView, box: HTMLElement): void {
    const options = [...box.querySelectorAll<HTMLElement>('[role="option"]')];
    const at = options.findIndex((o) => o === document.activeElement);
    if (at < 0) return;
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowRight':
      case 'ArrowDown':
        next = Math.min(options.length - 1, at + 1);
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
        next = Math.max(0, at - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = options.length - 1;
        break;
      case 'Enter':
      case ' ': {
        e.preventDefault();
        const path = options[at]!.dataset.path;
        if (path && this.picks.some((x) => x.id === p.id)) send({ type: 'pickVariant', id: p.id, path });
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    this.select(p.id, box, options[next]!);
  }
}
