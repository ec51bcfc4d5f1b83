// Registers every command of the public contract (docs/design.md, "Public contract").
import * as vscode from 'vscode';
import { isLive } from '../../core/jobs/states';
import { KEYS_PAGE, validateKey, type ApiKeyStore } from '../settings/secrets';
import type { Generator } from '../run/generate';
import type { Report } from '../run/runTypes';
import { refusedReport } from '../../core/runReport';
import type { PictorService } from '../service';
import { commandRun } from '../run/reportNotices';
import type { VariantPicker } from '../place/variants';
import { AGENT_SETUP_SCHEME, AgentSetup } from '../agentSetup';
import type { UserInput } from '../userInput';

/** What the commands need of the panel (src/panel's PanelController, passed in by extension.ts). */
export interface PanelCommands {
  show(): void;
  /** Opens the panel on the variants of one pick (the first waiting pick without an id). */
  showPick(id?: string): void;
  addReferences(files: vscode.Uri[]): Promise<unknown>;
}

export interface CommandDeps {
  log: vscode.LogOutputChannel;
  keys: ApiKeyStore;
  panel: PanelCommands;
  generator: Generator;
  service: PictorService;
  picker: VariantPicker;
  input: UserInput;
}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { log, keys, panel, generator, service } = deps;
  const register = (id: string, fn: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  // Each run's report, rendered as notifications (reportNotices.ts); the command resolves with its jobs.
  const run = (work: Parameters<typeof commandRun>[2]) => commandRun(generator.notify, log, work);
  register('pictor.generateFromSelection', () => run((onSent) => generator.fromSelection(vscode.window.activeTextEditor, onSent)));
  register('pictor.generatePlaceholder', (uri?: unknown, range?: unknown) => run((onSent) => generator.placeholder(uri, range, { onSent })));
  register('pictor.generateAllPlaceholders', (uri?: unknown) => run((onSent) => generator.allPlaceholders(uri, { onSent })));
  // With a count (2–10) other extensions and tests skip the question; people are asked.
  register('pictor.generateVariants', (uri?: unknown, range?: unknown, count?: unknown) => run((onSent) => generator.variants(uri, range, count, onSent)));
  // A pick id, or a placeholder (document and range): opens the panel on its variants.
  register('pictor.pickVariant', (arg?: unknown, range?: unknown) => panel.showPick(deps.picker.resolve(arg, range)?.id));
  // From the Explorer (a file URI): that file; from the editor or the palette: the image link at the cursor.
  register('pictor.editImage', (file?: unknown, files?: unknown) => {
    const [image] = imageFilesOf(file, files);
    return run((onSent) => (image ? editImageFile(generator, image, onSent) : generator.editImage(vscode.window.activeTextEditor, onSent)));
  });
  register('pictor.useAsReference', (file?: unknown, files?: unknown) => panel.addReferences(imageFilesOf(file, files)));
  register('pictor.cancelAll', async () => {
    const n = service.queue.list().filter(isLive).length;
    await service.queue.cancelAll();
    const msg = n
      ? vscode.l10n.t('Pictor: stopped waiting for {0} task(s). Images of tasks that still finish at the provider are saved.', n)
      : vscode.l10n.t('Pictor: no tasks are running.');
    log.info(msg);
    void vscode.window.showInformationMessage(msg);
    return n;
  });
  register('pictor.openPanel', () => panel.show());
  // The walkthrough's "fill a placeholder" step: a page to try Generate on, not saved anywhere yet.
  register('pictor.openSample', async () => {
    const content = vscode.l10n.t('# Trying Pictor\n\nClick **Generate** above the placeholder below. The image is saved into your workspace and the empty () becomes its path.\n\n![a lighthouse on a rocky coast at dawn, watercolor]()\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content }));
  });
  register('pictor.showLog', () => log.show());
  register('pictor.setApiKey', async (key?: unknown) => {
    // Other extensions and tests may pass the key; people get a password box.
    const candidate = typeof key === 'string' && key.trim() ? key.trim() : await keys.ask();
    if (!candidate) return false;
    // A key that could not even be sent (a line break inside, a non-ASCII character) is refused here.
    const problem = validateKey(candidate);
    if (problem) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pictor: the API key was not saved. {0}', problem));
      return false;
    }
    return storeCheckedKey(candidate, keys, service, log);
  });
  register('pictor.clearApiKey', async () => {
    await keys.clear();
    log.info('API key removed from secret storage.');
    const fromEnv = Boolean(process.env.EVOLINK_API_KEY);
    void vscode.window.showInformationMessage(fromEnv
      ? vscode.l10n.t('Pictor: API key removed. The EVOLINK_API_KEY environment variable will be used.')
      : vscode.l10n.t('Pictor: API key removed.'));
    return true;
  });
  // The agent server's setup for Claude Code, Cursor, Codex or VS Code: shown and copied; a file only when asked.
  const setup = new AgentSetup(String((context.extension.packageJSON as { version?: unknown }).version), deps.input, log);
  context.subscriptions.push(setup, vscode.workspace.registerTextDocumentContentProvider(AGENT_SETUP_SCHEME, setup));
  register('pictor.setUpOtherAgents', () => setup.run());
}

