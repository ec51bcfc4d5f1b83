// The cost question, asked once per action before anything of it is submitted: when the action would
// bill more images than pictor.confirmAboveImages or cost more than pictor.confirmAboveCost. The
// answer goes with each job as its approval, which the money gate (core/money.ts) reads before the
// create; a job above the guards without one is never sent.
import * as vscode from 'vscode';
import { actionCost, aboveGuards, type Approval, type Bill, type SpendingGuards } from '../../core/money';
import { formatSize } from '../../shared/sizes';
import type { PixelSize } from '../../shared/limits';

/** What the question shows of one request. */
export interface BilledRequest extends Bill {
  size?: PixelSize;
  quality: string;
}

/**
 * Asks when the action is above a guard. Returns undefined when nothing needed asking, the approval
 * when the user said yes, false when they declined (or a host that shows no dialog).
 */
export async function askCost(requests: readonly BilledRequest[], prompts: number, guards: SpendingGuards,
  log: vscode.LogOutputChannel): Promise<Approval | undefined | false> {
  const bill = actionCost(requests);
  const above = aboveGuards(bill, guards);
  if (!above.images && !above.cost) return undefined;
  const go = vscode.l10n.t('Generate {0} Images', bill.images);
  const question = prompts === 1
    ? vscode.l10n.t('Generate {0} images for 1 prompt?', bill.images)
    : vscode.l10n.t('Generate {0} images for {1} prompts?', bill.images, prompts);
  const why = [
    above.images ? vscode.l10n.t('more than {0} images (pictor.confirmAboveImages)', guards.confirmAboveImages) : '',
    above.cost ? vscode.l10n.t('more than {0}× (pictor.confirmAboveCost)', formatCost(guards.confirmAboveCost)) : '',
  ].filter(Boolean).join(vscode.l10n.t(' and '));
  const pick = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} {1}. Each image is billed: about {2}× the cost of one medium 1024×1024 image in all, {3}.',
      question, sizeText(requests), bill.cost.toFixed(2), why),
    { modal: true }, go);
  if (pick === go) return { images: bill.images, cost: bill.cost };
  log.info(`Not sent: the user declined ${bill.images} images at about ${formatCost(bill.cost)}× (above the cost question's guards).`);
  return false;
}

/** The approval a job carries: the cost question's answer, and a yes to sending over the budget. */
export function approvalOf(asked: Approval | undefined, budget: 'under' | 'over'): Approval | undefined {
  if (!asked && budget === 'under') return undefined;
  return { images: asked?.images ?? 0, cost: asked?.cost ?? 0, ...(budget === 'over' ? { overBudget: true } : {}) };
}

/** The pixel sizes and quality of a question: `3840×2160, high quality`. */
function sizeText(requests: readonly BilledRequest[]): string {
  const sizes = [...new Set(requests.map((r) => (r.size ? formatSize(r.size) : vscode.l10n.t('the size the model picks'))))];
  const qualities = [...new Set(requests.map((r) => r.quality))];
  return vscode.l10n.t('Each at {0}, {1} quality', sizes.join(' / '), qualities.join(' / '));
}

function formatCost(n: number): string {
  return n.toFixed(2).replace(/\.?0+$/, '');
}
