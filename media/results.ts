// The Results section: thumbnails of the images saved by this window's tasks, each with Insert Link
// (into the last active Markdown editor, at its cursor), Open, Reveal in Explorer and Copy Path.
import type { FileView, JobView, StringKey } from '../src/shared/protocol';
import { button, el, keepFocus, section } from './dom';
import { send, t } from './state';

export class ResultsView {
  readonly root: HTMLElement;
  private readonly list = el('ul', { id: 'results', class: 'results' });
  private readonly empty = el('p', { id: 'results-empty', class: 'note' });

  constructor() {
    this.empty.textContent = t('resultsEmpty');
    this.root = section('results-section', t('results'), this.empty, this.list);
  }

  set(jobs: JobView[]): void {
    const files = jobs.filter((j) => j.state === 'completed').flatMap((j) => j.files);
    this.empty.hidden = files.length > 0;
    keepFocus(this.list, () => this.list.replaceChildren(...files.map((f) => resultItem(f))));
  }
}

/** One saved image with its actions; also used by the History section. */
export function resultItem(f: FileView, small = false): HTMLLIElement {
  const dims = f.width && f.height ? ` · ${f.width}×${f.height}` : '';
  const act = (kind: 'insertLink' | 'open' | 'reveal' | 'copyPath', label: string, aria: StringKey, iconName: string) =>
    button({ label, aria: t(aria, f.label), icon: iconName, iconOnly: small, key: `${kind}:${small ? 'h:' : ''}${f.path}`,
      onClick: () => send({ type: kind, path: f.path }) });
  return el('li', { class: small ? 'result small' : 'result' },
    el('figure', {},
      f.thumb ? el('img', { src: f.thumb, alt: f.alt, class: 'thumb', loading: 'lazy' }) : null,
      el('figcaption', { title: f.path }, f.label, el('span', { class: 'note' }, dims),
        f.converted ? el('span', { class: 'note converted' }, ` · ${t('converted', f.converted)}`) : null)),
    el('div', { class: 'actions' },
      act('insertLink', t('insertLink'), 'insertLinkTo', 'insert'),
      act('open', t('open'), 'openFile', 'go-to-file'),
      act('reveal', t('reveal'), 'revealFile', 'folder-opened'),
      act('copyPath', t('copyPath'), 'copyPathOf', 'copy')));
}
