import * as assert from 'node:assert/strict';
import { creditsOf, readUsage, SpendLedger } from '../../src/core/spend';

describe('spend: the provider\'s usage reports', () => {
  it('reads usage as the provider reports it, whatever the billing rule, and ignores what is not usage', () => {
    assert.deepEqual(readUsage({ billing_rule: 'per_call', credits_reserved: 2.5, user_group: 'default' }), { billingRule: 'per_call', reserved: 2.5 });
    assert.deepEqual(readUsage({ billing_rule: 'per_token', credits_reserved: 3, credits_charged: 1.25 }), { billingRule: 'per_token', reserved: 3, charged: 1.25 });
    assert.deepEqual(readUsage({ billing_rule: 'per_second' }), { billingRule: 'per_second' });
    for (const bad of [undefined, null, 'x', [], {}, { credits_reserved: -1 }, { credits_reserved: 'lots' }]) assert.equal(readUsage(bad), undefined, JSON.stringify(bad));
    assert.equal(creditsOf({ reserved: 3, charged: 1.25 }), 1.25, 'what was charged counts once known');
    assert.equal(creditsOf({ reserved: 3 }), 3);
  });

  it('sums per session and per workspace; polls of the same task update it instead of adding to it', () => {
    const earlier = [{ taskId: 'task-old', at: 1, usage: { billingRule: 'per_call', reserved: 10 } }];
    const l = new SpendLedger(earlier);
    assert.equal(l.record('task-a', { billingRule: 'per_call', reserved: 2.5 }, 100, true), true);
    assert.equal(l.record('task-a', { billingRule: 'per_call', reserved: 2.5 }, 200), false, 'the same report again changes nothing');
    l.record('task-b', { reserved: 0.1 }, 300, true);
    l.record('task-b', { charged: 0.2 }, 400);
    l.record('task-resumed', { reserved: 4 }, 500); // polled after a reload: not this session's
    assert.deepEqual(l.totals(), { session: { credits: 2.7, tasks: 2 }, workspace: { credits: 16.7, tasks: 4 } });
    assert.deepEqual(l.get('task-b'), { reserved: 0.1, charged: 0.2 });
    assert.deepEqual(l.recent(2).map((e) => e.taskId), ['task-resumed', 'task-b']);
    // What is stored does not carry this session's flag into the next one.
    const next = new SpendLedger(l.entries());
    assert.deepEqual(next.totals(), { session: { credits: 0, tasks: 0 }, workspace: { credits: 16.7, tasks: 4 } });
  });

  it('keeps at most `max` tasks, dropping the oldest', () => {
    const l = new SpendLedger([], 3);
    for (let i = 0; i < 5; i++) l.record(`t${i}`, { reserved: 1 }, i, true);
    assert.deepEqual(l.entries().map((e) => e.taskId), ['t2', 't3', 't4']);
  });
});
