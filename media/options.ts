// The Options section: size (auto, a ratio, or WxH), resolution, quality and n, with the exact pixel
// size, the relative cost and any validation error shown live, and "Save as default"; and the look
// (issue 24): background, file format and largest width, checked by the same rules as the planner's.
import { BACKGROUNDS, FORMATS, QUALITIES, RATIOS, RESOLUTIONS } from '../src/shared/limits';
import { MAX_EDGE } from '../src/shared/sizes';
import { IMAGE_FORMATS } from '../src/shared/imageFormats';
import { IMAGE_MODEL } from '../src/shared/model';
import { checkOptions, formatCost, type OptionsReport } from '../src/shared/optionsCheck';
import type { FieldError, PanelOptions } from '../src/shared/protocol';
import { button, el, section } from './dom';
import { sayWords, send, t } from './state';

const CUSTOM = 'custom';

export class OptionsView {
  readonly root: HTMLElement;
  private readonly size = el('select', { id: 'opt-size' });
  private readonly custom = el('input', {
    id: 'opt-size-custom', type: 'text', inputmode: 'numeric', spellcheck: 'false', autocomplete: 'off', placeholder: '1536x1024',
    'aria-describedby': 'opt-errors',
  });
  private readonly resolution = el('select', { id: 'opt-resolution', 'aria-describedby': 'opt-resolution-note' });
  private readonly resolutionNote = el('span', { id: 'opt-resolution-note', class: 'note' });
  private readonly quality = el('select', { id: 'opt-quality' });
  private readonly n = el('input', { id: 'opt-n', type: 'number', min: '1', max: '10', step: '1', 'aria-describedby': 'opt-errors' });
  private readonly background = el('select', { id: 'opt-background', 'aria-describedby': 'opt-errors' });
  private readonly format = el('select', { id: 'opt-format', 'aria-describedby': 'opt-errors' });
  private readonly maxWidth = el('input', {
    id: 'opt-max-width', type: 'number', min: '0', max: String(MAX_EDGE), step: '1', 'aria-describedby': 'opt-max-width-note opt-errors',
  });
  private readonly maxWidthNote = el('span', { id: 'opt-max-width-note', class: 'note' });
  private readonly pixels = el('output', { id: 'opt-pixels', 'aria-live': 'polite' });
  private readonly cost = el('output', { id: 'opt-cost', 'aria-live': 'polite' });
  private readonly costDetail = el('p', { id: 'opt-cost-detail', class: 'note' });
  private readonly errors = el('ul', { id: 'opt-errors', class: 'errors', role: 'alert' });
  private hostErrors: FieldError[] = [];
  private last: OptionsReport | undefined;

  constructor(private readonly onChange: () => void) {
    this.size.append(
      el('option', { value: 'auto' }, t('sizeAuto')),
      el('optgroup', { label: t('sizeRatios') }, ...RATIOS.map((r) => el('option', { value: r }, r))),
      el('option', { value: CUSTOM }, t('sizeCustom')),
    );
    this.resolution.append(...RESOLUTIONS.map((r) => el('option', { value: r }, r)));
    const qualityName = { low: t('qualityLow'), medium: t('qualityMedium'), high: t('qualityHigh') };
    this.quality.append(...QUALITIES.map((q) => el('option', { value: q }, qualityName[q])));
    const backgroundName = { opaque: t('backgroundOpaque'), transparent: t('backgroundTransparent') };
    this.background.append(...BACKGROUNDS.map((b) => el('option', { value: b }, backgroundName[b])));
    this.format.append(...FORMATS.map((f) => el('option', { value: f }, IMAGE_FORMATS[f].name)));
    this.maxWidthNote.textContent = t('maxWidthHint');
    this.custom.setAttribute('aria-label', t('sizeCustomLabel'));
    const field = (id: string, label: string, ...controls: HTMLElement[]) =>
      el('div', { class: 'field' }, el('label', { for: id }, label), el('div', { class: 'controls' }, ...controls));
    this.root = section('options', t('options'),
      el('div', { class: 'fields' },
        field('opt-size', t('size'), this.size, this.custom),
        field('opt-resolution', t('resolution'), this.resolution, this.resolutionNote),
        field('opt-quality', t('quality'), this.quality),
        field('opt-n', t('n'), this.n),
        field('opt-background', t('background'), this.background),
        field('opt-format', t('format'), this.format),
        field('opt-max-width', t('maxWidth'), this.maxWidth, this.maxWidthNote)),
      el('dl', { class: 'facts' },
        el('div', {}, el('dt', {}, t('pixelSize')), el('dd', {}, this.pixels)),
        el('div', {}, el('dt', {}, t('relativeCost')), el('dd', {}, this.cost))),
      this.costDetail,
      this.errors,
      el('div', { class: 'actions' },
        button({ id: 'save-workspace', label: t('saveWorkspace'), icon: 'save', onClick: () => this.save('workspace') }),
        button({ id: 'save-user', label: t('saveUser'), icon: 'account', onClick: () => this.save('user') })),
    );
    for (const c of [this.size, this.resolution, this.quality, this.background, this.format]) c.addEventListener('change', () => this.changed());
    for (const c of [this.custom, this.n, this.maxWidth]) c.addEventListener('input', () => this.changed());
  }

