// The Pictor panel's host side: one webview panel beside the editor, restored after a reload (a
// serializer). It shows the queue, the results and the history as they change, and hands every
// message from the webview to PanelMessages, which validates it first.
import * as vscode from 'vscode';
import type { Generator } from '../vscode/run/generate';
import { GenerationHistory } from '../vscode/state/generationHistory';
import type { PictorService } from '../vscode/service';
import { EditorTargets } from './editors';
import { panelHtml, newNonce } from './html';
import { PanelMessages, type Handled } from './messages';
import { checkDropped } from '../vscode/run/referenceChecks';
import type { HostMessage } from '../shared/protocol';
import { historyView, jobViews, pickView, type Thumb } from './views';
import type { VariantPicker } from '../vscode/place/variants';

const VIEW_TYPE = 'pictor.panel';
/** Progress events come in bursts (several tasks, each poll): the webview gets at most this many updates a second. */
const UPDATE_MS = 150;
/** How long typing in the page must pause before its options are shown again. */
const TARGET_MS = 250;

export class PanelController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];
  private readonly history: GenerationHistory;
  private readonly targets: EditorTargets;
  private readonly messages: PanelMessages;
  private jobsTimer: NodeJS.Timeout | undefined;
  private targetTimer: NodeJS.Timeout | undefined;
  /** The target last posted (JSON), so typing that leaves the options alone posts nothing. */
  private lastTarget: string | undefined;
  /** Counts the targets asked for: an older answer that comes late is dropped. */
  private targetSeq = 0;
  /** The page shown has reference images: an image file made, changed or deleted may change them. */
  private referencesShown = false;
  /** Settles once the panel's webview has loaded and got its `init` (messages sent earlier are lost). */
  private ready: Promise<void> = Promise.resolve();
  private loaded: () => void = () => undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly service: PictorService,
    generator: Generator,
    private readonly picker: VariantPicker,
  ) {
    this.history = new GenerationHistory(context.workspaceState, service.onJobEvent);
    this.targets = new EditorTargets();
    this.messages = new PanelMessages({ service, generator, history: this.history, targets: this.targets, log, picker });
    this.disposables.push(
      picker.onDidAskForPanel((id) => void this.showPick(id)),
      this.history,
      this.targets,
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
      service.onJobEvent(() => this.scheduleJobs()),
      service.spend.onDidChange(() => this.post({ type: 'spend', spend: service.spend.view() })),
      picker.onDidChange(() => this.post({ type: 'picks', picks: picker.list().map((p) => pickView(p, this.thumb)) })),
      this.history.onDidChange(() => this.post({ type: 'history', entries: this.history.list().map((e) => historyView(e, this.thumb)) })),
      this.targets.onDidChange(() => this.postTarget()),
      // The page's options change with its front matter and with the settings.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.targets.markdownDocument()) this.scheduleTarget();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pictor')) this.postTarget();
      }),
      // A page's reference appears, changes or goes (a missing one is added): its thumbnail follows.
      this.imageWatcher,
      this.imageWatcher.onDidCreate(() => this.referencesChanged()),
      this.imageWatcher.onDidChange(() => this.referencesChanged()),
      this.imageWatcher.onDidDelete(() => this.referencesChanged()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        if (this.panel) this.panel.webview.options = this.webviewOptions();
      }),
    );
  }

  show(): void {
    if (this.panel) {
      // A hidden panel's webview is gone (no retained context): revealed, it loads again.
      if (!this.panel.visible) this.expectLoad();
      this.panel.reveal(vscode.ViewColumn.Beside);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Pictor'), {
      viewColumn: vscode.ViewColumn.Beside, preserveFocus: false,
    }, this.webviewOptions());
    this.attach(panel);
  }

  /**
   * Opens the panel on a pick's variants with keyboard focus on the first one (Pick… in a
   * notification or a CodeLens). Resolves with the pick's id, once the webview has it.
   */
  async showPick(id?: string): Promise<string | undefined> {
    const pick = id ? this.picker.get(id) : this.picker.list().at(-1);
    this.show();
    await this.ready;
    if (!pick) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: no variants are waiting for a pick. Run Generate Variants… on a placeholder to make some.'));
      return undefined;
    }
    this.post({ type: 'picks', picks: this.picker.list().map((p) => pickView(p, this.thumb)) });
    this.post({ type: 'focusPick', id: pick.id });
    return pick.id;
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      // Thumbnails of saved images and reference files come from the workspace folders.
      localResourceRoots: [
        vscode.Uri.joinPath(this.context.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.context.extensionUri, 'media'),
        ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri),
      ],
    };
  }

  /**
   * The Explorer's Use as Reference: opens the panel and adds the files to its references, after the
   * same checks as a drop. Returns what was added and what was refused.
   */
  async addReferences(files: vscode.Uri[]): Promise<{ added: string[]; problems: string[] }> {
    this.show();
    const checked = await Promise.all(files.map((f) => checkDropped(f.fsPath, this.thumb)));
    const added = checked.flatMap((c) => (c.ok ? [c.view] : []));
    const problems = checked.flatMap((c) => (c.ok ? [] : [c.problem]));
    if (files.length === 0) problems.push(vscode.l10n.t('Pick a PNG, JPEG or WebP image in the Explorer to use as a reference.'));
    await this.ready;
    this.post({ type: 'references', added, problems });
    return { added: added.map((a) => a.label), problems };
  }

  private expectLoad(): void {
    this.loaded();
    this.ready = new Promise((resolve) => { this.loaded = resolve; });
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.expectLoad();
    panel.webview.options = this.webviewOptions();
    const asUri = (...p: string[]) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      script: asUri('dist', 'panel.js'),
      style: asUri('media', 'panel.css'),
      codicons: asUri('dist', 'codicons', 'codicon.css'),
    }, newNonce(), vscode.l10n.t('Pictor'));
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw) => {
        // A (re)loaded webview gets the target with its init: what was posted before is gone.
        if ((raw as { type?: unknown } | undefined)?.type === 'ready') this.lastTarget = undefined;
        void this.receive(raw)
          .then(() => { if ((raw as { type?: unknown } | undefined)?.type === 'ready') this.loaded(); });
      }),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) this.scheduleJobs();
      }),
      panel.onDidDispose(() => {
        this.loaded(); // nobody waits for a panel that is gone
        if (this.panel === panel) this.panel = undefined;
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
      }),
    );
  }

  /** Webview URIs for workspace images (empty without a panel: nothing would load them). */
  private readonly thumb: Thumb = (file) => (this.panel ? this.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString() : '');

  private readonly imageWatcher = vscode.workspace.createFileSystemWatcher('**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}');

  private referencesChanged(): void {
    if (this.referencesShown) this.scheduleTarget();
  }

  /** Typing in the page: its options are looked at again once the typing pauses. */
  private scheduleTarget(): void {
    clearTimeout(this.targetTimer);
    this.targetTimer = setTimeout(() => this.postTarget(), TARGET_MS);
  }

  /** Posts where links go and the page's options, when they differ from what the webview has. */
  private postTarget(): void {
    clearTimeout(this.targetTimer);
    this.targetTimer = undefined;
    if (!this.panel) return;
    // The page's references are checked on disk (async): only the newest look is posted.
    const seq = ++this.targetSeq;
    void this.messages.target(this.thumb).then((target) => {
      if (seq !== this.targetSeq || !this.panel) return;
      this.referencesShown = (target.page?.references.length ?? 0) > 0;
      const key = JSON.stringify(target);
      if (key === this.lastTarget) return;
      this.lastTarget = key;
      this.post({ type: 'target', target });
    }, (e: unknown) => this.log.error(`Panel: the page's options could not be read: ${(e as Error).message}`));
  }

  private scheduleJobs(): void {
    if (this.jobsTimer || !this.panel?.visible) return;
    this.jobsTimer = setTimeout(() => {
      this.jobsTimer = undefined;
      this.post({ type: 'jobs', jobs: jobViews(this.service.queue.list(), this.thumb) });
    }, UPDATE_MS);
  }

  private post(msg: HostMessage): void {
    void this.panel?.webview.postMessage(msg);
  }

  /**
   * Handles one message from the webview (or from whatever drives the panel as its webview would);
   * resolves once it is handled and the history saved, with whether it was accepted and what was posted back.
   */
  async receive(raw: unknown): Promise<Handled & { posted: HostMessage[] }> {
    const posted: HostMessage[] = [];
    const result = await this.messages.handle(raw, (m) => {
      posted.push(m);
      this.post(m);
    }, this.thumb);
    for (const m of posted) if (m.type === 'init') this.referencesShown = (m.target.page?.references.length ?? 0) > 0;
    await this.history.flushed();
    return { ...result, posted };
  }

  dispose(): void {
    clearTimeout(this.jobsTimer);
    clearTimeout(this.targetTimer);
    this.panel?.dispose();
    for (const d of this.panelDisposables) d.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
