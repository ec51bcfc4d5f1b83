// The queue's rooms on their own: the pacing policy on a simulated clock (every scenario of issue 9,
// item 2, for the new policy; the old one alongside where it fails), the resume planner as a table,
// the retry plan, the state questions and the transitions.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  JobQueue, MAY_BE_BILLED_REASON, RESULTS_LIFETIME_MS, canRetry, etaPacing, isActive, isFinal, isLive, legacyPacing,
  planResume, predictFinish, pruneList, resumeAction, retryNeedsConfirmation, retryPlan,
  type JobEvent, type JobRecord, type ResumeAction,
} from '../../src/core/jobs';
import { TASK_FAILURES } from '../../src/core/api/errors';
import { QueueCore, copyJson, snap } from '../../src/core/jobs/queueState';
import { describeTaskFailure } from '../../src/core/jobs/failures';
import { DEFAULT_PRUNE } from '../../src/core/jobs/resume';
import { Transitions } from '../../src/core/jobs/transitions';
import { MemoryTaskStore } from '../../src/core/store';
import { english } from '../../src/shared/words';
import { PACING_SCENARIOS, linearTask, simulatePacing, steppedTask } from '../sim/pacingSim';

const PROD = { minPollMs: 2000, maxPollMs: 15000 };
const scenario = (prefix: string) => PACING_SCENARIOS.find((s) => s.name.startsWith(prefix))!.task;