  set(o: PanelOptions): void {
    const size = o.size.trim();
    if (size.toLowerCase() === 'auto' || size === '') this.size.value = 'auto';
    else if ((RATIOS as readonly string[]).includes(size)) this.size.value = size;
    else {
      this.size.value = CUSTOM;
      this.custom.value = size;
    }
    this.resolution.value = (RESOLUTIONS as readonly string[]).includes(o.resolution.toUpperCase()) ? o.resolution.toUpperCase() : IMAGE_MODEL.defaults.resolution;
    this.quality.value = (QUALITIES as readonly string[]).includes(o.quality.toLowerCase()) ? o.quality.toLowerCase() : IMAGE_MODEL.defaults.quality;
    this.n.value = String(o.n);
    // The look: options without it (a history entry from before it) leave the current choice.
    if ((BACKGROUNDS as readonly string[]).includes(o.background ?? '')) this.background.value = o.background!;
    if ((FORMATS as readonly string[]).includes(o.format ?? '')) this.format.value = o.format!;
    if (o.maxWidth !== undefined) this.maxWidth.value = String(o.maxWidth);
    this.hostErrors = [];
    this.refresh();
  }

  get(): PanelOptions {
    const raw = this.n.value.trim();
    const width = this.maxWidth.value.trim();
    return {
      size: this.size.value === CUSTOM ? this.custom.value : this.size.value,
      resolution: this.resolution.value,
      quality: this.quality.value,
      // An empty or fractional entry stays visible as an error; it is never sent (see valid()).
      n: raw === '' ? NaN : Number(raw),
      background: this.background.value,
      format: this.format.value,
      // Empty is no limit, as 0.
      maxWidth: width === '' ? 0 : Number(width),
    };
  }

  valid(): boolean {
    return (this.last ?? this.refresh()).errors.length === 0;
  }

  /** Errors the host found when it checked a message again (they replace the local ones until the next edit). */
  showHostErrors(errors: FieldError[]): void {
    this.hostErrors = errors.filter((e) => (['size', 'resolution', 'quality', 'n', 'background', 'format', 'maxWidth'] as const).some((f) => f === e.field));
    this.renderErrors(this.last?.errors ?? []);
  }

  private changed(): void {
    this.hostErrors = [];
    this.refresh();
    this.onChange();
  }

  private refresh(): OptionsReport {
    this.custom.hidden = this.size.value !== CUSTOM;
    const r = checkOptions(this.get(), sayWords);
    this.last = r;
    this.resolution.disabled = !r.resolutionApplies;
    this.resolutionNote.textContent = r.resolutionApplies ? '' : t('resolutionIgnored');
    this.pixels.textContent = r.pixels ? `${r.pixels.width}×${r.pixels.height}` : r.sizeKind === 'auto' ? t('pixelsAuto') : '—';
    if (r.cost) {
      this.cost.textContent = t('costValue', formatCost(r.cost.total));
      this.costDetail.textContent = t('costDetail', r.cost.qualityFactor, r.cost.n, +r.cost.sizeFactor.toFixed(2));
    } else {
      this.cost.textContent = '—';
      this.costDetail.textContent = '';
    }
    this.renderErrors(r.errors);
    return r;
  }

  private renderErrors(local: FieldError[]): void {
    const all = [...local, ...this.hostErrors.filter((h) => !local.some((l) => l.message === h.message))];
    this.errors.replaceChildren(...all.map((e) => el('li', { 'data-field': e.field }, e.message)));
    for (const [field, control] of [['size', this.size.value === CUSTOM ? this.custom : this.size], ['resolution', this.resolution], ['quality', this.quality], ['n', this.n],
      ['background', this.background], ['format', this.format], ['maxWidth', this.maxWidth]] as const) {
      if (all.some((e) => e.field === field)) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    }
  }

  private save(target: 'workspace' | 'user'): void {
    if (!this.valid()) {
      this.errors.querySelector('li')?.scrollIntoView({ block: 'nearest' });
      return;
    }
    send({ type: 'saveDefaults', options: this.get(), target });
  }
}
