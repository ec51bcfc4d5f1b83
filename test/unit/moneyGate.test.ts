// The money gate (issue 18, defects 4 and 9 and the gate itself): every create passes one admission
// step right before it is sent — trust, key, image count, relative cost, session budget — including a
// Retry that sends a new task and a job resumed from the store. Counted at a client double: what the
// provider would have received.
import { strict as assert } from 'node:assert';
import { JobQueue, MemoryTaskStore, type JobRecord } from '../../src/core/jobs';
import type { TaskClient } from '../../src/core/jobs/types';
import { billOf, moneyGate, stricterGuards, type MoneyGateDeps, type SpendingGuards } from '../../src/core/money';
import type { CreateTaskBody, TaskObject } from '../../src/core/types';

/** A provider double: each create reserves `credits` and reports them, as the real create answer's `usage` does. */
class BilledClient implements TaskClient {
  readonly creates: string[] = [];
  spent = 0;
  inFlight = 0;
  maxInFlight = 0;
  failNext = 0;
  constructor(private readonly credits = 2.5, private readonly createMs = 5) {}

  async createTask(body: CreateTaskBody): Promise<TaskObject> {
    this.creates.push(body.prompt);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, this.createMs));
    this.inFlight--;
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('refused'), { kind: 'bad_request', retryable: false });
    }
    this.spent += this.credits;
    return { id: `task-${this.creates.length}`, status: 'pending', progress: 0, usage: { billing_rule: 'per_call', credits_reserved: this.credits } };
  }

  async getTask(id: string): Promise<TaskObject> {
    return { id, status: 'completed', progress: 100, results: [`https://files.test/${id}.png`] };
  }

  async download(url: string, dir: string, baseName: string) {
    return { path: `${dir}/${baseName}.png`, type: 'png' as const, width: 1024, height: 1024, bytes: 10 };
  }
}

const body = (prompt: string, over: Partial<CreateTaskBody> = {}): CreateTaskBody => ({ model: 'gpt-image-2', prompt, n: 1, size: '1:1', resolution: '1K', quality: 'medium', ...over });
const target = { dir: '/tmp/pictor-gate', baseName: 'x' };
const queues: JobQueue[] = [];

function setup(guards: Partial<SpendingGuards>, client = new BilledClient(), deps: Partial<MoneyGateDeps> = {}) {
  const asked: { spent: number; limit: number; waiting: number }[] = [];
  const state = { trusted: true, key: true as boolean };
  const store = new MemoryTaskStore();
  const gate = moneyGate({
    trusted: () => state.trusted,
    hasKey: async () => state.key,
    guards: () => stricterGuards(guards),
    sessionCredits: () => client.spent,
    ...deps,
    askOverBudget: deps.askOverBudget && (async (spent, limit, waiting) => {
      asked.push({ spent, limit, waiting });
      return deps.askOverBudget!(spent, limit, waiting);
    }),
    waiting: () => q.list().filter((j) => j.state === 'queued' || j.state === 'creating').length,
  });
  const q = new JobQueue({ client, store, gate, minPollMs: 1, maxPollMs: 5, maxConcurrent: 4 });
  queues.push(q);
  return { q, client, asked, state, store, gate };
}

const all = (q: JobQueue, jobs: JobRecord[]) => Promise.all(jobs.map((j) => q.wait(j.id)));

afterEach(() => {
  while (queues.length) queues.pop()!.dispose();
});

