// The Spend section: what this session and this workspace used, summed from the provider's own
// per-task reports, and the account balance from the provider (never a price worked out here).
import type { SpendView, UsageView } from '../src/shared/protocol';
import { button, el, section } from './dom';
import { send, t } from './state';

export class SpendSection {
  readonly root: HTMLElement;
  private readonly body = el('div', { id: 'spend', class: 'spend', 'aria-live': 'polite' });

  constructor() {
    this.root = section('spend-section', t('spend'), this.body,
      el('div', { class: 'actions' },
        button({ label: t('spendRefresh'), icon: 'refresh', id: 'spend-refresh', key: 'spend-refresh', onClick: () => send({ type: 'refreshBalance' }) })));
  }

  set(s: SpendView): void {
    const b = s.balance;
    const balance = b?.account !== undefined ? t('spendBalance', fmt(b.account))
      : b?.key !== undefined ? t('spendBalanceKey', fmt(b.key))
      : s.balanceError ? t('spendBalanceNone', s.balanceError) : null;
    const rows: (HTMLElement | null)[] = [
      el('p', { id: 'spend-session' }, t('spendSession', fmt(s.session.credits), s.session.tasks)),
      el('p', { id: 'spend-workspace', class: 'note' }, t('spendWorkspace', fmt(s.workspace.credits), s.workspace.tasks)),
      balance ? el('p', { id: 'spend-balance' }, balance) : null,
      b?.key !== undefined && b.account !== undefined ? el('p', { class: 'note' }, t('spendBalanceKey', fmt(b.key))) : null,
      s.limit !== undefined ? el('p', { id: 'spend-limit', class: s.session.credits >= s.limit ? 'job-error' : 'note' }, t('spendLimit', fmt(s.limit))) : null,
    ];
    this.body.replaceChildren(...rows.filter((r): r is HTMLElement => r !== null));
  }
}

/** One task's usage for its queue row: `per_call: 2.5 credits reserved`. */
export function usageText(u: UsageView | undefined): string | undefined {
  if (!u) return undefined;
  const rule = u.billingRule ?? '';
  if (u.charged !== undefined) return t('usageCharged', rule, fmt(u.charged));
  if (u.reserved !== undefined) return t('usageReserved', rule, fmt(u.reserved));
  return rule || undefined;
}

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}
