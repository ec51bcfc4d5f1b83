// The options the active page's placeholders are generated with (its front matter, then the settings
// for its folder), where each comes from, and what is wrong with the page's options. The host words it.
import type { TargetView } from '../src/shared/protocol';
import { el, icon } from './dom';

export class PageOptionsLine {
  readonly root = el('div', { id: 'page-options', class: 'page-options', 'aria-live': 'polite' });
  private readonly summary = el('p', { id: 'page-options-summary', class: 'page-summary' });
  private readonly sources = el('p', { id: 'page-options-sources', class: 'note' });
  private readonly problems = el('ul', { id: 'page-options-problems', class: 'errors', role: 'alert' });

  constructor() {
    this.root.append(this.summary, this.sources, this.problems);
    this.root.hidden = true;
  }

  set(target: TargetView): void {
    const page = target.page;
    this.root.hidden = !page;
    if (!page) return;
    this.summary.replaceChildren(icon('settings'), ' ', page.summary);
    this.sources.textContent = page.sources;
    this.problems.replaceChildren(...page.problems.map((m) => el('li', {}, m)));
  }
}
