// "Pictor: Set Up for Other Agents" (issue 22): how Claude Code, Cursor, Codex or VS Code's own MCP
// support start Pictor's agent server (`pictor mcp`). The snippets are src/shared/agentSetup.ts's, the
// README's source too. The chosen one is copied and shown in a read-only editor with what to do with
// it; a file is written only when the user picks that, merged into what is there (other servers kept),
// and a snippet never holds a key: only a reference to EVOLINK_API_KEY.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';
import * as vscode from 'vscode';
import { agentSnippets, serverCommand, type AgentClient, type AgentSnippet, type Launch } from '../shared/agentSetup';
import type { UserInput } from './userInput';

/** The read-only documents the command shows its snippet in. */
export const AGENT_SETUP_SCHEME = 'pictor-agent-setup';

/** What the command did: tests and other extensions read it. */
export interface AgentSetupResult {
  client: AgentClient;
  launch: Launch;
  /** The snippet copied to the clipboard (agentSetup.ts's text, as is). */
  snippet: string;
  /** The page shown. */
  document: string;
  /** The file the server was written into, when the user chose that. */
  wrote?: string;
}

/** The quick pick items carry the value chosen, whatever the language of their labels. */
export interface Choice<T extends string> extends vscode.QuickPickItem { value: T }

/** The agents by name, and where each keeps its setup: names and paths, the same in every language. */
const AGENT_NAMES: Record<AgentClient, string> = { claude: 'Claude Code', cursor: 'Cursor', codex: 'Codex', vscode: 'VS Code' };
const CURSOR_FILE = '.cursor/mcp.json';
const CODEX_FILE = '~/.codex/config.toml';

/** The config files the command may write, relative to the workspace folder, and the key their servers sit under. */
const WRITABLE: Partial<Record<AgentClient, { file: string; section: string }>> = {
  vscode: { file: '.vscode/mcp.json', section: 'servers' },
  cursor: { file: '.cursor/mcp.json', section: 'mcpServers' },
};

/** Whether a command of this name is on this extension host's PATH (where the agents of this machine look too). */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  const exts = platform === 'win32' ? (env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      try {
        if (fs.statSync(path.join(dir, name + ext)).isFile()) return true;
      } catch {
        // not there
      }
    }
  }
  return false;
}

