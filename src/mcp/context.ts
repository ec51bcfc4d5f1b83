// What the agent server's tools share: the server, each workspace folder's engine, and the two gates
// before anything is sent (a key; the money question for a call above the limits).

import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { aboveGuards, type Approval, type Bill } from '../core/money';
import { formatCost } from '../shared/optionsCheck';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import type { HeadlessSession } from '../core/headlessSession';
import type { SpendingGuards } from '../core/money';
import type { WorkspaceSettings } from '../core/workspaceSettings';
import { refuse, type Root, type Workspace } from './workspace';

/** One workspace folder's engine: its settings, its guards, and (with a key) its session. */
export interface Engine {
  root: Root;
  settings: WorkspaceSettings;
  /** Which version of `.vscode/settings.json` `settings` came from (server.ts settingsStamp). */
  settingsSeen?: string;
  guards: SpendingGuards;
  /** Absent without a key: nothing can be sent, stored jobs stay stored. */
  session?: HeadlessSession;
}

/** What the tools share. */
export interface Server {
  mcp: McpServer;
  /** The workspace at the start of a tool call: its folders' engines, their settings re-read if the file changed. */
  workspace(): Promise<{ ws: Workspace; engines: Map<string, Engine> }>;
  /** The guards' flags and variables, named in a refusal (how to raise a limit). */
  maxWaitMs: number;
  hasKey: boolean;
  claimsDir: string;
  stateDir: string;
  log(level: LoggingLevel, line: string): void;
  /** Removes the key from any text that leaves the server. */
  scrub(text: string): string;
}


export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function engineOf(engines: Map<string, Engine>, root: string): Engine {
  return engines.get(root)!;
}

export function needKey(server: Server, engine: Engine): void {
  if (!server.hasKey || !engine.session) {
    refuse('noKey', 'Nothing was sent: the Pictor server has no EvoLink API key. Ask the user to set the EVOLINK_API_KEY environment variable for the server (the "env" of its entry in the agent\'s MCP configuration, or the environment it is started from), then restart it.');
  }
}

/**
 * The money question for a call above the limits (or past the session budget): asked through the
 * client (elicitation) where it can ask the user; else refused, naming the limit and where the user
 * raises it. A tool's arguments never raise a limit.
 */
export async function admit(server: Server, engine: Engine, bill: Bill, what: string): Promise<Approval | undefined> {
  const g = engine.guards;
  const above = aboveGuards(bill, g);
  const limit = g.maxCreditsPerSession;
  const spent = engine.session?.creditsUsed() ?? 0;
  const overBudget = limit !== undefined && spent >= limit;
  if (!above.images && !above.cost && !overBudget) return undefined;
  const figures = `${bill.images} image(s), relative cost ≈${formatCost(bill.cost)}× (1× = one medium 1024×1024 image)`;
  const why = [
    ...(above.images ? [`more images than its limit of ${g.confirmAboveImages} (--confirm-above-images or PICTOR_CONFIRM_ABOVE_IMAGES)`] : []),
    ...(above.cost ? [`a relative cost above its limit of ${formatCost(g.confirmAboveCost)} (--confirm-above-cost or PICTOR_CONFIRM_ABOVE_COST)`] : []),
    ...(overBudget ? [`more credits: this server has used ${Math.round(spent * 100) / 100} of its ${limit} (--max-credits or PICTOR_MAX_CREDITS)`] : []),
  ].join('; and ');
  if (server.mcp.server.getClientCapabilities()?.elicitation) {
    const answer = await server.mcp.server.elicitInput({
      message: `Pictor: ${what} would bill ${figures}, ${why}. Send it, billed to your EvoLink account?`,
      requestedSchema: { type: 'object', properties: { send: { type: 'boolean', title: 'Send and bill these images', default: false } }, required: ['send'] },
    }).catch(() => undefined);
    if (answer?.action === 'accept' && answer.content?.send === true) {
      return { images: bill.images, cost: bill.cost, ...(overBudget ? { overBudget: true } : {}) };
    }
    refuse('declined', `Nothing was sent: the user did not approve ${what} (${figures}).`);
  }
  refuse(overBudget && !above.images && !above.cost ? 'budget' : 'aboveLimits',
    `Nothing was sent: ${what} would bill ${figures}, and this asks for ${why}. This client cannot ask the user, and a tool call cannot raise a limit: `
    + 'the user raises it where the Pictor server is started (the flag in its command line, or the variable in its environment, in the agent\'s MCP configuration), or fill fewer placeholders.');
}