describe('the money gate (unit)', () => {
  describe('the guards', () => {
    it('a workspace may lower a guard, never raise it: the stricter value holds', () => {
      const user = { confirmAboveImages: 4, confirmAboveCost: 16 };
      assert.deepEqual(stricterGuards(user, { confirmAboveImages: 1000, confirmAboveCost: 1e5, maxCreditsPerSession: undefined }),
        { confirmAboveImages: 4, confirmAboveCost: 16 });
      assert.deepEqual(stricterGuards(user, { confirmAboveImages: 2, confirmAboveCost: 3 }), { confirmAboveImages: 2, confirmAboveCost: 3 });
      assert.deepEqual(stricterGuards({ ...user, maxCreditsPerSession: 50 }, { ...user, maxCreditsPerSession: 5000 }).maxCreditsPerSession, 50);
      assert.equal(stricterGuards({ ...user }, { ...user, maxCreditsPerSession: 5 }).maxCreditsPerSession, 5, 'a workspace may set a limit where the user has none');
      assert.equal(stricterGuards({ ...user, maxCreditsPerSession: 5 }, { ...user, maxCreditsPerSession: 0 }).maxCreditsPerSession, 5, '0 (no limit) does not lift one');
    });

    it('a job\'s bill counts images and the relative cost of its pixels and quality (n = 4 at 4K/high ≈ 127×)', () => {
      const b = billOf(body('p', { n: 4, size: '16:9', resolution: '4K', quality: 'high' }));
      assert.equal(b.images, 4);
      assert.ok(Math.abs(b.cost - 4 * 4 * (3840 * 2160) / (1024 * 1024)) < 1e-6, String(b.cost));
      assert.deepEqual(billOf(body('p')), { images: 1, cost: 1 });
    });
  });

  describe('before every create', () => {
    it('a budget of 5 credits stops one action of 12 jobs after the creates that reached it (was: all 12 sent)', async () => {
      const { q, client } = setup({ maxCreditsPerSession: 5 });
      const jobs: JobRecord[] = [];
      for (let i = 0; i < 12; i++) jobs.push(await q.submit(body(`job ${i}`), target));
      const done = await all(q, jobs);
      assert.equal(client.creates.length, 2, `creates: ${client.creates.join(', ')}`);
      assert.equal(client.spent, 5);
      assert.equal(client.maxInFlight, 1, 'under a budget, creates go one at a time (credits are known only once one answers)');
      const refused = done.filter((j) => j.state === 'failed');
      assert.equal(refused.length, 10);
      for (const j of refused) {
        assert.equal(j.error?.kind, 'budget');
        assert.match(j.error!.message, /this session has used 5 credits, at or over your limit of 5 \(pictor\.maxCreditsPerSession\)/);
        assert.equal(j.taskId, undefined);
      }
    });

    it('the budget question is asked once for a batch that crosses the limit; yes sends the waiting jobs, no refuses them all without asking again', async () => {
      for (const answer of [true, false]) {
        const { q, client, asked } = setup({ maxCreditsPerSession: 5 }, new BilledClient(), { askOverBudget: async () => answer });
        const jobs: JobRecord[] = [];
        for (let i = 0; i < 6; i++) jobs.push(await q.submit(body(`job ${i}`), target));
        const done = await all(q, jobs);
        assert.equal(asked.length, 1, `asked ${asked.length} times`);
        assert.equal(asked[0]!.waiting, 4, 'the question names the jobs still waiting');
        assert.equal(client.creates.length, answer ? 6 : 2);
        assert.equal(done.filter((j) => j.state === 'completed').length, answer ? 6 : 2);
        // A job submitted after the answer asks again.
        const later = await q.submit(body('later'), target);
        await q.wait(later.id);
        assert.equal(asked.length, 2);
      }
    });

    it('a job above pictor.confirmAboveImages or pictor.confirmAboveCost without the user\'s approval is never sent; with it, it is', async () => {
      const { q, client } = setup({ confirmAboveImages: 4, confirmAboveCost: 16 });
      const many = await q.wait((await q.submit(body('ten', { n: 10 }), target)).id);
      assert.equal(many.state, 'failed');
      assert.equal(many.error?.kind, 'not_confirmed');
      assert.match(many.error!.message, /would bill 10 images, more than pictor\.confirmAboveImages \(4\)/);
      const costly = await q.wait((await q.submit(body('one 4K high', { size: '16:9', resolution: '4K', quality: 'high' }), target)).id);
      assert.equal(costly.state, 'failed');
      assert.match(costly.error!.message, /about 31\.64× one medium 1024×1024 image, more than pictor\.confirmAboveCost \(16\)/);
      assert.equal(client.creates.length, 0);
      const approved = await q.wait((await q.submit(body('ten approved', { n: 10 }), target, [], { images: 10, cost: 10 })).id);
      assert.equal(approved.state, 'completed');
      assert.deepEqual(client.creates, ['ten approved']);
    });

    it('untrusted or without a key: refused at the gate, nothing sent', async () => {
      const { q, client, state } = setup({});
      state.trusted = false;
      const a = await q.wait((await q.submit(body('untrusted'), target)).id);
      assert.equal(a.error?.kind, 'untrusted');
      state.trusted = true;
      state.key = false;
      const b = await q.wait((await q.submit(body('no key'), target)).id);
      assert.equal(b.error?.kind, 'auth');
      assert.match(b.error!.message, /no EvoLink API key/);
      assert.equal(client.creates.length, 0);
    });

    it('a Retry that sends a new task passes the gate again: the old approval does not carry over, a declined question sends nothing', async () => {
      const client = new BilledClient();
      client.failNext = 1;
      const { q } = setup({ confirmAboveImages: 4 }, client);
      const first = await q.wait((await q.submit(body('eight', { n: 8 }), target, [], { images: 8, cost: 8 })).id);
      assert.equal(first.state, 'failed');
      assert.equal(client.creates.length, 1);
      // No question asked (a path that forgot): the gate refuses the new task.
      const unasked = await q.wait((await q.retry(first.id)).id);
      assert.equal(unasked.error?.kind, 'not_confirmed');
      assert.equal(client.creates.length, 1);
      // Declined: nothing changes, no new job.
      const declined = await q.retry(unasked.id, { approve: async () => false });
      assert.equal(declined.id, unasked.id);
      assert.equal(q.list().length, 2);
      // Two Retries while the question is open: one answer, one new task.
      let release!: (v: { images: number; cost: number }) => void;
      const answer = new Promise<{ images: number; cost: number }>((r) => { release = r; });
      const r1 = q.retry(unasked.id, { approve: () => answer });
      const r2 = q.retry(unasked.id, { approve: () => answer });
      release({ images: 8, cost: 8 });
      const [a, b] = await Promise.all([r1, r2]);
      assert.equal(a.id, b.id);
      assert.equal((await q.wait(a.id)).state, 'completed');
      assert.equal(client.creates.length, 2);
    });

    it('a job resumed from the store passes the gate before its create, keeping its stored approval', async () => {
      const client = new BilledClient();
      const store = new MemoryTaskStore([
        { id: 'a', body: body('stored approved', { n: 6 }), target, state: 'queued', progress: 0, createdAt: 1, approval: { images: 6, cost: 6 } },
        { id: 'b', body: body('stored unapproved', { n: 6 }), target, state: 'queued', progress: 0, createdAt: 2 },
      ]);
      const gate = moneyGate({ trusted: () => true, hasKey: async () => true, guards: () => stricterGuards({ confirmAboveImages: 4 }), sessionCredits: () => 0 });
      const q = new JobQueue({ client, store, gate, minPollMs: 1, maxPollMs: 5 });
      queues.push(q);
      await q.resume();
      const [a, b] = await Promise.all([q.wait('a'), q.wait('b')]);
      assert.equal(a.state, 'completed');
      assert.equal(b.error?.kind, 'not_confirmed');
      assert.deepEqual(client.creates, ['stored approved']);
    });

    it('a gate that throws refuses the job (nothing sent) instead of sending it', async () => {
      const client = new BilledClient();
      const q = new JobQueue({ client, store: new MemoryTaskStore(), minPollMs: 1, maxPollMs: 5,
        gate: { check: async () => { throw new Error('settings unreadable'); }, oneAtATime: () => false } });
      queues.push(q);
      const j = await q.wait((await q.submit(body('x'), target)).id);
      assert.equal(j.state, 'failed');
      assert.match(j.error!.message, /could not check the request before sending it \(settings unreadable\)/);
      assert.equal(client.creates.length, 0);
    });
  });
});
