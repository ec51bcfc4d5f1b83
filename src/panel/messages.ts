// What the host does with each message from the webview. Every message is validated first (shape,
// types, sizes: protocol.ts), then checked against the workspace (paths, ids); a message that fails
// either is refused and has no effect. All work goes through the Generator and the queue.
import * as vscode from 'vscode';
import { isFinal, isRetryableState, retryNeedsConfirmation } from '../core/jobs/states';
import type { ReferenceInput } from '../core/types';
import { readSettings } from '../vscode/settings/config';
import type { Generator } from '../vscode/run/generate';
import { commandRun } from '../vscode/run/reportNotices';
import { referencesOf, type GenerationHistory } from '../vscode/state/generationHistory';
import type { JobMeta } from '../vscode/state/jobMeta';
import type { PictorService } from '../vscode/service';
import type { EditorTargets } from './editors';
import { checkOptions, normalizeOptions } from '../shared/optionsCheck';
import { insideFolders } from '../core/paths';
import { pageOptionsView } from './pageView';
import { pageReferencesView } from './pageReferences';
import {
  type FieldError, type HostMessage, type PanelOptions, type ReferenceSpec, type ReferenceView, type TargetView, type WebviewMessage,
} from '../shared/protocol';
import { parseWebviewMessage } from '../shared/messageCheck';
import { checkAll, checkDropped, checkUrl, inWorkspace, workspaceFolderPaths } from '../vscode/run/referenceChecks';
import { panelStrings } from './strings';
import { requireTrust } from '../vscode/settings/trust';
import { historyView, jobViews, oneLine, pickView, type Thumb } from './views';
import { PanelFileActions } from './fileActions';
import type { VariantPicker } from '../vscode/place/variants';
import { say, sayWords, wordTemplates } from '../vscode/say';
import { ENGLISH, type WordCode } from '../shared/words';
import { REFERENCE_EXTENSIONS, type Background, type Format } from '../shared/limits';
import type { RunOptions } from '../vscode/run/runTypes';

/** The core's templates the webview fills itself: its size check (checkOptions runs there on every key). */
const WEBVIEW_WORDS = (Object.keys(ENGLISH) as WordCode[]).filter((c) => c.startsWith('size.') || c.startsWith('list.') || ['request.size', 'request.n', 'request.resolution', 'request.quality',
  'plan.transparentJpeg', 'look.maxWidth', 'option.allowedBackground', 'option.allowedFormat'].includes(c));

export interface PanelDeps {
  service: PictorService;
  generator: Generator;
  history: GenerationHistory;
  targets: EditorTargets;
  log: vscode.LogOutputChannel;
  picker: VariantPicker;
}

export type Post = (m: HostMessage) => void;

export interface Handled {
  accepted: boolean;
  /** Why a message was refused (for the log and the tests). */
  reason?: string;
}

const OPTION_KEYS = ['size', 'resolution', 'quality', 'n', 'background', 'format', 'maxWidth'] as const;

export class PanelMessages {
  private readonly files: PanelFileActions;

  constructor(private readonly deps: PanelDeps) {
    this.files = new PanelFileActions(deps);
  }

