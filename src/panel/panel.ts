// The Pictor panel's host side: one webview panel beside the editor, restored after a reload.
import * as vscode from 'vscode';
import { panelHtml, newNonce } from './html';
import { parseWebviewMessage, type HostMessage, type PanelOptions } from './protocol';

const VIEW_TYPE = 'pictor.panel';

export class PanelController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => this.attach(panel),
    }));
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside);
      return;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Pictor'), {
      viewColumn: vscode.ViewColumn.Beside, preserveFocus: false,
    }, this.webviewOptions());
    this.attach(panel);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [
        vscode.Uri.joinPath(this.context.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.context.extensionUri, 'media'),
      ],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = this.webviewOptions();
    const asUri = (...p: string[]) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, ...p)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      script: asUri('dist', 'panel.js'),
      style: asUri('media', 'panel.css'),
      codicons: asUri('dist', 'codicons', 'codicon.css'),
    }, newNonce(), vscode.l10n.t('Pictor'));
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((raw) => this.onMessage(raw)),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.panelDisposables.forEach((d) => d.dispose());
        this.panelDisposables = [];
      }),
    );
  }

  private onMessage(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.log.warn('Panel: ignored a message of unknown shape.');
      return;
    }
    switch (msg.type) {
      case 'ready':
        void this.post({ type: 'init', strings: panelStrings(), options: currentOptions() });
        break;
    }
  }

  private post(msg: HostMessage): Thenable<boolean> | undefined {
    return this.panel?.webview.postMessage(msg);
  }

  dispose(): void {
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }
}

function currentOptions(): PanelOptions {
  const c = vscode.workspace.getConfiguration('pictor');
  return {
    size: c.get<string>('size', 'auto'),
    resolution: c.get<string>('resolution', '1K'),
    quality: c.get<string>('quality', 'medium'),
    n: c.get<number>('n', 1),
  };
}

function panelStrings(): Record<string, string> {
  return {
    heading: vscode.l10n.t('Pictor'),
    options: vscode.l10n.t('Options'),
    size: vscode.l10n.t('Size'),
    resolution: vscode.l10n.t('Resolution'),
    quality: vscode.l10n.t('Quality'),
    n: vscode.l10n.t('Images'),
    queue: vscode.l10n.t('Queue'),
    queueEmpty: vscode.l10n.t('No tasks yet.'),
  };
}
