// The Reference images section: workspace files (a file picker on the host, or a drop from the
// Explorer) and URLs, as thumbnails with remove buttons, within the provider's limits (1–16 images,
// PNG/JPEG/WebP, 50 MB each). The host checks every addition; this side only keeps the list.
import { MAX_REFERENCE_IMAGES as MAX_REFERENCES } from '../src/shared/limits';
import type { ReferenceSpec, ReferenceView } from '../src/shared/protocol';
import { button, el, icon, keepFocus } from './dom';
import { send, t } from './state';

export class ReferencesView {
  readonly root: HTMLElement;
  private items: ReferenceView[] = [];
  private uploading = false;
  private readonly list = el('ul', { id: 'refs', class: 'thumbs', 'aria-label': '' });
  private readonly count = el('span', { id: 'refs-count', class: 'note', 'aria-live': 'polite' });
  private readonly problems = el('ul', { id: 'ref-problems', class: 'errors', role: 'alert' });
  private readonly url = el('input', { id: 'ref-url', type: 'url', placeholder: 'https://…', spellcheck: 'false', autocomplete: 'off' });
  private readonly drop: HTMLElement;
  private readonly details: HTMLDetailsElement;

  constructor(private readonly onChange: () => void) {
    this.list.setAttribute('aria-label', t('references'));
    this.url.setAttribute('aria-label', t('referenceUrl'));
    this.drop = el('div', { id: 'ref-drop', class: 'dropzone' }, icon('cloud-upload'), ' ', t('dropHint'));
    const addUrl = () => {
      const v = this.url.value.trim();
      if (!v) return;
      send({ type: 'addReferenceUrl', url: v });
    };
    this.url.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        addUrl();
      }
    });
    this.details = el('details', { id: 'refs-details' },
      el('summary', {}, el('h2', { id: 'references-h' }, t('references')), ' ', this.count),
      el('p', { class: 'note' }, t('refHint')),
      this.list,
      this.drop,
      el('div', { class: 'actions' },
        button({ id: 'ref-add-files', label: t('addFiles'), icon: 'add', onClick: () => send({ type: 'pickReferences' }) }),
        el('span', { class: 'url-box' }, this.url,
          button({ id: 'ref-add-url', label: t('addUrl'), icon: 'link', onClick: addUrl }))),
      this.problems,
    );
    this.root = el('section', { id: 'references', 'aria-labelledby': 'references-h' }, this.details);
    this.listenForDrops();
    this.render();
  }

  get(): ReferenceView[] {
    return this.items;
  }

  specs(): ReferenceSpec[] {
    return this.items.map((r) => (r.kind === 'file' ? { kind: 'file', path: r.value } : { kind: 'url', url: r.value }));
  }

  ok(): boolean {
    return this.items.length <= MAX_REFERENCES;
  }

  set(items: ReferenceView[]): void {
    this.items = items.slice(0, MAX_REFERENCES);
    this.details.open = this.items.length > 0;
    this.render();
  }

  /** What the host accepted (duplicates and anything past 16 are dropped, and said so). */
  add(added: ReferenceView[], problems: string[]): void {
    const more = [...problems];
    for (const r of added) {
      if (this.items.some((x) => x.value === r.value)) continue;
      if (this.items.length >= MAX_REFERENCES) {
        more.push(t('refTooMany', MAX_REFERENCES, r.label));
        continue;
      }
      this.items.push(r);
      if (r.kind === 'url' && this.url.value.trim() === r.value) this.url.value = '';
    }
    this.problems.replaceChildren(...more.map((p) => el('li', {}, p)));
    this.details.open = true;
    this.render();
    this.onChange();
  }

  /** While the host uploads the workspace files of a Generate, each shows it. */
  setUploading(on: boolean): void {
    this.uploading = on;
    this.render();
  }

  private remove(value: string): void {
    this.items = this.items.filter((r) => r.value !== value);
    this.problems.replaceChildren();
    this.render();
    this.onChange();
    this.url.focus();
  }

  private render(): void {
    this.count.textContent = `(${t('refCount', this.items.length, MAX_REFERENCES)})`;
    keepFocus(this.list, () => this.list.replaceChildren(...this.items.map((r) => this.item(r))));
    this.list.hidden = this.items.length === 0;
  }

  private item(r: ReferenceView): HTMLLIElement {
    const thumb = r.thumb
      ? el('img', { src: r.thumb, alt: '', class: 'thumb', loading: 'lazy' })
      : el('span', { class: 'thumb placeholder', 'aria-hidden': 'true' }, icon('link'));
    const size = r.bytes !== undefined ? ` · ${formatBytes(r.bytes)}` : '';
    const busy = this.uploading && r.kind === 'file';
    return el('li', { class: 'ref' },
      thumb,
      el('span', { class: 'label', title: r.label }, r.label, el('span', { class: 'note' }, size)),
      busy ? el('span', { class: 'badge', role: 'status' }, icon('loading', 'codicon-modifier-spin'), ' ', t('uploadingOne')) : null,
      button({ label: t('remove'), aria: t('removeReference', r.label), icon: 'close', iconOnly: true, key: `ref-remove:${r.value}`, onClick: () => this.remove(r.value) }));
  }

  private listenForDrops(): void {
    const zone = document.body;
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      this.drop.classList.add('over');
    });
    zone.addEventListener('dragleave', () => this.drop.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      this.drop.classList.remove('over');
      const dt = e.dataTransfer;
      if (!dt) return;
      // The Explorer puts resource URIs in these (VS Code holds drops for itself unless Shift is pressed).
      const text = dt.getData('application/vnd.code.uri-list') || dt.getData('text/uri-list') || dt.getData('text/plain');
      const uris = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
      if (uris.length) send({ type: 'dropReferences', uris: uris.slice(0, 64) });
    });
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
