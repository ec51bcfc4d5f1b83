// Small DOM helpers for the webview. Everything is built with createElement and setAttribute, never
// innerHTML, so text from the host (prompts, file names) cannot become markup.

export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export function icon(name: string, extra = ''): HTMLSpanElement {
  return el('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
}

export interface ButtonSpec {
  label: string;
  icon?: string;
  /** Identifies the button across re-renders, so keyboard focus survives an update. */
  key?: string;
  /** A fuller name for screen readers (and the tooltip) when the label alone is ambiguous. */
  aria?: string;
  primary?: boolean;
  /** Shows the icon only; the label becomes the accessible name and the tooltip. */
  iconOnly?: boolean;
  id?: string;
  onClick: () => void;
}

export function button(spec: ButtonSpec): HTMLButtonElement {
  const b = el('button', {
    type: 'button',
    id: spec.id,
    class: [spec.primary ? 'primary' : 'secondary', spec.iconOnly ? 'icon-only' : ''].filter(Boolean).join(' '),
    'data-key': spec.key,
    'aria-label': spec.aria ?? (spec.iconOnly ? spec.label : undefined),
    title: spec.aria ?? (spec.iconOnly ? spec.label : undefined),
  }, spec.icon ? icon(spec.icon) : null, spec.iconOnly ? null : spec.label);
  b.addEventListener('click', () => spec.onClick());
  return b;
}

/** Re-renders a container and puts keyboard focus back on the element with the same data-key. */
export function keepFocus(container: HTMLElement, render: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.key : undefined;
  render();
  if (!key) return;
  const again = container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  again?.focus();
}

/** `0:07`, `3:25`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return el('section', { id, 'aria-labelledby': `${id}-h` }, el('h2', { id: `${id}-h` }, title), ...children);
}
