// Spend you can see (issue 13 item 5): the free key check on Set API Key, each task's usage as the
// provider reported it, the session's and workspace's totals and the balance, through the panel's host.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, fake, fakeCreates, fakeRequests, waitFor } from './helpers';
import { freshFolder, jobFor, show, writeDoc, type JobSummary } from './editorHelpers';
import { panelSend } from './panelHook';

interface SpendView {
  session: { credits: number; tasks: number };
  workspace: { credits: number; tasks: number };
  usage: Record<string, { billingRule?: string; reserved?: number; charged?: number }>;
  balance?: { account?: number; key?: number; checkedAt: number };
  balanceError?: string;
}

async function spendShown(): Promise<SpendView> {
  const r = await panelSend({ type: 'ready' });
  const init = r.posted.find((p) => p.type === 'init');
  assert.ok(init?.spend, `the panel's init carries no spend: ${r.posted.map((p) => p.type).join(', ')}`);
  return init.spend as SpendView;
}

describe('spend and the credits check', function () {
  this.timeout(60_000);
  after(async () => {
    await vscode.commands.executeCommand('pictor.setApiKey', fake().key);
    await closeAllEditors();
  });

  it('Set API Key checks a new key for free: a wrong key is refused and not stored, before any paid request', async () => {
    const wrong = 'sk-evo-wrong-0000000000';
    const creates = (await fakeCreates()).length;
    assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', wrong), false);
    const checks = (await fakeRequests()).filter((r) => r.method === 'GET' && r.path === '/v1/credits');
    assert.equal(checks.at(-1)?.headers.authorization, `Bearer ${wrong}`, 'the key was checked with GET /v1/credits');
    assert.equal((await fakeCreates()).length, creates, 'no task was created');

    // The key stored before is still the one used.
    const dir = await freshFolder('spend-key');
    const prompt = 'a tin of paint, flat colours';
    const doc = await writeDoc(path.join(dir, 'paint.md'), `![${prompt}]()\n`);
    await show(doc);
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', doc, new vscode.Range(0, 0, 0, 0));
    assert.equal(jobFor(jobs, prompt).state, 'completed');
    const sent = (await fakeCreates()).slice(creates);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.headers.authorization, `Bearer ${fake().key}`);

    assert.equal(await vscode.commands.executeCommand('pictor.setApiKey', fake().key), true, 'the right key is accepted');
  });

  it('shows each task\'s usage as the provider reported it, the session and workspace totals, and the balance', async () => {
    const before = await spendShown();
    const dir = await freshFolder('spend-shown');
    const prompt = 'a copper kettle on a stove, ink';
    const doc = await writeDoc(path.join(dir, 'kettle.md'), `![${prompt}]()\n`);
    await show(doc);
    const jobs = await vscode.commands.executeCommand<JobSummary[]>('pictor.generatePlaceholder', doc, new vscode.Range(0, 0, 0, 0));
    const job = jobFor(jobs, prompt);
    assert.equal(job.state, 'completed');

    // What the fake reported for this task, read from its own task list.
    const res = await fetch(`${fake().url}/v1/tasks/${job.taskId}`, { headers: { authorization: `Bearer ${fake().key}` } });
    const usage = ((await res.json()) as { usage: { billing_rule: string; credits_reserved: number } }).usage;

    const after = await waitFor('the spend to include the task', async () => {
      const s = await spendShown();
      return s.usage[job.taskId!] ? s : undefined;
    }, 10_000, 250);
    assert.deepEqual(after.usage[job.taskId!], { billingRule: usage.billing_rule, reserved: usage.credits_reserved });
    assert.equal(after.session.tasks, before.session.tasks + 1);
    assert.equal(Math.round((after.session.credits - before.session.credits) * 100) / 100, usage.credits_reserved);
    assert.equal(after.workspace.tasks, before.workspace.tasks + 1);

    assert.equal((await panelSend({ type: 'refreshBalance' })).accepted, true);
    const withBalance = await spendShown();
    assert.equal(withBalance.balanceError, undefined);
    // The fake's balance: its starting 1000 credits less what its tasks reserved.
    const credits = await fetch(`${fake().url}/v1/credits`, { headers: { authorization: `Bearer ${fake().key}` } });
    const remaining = ((await credits.json()) as { data: { user: { remaining_credits: number } } }).data.user.remaining_credits;
    assert.equal(withBalance.balance?.account, remaining);
    assert.ok(remaining < 1000);
  });
});
