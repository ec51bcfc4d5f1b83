// Spend you can see: every task's `usage` as the provider reports it (kept per workspace), totals for
// this session and the workspace, the account balance from GET /v1/credits, the free key check on
// Set API Key, and pictor.maxCreditsPerSession.
import * as vscode from 'vscode';
import type { AccountCredits } from '../../core/api/credits';
import { PictorError } from '../../core/api/errors';
import { readUsage, SpendLedger, type SpendEntry } from '../../core/spend';
import type { TaskObject } from '../../core/types';
import type { SpendView, UsageView } from '../../shared/protocol';
import { say } from '../say';
import { readGuards } from './config';

const STATE_KEY = 'pictor.spend';
/** The balance is free to read, but not worth asking for more often than this after tasks finish. */
const BALANCE_EVERY_MS = 15_000;
/** Usage rows the panel gets (it shows at most 100 tasks). */
const VIEW_ROWS = 200;

export type KeyVerdict = { ok: true; credits: AccountCredits } | { ok: false; refused: true; message: string } | { ok: false; refused: false; message: string };

export class SpendTracker implements vscode.Disposable {
  private readonly ledger: SpendLedger;
  private balance: { credits: AccountCredits; at: number } | undefined;
  private balanceError: string | undefined;
  private lastBalanceAt = 0;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly credits: (apiKey?: string) => Promise<AccountCredits>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.ledger = new SpendLedger(memento.get<SpendEntry[]>(STATE_KEY, []));
  }

  /** Records the usage a task object reports; `created` for the answer to a create (a task of this session). */
  observe(task: TaskObject, created: boolean): TaskObject {
    const usage = readUsage(task.usage);
    if (usage && this.ledger.record(task.id, usage, Date.now(), created)) {
      if (created) this.log.info(`Task ${task.id}: ${describeUsage(usage)}.`);
      this.scheduleSave();
      this.changed.fire();
    }
    return task;
  }

  /** Reads the balance now; the panel shows it, or why it could not be read. */
  async refreshBalance(): Promise<void> {
    this.lastBalanceAt = Date.now();
    if (!vscode.workspace.isTrusted) {
      // Restricted Mode sends nothing: the provider address could come from the workspace.
      this.balanceError = vscode.l10n.t('the workspace is in Restricted Mode; trust it to read the balance');
      this.changed.fire();
      return;
    }
    try {
      this.balance = { credits: await this.credits(), at: Date.now() };
      this.balanceError = undefined;
    } catch (e) {
      this.balanceError = say(e as Error);
    }
    this.changed.fire();
  }

  /** After a task ends: a fresh balance, at most every BALANCE_EVERY_MS. */
  refreshSoon(): void {
    if (Date.now() - this.lastBalanceAt >= BALANCE_EVERY_MS) void this.refreshBalance();
  }

  /** Checks a key with the free balance call before it is stored: a wrong key is caught before any paid request. */
  async checkKey(key: string): Promise<KeyVerdict> {
    try {
      const credits = await this.credits(key);
      this.balance = { credits, at: Date.now() };
      this.balanceError = undefined;
      this.changed.fire();
      return { ok: true, credits };
    } catch (e) {
      const refused = e instanceof PictorError && e.kind === 'auth';
      return { ok: false, refused, message: say(e as Error) };
    }
  }

  /**
   * With pictor.maxCreditsPerSession set and this session's reported credits at or over it, asks before
   * anything more is sent. Pictor never prices a request itself, so the question comes once the
   * provider's own reports reach the limit.
   */
  async confirmBudget(scope?: vscode.Uri): Promise<'under' | 'over' | false> {
    const limit = maxCredits(scope);
    if (limit === undefined) return 'under';
    const { session } = this.ledger.totals();
    if (session.credits < limit) return 'under';
    const go = vscode.l10n.t('Send Anyway');
    const settings = vscode.l10n.t('Open Settings');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Pictor: this session has used {0} credits, at or over your limit of {1} (pictor.maxCreditsPerSession). Send more requests anyway?', format(session.credits), format(limit)),
      { modal: true }, go, settings);
    if (pick === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'pictor.maxCreditsPerSession');
    if (pick !== go) this.log.info(`Not sent: the user declined to go over pictor.maxCreditsPerSession (${format(session.credits)} of ${format(limit)} credits used this session).`);
    return pick === go ? 'over' : false;
  }

  /**
   * The money gate's question when the budget is reached while jobs of earlier actions wait: one
   * question for all of them. Declined (or a host that shows no dialog): none of them is sent.
   */
  async askOverBudget(spent: number, limit: number, waiting: number): Promise<boolean> {
    const go = vscode.l10n.t('Send Anyway');
    const settings = vscode.l10n.t('Open Settings');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Pictor: this session has now used {0} credits, at or over your limit of {1} (pictor.maxCreditsPerSession). Send the {2} request(s) still waiting anyway?', format(spent), format(limit), waiting),
      { modal: true }, go, settings);
    if (pick === settings) void vscode.commands.executeCommand('workbench.action.openSettings', 'pictor.maxCreditsPerSession');
    return pick === go;
  }

  view(scope?: vscode.Uri): SpendView {
    const totals = this.ledger.totals();
    const usage: Record<string, UsageView> = {};
    for (const e of this.ledger.recent(VIEW_ROWS)) usage[e.taskId] = { ...e.usage };
    const v: SpendView = { session: totals.session, workspace: totals.workspace, usage };
    if (this.balance) {
      const c = this.balance.credits;
      v.balance = { checkedAt: this.balance.at };
      if (c.userRemaining !== undefined) v.balance.account = c.userRemaining;
      if (c.tokenRemaining !== undefined && !c.unlimited) v.balance.key = c.tokenRemaining;
      if (c.unlimited !== undefined) v.balance.unlimitedKey = c.unlimited;
    }
    if (this.balanceError) v.balanceError = this.balanceError;
    const limit = maxCredits(scope);
    if (limit !== undefined) v.limit = limit;
    return v;
  }

  /** The workspace's totals, for tests and the log. */
  totals(): ReturnType<SpendLedger['totals']> {
    return this.ledger.totals();
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => void this.flush(), 500);
  }

  async flush(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.memento.update(STATE_KEY, this.ledger.entries()).then(undefined, (e: Error) => this.log.warn(`Could not store the spend: ${e.message}`));
  }

  dispose(): void {
    if (this.saveTimer) void this.flush();
    this.changed.dispose();
  }
}

function maxCredits(_scope?: vscode.Uri): number | undefined {
  return readGuards().maxCreditsPerSession;
}

function format(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function describeUsage(u: { billingRule?: string; reserved?: number; charged?: number }): string {
  const parts = [u.billingRule ?? 'usage'];
  if (u.reserved !== undefined) parts.push(`${format(u.reserved)} credits reserved`);
  if (u.charged !== undefined) parts.push(`${format(u.charged)} credits charged`);
  return parts.join(', ');
}