/**
 * Checks a key with the provider's free balance call before storing it, so a wrong key is caught
 * before any paid request. A key the provider refuses is not stored; one that cannot be checked now
 * (offline, Restricted Mode) is stored and says so.
 */
async function storeCheckedKey(key: string, keys: ApiKeyStore, service: PictorService, log: vscode.LogOutputChannel): Promise<boolean> {
  // In Restricted Mode nothing is sent (the provider address could come from the workspace).
  const verdict = vscode.workspace.isTrusted ? await service.spend.checkKey(key) : undefined;
  if (verdict && !verdict.ok && verdict.refused) {
    log.warn('The provider refused the API key; it was not stored.');
    const again = vscode.l10n.t('Set API Key');
    const get = vscode.l10n.t('Get a Key');
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Pictor: the provider refused this API key, so it was not saved. Check that you copied the whole key (sk-evo-…), or create a new one.'),
      again, get).then((pick) => {
      if (pick === again) void vscode.commands.executeCommand('pictor.setApiKey');
      if (pick === get) void vscode.env.openExternal(vscode.Uri.parse(KEYS_PAGE));
    });
    return false;
  }
  await keys.set(key);
  if (verdict?.ok) {
    const left = verdict.credits.userRemaining ?? verdict.credits.tokenRemaining;
    log.info(`API key stored in secret storage; the provider accepted it${left !== undefined ? ` (balance ${left} credits)` : ''}.`);
    void vscode.window.showInformationMessage(left !== undefined
      ? vscode.l10n.t('Pictor: API key saved. The provider accepted it; the balance is {0} credits.', left)
      : vscode.l10n.t('Pictor: API key saved. The provider accepted it.'));
  } else {
    const why = verdict ? verdict.message : vscode.l10n.t('the workspace is in Restricted Mode');
    log.info(`API key stored in secret storage; not checked (${why}).`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Pictor: API key saved. It could not be checked now ({0}); the next request will tell.', why));
  }
  return true;
}

// The Explorer's context menu on an image file: Edit Image… (the file is the reference, the result
// is saved into the workspace) and Use as Reference (the file joins the panel's references).
const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

/** The image files a menu command was invoked on: the clicked file, or every selected one. */
function imageFilesOf(clicked: unknown, selected: unknown): vscode.Uri[] {
  const all = Array.isArray(selected) && selected.length ? selected : [clicked];
  return all.filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.scheme === 'file' && IMAGE_FILE.test(u.path));
}

/** Asks for the change, then sends the file as the reference; the edited image lands in the workspace. */
async function editImageFile(generator: Generator, file: vscode.Uri, onSent?: (sent: Report) => void): Promise<Report> {
  let bytes: number;
  try {
    bytes = (await vscode.workspace.fs.stat(file)).size;
  } catch {
    return refusedReport('input', vscode.l10n.t('Pictor: the image {0} does not exist.', vscode.workspace.asRelativePath(file)), { severity: 'error' });
  }
  const instruction = (await generator.ask({
    title: vscode.l10n.t('Pictor: Edit Image'),
    prompt: vscode.l10n.t('Describe the change to {0}, e.g. "make it night, with stars"', vscode.workspace.asRelativePath(file)),
    ignoreFocusOut: true,
  }))?.trim();
  if (!instruction) return refusedReport('input', '');
  return generator.run(undefined, [{
    prompt: instruction,
    meta: { origin: 'panel', alt: instruction.replace(/\s+/g, ' ') },
    references: [{ kind: 'file', path: file.fsPath, bytes }],
  }], vscode.l10n.t('Editing the image'), undefined, undefined, onSent);
}