export class AgentSetup implements vscode.TextDocumentContentProvider {
  private readonly pages = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly version: string, private readonly input: UserInput, private readonly log: vscode.LogOutputChannel) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.pages.get(uri.path) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }

  async run(): Promise<AgentSetupResult | undefined> {
    const client = await this.input.pick<Choice<AgentClient>>([
      { value: 'claude', label: AGENT_NAMES.claude, description: vscode.l10n.t('a command to run in a shell') },
      { value: 'cursor', label: AGENT_NAMES.cursor, description: CURSOR_FILE },
      { value: 'codex', label: AGENT_NAMES.codex, description: CODEX_FILE },
      { value: 'vscode', label: AGENT_NAMES.vscode, description: vscode.l10n.t('.vscode/mcp.json, for agent mode') },
    ], { title: vscode.l10n.t('Pictor: Set Up for Other Agents'), placeHolder: vscode.l10n.t('Which agent should generate images with Pictor?') });
    if (!client) return undefined;
    const installed = onPath('pictor');
    const npx = serverCommand('npx', this.version);
    const own = serverCommand('installed', this.version);
    const launch = await this.input.pick<Choice<Launch>>([
      {
        value: 'installed', label: vscode.l10n.t('The installed pictor command'), description: [own.command, ...own.args].join(' '),
        detail: installed ? vscode.l10n.t('Found on this window\'s PATH.') : vscode.l10n.t('Not found on this window\'s PATH: install it with npm install -g pictor-cli (Node.js 20 or newer).'),
      },
      {
        value: 'npx', label: vscode.l10n.t('Through npx, nothing to install'), description: [npx.command, ...npx.args].join(' '),
        detail: vscode.l10n.t('npx fetches this version of pictor-cli when the agent starts the server (Node.js 20 or newer).'),
      },
    ], { title: vscode.l10n.t('Pictor: Set Up for {0}', client.label), placeHolder: vscode.l10n.t('How should {0} start Pictor\'s server?', client.label) });
    if (!launch) return undefined;
    const snippet = agentSnippets(this.version).find((s) => s.client === client.value && s.launch === launch.value)!;

    // Written only when asked, and only where the agent reads a project's file.
    const writable = WRITABLE[client.value];
    const folder = writable && targetFolder();
    let target: vscode.Uri | undefined;
    if (writable && folder) {
      const what = await this.input.pick<Choice<'copy' | 'write'>>([
        { value: 'copy', label: vscode.l10n.t('Copy the setup'), detail: vscode.l10n.t('Copied to the clipboard and shown; no file is written.') },
        {
          value: 'write', label: vscode.l10n.t('Copy it and write {0}', writable.file),
          detail: vscode.l10n.t('Adds the pictor server to {0} in {1}; the other servers in it are kept.', writable.file, folder.name),
        },
      ], { title: vscode.l10n.t('Pictor: Set Up for {0}', client.label) });
      if (!what) return undefined;
      if (what.value === 'write') target = vscode.Uri.joinPath(folder.uri, writable.file);
    }

    await vscode.env.clipboard.writeText(snippet.text);
    let wrote: string | undefined;
    let writeProblem: string | undefined;
    if (target && writable) {
      try {
        await mergeServer(target, writable.section, snippet);
        wrote = target.fsPath;
        this.log.info(`Set Up for Other Agents: wrote the pictor server into ${target.fsPath}.`);
      } catch (e) {
        writeProblem = (e as Error).message;
        this.log.warn(`Set Up for Other Agents: ${writeProblem}`);
      }
    }
    const page = vscode.Uri.from({ scheme: AGENT_SETUP_SCHEME, path: `/${client.value}-${launch.value}.md` });
    const text = this.page(client.label, snippet, installed, wrote && writable ? writable.file : undefined, writeProblem);
    this.pages.set(page.path, text);
    await this.refresh(page, text);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(page), { preview: false });
    if (writeProblem) void vscode.window.showWarningMessage(vscode.l10n.t('Pictor: {0} The setup is copied to the clipboard.', writeProblem));
    else {
      void vscode.window.showInformationMessage(wrote && writable
        ? vscode.l10n.t('Pictor: the pictor server is added to {0}; the setup is also copied to the clipboard.', writable.file)
        : vscode.l10n.t('Pictor: the setup for {0} is copied to the clipboard.', client.label));
    }
    return { client: client.value, launch: launch.value, snippet: snippet.text, document: page.toString(), ...(wrote ? { wrote } : {}) };
  }

  /** The page shown: where the snippet goes, the snippet, the key, and how to install the command where it is missing. */
  /**
   * Tells VS Code the page changed. A page shown before (the same agent and launch chosen again) is
   * read again by VS Code a moment later: wait for that (bounded), so it is never shown with its old text.
   */
  private async refresh(page: vscode.Uri, text: string): Promise<void> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === page.toString());
    if (!open || open.getText() === text) {
      this.changed.fire(page);
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => { clearTimeout(timer); sub.dispose(); resolve(); };
      const sub = vscode.workspace.onDidChangeTextDocument((e) => { if (e.document === open && open.getText() === text) done(); });
      const timer = setTimeout(done, 2_000);
      this.changed.fire(page);
    });
  }

  private page(agent: string, snippet: AgentSnippet, installed: boolean, wrote: string | undefined, writeProblem: string | undefined): string {
    const where: Record<AgentClient, string> = {
      claude: vscode.l10n.t('Run this in a shell, in your project\'s folder:'),
      cursor: vscode.l10n.t('Add this to .cursor/mcp.json in your project (or to ~/.cursor/mcp.json for every project):'),
      codex: vscode.l10n.t('Add this to ~/.codex/config.toml:'),
      vscode: vscode.l10n.t('Add this to .vscode/mcp.json in your project:'),
    };
    const fence = snippet.language === 'shell' ? 'shell' : snippet.language;
    const lines = [
      `# ${vscode.l10n.t('Pictor for {0}', agent)}`,
      '',
      vscode.l10n.t('This is copied to the clipboard.') + ' ' + where[snippet.client],
      '',
      '```' + fence,
      snippet.text,
      '```',
      '',
    ];
    if (wrote) lines.push(vscode.l10n.t('Written into {0}: the pictor server is added there, the other servers are kept.', wrote), '');
    if (writeProblem) lines.push(writeProblem, '');
    lines.push(
      `## ${vscode.l10n.t('The API key')}`,
      '',
      vscode.l10n.t('The server reads your EvoLink API key from the EVOLINK_API_KEY environment variable of the agent that starts it: set it there. The key Pictor keeps in VS Code\'s secret storage is not shared with other programs, and the setup only names the variable, never the key.'),
      '',
      `## ${vscode.l10n.t('The pictor command')}`,
      '',
    );
    if (snippet.launch === 'npx') {
      lines.push(vscode.l10n.t('npx fetches pictor-cli {0} when the agent starts the server: Node.js 20 or newer is needed where the agent runs.', this.version));
    } else {
      lines.push(installed
        ? vscode.l10n.t('pictor is on the PATH of this window. If the agent runs elsewhere (another computer, a container), install it there too:')
        : vscode.l10n.t('pictor is not on the PATH of this window. Install it where the agent runs (Node.js 20 or newer):'));
      lines.push('', '```shell', 'npm install -g pictor-cli', '```', '',
        vscode.l10n.t('or from a release\'s tarball:'), '', '```shell', `npm install -g ./pictor-cli-${this.version}.tgz`, '```', '',
        vscode.l10n.t('Or run Set Up for Other Agents again and choose npx: nothing to install.'));
    }
    lines.push('');
    return lines.join('\n');
  }
}

