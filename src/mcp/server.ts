// `pictor mcp`: the engine as a Model Context Protocol server over stdio, for agents outside VS Code
// (Claude Code, Cursor, Codex, VS Code's own MCP support). The same planner, queue, money gate, task
// store, placer and claims as the editor and the terminal (core/headlessSession.ts); tools that mirror
// the editor's language model tools (src/vscode/tools) and answer in the same words, with structured
// content besides. Nothing but protocol on stdout: lines for people go to the client as log messages.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HeadlessSession, storedJobs } from '../core/headlessSession';
import { stricterGuards, type SpendingGuards } from '../core/money';
import { claimsDir, pictorStateDir } from '../core/stateDir';
import { readWorkspaceSettings } from '../core/workspaceSettings';
import { english } from '../shared/words';
import { processGuards, providerAddresses, type GuardFlags } from '../core/processSettings';
import { registerTools, type Engine, type Server } from './tools';
import { Workspace, rootFromUri, unfitRoot, type Root } from './workspace';

const manifest = require('../../package.json') as { version: string; contributes: { configuration: { properties: Record<string, never> } } };

/** How long a tool call waits for its images before it answers with the job ids (seconds). */
export const DEFAULT_MAX_WAIT_S = 50;

/**
 * What identifies the version of a workspace folder's `.vscode/settings.json` without reading it: its
 * modification time, size and inode (an editor that saves by renaming a new file changes the inode).
 */
async function settingsStamp(root: string): Promise<string> {
  try {
    const s = await fs.stat(path.join(root, '.vscode', 'settings.json'));
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'none';
  }
}

/**
 * Serves MCP on stdin/stdout until the client closes it. Returns the exit code: 0 after a normal
 * close, 2 when it cannot start (a bad flag or variable, or a workspace that is the home folder or `/`).
 */
/** The server's own flags (the `pictor` command's, for `pictor mcp`). */
export interface McpFlags extends GuardFlags {
  workspace?: string;
  baseUrl?: string;
  filesBaseUrl?: string;
  concurrency?: number;
  /** Seconds a tool call waits for its images before it answers with the job ids. */
  maxWait?: number;
}

