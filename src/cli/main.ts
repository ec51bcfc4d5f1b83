// The `pictor` command: the engine's headless run (core/headless.ts) from a terminal or CI. The same
// planner, queue, money gate, destinations, names, recipes and claims as the editor; the provider's
// addresses and the key come from this process (flags, environment), never from the repository.
// Plain lines only (no control characters), so a CI log reads as a terminal does. This file reads the
// call and hands it to its command (fill.ts, generate.ts, status.ts).

import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pictorStateDir } from '../core/stateDir';
import { readWorkspaceSettings } from '../core/workspaceSettings';
import { english } from '../shared/words';
import { HELP, parseArgs, type CliArgs } from './args';
import { Exit, FAILED, guardsOf, manifest, OK, output, USAGE, type Ctx, type JsonReport, type Out } from './context';
import { fill } from './fill';
import { generate } from './generate';
import { findWorkspace } from './pages';
import { recipe, resume, status } from './status';

export { findWorkspace };

/** The other faces the `pictor` command can start, handed in by the launcher. */
export interface OtherFaces {
  mcp?: (args: CliArgs, env: Record<string, string | undefined>, cwd: string) => Promise<number>;
}

export async function main(argv: readonly string[], env: Record<string, string | undefined> = process.env, cwd = process.cwd(), faces: OtherFaces = {}): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`pictor: ${parsed.message}\n`);
    return USAGE;
  }
  const args = parsed.args;
  if (args.help) {
    process.stdout.write(HELP);
    return OK;
  }
  if (args.version) {
    process.stdout.write(`${manifest.version}\n`);
    return OK;
  }
  if (!args.command) {
    process.stderr.write(`pictor: no command.\n\n${HELP}`);
    return USAGE;
  }
  // The agent server is another face (src/mcp); the launcher (src/bin/pictor.ts) hands it in.
  if (args.command === 'mcp') {
    if (faces.mcp) return faces.mcp(args, env, cwd);
    process.stderr.write('pictor: this build has no agent server (pictor mcp).\n');
    return USAGE;
  }
  const out = output(args, env);
  const report: JsonReport = {
    version: 1, command: args.command, workspace: '', dryRun: args.dryRun || args.command === 'list', bill: { images: 0, cost: 0 },
    guards: { confirmAboveImages: 0, confirmAboveCost: 0 }, pages: [], summary: { filled: 0, failed: 0, skipped: 0, planned: 0 }, exitCode: OK, problems: [],
  };
  try {
    report.exitCode = await run(args, env, cwd, out, report);
  } catch (e) {
    const code = e instanceof Exit ? e.code : FAILED;
    const message = e instanceof Exit ? e.message : `Unexpected error: ${(e as Error).message}`;
    out.warn(`pictor: ${message}`);
    report.problems.push(message);
    report.exitCode = code;
  }
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.exitCode;
}


async function run(args: CliArgs, env: Record<string, string | undefined>, cwd: string, out: Out, report: JsonReport): Promise<number> {
  const root = path.resolve(cwd, args.workspace ?? findWorkspace(cwd));
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Exit(USAGE, `The workspace ${root} is not a folder.`);
  report.workspace = root;
  if (args.command === 'recipe') return recipe(args, cwd, out, report);
  const settings = await readWorkspaceSettings(root, manifest.contributes.configuration.properties);
  for (const p of settings.problems) {
    if (p.code === 'setting.fileUnreadable') throw new Exit(USAGE, english(p));
    out.warn(`setting: ${english(p)}`);
    report.problems.push(english(p));
  }
  const guards = guardsOf(args, env, settings.guards);
  report.guards = guards;
  const host = { env, platform: process.platform, home: os.homedir(), cwd };
  const ctx: Ctx = { args, env, cwd, out, report, root, settings, guards, host, state: pictorStateDir(host) };
  if (args.command === 'generate') return generate(ctx);
  if (args.command === 'status') return status(ctx);
  if (args.command === 'resume') return resume(ctx);
  return fill(ctx);
}