/** The workspace folder a written file goes into: the active editor's, else the first. */
function targetFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) || vscode.workspace.workspaceFolders?.[0];
}

/**
 * Adds (or replaces) the pictor server in an MCP config file, as an edit of its text: comments,
 * formatting and the other servers stay as they are. A file that is not a JSON object is left alone.
 */
export async function mergeServer(file: vscode.Uri, section: string, snippet: AgentSnippet): Promise<void> {
  const server = (JSON.parse(snippet.text) as Record<string, Record<string, unknown>>)[section]?.pictor;
  const name = vscode.workspace.asRelativePath(file);
  if (!server) throw new Error(vscode.l10n.t('{0} was not changed: Pictor has no setup to write there.', name));
  let text = '';
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  } catch (e) {
    if (!(e instanceof vscode.FileSystemError && e.code === 'FileNotFound')) throw e;
  }
  if (!text.trim()) text = '{}\n';
  const errors: ParseError[] = [];
  const tree = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (errors.length || !isObject(tree)) throw new Error(vscode.l10n.t('{0} was not changed: it is not a JSON object that Pictor can add to. Add the setup by hand.', name));
  if (tree[section] !== undefined && !isObject(tree[section])) throw new Error(vscode.l10n.t('{0} was not changed: its "{1}" is not an object. Add the setup by hand.', name, section));
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  // Inserted first: the formatter reformats the lines an edit touches, and the end of the last server
  // shares its line with where a last entry would start, so the user's servers keep their own layout.
  const edits = modify(text, [section, 'pictor'], server, { formattingOptions: { insertSpaces: true, tabSize: 2, eol }, getInsertionIndex: () => 0 });
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(applyEdits(text, edits)));
}
