// The panel's webview script (runs in the browser). It talks only to the extension host: never to
// the provider, and it never sees the API key. It asks for its strings and state with `ready`.
import type { HostMessage, PanelOptions } from '../src/shared/protocol';
import { el } from './dom';
import { HistoryList } from './history';
import { OptionsView } from './options';
import { PageOptionsLine } from './page';
import { PicksView } from './picks';
import { PromptView } from './prompt';
import { QueueView } from './queue';
import { ReferencesView } from './references';
import { ResultsView } from './results';
import { SpendSection } from './spend';
import { isLatestRequest, loadDraft, newRequestId, saveDraft, send, setStrings, t } from './state';

const app = document.getElementById('app')!;

interface Views {
  options: OptionsView;
  prompt: PromptView;
  references: ReferencesView;
  queue: QueueView;
  results: ResultsView;
  history: HistoryList;
  notice: HTMLElement;
  spend: SpendSection;
  page: PageOptionsLine;
  picks: PicksView;
}
let views: Views | undefined;

function build(msg: Extract<HostMessage, { type: 'init' }>): Views {
  setStrings(msg.strings, msg.words);
  const changed = () => {
    if (!views) return;
    views.prompt.setEnabled(views.options.valid() && views.references.ok());
    saveDraft({ options: views.options.get(), prompt: views.prompt.value, references: views.references.get() });
  };
  const generate = () => {
    if (!views || !views.options.valid() || !views.prompt.ok() || !views.references.ok()) return;
    send({ type: 'generate', requestId: newRequestId(), prompt: views.prompt.value, options: views.options.get(), references: views.references.specs() });
  };
  const reuse = (options: PanelOptions, prompt: string) => {
    if (!views) return;
    views.options.set(options);
    views.prompt.value = prompt;
    changed();
    document.getElementById('prompt')?.focus();
  };
  const v: Views = {
    options: new OptionsView(changed),
    prompt: new PromptView(generate, changed),
    references: new ReferencesView(changed),
    queue: new QueueView(),
    results: new ResultsView(),
    history: new HistoryList(reuse),
    notice: el('p', { id: 'notice', class: 'notice', role: 'status', 'aria-live': 'polite' }),
    spend: new SpendSection(),
    page: new PageOptionsLine(),
    picks: new PicksView(),
  };
  app.replaceChildren(
    el('h1', {}, el('span', { class: 'codicon codicon-sparkle', 'aria-hidden': 'true' }), ' ', t('heading')),
    v.notice,
    v.picks.root,
    el('div', { class: 'columns' },
      el('div', { class: 'column' }, v.prompt.root, v.page.root, v.options.root, v.references.root),
      el('div', { class: 'column' }, v.queue.root, v.results.root, v.spend.root, v.history.root)),
  );
  return v;
}

function init(msg: Extract<HostMessage, { type: 'init' }>): void {
  views = build(msg);
  const draft = loadDraft();
  views.options.set(draft?.options ?? msg.options);
  views.prompt.value = draft?.prompt ?? '';
  views.references.set(draft?.references ?? []);
  views.prompt.setTarget(msg.target);
  views.page.set(msg.target);
  views.queue.set(msg.jobs);
  views.results.set(msg.jobs);
  views.history.set(msg.history);
  views.picks.set(msg.picks ?? []);
  if (msg.spend) {
    views.spend.set(msg.spend);
    views.queue.setUsage(msg.spend.usage);
  }
  views.prompt.setEnabled(views.options.valid() && views.references.ok());
  app.setAttribute('aria-busy', 'false');
}

function onMessage(msg: HostMessage): void {
  if (msg.type === 'init') return init(msg);
  const v = views;
  if (!v) return;
  switch (msg.type) {
    case 'jobs':
      v.queue.set(msg.jobs);
      v.results.set(msg.jobs);
      break;
    case 'history':
      v.history.set(msg.entries);
      break;
    case 'target':
      v.prompt.setTarget(msg.target);
      v.page.set(msg.target);
      break;
    case 'references':
      v.references.add(msg.added, msg.problems);
      break;
    case 'selection':
      v.prompt.insert(msg.text);
      break;
    case 'submission':
      // The answer to an earlier Generate, overtaken by a later one: the status shows the later one.
      if (!isLatestRequest(msg.requestId)) break;
      v.prompt.setSubmission(msg.phase, msg.uploads);
      v.references.setUploading(msg.phase === 'uploading');
      v.prompt.setEnabled(v.options.valid() && v.references.ok());
      break;
    case 'invalid':
      v.options.showHostErrors(msg.errors);
      v.prompt.showHostErrors(msg.errors);
      break;
    case 'spend':
      v.spend.set(msg.spend);
      v.queue.setUsage(msg.spend.usage);
      break;
    case 'picks':
      v.picks.set(msg.picks);
      break;
    case 'focusPick':
      v.picks.focus(msg.id);
      break;
    case 'notice':
      v.notice.className = `notice ${msg.level}`;
      v.notice.textContent = msg.message;
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const msg = event.data;
  if (msg && typeof msg === 'object' && typeof msg.type === 'string') onMessage(msg);
});

send({ type: 'ready' });
