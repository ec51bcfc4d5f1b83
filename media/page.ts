// The options the active page's placeholders are generated with (its front matter, then the settings
// for its folder), where each comes from, what is wrong with the page's options, and the page's own
// reference images (issue 24 §1) as thumbnails, or why one cannot be sent. The host words it all.
import type { PageReferenceView, TargetView } from '../src/shared/protocol';
import { el, icon } from './dom';
import { t } from './state';

export class PageOptionsLine {
  readonly root = el('div', { id: 'page-options', class: 'page-options', 'aria-live': 'polite' });
  private readonly summary = el('p', { id: 'page-options-summary', class: 'page-summary' });
  private readonly sources = el('p', { id: 'page-options-sources', class: 'note' });
  private readonly problems = el('ul', { id: 'page-options-problems', class: 'errors', role: 'alert' });
  private readonly refsHeading = el('p', { id: 'page-refs-h', class: 'note' });
  private readonly refs = el('ul', { id: 'page-refs', class: 'thumbs', 'aria-labelledby': 'page-refs-h' });

  constructor() {
    this.refsHeading.textContent = t('pageReferences');
    this.root.append(this.summary, this.sources, this.problems, this.refsHeading, this.refs);
    this.root.hidden = true;
  }

  set(target: TargetView): void {
    const page = target.page;
    this.root.hidden = !page;
    if (!page) return;
    this.summary.replaceChildren(icon('settings'), ' ', page.summary);
    this.sources.textContent = page.sources;
    this.problems.replaceChildren(...page.problems.map((m) => el('li', {}, m)));
    const refs = page.references ?? [];
    this.refsHeading.hidden = refs.length === 0;
    this.refs.hidden = refs.length === 0;
    this.refs.replaceChildren(...refs.map((r) => item(r)));
  }
}

function item(r: PageReferenceView): HTMLLIElement {
  const mark = (name: string) => el('span', { class: 'thumb placeholder', 'aria-hidden': 'true' }, icon(name));
  let thumb: HTMLElement;
  if (r.thumb && !r.problem) {
    const img = el('img', { src: r.thumb, alt: '', class: 'thumb', loading: 'lazy' });
    // Gone since the host checked it: a mark, never a broken image (the host looks again when files change).
    img.addEventListener('error', () => img.replaceWith(mark('warning')), { once: true });
    thumb = img;
  } else {
    thumb = mark(r.problem ? 'warning' : r.kind === 'url' ? 'link' : r.kind === 'first' ? 'sparkle' : 'file-media');
  }
  const note = [r.from, r.detail].filter(Boolean).join(' · ');
  return el('li', { class: r.problem ? 'ref page-ref problem' : 'ref page-ref' },
    thumb,
    el('span', { class: 'label', title: r.label }, r.label,
      el('span', { class: 'note' }, ` · ${note}`),
      r.problem ? el('span', { class: 'ref-problem', role: 'alert' }, r.problem) : null));
}
