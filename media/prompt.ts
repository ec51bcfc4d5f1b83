// The Prompt section: the text, a live code-point counter against the provider's 32,000, where the
// links will go, Generate and Use Selection.
import { MAX_PROMPT_CODE_POINTS as MAX_PROMPT } from '../src/shared/limits';
import type { FieldError, SubmissionPhase, TargetView } from '../src/shared/protocol';
import { codePointCount } from '../src/shared/text';
import { button, el, icon, section } from './dom';
import { send, t } from './state';

export class PromptView {
  readonly root: HTMLElement;
  private readonly text = el('textarea', { id: 'prompt', rows: '6', spellcheck: 'true', 'aria-describedby': 'prompt-count prompt-target prompt-errors' });
  private readonly counter = el('span', { id: 'prompt-count', class: 'counter', 'aria-live': 'polite' });
  private readonly target = el('p', { id: 'prompt-target', class: 'note' });
  private readonly errors = el('ul', { id: 'prompt-errors', class: 'errors', role: 'alert' });
  private readonly status = el('p', { id: 'submission', class: 'status', role: 'status' });
  readonly generate: HTMLButtonElement;
  private hostErrors: FieldError[] = [];
  private busy = false;

  constructor(onGenerate: () => void, private readonly onChange: () => void) {
    this.generate = button({ id: 'generate', label: t('generate'), icon: 'sparkle', primary: true, onClick: onGenerate });
    this.root = section('prompt-section', t('prompt'),
      el('label', { for: 'prompt', class: 'visually-hidden' }, t('promptLabel')),
      this.text,
      el('div', { class: 'row between' }, this.target, this.counter),
      this.errors,
      el('div', { class: 'actions' },
        this.generate,
        button({ id: 'use-selection', label: t('useSelection'), icon: 'selection', onClick: () => send({ type: 'useSelection' }) })),
      this.status,
    );
    this.text.placeholder = t('promptPlaceholder');
    this.text.addEventListener('input', () => {
      this.hostErrors = [];
      this.refresh();
      this.onChange();
    });
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (!this.generate.disabled) onGenerate();
      }
    });
  }

  get value(): string {
    return this.text.value;
  }

  set value(v: string) {
    this.text.value = v;
    this.hostErrors = [];
    this.refresh();
  }

  /** Puts text in (Use Selection), where the cursor is, replacing what is selected. */
  insert(v: string): void {
    const { selectionStart: a, selectionEnd: b, value } = this.text;
    this.text.value = value.slice(0, a) + v + value.slice(b);
    this.text.selectionStart = this.text.selectionEnd = a + v.length;
    this.text.focus();
    this.hostErrors = [];
    this.refresh();
    this.onChange();
  }

  ok(): boolean {
    const n = codePointCount(this.text.value);
    return this.text.value.trim() !== '' && n <= MAX_PROMPT;
  }

  setTarget(target: TargetView): void {
    this.target.replaceChildren(icon(target.document ? 'go-to-file' : 'file-media'), ' ',
      target.document ? t('targetDocument', target.document) : t('targetNone'));
  }

  showHostErrors(errors: FieldError[]): void {
    this.hostErrors = errors.filter((e) => e.field === 'prompt' || e.field === 'references');
    this.refresh();
  }

  setSubmission(phase: SubmissionPhase, uploads: number): void {
    this.busy = phase === 'sending' || phase === 'uploading';
    const text = phase === 'uploading' ? t('uploading', uploads) : phase === 'sending' ? t('sending') : phase === 'queued' ? t('queued') : '';
    this.status.replaceChildren(...(this.busy ? [icon('loading', 'codicon-modifier-spin'), ' '] : []), text);
    this.text.closest('section')?.setAttribute('aria-busy', String(this.busy));
  }

  /** Enables Generate when the prompt, and whatever else the caller checks, is fine. */
  setEnabled(othersOk: boolean): void {
    this.generate.disabled = this.busy || !othersOk || !this.ok();
  }

  private refresh(): void {
    const n = codePointCount(this.text.value);
    this.counter.textContent = t('counter', n.toLocaleString(), MAX_PROMPT.toLocaleString());
    const over = n > MAX_PROMPT;
    this.counter.classList.toggle('over', over);
    const local: string[] = over ? [t('errPromptLong', (n - MAX_PROMPT).toLocaleString())] : [];
    const all = [...local, ...this.hostErrors.map((e) => e.message)];
    this.errors.replaceChildren(...all.map((m) => el('li', {}, m)));
    if (over) this.text.setAttribute('aria-invalid', 'true');
    else this.text.removeAttribute('aria-invalid');
  }
}
