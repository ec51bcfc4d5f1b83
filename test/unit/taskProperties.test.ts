// Issue 18: property tests over what the provider answers (fast-check, fixed seed). Whatever JSON a
// create or a poll brings back, reading it gives a task with every field its documented type, or one
// clear problem; describing a failed task, reading its usage and the queue's handling of it never
// throw; and a job that got such an answer ends (or keeps polling) instead of hanging.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { readTask, MAX_TASK_ID_LENGTH, MAX_TASK_MESSAGE_LENGTH } from '../../src/core/api/task';
import { errorFromResponse, PictorError, taskFailureMeaning } from '../../src/core/api/errors';
import { describeTaskFailure } from '../../src/core/jobs/failures';
import { JobQueue, MemoryTaskStore, type TaskClient } from '../../src/core/jobs';
import { readUsage } from '../../src/core/spend';
import { isFinal } from '../../src/core/jobs/states';
import type { CreateTaskBody, DownloadedImage, TaskObject } from '../../src/core/types';
import { words } from '../../src/shared/words';

const SEED = 1818;
const RUNS = 3000;

/** Keys a task has, and keys that name methods on every object: as data they must stay data. */
const KEYS = ['id', 'status', 'progress', 'results', 'error', 'code', 'message', 'msg', 'type', 'task_info', 'estimated_time',
  'can_cancel', 'usage', 'credits_reserved', 'credits_charged', 'billing_rule', 'created', 'model', 'object', 'param',
  'fallback_suggestion', 'toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', 'toJSON'];
const STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled', '', 'COMPLETED', 'toString', '__proto__'];

/** Any JSON value, leaning towards task-like keys and strings. */
const { json } = fc.letrec<{ json: unknown; obj: Record<string, unknown> }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 12 }),
    fc.constantFrom(...STATUSES, ...Object.keys({ content_policy_violation: 0, service_error: 0, constructor: 0 })),
    fc.array(tie('json'), { maxLength: 4 }),
    tie('obj'),
  ),
  obj: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie('json'), { maxKeys: 5, noNullPrototype: true }),
}));

/** A task-shaped answer: the documented fields, each of the right type or of any other. */
const taskAnswer = fc.record({
  id: fc.oneof(fc.stringMatching(/^task-unified-\d{10}-[a-z0-9]{8}$/), fc.string({ maxLength: 300 }), json),
  status: fc.oneof(fc.constantFrom(...STATUSES), json),
  progress: fc.oneof(fc.integer({ min: -10, max: 200 }), fc.double(), json),
  results: fc.oneof(fc.array(fc.oneof(fc.webUrl(), json), { maxLength: 12 }), json),
  error: fc.oneof(fc.record({ code: json, message: fc.oneof(fc.string({ maxLength: 2000 }), json), type: json }, { requiredKeys: [] }), json),
  task_info: fc.oneof(fc.record({ can_cancel: json, estimated_time: fc.oneof(fc.double(), json) }, { requiredKeys: [] }), json),
  usage: fc.oneof(fc.record({ billing_rule: json, credits_reserved: fc.oneof(fc.double(), json), credits_charged: json }, { requiredKeys: [] }), json),
  created: json,
  extra: json,
}, { requiredKeys: [] });

/** What the client gets: the answer as JSON text, parsed (own "__proto__" keys and all). */
const answer = fc.oneof({ weight: 4, arbitrary: taskAnswer }, { weight: 1, arbitrary: json }).map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);

function checkTaskTypes(t: TaskObject): void {
  assert.ok(typeof t.id === 'string' && t.id.length > 0 && t.id.length <= MAX_TASK_ID_LENGTH);
  assert.equal(typeof t.status, 'string');
  if ('progress' in t) assert.ok(Number.isFinite(t.progress));
  if ('created' in t) assert.ok(Number.isFinite(t.created));
  if (t.results !== undefined) assert.ok(Array.isArray(t.results) && t.results.every((r) => typeof r === 'string'));
  if (t.task_info !== undefined) {
    const { can_cancel: c, estimated_time: e } = t.task_info;
    assert.ok(c === undefined || typeof c === 'boolean');
    assert.ok(e === undefined || Number.isFinite(e));
  }
  if (t.usage !== undefined) assert.ok(typeof t.usage === 'object' && t.usage !== null && !Array.isArray(t.usage));
  if (t.error !== undefined) {
    const { code, message, type } = t.error;
    assert.ok(code === undefined || typeof code === 'string' || (typeof code === 'number' && Number.isFinite(code)));
    assert.ok(message === undefined || (typeof message === 'string' && [...message].length <= MAX_TASK_MESSAGE_LENGTH && !/[\n\r]/.test(message)));
    assert.ok(type === undefined || typeof type === 'string');
  }
}

