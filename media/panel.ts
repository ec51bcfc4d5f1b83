// The panel's webview script (runs in the browser). It talks only to the extension host.
import type { HostMessage, WebviewMessage } from '../src/panel/protocol';

declare function acquireVsCodeApi(): { postMessage(msg: WebviewMessage): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();

const app = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function render(msg: Extract<HostMessage, { type: 'init' }>): void {
  const s = msg.strings;
  const o = msg.options;
  const row = (label: string, id: string, value: string) =>
    el('div', { class: 'row' }, el('label', { for: id }, label), el('output', { id, 'aria-live': 'polite' }, value));
  app.replaceChildren(
    el('h1', {}, el('span', { class: 'codicon codicon-sparkle', 'aria-hidden': 'true' }), ' ', s.heading),
    el('section', { 'aria-labelledby': 'options-h' },
      el('h2', { id: 'options-h' }, s.options),
      row(s.size, 'opt-size', o.size),
      row(s.resolution, 'opt-resolution', o.resolution),
      row(s.quality, 'opt-quality', o.quality),
      row(s.n, 'opt-n', String(o.n)),
    ),
    el('section', { 'aria-labelledby': 'queue-h' },
      el('h2', { id: 'queue-h' }, s.queue),
      el('p', { id: 'queue-empty' }, s.queueEmpty),
    ),
  );
  app.setAttribute('aria-busy', 'false');
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'init':
      render(msg);
      break;
  }
});

vscode.postMessage({ type: 'ready' });
