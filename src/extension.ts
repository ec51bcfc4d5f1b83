// Entry point: builds the objects the extension is made of and registers them. Nothing else.
import * as vscode from 'vscode';
import { registerCommands } from './vscode/editor/commands';
import { ApiKeyStore } from './vscode/settings/secrets';
import { registerTools, type PictorTools } from './vscode/tools';
import { vscodeInput, type UserInput } from './vscode/userInput';
import { PanelController } from './panel/panel';
import { PictorService, type QueueTiming } from './vscode/service';
import { RangeTracker } from './vscode/place/tracker';
import { Linker } from './vscode/place/linker';
import { DocumentLinks } from './vscode/place/documentLinks';
import { Generator } from './vscode/run/generate';
import { PlaceholderLenses } from './vscode/editor/codelens';
import { RecipeLenses } from './vscode/editor/recipeLens';
import { Regenerator } from './vscode/editor/regenerate';
import { RunningStatus } from './vscode/editor/statusBar';
import { PictorContextKeys } from './vscode/editor/contextKeys';
import { CLAIM_STALE_MS, ClaimRegistry } from './core/claims';
import { claimsDir, pageLocksDir } from './core/stateDir';
import { PageLocks } from './core/pageLocks';
import { PlaceholderClaims } from './vscode/state/placeholderClaims';
import { VariantPicker } from './vscode/place/variants';
import { initSettings } from './vscode/settings/config';
import * as path from 'node:path';

/** What activation built that another host of the extension drives (the integration tests' entry). */
export interface PictorParts {
  panel: PanelController;
  contextKeys: PictorContextKeys;
  tools: PictorTools;
}

export function activate(context: vscode.ExtensionContext): void {
  activateWith(context, vscodeInput);
}

/**
 * Builds the extension with the UI it waits on the user through passed in (see userInput.ts), and the
 * queue's polling pace (the core's defaults unless given: another host of the extension may set its own).
 */
export function activateWith(context: vscode.ExtensionContext, input: UserInput, timing?: QueueTiming): PictorParts {
  const log = vscode.window.createOutputChannel('Pictor', { log: true });
  log.info(`Pictor ${String((context.extension.packageJSON as { version?: unknown }).version)} in VS Code ${vscode.version}; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted (Restricted Mode: nothing is sent)'}.`);
  // Before anything reads a setting: each is held to the manifest's schema, a bad one never throws.
  initSettings(context.extension.packageJSON, log);
  const keys = new ApiKeyStore(context.secrets);
  // Built top-down, each part handed what it uses: the pipeline runs command → generator → service
  // (queue) → linker → documents, and the variants that wait for a pick go to the picker.
  const tracker = new RangeTracker();
  // A page nobody edits is written under its lock, which every face of Pictor takes (core/pageLocks.ts).
  const links = new DocumentLinks(tracker, log, new PageLocks(pageLocksDir(), { onError: (e) => log.warn(`Page lock: ${e.message}`) }));
  // Several images for one placeholder wait for the user's pick (pictor.variants), kept across reloads.
  const picker = new VariantPicker(context.workspaceState, tracker, links, log);
  const linker = new Linker(tracker, links, picker, log);
  const service = new PictorService(context, keys, log, (job, files) => linker.finalize(job, files), timing);
  context.subscriptions.push(linker.lookNotes);
  // Claims live in the per-user folder every window and face of Pictor sees (the terminal command, the
  // agent server too), so no two of them fill one placeholder; for one release also where 0.2 kept them.
  const claimOptions = { onError: (e: Error) => log.warn(`Placeholder claim: ${e.message}`) };
  const claims = new PlaceholderClaims(new ClaimRegistry(claimsDir(), CLAIM_STALE_MS, Date.now, claimOptions),
    new ClaimRegistry(path.join(context.globalStorageUri.fsPath, 'claims'), CLAIM_STALE_MS, Date.now, claimOptions));
  const generator = new Generator(service, tracker, linker, log, claims, input, picker);
  const panel = new PanelController(context, log, service, generator, picker);
  const lenses = new PlaceholderLenses(generator);
  const contextKeys = new PictorContextKeys((doc) => generator.scan(doc));
  context.subscriptions.push(log, service, tracker, generator, picker, panel, new RunningStatus(service), lenses, contextKeys,
    vscode.languages.registerCodeLensProvider({ language: 'markdown' }, lenses));
  registerCommands(context, { log, keys, panel, generator, service, picker, input });
  picker.remind();
  const regenerator = new Regenerator(generator, log);
  context.subscriptions.push(vscode.languages.registerCodeLensProvider({ language: 'markdown' }, new RecipeLenses(generator, regenerator)),
    vscode.commands.registerCommand('pictor.regenerateImage', (uri?: unknown, range?: unknown) => regenerator.regenerate(uri, range)));
  // Unfinished tasks of this workspace resume in the background (after a reload or a crash);
  // in Restricted Mode only once the user trusts the workspace.
  const resume = () => void service.resume()
    .then(() => generator.adoptClaims())
    .catch((e) => log.error(`Could not resume tasks: ${(e as Error).message}`));
  if (vscode.workspace.isTrusted) resume();
  else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(resume));
  // The language model tools (chat and agent mode) go through the same generator, queue and claims.
  const tools = registerTools(context, { log, keys, generator, service, claims, lookNotes: (id) => linker.notes(id) });
  return { panel, contextKeys, tools };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