/** A sentence for the user: text, no trace of a value that was not text. */
function checkSentence(s: string): void {
  assert.equal(typeof s, 'string');
  assert.ok(s.length > 0 && s.length < 2000, `${s.length} characters`);
  assert.doesNotMatch(s, /\bundefined\b|\[object |\bfunction\b/);
}

describe('provider answers (property tests, issue 18)', function () {
  // Thousands of cases, about a second of CPU; a machine shared by several runs may stretch that.
  this.timeout(60_000);
  it('reading a task answer gives a task with every field its documented type, or none; never a throw', () => {
    fc.assert(fc.property(answer, (v) => {
      const t = readTask(v);
      const o = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
      const id = o && Object.prototype.hasOwnProperty.call(o, 'id') ? o.id : undefined;
      const status = o && Object.prototype.hasOwnProperty.call(o, 'status') ? o.status : undefined;
      const holdsTask = typeof id === 'string' && id.length > 0 && id.length <= MAX_TASK_ID_LENGTH && typeof status === 'string';
      assert.equal(t !== undefined, holdsTask);
      if (!t) return;
      checkTaskTypes(t);
      assert.equal(t.id, id);
      assert.equal(t.status, status);
    }), { seed: SEED, numRuns: RUNS });
  });

  it('a failed task is described in one sentence, whatever its error holds; its usage is read or ignored', () => {
    fc.assert(fc.property(answer, (v) => {
      const t = readTask(v);
      if (!t) return;
      const d = describeTaskFailure(t.error);
      assert.equal(d.kind, 'task_failed');
      assert.equal(typeof d.retryable, 'boolean');
      assert.ok(typeof d.code === 'string' && d.code.length > 0);
      checkSentence(d.message);
      const u = readUsage(t.usage);
      if (u) for (const n of [u.reserved, u.charged]) assert.ok(n === undefined || (Number.isFinite(n) && n >= 0));
    }), { seed: SEED, numRuns: RUNS });
  });

  it('a failure code the table does not know, "constructor" or "__proto__" among them, is an unknown code, not a method', () => {
    fc.assert(fc.property(fc.oneof(fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'), fc.string({ maxLength: 20 })), (code) => {
      const m = taskFailureMeaning(code);
      assert.equal(typeof m.retryable, 'boolean');
      checkSentence(m.reason);
      checkSentence(m.advice);
    }), { seed: SEED, numRuns: RUNS });
  });

  it('an error answer of any JSON (or none) and any status is one PictorError with a bounded message', () => {
    const body = fc.oneof(answer.map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 5000 }), fc.constant(''));
    fc.assert(fc.property(fc.integer({ min: 100, max: 599 }), body, (status, text) => {
      const e = errorFromResponse(status, text, {});
      assert.ok(e instanceof PictorError);
      assert.equal(typeof e.kind, 'string');
      checkSentence(e.message);
      assert.ok(e.message.length <= 1000, `${e.message.length} characters`);
    }), { seed: SEED, numRuns: RUNS });
  });

  // Main's client passed the error object on as it came: `"error": {"message": {}}` made the queue's
  // description throw, the poll logged an internal error, and the job stayed 'running' for good.
  it('a failed task whose error message is not text is described without it, instead of throwing', () => {
    const odd = [{ message: {} }, { message: [1] }, { code: { toString: 1 } }, { code: [], message: 3 }] as unknown as TaskObject['error'][];
    for (const e of odd) checkSentence(describeTaskFailure(e).message);
  });

  it('a job whose create answer is any JSON ends, or polls on to an end; the queue never logs an internal error', async () => {
    await fc.assert(fc.asyncProperty(answer, async (v) => {
      const problems: string[] = [];
      const client: TaskClient = {
        async createTask(_body: CreateTaskBody): Promise<TaskObject> {
          const t = readTask(v);
          // What the client throws for an answer without a task (client.ts checkTask).
          if (!t) throw new PictorError('bad_response', words('error.createUnreadable', words('error.noTask')), { retryable: false, status: 200 });
          return t;
        },
        async getTask(id: string): Promise<TaskObject> {
          return { id, status: 'completed', results: ['https://files.test/a.png'] };
        },
        async download(url: string, dir: string, baseName: string): Promise<DownloadedImage> {
          return { path: `${dir}/${baseName}.png`, type: 'png', width: 1024, height: 1024, bytes: 1 };
        },
      };
      const q = new JobQueue({
        client, store: new MemoryTaskStore(), minPollMs: 1, maxPollMs: 2, timeoutMinutes: 1,
        log: (level, msg) => { if (level === 'error' || /internal error/.test(msg)) problems.push(msg); },
      });
      try {
        const job = await q.submit({ model: 'gpt-image-2', prompt: 'a fox', n: 1 }, { dir: '/tmp/pictor-unit', baseName: 'fox' });
        const done = await Promise.race([q.wait(job.id), new Promise<undefined>((r) => setTimeout(r, 2000, undefined))]);
        assert.deepEqual(problems, []);
        assert.ok(done && isFinal(done), `the job is still ${q.get(job.id)?.state}`);
        if (done.error) checkSentence(done.error.message);
      } finally {
        q.dispose();
      }
    }), { seed: SEED, numRuns: 300 });
  });
});
