// Shared by the component suites: a client of the fake provider made for a test (closed after it),
// and the small waits and checks every suite needs.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { EvoLinkClient, type ClientOptions } from '../../src/core/api/client';
import { PictorError } from '../../src/core/api/errors';
import type { FakeEvolink } from '../fake-evolink/server';

const open: EvoLinkClient[] = [];

/**
 * A client of `fake` with test-sized timeouts and retry delays (the production retry count), no proxy
 * variables from the machine running the tests, and its log lines collected; closeClients() closes it.
 */
export function testClient(fake: FakeEvolink, over: Partial<ClientOptions> = {}): { c: EvoLinkClient; lines: string[] } {
  const lines: string[] = [];
  const c = new EvoLinkClient({
    baseUrl: fake.url,
    filesBaseUrl: fake.url,
    apiKey: async () => fake.apiKey,
    timeoutMs: 3000,
    retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 40 },
    log: (level, msg) => lines.push(`${level} ${msg}`),
    env: {},
    ...over,
  });
  open.push(c);
  return { c, lines };
}

/** Closes every client testClient made (an afterEach of the suites that use it). */
export async function closeClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The PictorError `p` rejects with; fails when it resolves or rejects with anything else. */
export async function rejects(p: Promise<unknown>): Promise<PictorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof PictorError, `expected a PictorError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