describe('pacing policy (simulated clock, production settings: ≥ 2 s between polls)', () => {
  it('never polls one task more often than every 2 s, in every scenario, old policy and new', () => {
    for (const s of PACING_SCENARIOS) {
      for (const policy of [etaPacing, legacyPacing]) {
        const r = simulatePacing(policy, s.task, PROD);
        assert.ok(r.minGapMs >= 2000, `${s.name}: two polls ${r.minGapMs} ms apart`);
        assert.ok(r.pollTimes[0]! >= 2000, `${s.name}: first poll ${r.pollTimes[0]} ms after the create`);
      }
    }
  });

  it('3 s task with an accurate estimate: one poll, just after it finishes (the old policy noticed it at 4 s)', () => {
    const r = simulatePacing(etaPacing, scenario('3 s task'), PROD);
    assert.equal(r.polls, 1);
    assert.ok(r.lateMs >= 0 && r.lateMs <= 200, `noticed ${r.lateMs} ms late`);
    assert.equal(simulatePacing(legacyPacing, scenario('3 s task'), PROD).noticedAt, 4000);
  });

  it('30 s task with an accurate estimate: noticed ≤ 2 s after it finishes, ≤ 6 requests (smooth and stepped progress)', () => {
    for (const task of [linearTask(30_000, 30_000), steppedTask(30_000, 3, 30_000)]) {
      const r = simulatePacing(etaPacing, task, PROD);
      assert.ok(r.lateMs <= 2000, `noticed ${r.lateMs} ms late (${r.pollTimes})`);
      assert.ok(r.requests <= 6, `${r.requests} requests (${r.pollTimes})`);
    }
  });

  it('60 s task with an estimate 3× too optimistic or 3× too pessimistic: ≤ 10 requests, noticed ≤ 5 s late', () => {
    for (const name of ['60 s task, estimate 3× too optimistic', '60 s task, estimate 3× too pessimistic']) {
      const r = simulatePacing(etaPacing, scenario(name), PROD);
      assert.ok(r.requests <= 10, `${name}: ${r.requests} requests (${r.pollTimes})`);
      assert.ok(r.lateMs <= 5000, `${name}: noticed ${r.lateMs} ms late (${r.pollTimes})`);
    }
    // The old policy missed the optimistic case by more than 5 s.
    assert.ok(simulatePacing(legacyPacing, scenario('60 s task, estimate 3× too optimistic'), PROD).lateMs > 5000);
  });

  it('no estimate at all: backs off from 2 s and still notices a 60 s task within 5 s, ≤ 10 requests', () => {
    const r = simulatePacing(etaPacing, scenario('60 s task, no estimate'), PROD);
    assert.ok(r.requests <= 10 && r.lateMs <= 5000, `${r.requests} requests, ${r.lateMs} ms late (${r.pollTimes})`);
  });

  it('progress that stalls, then jumps: no burst of polls (at most 2 in any 10 s), no poll closer than 2 s', () => {
    const r = simulatePacing(etaPacing, scenario('progress stalls'), PROD);
    for (const t of r.pollTimes) {
      const inWindow = r.pollTimes.filter((u) => u >= t && u < t + 10_000).length;
      assert.ok(inWindow <= 2, `${inWindow} polls within 10 s from ${t} ms (${r.pollTimes})`);
    }
    assert.ok(r.minGapMs >= 2000);
    assert.ok(r.requests <= 10, `${r.requests} requests`);
  });

  it('a task the provider estimates shorter than the floor (0.4 s, like the fake): one poll just after the estimate, not at 2 s', () => {
    const r = simulatePacing(etaPacing, steppedTask(400, 3, 400), PROD);
    assert.equal(r.polls, 1, `polls at ${r.pollTimes}`);
    assert.ok(r.pollTimes[0]! >= 400 && r.pollTimes[0]! < 2000, `first poll ${r.pollTimes[0]} ms after the create`);
    assert.ok(r.lateMs <= 100, `noticed ${r.lateMs} ms late`);
  });

  it('an estimate shorter than the floor that is too optimistic: one early poll, then never two polls closer than 2 s', () => {
    const r = simulatePacing(etaPacing, linearTask(9_000, 500), PROD);
    assert.ok(r.pollTimes[0]! >= 500 && r.pollTimes[0]! < 2000, `first poll ${r.pollTimes[0]} ms after the create`);
    assert.ok(r.minGapMs >= 2000, `two polls ${r.minGapMs} ms apart (${r.pollTimes})`);
    assert.ok(r.requests <= 8 && r.lateMs <= 5000, `${r.requests} requests, ${r.lateMs} ms late (${r.pollTimes})`);
  });

  it('whatever the task and its estimate: the first poll waits for the floor or the estimate, every later one for the floor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 50, max: 120_000 }),
        fc.option(fc.integer({ min: 1, max: 200_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 100, max: 3000 }),
        (finishMs, estimateMs, steps, minPollMs) => {
          const o = { minPollMs, maxPollMs: minPollMs * 7 };
          const task = steps ? steppedTask(finishMs, steps, estimateMs) : linearTask(finishMs, estimateMs);
          const r = simulatePacing(etaPacing, task, o);
          const first = r.pollTimes[0];
          assert.ok(first! >= minPollMs || (estimateMs !== undefined && first! >= estimateMs), `first poll at ${first} ms (estimate ${estimateMs})`);
          // The old rule, untouched where the estimate gives no reason to go sooner.
          if (estimateMs === undefined || estimateMs >= minPollMs) assert.ok(first! >= minPollMs, `first poll at ${first} ms`);
          assert.ok(r.minGapMs >= minPollMs, `two polls ${r.minGapMs} ms apart (${r.pollTimes})`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('predicts the finish from progress rising over time, and the sooner of that and the estimate', () => {
    const base = { now: 10_000, startedAt: 0, prevDelay: 0, ...PROD };
    assert.deepEqual(predictFinish({ ...base, samples: [{ at: 10_000, progress: 25 }] }), { at: 40_000, measured: true });
    assert.deepEqual(predictFinish({ ...base, estimateMs: 30_000, samples: [{ at: 10_000, progress: 25 }] }), { at: 30_000, measured: false });
    // A stall: neither the rate nor the estimate says anything any more.
    assert.equal(predictFinish({ ...base, estimateMs: 30_000, samples: [{ at: 5000, progress: 40 }, { at: 10_000, progress: 40 }] }), undefined);
    assert.equal(etaPacing({ ...base, detached: true, samples: [] }), 15000, 'a cancelled task watched in the background goes at the slow pace');
  });
});

const rec = (over: Partial<JobRecord>): JobRecord => ({
  id: over.id ?? 'j', body: { model: 'gpt-image-2', prompt: 'p', n: 1 }, target: { dir: '/d', baseName: 'b' },
  state: 'queued', progress: 0, createdAt: 1000, ...over,
});
const files = [{ path: '/x.png', type: 'png' as const, width: 1, height: 1, bytes: 1 }];

describe('resume planner (a table: stored record → action)', () => {
  const table: [string, Partial<JobRecord>, ResumeAction][] = [
    ['uploading its references (some URLs known or none)', { state: 'uploading', upload: { references: [{ kind: 'file', path: '/a.png' }], urls: {} } }, 'upload'],
    ['queued', { state: 'queued' }, 'queue'],
    ['creating without a task id (the answer was lost)', { state: 'creating' }, 'mark_unknown'],
    ['creating with a task id', { state: 'creating', taskId: 't' }, 'poll'],
    ['running with a task id', { state: 'running', taskId: 't' }, 'poll'],
    ['running without a task id', { state: 'running' }, 'mark_unknown'],
    ['downloading with results', { state: 'downloading', taskId: 't', results: ['u'] }, 'download'],
    ['downloading without results, task id known', { state: 'downloading', taskId: 't' }, 'poll'],
    ['downloading with neither', { state: 'downloading' }, 'mark_unknown'],
    ['completed with its files', { state: 'completed', taskId: 't', results: ['u'], files }, 'keep'],
    ['completed with results but no file', { state: 'completed', taskId: 't', results: ['u'] }, 'download'],
    ['cancelled in the foreground only', { state: 'cancelled' }, 'keep'],
    ['cancelled, watched in the background, results known', { state: 'cancelled', detached: true, taskId: 't', results: ['u'] }, 'download'],
    ['cancelled, watched in the background, task id known', { state: 'cancelled', detached: true, taskId: 't' }, 'poll'],
    ['cancelled, watched in the background, nothing known', { state: 'cancelled', detached: true }, 'end_watch'],
    ['failed', { state: 'failed', taskId: 't' }, 'keep'],
    ['timed out', { state: 'timed_out', taskId: 't' }, 'keep'],
    ['unknown', { state: 'unknown' }, 'keep'],
  ];
  for (const [name, over, action] of table) {
    it(`${name} → ${action}`, () => {
      assert.equal(resumeAction(rec(over)), action);
      assert.equal(planResume([rec(over)], 2000).get('j'), action);
    });
  }

  it('prunes history by age and by count (newest kept), never a live or background-watched job', () => {
    const day = 24 * 60 * 60 * 1000;
    const now = 100 * day;
    const old = rec({ id: 'old', state: 'completed', files, finishedAt: now - 8 * day });
    const recent = Array.from({ length: 5 }, (_, i) => rec({ id: `r${i}`, state: 'failed', finishedAt: now - i * 1000 }));
    const live = rec({ id: 'live', state: 'running', taskId: 't', createdAt: now - 30 * day });
    const bg = rec({ id: 'bg', state: 'cancelled', detached: true, taskId: 't', finishedAt: now - 30 * day });
    const plan = planResume([old, ...recent, live, bg], now, { maxAgeMs: 7 * day, maxCount: 3 });
    assert.equal(plan.get('old'), 'prune');
    assert.deepEqual(recent.map((r) => plan.get(r.id)), ['keep', 'keep', 'keep', 'prune', 'prune']);
    assert.equal(plan.get('live'), 'poll');
    assert.equal(plan.get('bg'), 'poll');
    assert.deepEqual(pruneList(recent, now, DEFAULT_PRUNE), []);
  });
});

describe('job-state questions and the retry plan', () => {
  it('answers active / live / final / retryable once', () => {
    const states = ['uploading', 'queued', 'creating', 'running', 'downloading', 'completed', 'failed', 'cancelled', 'timed_out', 'unknown'] as const;
    assert.deepEqual(states.filter((s) => isActive({ state: s })), ['creating', 'running', 'downloading'], 'an upload holds no slot: it is free');
    assert.deepEqual(states.filter((s) => isLive({ state: s })), ['uploading', 'queued', 'creating', 'running', 'downloading']);
    assert.deepEqual(states.filter((s) => isFinal({ state: s })), ['completed', 'failed', 'cancelled', 'timed_out', 'unknown']);
    assert.deepEqual(states.filter((s) => canRetry({ state: s })), ['failed', 'timed_out', 'unknown']);
    assert.equal(canRetry({ state: 'failed', supersededBy: 'next' }), false, 'a job already retried offers no second Retry');
  });

  it('asks before a Retry that may bill a create twice, and says why', () => {
    const asks = (j: JobRecord) => { const w = retryNeedsConfirmation(j); return w && english(w); };
    assert.equal(asks(rec({ state: 'failed', mayBeBilled: true })), MAY_BE_BILLED_REASON);
    assert.equal(asks(rec({ state: 'unknown' })), MAY_BE_BILLED_REASON);
    assert.equal(retryNeedsConfirmation(rec({ state: 'failed' })), undefined, 'nothing was sent: no question');
    assert.equal(retryNeedsConfirmation(rec({ state: 'timed_out', taskId: 't', mayBeBilled: true })), undefined, 'a known task is polled, not resent');
    assert.match(MAY_BE_BILLED_REASON, /connection broke after the request was sent/);
  });

  it('plans a Retry that never pays twice on its own', () => {
    const now = 10 * RESULTS_LIFETIME_MS;
    const fresh = { results: ['u'], resultsAt: now - 1000 };
    const table: [Partial<JobRecord>, string][] = [
      [{ state: 'failed', error: { kind: 'finalize', message: '', retryable: true }, ...fresh, taskId: 't' }, 'finish'],
      [{ state: 'failed', error: { kind: 'download', message: '', retryable: true }, ...fresh, taskId: 't' }, 'download'],
      [{ state: 'timed_out', ...fresh, taskId: 't' }, 'download'],
      [{ state: 'failed', error: { kind: 'download', message: '', retryable: true }, results: ['u'], resultsAt: 0, taskId: 't' }, 'new_task'],
      [{ state: 'timed_out', taskId: 't' }, 'poll'],
      [{ state: 'failed', error: { kind: 'auth', message: '', retryable: true }, taskId: 't' }, 'poll'],
      [{ state: 'failed', error: { kind: 'task_failed', message: '', retryable: true }, taskId: 't' }, 'new_task'],
      [{ state: 'unknown' }, 'new_task'],
    ];
    for (const [over, plan] of table) assert.equal(retryPlan(rec(over), now), plan, JSON.stringify(over));
  });
});

describe('transitions (one place that saves, announces, settles and frees the slot)', () => {
  function setup() {
    const order: string[] = [];
    const store = new MemoryTaskStore();
    const realSave = store.save.bind(store);
    store.save = async (r) => { order.push(`save:${r.state}`); await realSave(r); };
    let clock = 5000;
    const core = new QueueCore({ client: {} as never, store, now: () => clock }, etaPacing, DEFAULT_PRUNE);
    core.listeners.add((e: JobEvent) => order.push(`emit:${e.type}`));
    const tx = new Transitions(core, () => order.push('pump'));
    const job = rec({ id: 'a', state: 'running', taskId: 't' });
    core.jobs.set(job.id, job);
    const settled: JobRecord[] = [];
    core.addWaiter('a', { resolve: (r) => { order.push('settle'); settled.push(r); }, reject: () => undefined });
    return { core, tx, job, order, store, settled, tick: (ms: number) => { clock += ms; } };
  }

  it('fail: the record changes, is saved, announced, waiters settle, the slot is offered', async () => {
    const { tx, job, order, store, settled } = setup();
    await tx.fail(job, { kind: 'x', message: 'Went wrong.', retryable: true });
    assert.deepEqual(order, ['save:failed', 'emit:failed', 'settle', 'pump']);
    assert.equal(store.peek('a')?.state, 'failed');
    assert.equal(store.peek('a')?.finishedAt, 5000);
    assert.equal(settled[0]!.error?.message, 'Went wrong.');
  });

  it('timed out while waiting or while downloading: says which, keeps what a Retry needs', async () => {
    const a = setup();
    await a.tx.timeOut(a.job, 'result');
    assert.match(a.job.error!.message, /^No result after 15 minutes\. The task id is kept/);
    const b = setup();
    await b.tx.timeOut(b.job, 'download');
    assert.match(b.job.error!.message, /not downloaded within 15 minutes\. The result links are kept/);
    assert.deepEqual(b.order, ['save:timed_out', 'emit:timed_out', 'settle', 'pump']);
  });

  it('complete: saved before anyone sees it completed', async () => {
    const { tx, job, order } = setup();
    job.state = 'downloading';
    await tx.complete(job);
    assert.deepEqual(order, ['save:completed', 'emit:completed', 'settle', 'pump']);
    assert.equal(job.state, 'completed');
  });

  it('a job watched in the background ends quietly: saved and updated, no second settle, no slot', async () => {
    const { tx, job, order } = setup();
    job.state = 'cancelled';
    job.detached = true;
    await tx.stop(job, { kind: 'task_failed', message: 'No.', retryable: false });
    assert.deepEqual(order, ['save:cancelled', 'emit:updated']);
    assert.equal(job.detached, false);
  });

  it('unknown after a restart: marked as possibly billed, so a Retry asks', async () => {
    const { tx, job, store } = setup();
    job.state = 'creating';
    job.taskId = undefined;
    await tx.markUnknown(job);
    assert.equal(store.peek('a')?.state, 'unknown');
    assert.equal(store.peek('a')?.mayBeBilled, true);
    assert.ok(retryNeedsConfirmation(job));
  });
});

describe('the job timeout covers the download phase', () => {
  it('a download still running at the deadline is aborted; the job times out with its links kept, and Retry downloads again', async () => {
    let hang = true;
    const downloads: string[] = [];
    const client = {
      createTask: async () => ({ id: 'task-unified-1-00000001', status: 'pending' as const, task_info: { estimated_time: 0.01 } }),
      getTask: async (id: string) => ({ id, status: 'completed' as const, progress: 100, results: ['https://files.test/a.png'] }),
      download: (url: string, dir: string, name: string, signal?: AbortSignal) => {
        downloads.push(url);
        if (!hang) return Promise.resolve({ path: `${dir}/${name}.png`, type: 'png' as const, width: 1024, height: 1024, bytes: 1 });
        return new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { kind: 'cancelled' }))));
      },
    };
    const q = new JobQueue({ client, store: new MemoryTaskStore(), minPollMs: 5, maxPollMs: 20, timeoutMinutes: 0.005 });
    try {
      const job = await q.submit({ model: 'gpt-image-2', prompt: 'slow body', n: 1 }, { dir: '/tmp/x', baseName: 'slow' });
      const t = await q.wait(job.id);
      assert.equal(t.state, 'timed_out');
      assert.match(t.error!.message, /not downloaded within 0\.3 seconds\. The result links are kept/);
      assert.deepEqual(t.results, ['https://files.test/a.png']);
      hang = false;
      const again = await q.retry(job.id);
      assert.equal(again.id, job.id, 'no new task: the links are downloaded again');
      assert.equal((await q.wait(job.id)).state, 'completed');
      assert.equal(downloads.length, 2);
    } finally {
      q.dispose();
    }
  });
});

