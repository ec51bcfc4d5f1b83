// The shared fake provider's knobs (POST /__fake/behavior) and what it saw, for the issue-6 suites.
// Every knob a test turns is turned back in its `finally`, so later suites meet the usual fake.
import { fake, fakeRequests } from './helpers';

export interface FailSpec { status: number; code: string | number; message?: string; times?: number; retryAfter?: number }

/** The FakeBehavior fields these suites use (test/fake-evolink/server.ts); null clears a knob. */
export interface Knobs {
  stepMs?: number | null;
  progressSteps?: number | null;
  failCreate?: FailSpec | null;
  failPoll?: FailSpec | null;
  resetCreate?: number | null;
  cutCreate?: number | null;
  invalidJsonCreate?: number | null;
  resultMode?: 'ok' | '404' | 'truncated' | 'html' | 'wrong-content-type' | 'expired' | 'oversized' | null;
  resultFailTimes?: number | null;
  resultBaseUrl?: string | null;
  slowUpload?: { name: string; ms: number; times?: number } | null;
  /** Every task created while on is held, as `[hold]` in its prompt holds it: see releaseTasks. */
  hold?: boolean | null;
}

export async function setFake(knobs: Knobs, url = fake().url): Promise<void> {
  const res = await fetch(`${url}/__fake/behavior`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs),
  });
  if (!res.ok) throw new Error(`fake provider: POST /__fake/behavior -> ${res.status}`);
  await res.arrayBuffer();
}

/** Puts back what the launcher started the fake with (stepMs 50) and clears every fault. */
export async function resetFakeKnobs(): Promise<void> {
  await setFake({
    stepMs: 50, progressSteps: 3, failCreate: null, failPoll: null, resetCreate: null, cutCreate: null,
    invalidJsonCreate: null, resultMode: 'ok', resultFailTimes: null, hold: null,
  });
}

export interface CreateRecord { method: string; path: string; headers: Record<string, unknown>; body?: { prompt?: string } }

/** Create requests (billed or not) the fake received for these prompts. */
export async function createsFor(...prompts: string[]): Promise<CreateRecord[]> {
  const all = (await fakeRequests()) as unknown as CreateRecord[];
  return all.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/images/generations') && prompts.includes(r.body?.prompt ?? ''));
}

export interface FakeTaskView { id: string; status: string; prompt: string }

/** Tasks the fake created (each one billed) for these prompts. */
export async function tasksFor(...prompts: string[]): Promise<FakeTaskView[]> {
  const res = await fetch(`${fake().url}/__fake/tasks`);
  const all = (await res.json()) as FakeTaskView[];
  return all.filter((t) => prompts.includes(t.prompt));
}

/** The fake finishes this task now (its results are ready at the next poll). */
export async function completeTask(id: string): Promise<void> {
  const res = await fetch(`${fake().url}/__fake/tasks/${encodeURIComponent(id)}/complete`, { method: 'POST' });
  if (!res.ok) throw new Error(`fake provider: POST /__fake/tasks/${id}/complete -> ${res.status}`);
  await res.arrayBuffer();
}

/**
 * Lets held tasks go on (`[hold]` in the prompt, or created while the hold knob was on): those whose
 * prompt contains `prompt`, or all. A held task stays processing however long a test takes to act
 * while it runs; once released it ends at the next poll. Returns the ids released.
 */
export async function releaseTasks(prompt?: string): Promise<string[]> {
  const res = await fetch(`${fake().url}/__fake/release`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(prompt === undefined ? {} : { prompt }),
  });
  if (!res.ok) throw new Error(`fake provider: POST /__fake/release -> ${res.status}`);
  return ((await res.json()) as { released: string[] }).released;
}