  /** Validates `raw` and acts on it. Settles once its immediate effects happened (a Generate: once queued). */
  async handle(raw: unknown, post: Post, thumb: Thumb): Promise<Handled> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) return this.refuse(parsed.reason);
    try {
      const why = await this.dispatch(parsed.message, post, thumb);
      return why ? this.refuse(why) : { accepted: true };
    } catch (e) {
      this.deps.log.error(`Panel: ${parsed.message.type} failed: ${(e as Error).message}`);
      post({ type: 'notice', level: 'error', message: vscode.l10n.t('Pictor: {0}', say(e as Error)) });
      return { accepted: true };
    }
  }

  private refuse(reason: string): Handled {
    this.deps.log.warn(`Panel: refused a message from the webview: ${reason}`);
    return { accepted: false, reason };
  }

  /** The `init` message: strings, the options from the settings, the queue, the history, the target. */
  async init(thumb: Thumb): Promise<HostMessage> {
    const target = await this.target(thumb);
    return {
      type: 'init',
      strings: panelStrings(),
      words: wordTemplates(WEBVIEW_WORDS),
      options: settingsOptions(),
      jobs: jobViews(this.deps.service.queue.list(), thumb),
      history: this.deps.history.list().map((e) => historyView(e, thumb)),
      target,
      spend: this.deps.service.spend.view(),
      picks: this.deps.picker.list().map((p) => pickView(p, thumb)),
    };
  }

  /** Where links go, and the options and reference images that page's placeholders use. */
  async target(thumb: Thumb): Promise<TargetView> {
    const doc = this.deps.targets.markdownDocument();
    const view: TargetView = { document: this.deps.targets.markdownLabel() };
    if (doc) {
      const scan = this.deps.generator.scan(doc);
      view.page = { ...pageOptionsView(doc, scan), references: await pageReferencesView(doc, scan, thumb) };
    }
    return view;
  }

  /** Returns a reason when the message is refused. */
  private async dispatch(m: WebviewMessage, post: Post, thumb: Thumb): Promise<string | undefined> {
    const { service, history } = this.deps;
    switch (m.type) {
      case 'ready':
        post(await this.init(thumb));
        service.spend.refreshSoon();
        return;
      case 'refreshBalance':
        await service.spend.refreshBalance();
        return;
      case 'generate':
        return this.generate(m.requestId, m.prompt, m.options, m.references, post, thumb);
      case 'generateAgain': {
        const e = history.get(m.id);
        if (!e) return `no history entry ${m.id}`;
        // The same again: the style it was sent with, not today's (none is none); its look and its references.
        await this.submit(m.requestId, e.prompt, { ...e.options, style: e.style ?? '' }, referencesOf(e), post);
        return;
      }
      case 'removeHistory':
        if (!history.get(m.id)) return `no history entry ${m.id}`;
        await history.remove(m.id);
        return;
      case 'useSelection': {
        const text = this.deps.targets.selectionText();
        if (text) post({ type: 'selection', text });
        else post({ type: 'notice', level: 'error', message: vscode.l10n.t('Select the text to use in an editor first, then click Use Selection.') });
        return;
      }
      case 'pickReferences': {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: true,
          canSelectFolders: false,
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
          openLabel: vscode.l10n.t('Add as Reference'),
          filters: { [vscode.l10n.t('Images')]: REFERENCE_EXTENSIONS.map((e) => e.slice(1)) },
        });
        if (picked?.length) await this.addReferences(picked.map((u) => u.fsPath), post, thumb);
        return;
      }
      case 'dropReferences':
        await this.addReferences(m.uris, post, thumb);
        return;
      case 'addReferenceUrl': {
        const c = checkUrl(m.url);
        post(c.ok ? { type: 'references', added: [c.view], problems: [] } : { type: 'references', added: [], problems: [c.problem] });
        return;
      }
      case 'cancel': {
        const job = service.queue.get(m.id);
        if (!job) return `no task ${m.id}`;
        if (!isFinal(job)) await service.queue.cancel(m.id);
        return;
      }
      case 'retry': {
        const job = service.queue.get(m.id);
        if (!job) return `no task ${m.id}`;
        // A Retry already made: the same click again (or from a second panel) sends nothing new.
        if (job.supersededBy) return;
        if (!isRetryableState(job.state)) return `task ${m.id} is ${job.state}, not failed`;
        // The webview asks first (it shows why); a Retry that did not ask is refused, never sent.
        const asks = retryNeedsConfirmation(job);
        if (asks && !m.confirmBilled) return `task ${m.id} may already have been billed; Retry needs the user's confirmation`;
        if (!requireTrust()) return;
        if (!(await service.ensureKey())) return;
        await service.retry(m.id);
        return;
      }
      case 'insertLink':
      case 'open':
      case 'reveal':
      case 'copyPath':
        if (!(await inWorkspace(m.path))) return `${m.type}: the path is outside the workspace folders`;
        await this.files.act(m.type, m.path, post);
        return;
      case 'saveDefaults':
        return this.saveDefaults(m.options, m.target, post);
      case 'pickVariant': {
        const pick = this.deps.picker.get(m.id);
        if (!pick) return `no variants wait for a pick under ${m.id}`;
        if (!pick.files.some((f) => f.path === m.path)) return 'pickVariant: the path is not one of the variants';
        if (!(await inWorkspace(m.path))) return 'pickVariant: the path is outside the workspace folders';
        const r = await this.deps.picker.pick(m.id, m.path);
        post({ type: 'notice', level: r.ok && !r.problems.length ? 'info' : 'error', message: r.ok
          ? vscode.l10n.t('Linked {0} into {1}.', vscode.workspace.asRelativePath(m.path, false), vscode.workspace.asRelativePath(vscode.Uri.parse(pick.documentUri), false))
            + (r.problems.length ? ' ' + vscode.l10n.t('Some variants not picked stayed where they were: {0}', r.problems.join('; ')) : '')
          : r.message });
        return;
      }
      case 'dismissPick':
        if (!(await this.deps.picker.dismiss(m.id))) return `no variants wait for a pick under ${m.id}`;
        return;
    }
  }

  private async generate(requestId: string, prompt: string, options: PanelOptions, refs: ReferenceSpec[], post: Post, thumb: Thumb): Promise<string | undefined> {
    // A file outside the workspace is not a mistake a person makes in this panel: refuse the message.
    const folders = workspaceFolderPaths();
    for (const r of refs) {
      if (r.kind === 'file' && !insideFolders(r.path, folders)) return 'a reference image is outside the workspace folders';
    }
    const errors: FieldError[] = [...checkOptions(options, sayWords).errors];
    if (prompt.trim() === '') errors.push({ field: 'prompt', message: vscode.l10n.t('Write a prompt first: describe the image you want.') });
    const checked = await checkAll(refs, thumb);
    errors.push(...checked.problems.map((message) => ({ field: 'references' as const, message })));
    if (errors.length) {
      post({ type: 'invalid', errors });
      return;
    }
    await this.submit(requestId, prompt, normalizeOptions(options), checked.inputs, post);
    return undefined;
  }

  /**
   * Hands one prompt to the Generator (which validates, asks for a key if needed, submits, and then
   * the job uploads, creates and links). Settles once its jobs are stored, or the Generator stopped
   * before that; each `submission` reply carries the webview's `requestId`, the last one the job ids.
   */
  private submit(requestId: string, prompt: string, options: PanelOptions & { style?: string }, references: ReferenceInput[], post: Post): Promise<void> {
    const { generator, targets, log } = this.deps;
    const point = targets.insertionPoint();
    const alt = oneLine(prompt);
    const meta: JobMeta = point
      ? { origin: 'panel', documentUri: point.doc.uri.toString(), alt, anchor: point.doc.lineAt(point.doc.positionAt(point.lineEnd).line).text }
      : { origin: 'panel', alt };
    const uploads = references.filter((r) => r.kind === 'file').length;
    post({ type: 'submission', requestId, phase: uploads ? 'uploading' : 'sending', uploads, jobIds: [] });
    return new Promise((resolve) => {
      let settled = false;
      const done = (phase: 'queued' | 'stopped', jobIds: string[] = []) => {
        if (settled) return;
        settled = true;
        post({ type: 'submission', requestId, phase, uploads, jobIds });
        resolve();
      };
      // The report is told as the commands tell theirs (notifications), the panel showing the jobs themselves.
      commandRun(generator.notify, log, (onSent) => generator.run(point?.doc, [{ prompt, meta, track: point ? [point.lineEnd, point.lineEnd] : undefined, references }],
        vscode.l10n.t('Generating from the panel'), runOptions(options), (jobIds) => done('queued', jobIds), onSent))
        .catch((e) => log.error(`Panel: generate failed: ${(e as Error).message}`))
        .finally(() => done('stopped'));
    });
  }

  private async addReferences(items: string[], post: Post, thumb: Thumb): Promise<void> {
    const added: ReferenceView[] = [];
    const problems: string[] = [];
    for (const item of items) {
      const c = await checkDropped(item, thumb);
      if (c.ok) added.push(c.view);
      else problems.push(c.problem);
    }
    post({ type: 'references', added, problems });
  }

  private async saveDefaults(options: PanelOptions, target: 'workspace' | 'user', post: Post): Promise<string | undefined> {
    const errors = checkOptions(options, sayWords).errors;
    if (errors.length) {
      post({ type: 'invalid', errors });
      return;
    }
    if (target === 'workspace' && !vscode.workspace.workspaceFolders?.length) {
      post({ type: 'notice', level: 'error', message: vscode.l10n.t('Open a folder first: workspace defaults are stored in its settings.') });
      return;
    }
    const o = normalizeOptions(options);
    const config = vscode.workspace.getConfiguration('pictor');
    const where = target === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    for (const key of OPTION_KEYS) if (o[key] !== undefined) await config.update(key, o[key], where);
    post({ type: 'notice', level: 'info', message: target === 'workspace'
      ? vscode.l10n.t('Saved as the defaults of this workspace.')
      : vscode.l10n.t('Saved as your defaults for every workspace.') });
    return;
  }
}

/** The options the settings give (what the panel starts from). */
export function settingsOptions(): PanelOptions {
  const { size, resolution, quality, n, background, format, maxWidth } = readSettings();
  return { size, resolution, quality, n, background, format, maxWidth };
}

/** The panel's options as the call's layer (checked by checkOptions first: the look's values are from its lists). */
function runOptions(o: PanelOptions & { style?: string }): RunOptions {
  const { background, format, maxWidth, ...rest } = o;
  return {
    ...rest,
    ...(background !== undefined ? { background: background as Background } : {}),
    ...(format !== undefined ? { format: format as Format } : {}),
    ...(maxWidth !== undefined ? { maxWidth } : {}),
  };
}
