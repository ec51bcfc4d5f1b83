// Shared by the integration suites: where the fake provider is, and small waits on the real VS Code API.
import * as net from 'node:net';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'pictor.pictor';

/** Every command of the public contract (docs/design.md, "Public contract"). */
export const CONTRACT_COMMANDS = [
  'pictor.generateFromSelection',
  'pictor.generatePlaceholder',
  'pictor.generateAllPlaceholders',
  'pictor.generateVariants',
  'pictor.pickVariant',
  'pictor.editImage',
  'pictor.regenerateImage',
  'pictor.openPanel',
  'pictor.setApiKey',
  'pictor.clearApiKey',
  'pictor.cancelAll',
  'pictor.showLog',
] as const;

/** The fake provider's address and key, given by the launcher through the environment. */
export function fake(): { url: string; key: string } {
  const url = process.env.PICTOR_FAKE_URL;
  const key = process.env.PICTOR_FAKE_KEY;
  if (!url || !key) {
    throw new Error('PICTOR_FAKE_URL / PICTOR_FAKE_KEY are not set: run the suites through test/host/run-integration.mjs or run-desktop.mjs');
  }
  return { url, key };
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('The integration suites need a workspace folder (the launcher opens a copy of fixtures/workspace).');
  return folder.uri;
}

export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`Extension ${EXTENSION_ID} is not loaded in this extension host`);
  await ext.activate();
  return ext;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a truthy value; the UI applies some API effects a moment later. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function pictorPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
    t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('pictor.panel'));
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export interface RecordedRequest { method: string; path: string; headers: Record<string, string | string[] | undefined>; at: number }

/** Every request the fake provider received so far (its control endpoint is not recorded itself). */
export async function fakeRequests(): Promise<RecordedRequest[]> {
  const res = await fetch(`${fake().url}/__fake/requests`);
  if (!res.ok) throw new Error(`fake provider: GET /__fake/requests -> ${res.status}`);
  return (await res.json()) as RecordedRequest[];
}

export async function fakeCreates(): Promise<RecordedRequest[]> {
  return (await fakeRequests()).filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations'));
}

/** Writes a file into the test workspace and returns its URI. */
export async function writeWorkspaceFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.joinPath(workspaceRoot(), name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

/**
 * Runs a command that may stop at a non-modal notification (e.g. "Pictor needs an API key", with
 * buttons) and dismisses such notifications the way a person would close them, until it settles.
 * Only for commands expected to end before any task starts: it would also close progress notifications.
 */
export async function runDismissingNotifications<T>(command: string, ...args: unknown[]): Promise<T> {
  let settled = false;
  const p = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).finally(() => { settled = true; });
  while (!settled) {
    await vscode.commands.executeCommand('notifications.clearAll');
    await Promise.race([p, new Promise((r) => setTimeout(r, 100))]).catch(() => undefined);
  }
  return p;
}

/** A loopback port nothing listens on (taken, then given back). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