describe('task failure meanings (one table, per the provider\'s error-code page)', () => {
  it('quota_exceeded is a rate limit or quota (retry later), no content asks for another prompt, resource_not_found is an invalid or expired task id', () => {
    assert.equal(TASK_FAILURES.quota_exceeded!.retryable, true);
    assert.match(describeTaskFailure({ code: 'quota_exceeded' }).message, /rate limit or quota.*Wait a few minutes, then retry/);
    assert.doesNotMatch(describeTaskFailure({ code: 'quota_exceeded' }).message, /top up/i);
    assert.equal(TASK_FAILURES.generation_failed_no_content!.retryable, false);
    assert.match(describeTaskFailure({ code: 'generation_failed_no_content' }).message, /Try another prompt/);
    assert.equal(TASK_FAILURES.resource_not_found!.retryable, false);
    assert.match(describeTaskFailure({ code: 'resource_not_found' }).message, /id is invalid or has expired/);
    // The retry decision comes from the same table.
    for (const code of Object.keys(TASK_FAILURES)) {
      assert.equal(describeTaskFailure({ code }).retryable, TASK_FAILURES[code]!.retryable, code);
    }
    assert.equal(describeTaskFailure({ code: 'brand_new_code', message: 'odd' }).message,
      'The provider reported that the task failed (brand_new_code). The provider said: "odd". Retrying later may work.');
  });
});