export async function serveMcp(args: McpFlags, env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`pictor mcp: ${message}\n`);
    return 2;
  };
  let guards: Partial<SpendingGuards>;
  try {
    guards = processGuards(args, env);
  } catch (e) {
    return fail((e as Error).message);
  }
  const { baseUrl, filesBaseUrl } = providerAddresses(args, env);
  for (const [name, u] of [['--base-url', baseUrl], ['--files-base-url', filesBaseUrl]] as const) {
    if (!URL.canParse(u)) return fail(`${name} is not a URL: ${u}`);
  }
  let given: string | undefined;
  if (args.workspace !== undefined) {
    given = path.resolve(cwd, args.workspace);
    const why = unfitRoot(given);
    if (why) return fail(`refusing to start: the workspace ${why}. Pictor saves into the workspace and reads only inside it; give a project folder with --workspace DIR.`);
  }
  const apiKey = env.EVOLINK_API_KEY?.trim() ?? '';
  const host = { env, platform: process.platform, home: os.homedir(), cwd };
  const stateDir = pictorStateDir(host);
  const maxWaitMs = (args.maxWait ?? DEFAULT_MAX_WAIT_S) * 1000;

  const mcp = new McpServer({ name: 'pictor', version: manifest.version }, {
    capabilities: { logging: {}, tools: {} },
    instructions: 'Pictor generates images into this workspace and links them into Markdown pages: generate_image makes images for one prompt (or fills one placeholder), '
      + 'list_placeholders shows what a page asks for, fill_placeholders fills every ![prompt]() placeholder of a page, job_status reports jobs that were still running when a call returned. '
      + 'Answers give workspace-relative paths, pixel sizes and ready Markdown links.',
  });
  const scrub = (text: string) => (apiKey ? text.split(apiKey).join('***') : text);
  let connected = false;
  const log = (level: LoggingLevel, line: string) => {
    if (connected) void mcp.server.sendLoggingMessage({ level, logger: 'pictor', data: scrub(line) }).catch(() => undefined);
  };

  const engines = new Map<string, Engine>();
  let ready: Promise<{ ws: Workspace; engines: Map<string, Engine> }> | undefined;
  let closing: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { closing = resolve; });

  /** The workspace: --workspace, else the client's roots, else the current folder; each folder's engine, stored jobs resumed. */
  const workspace = () => ready ??= (async () => {
    let roots: Root[] = given ? [{ name: path.basename(given), path: given }] : [];
    if (!roots.length && mcp.server.getClientCapabilities()?.roots) {
      try {
        const listed = await mcp.server.listRoots();
        roots = listed.roots.flatMap((r) => rootFromUri(r.uri, r.name) ?? []);
        const unfit = roots.map((r) => unfitRoot(r.path)).filter((w): w is string => Boolean(w));
        if (unfit.length) {
          log('warning', `Not used as workspace folders: ${unfit.join('; ')}.`);
          roots = roots.filter((r) => !unfitRoot(r.path));
        }
      } catch (e) {
        log('warning', `The client's roots could not be read (${(e as Error).message}): using the current folder.`);
      }
    }
    if (!roots.length) {
      const why = unfitRoot(cwd);
      if (why) {
        const message = `refusing to start: the workspace would be ${why}. Start the server in a project folder, or give one with --workspace DIR.`;
        log('error', message);
        process.stderr.write(`pictor mcp: ${message}\n`);
        setImmediate(() => closing(2));
        throw new Error(message);
      }
      roots = [{ name: path.basename(cwd), path: cwd }];
    }
    const ws = new Workspace(roots);
    for (const root of ws.roots) {
      // Stamped before it is read: a change in between is read again at the next call.
      const settingsSeen = await settingsStamp(root.path);
      const settings = await readWorkspaceSettings(root.path, manifest.contributes.configuration.properties);
      for (const p of settings.problems) log('warning', `${root.name}: setting: ${english(p)}`);
      const engine: Engine = { root, settings, settingsSeen, guards: stricterGuards(guards, settings.guards) };
      if (apiKey) {
        engine.session = new HeadlessSession({
          root: root.path, stateDir, claimsDir: claimsDir(host), apiKey, baseUrl, filesBaseUrl, userAgent: `pictor-mcp/${manifest.version}`,
          guards: engine.guards, settings: settings.plan, destination: settings.destination, concurrency: args.concurrency ?? 4,
          log: (line) => log('info', line),
        });
        engine.session.onEvent((e) => {
          if (e.type === 'failed' || e.type === 'timed_out') log('warning', `job ${e.job.id}: ${e.type}: ${e.job.error?.message ?? ''}`);
        });
        // Stored jobs of an earlier server (or a stopped `pictor fill`) go on: placed without a new task.
        const resumed = await engine.session.resume();
        if (resumed.length) log('info', `${root.name}: resuming ${resumed.length} stored task(s).`);
      } else if ((await storedJobs(stateDir, root.path)).some((j) => !['completed', 'failed', 'cancelled', 'timed_out', 'unknown'].includes(j.state))) {
        log('warning', `${root.name}: stored tasks wait to be resumed, but EVOLINK_API_KEY is not set for this server.`);
      }
      engines.set(root.path, engine);
    }
    return { ws, engines };
  })();

  /**
   * The workspace folders' settings as they are now: a server lives as long as the agent's session,
   * and the user edits `.vscode/settings.json` meanwhile (as the editor does, the next call follows the
   * edit). Read again only when the file changed; the guards stay the stricter of the process's and the file's.
   */
  const reread = async (engines: Map<string, Engine>) => {
    for (const engine of engines.values()) {
      const seen = await settingsStamp(engine.root.path);
      if (seen === engine.settingsSeen) continue;
      const settings = await readWorkspaceSettings(engine.root.path, manifest.contributes.configuration.properties);
      for (const p of settings.problems) log('warning', `${engine.root.name}: setting: ${english(p)}`);
      log('info', `${engine.root.name}: .vscode/settings.json changed: read again.`);
      engine.settings = settings;
      engine.settingsSeen = seen;
      engine.guards = stricterGuards(guards, settings.guards);
      engine.session?.useSettings({ settings: settings.plan, destination: settings.destination, guards: engine.guards });
    }
  };
  let rereading: Promise<void> | undefined;
  /** The workspace at the start of a tool call, its settings current (one re-read at a time). */
  const current = async () => {
    const w = await workspace();
    await (rereading ??= reread(w.engines).finally(() => { rereading = undefined; }));
    return w;
  };

  const server: Server = { mcp, workspace: current, maxWaitMs, hasKey: Boolean(apiKey), claimsDir: claimsDir(host), stateDir, log, scrub };
  registerTools(server);

  // The workspace is known once the client said what it can (its roots): stored jobs resume then.
  mcp.server.oninitialized = () => {
    connected = true;
    workspace().catch(() => undefined);
  };
  const transport = new StdioServerTransport();
  const close = async (code: number) => {
    for (const e of engines.values()) await e.session?.close().catch(() => undefined);
    await mcp.close().catch(() => undefined);
    closing(code);
  };
  transport.onclose = () => void close(0);
  process.stdin.once('end', () => void close(0));
  await mcp.connect(transport);
  const code = await done;
  if (code !== 0) await close(code);
  return code;
}