describe('what the queue hands out is a copy (list(), get(), events): callers cannot change its records', () => {
  const kept = (): JobRecord[] => [
    rec({ id: 'done', state: 'completed', taskId: 't1', progress: 100, results: ['https://files.test/1.png'], resultsAt: 1500, files: files.map((f) => ({ ...f })), finishedAt: 1600, target: { dir: '/d', baseName: 'b', meta: { origin: 'placeholder', documentUri: 'file:///a.md', claim: { key: 'k', owner: 'o' } } } }),
    rec({ id: 'bad', state: 'failed', taskId: 't2', finishedAt: 1700, error: { kind: 'task_failed', code: 'x', message: 'Went wrong.', words: { code: 'queue.noTask', args: ['t2'] }, retryable: true } }),
  ];

  async function loaded() {
    const store = new MemoryTaskStore(kept());
    const q = new JobQueue({ client: {} as never, store, now: () => 2000 });
    await q.resume();
    return { q, store };
  }

  it('mutating every level of what list() and get() return leaves the queue and the store as they were', async () => {
    const { q, store } = await loaded();
    try {
      const before = JSON.stringify(q.list());
      const listed = q.list();
      const done = listed.find((j) => j.id === 'done')!;
      const bad = listed.find((j) => j.id === 'bad')!;
      done.state = 'queued';
      done.progress = 3;
      delete done.taskId;
      done.body.prompt = 'changed';
      (done.target.meta as { claim: { key: string } }).claim.key = 'changed';
      done.files![0]!.path = '/elsewhere.png';
      done.results!.push('https://evil.test/x.png');
      bad.error!.message = 'changed';
      (bad.error!.words!.args as string[]).push('changed');
      bad.supersededBy = 'someone';
      listed.length = 0;
      const got = q.get('done')!;
      got.state = 'failed';
      got.files!.length = 0;
      assert.equal(JSON.stringify(q.list()), before);
      assert.equal(q.get('done')?.state, 'completed');
      assert.deepEqual(q.get('done')?.files, files);
      assert.equal(q.get('bad')?.supersededBy, undefined);
      assert.deepEqual(store.all(), kept(), 'nothing was written either');
      assert.ok(isFinal(q.get('bad')!) && canRetry(q.get('bad')!), 'the failed job still offers its Retry');
    } finally {
      q.dispose();
    }
  });

  it('each list() is a new copy: two calls share no object, and none is the one the queue keeps', async () => {
    const { q } = await loaded();
    try {
      const a = q.list();
      const b = q.list();
      const objects = (v: unknown, into = new Set<object>()): Set<object> => {
        if (typeof v === 'object' && v !== null) {
          into.add(v);
          for (const x of Object.values(v)) objects(x, into);
        }
        return into;
      };
      const inA = objects(a);
      for (const o of objects(b)) assert.ok(!inA.has(o), `shared: ${JSON.stringify(o)}`);
      assert.deepEqual(a, b);
    } finally {
      q.dispose();
    }
  });

  it('a listener that changes its event\'s job (or a waiter its result) changes neither the next one\'s copy nor the record', () => {
    const core = new QueueCore({ client: {} as never, store: new MemoryTaskStore() }, etaPacing, DEFAULT_PRUNE);
    const job = kept()[0];
    core.jobs.set(job!.id, job!);
    const seen: string[] = [];
    core.listeners.add((e) => { e.job.state = 'failed'; e.job.files!.pop(); });
    core.listeners.add((e) => seen.push(`${e.job.state}:${e.job.files!.length}`));
    core.emit('updated', job!);
    assert.deepEqual(seen, ['completed:1']);
    const settled: string[] = [];
    core.addWaiter(job!.id, { resolve: (r) => { r.state = 'failed'; r.files!.pop(); }, reject: () => undefined });
    core.addWaiter(job!.id, { resolve: (r) => settled.push(`${r.state}:${r.files!.length}`), reject: () => undefined });
    core.settle(job!);
    assert.deepEqual(settled, ['completed:1']);
    assert.deepEqual(job, kept()[0]);
  });

  it('the copy is exactly what a JSON round trip (what the store writes) gives', () => {
    class Box { constructor(readonly x = 1) {} }
    const odd = {
      ...kept()[0],
      progress: Number.NaN, startedAt: Infinity, detached: undefined, supersededBy: undefined,
      target: { dir: '/d', baseName: 'b', meta: { when: new Date(0), box: new Box(), list: [1, undefined, () => 1, { y: undefined }], f: () => 1, nil: null } },
    } as unknown as JobRecord;
    for (const r of [...kept(), odd]) assert.deepEqual(snap(r), JSON.parse(JSON.stringify(r)));
    assert.deepEqual(copyJson([undefined, Number.NEGATIVE_INFINITY, 'a']), [null, null, 'a']);
    assert.throws(() => copyJson({ n: BigInt(1) }), TypeError);
  });
});
