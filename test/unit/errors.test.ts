import * as assert from 'node:assert/strict';
import { describeTaskFailure } from '../../src/core/jobs/failures';
import {
  PictorError,
  errorFromResponse,
  parseErrorBody,
  parseRetryAfter,
  redactError,
} from '../../src/core/api/errors';
import { backoffDelay, bypassesProxy, checkUrl, classifyError, isLoopbackHost } from '../../src/core/api/http';

const body = (code: string | number, message = 'm', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ error: { code, message, type: 'x', ...extra } });

describe('errorFromResponse: the provider\'s HTTP errors', () => {
  const table: Array<[number, string | number, string, boolean]> = [
    [400, 'invalid_request', 'invalid', false],
    [400, 'invalid_task_id', 'invalid', false],
    [401, 'unauthorized', 'auth', false],
    [402, 'insufficient_quota', 'quota', false],
    [402, 'quota_exceeded', 'quota', false],
    [403, 'model_access_denied', 'forbidden', false],
    [403, 'permission_denied', 'forbidden', false],
    [404, 'task_not_found', 'not_found', false],
    [429, 'rate_limit_exceeded', 'rate_limit', true],
    [500, 'internal_error', 'server', true],
    [502, 'upstream_error', 'server', true],
    [503, 'service_unavailable', 'server', true],
    // Older docs used numeric codes: they arrive as strings.
    [401, 401, 'auth', false],
    [429, 1003, 'rate_limit', true],
    [500, 5000, 'server', true],
  ];
  for (const [status, code, kind, retryable] of table) {
    it(`${status} ${String(code)} -> ${kind}, retryable ${retryable}`, () => {
      const e = errorFromResponse(status, body(code, 'provider says hi'));
      assert.ok(e instanceof PictorError);
      assert.equal(e.kind, kind);
      assert.equal(e.retryable, retryable);
      assert.equal(e.status, status);
      assert.equal(e.code, String(code));
      assert.equal(e.providerMessage, 'provider says hi');
      assert.match(e.message, /provider says hi/);
    });
  }

  it('tells the user how to fix a missing/wrong key and an empty account', () => {
    assert.match(errorFromResponse(401, body('unauthorized')).message, /Pictor: Set API Key/);
    assert.match(errorFromResponse(402, body('insufficient_quota')).message, /credits/);
  });

  it('keeps param, fallback_suggestion (inside error or top level) and Retry-After', () => {
    const e = errorFromResponse(400, body('invalid_request', 'bad n', { param: 'n', fallback_suggestion: 'use n=1' }));
    assert.equal(e.param, 'n');
    assert.equal(e.fallbackSuggestion, 'use n=1');
    assert.match(e.message, /use n=1/);
    const top = errorFromResponse(503, JSON.stringify({ error: { code: 'service_unavailable', message: 'busy' }, fallback_suggestion: 'try later' }), {
      'retry-after': '7',
    });
    assert.equal(top.fallbackSuggestion, 'try later');
    assert.equal(top.retryAfterMs, 7000);
  });

  it('copes with bodies that are not the documented shape', () => {
    const html = errorFromResponse(502, '<html><body>Bad gateway</body></html>');
    assert.equal(html.kind, 'server');
    assert.equal(html.retryable, true);
    assert.equal(html.code, undefined);
    const files = errorFromResponse(400, { success: false, code: 400, msg: 'Unsupported file type' });
    assert.equal(files.code, '400');
    assert.equal(files.providerMessage, 'Unsupported file type');
    assert.equal(errorFromResponse(418, '').kind, 'invalid');
    assert.equal(errorFromResponse(418, '').retryable, false);
    assert.deepEqual(parseErrorBody('not json'), {});
  });

  it('never puts a whole page into the message', () => {
    const e = errorFromResponse(500, JSON.stringify({ error: { code: 'internal_error', message: 'x'.repeat(5000) } }));
    assert.ok(e.message.length < 500);
  });

  it('serialises to what the user sees, not to {}', () => {
    const e = errorFromResponse(429, body('rate_limit_exceeded', 'slow down'));
    const json = JSON.parse(JSON.stringify(e));
    assert.equal(json.kind, 'rate_limit');
    assert.equal(json.code, 'rate_limit_exceeded');
    assert.match(json.message, /slow down/);
  });

  it('removes the key when a provider message echoes it', () => {
    const key = 'sk-evo-ZZZ-unit-secret';
    const e = redactError(errorFromResponse(401, body('unauthorized', `bad key ${key}`)), key);
    for (const text of [e.message, String(e), JSON.stringify(e), e.stack ?? '', e.providerMessage ?? '']) {
      assert.ok(!text.includes(key), text);
    }
  });
});

describe('a failed task\'s error (describeTaskFailure)', () => {
  it('marks transient task failures as worth retrying and content problems as not', () => {
    assert.equal(describeTaskFailure({ code: 'generation_timeout' }).retryable, true);
    assert.equal(describeTaskFailure({ code: 'content_policy_violation', message: 'no' }).retryable, false);
    assert.equal(describeTaskFailure({ code: 'request_cancelled' }).retryable, false);
    const e = describeTaskFailure({ code: 42, message: 'odd' });
    assert.equal(e.kind, 'task_failed');
    assert.equal(e.code, '42');
  });
});

describe('Retry-After and backoff', () => {
  it('parses delta-seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now), 10000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0); // in the past: go now
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('uses full jitter under an exponential ceiling, capped by maxDelayMs', () => {
    const p = { retries: 4, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(0, p, undefined, () => 0), 0);
    assert.equal(backoffDelay(0, p, undefined, () => 0.999), 99);
    assert.equal(backoffDelay(3, p, undefined, () => 0.999), 799);
    assert.equal(backoffDelay(10, p, undefined, () => 0.999), 999);
  });

  it('lets Retry-After win over the jitter, but never beyond maxDelayMs', () => {
    const p = { retries: 4, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(0, p, 700, () => 0), 700);
    assert.equal(backoffDelay(0, p, 60000, () => 0), 1000);
  });
});

describe('network failures', () => {
  const err = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']) {
    it(`${code}: the request never left, so even a create may be resent`, () => {
      assert.equal(classifyError(err(code), 'create', 'api.example').retryable, true);
      assert.equal(classifyError(err(code), 'poll', 'api.example').retryable, true);
    });
  }

  for (const [code, kind] of [
    ['ECONNRESET', 'network'],
    ['UND_ERR_SOCKET', 'network'],
    ['UND_ERR_HEADERS_TIMEOUT', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'timeout'],
  ] as const) {
    it(`${code} after sending: a create is not resent (double billing), a poll is`, () => {
      const c = classifyError(err(code), 'create', 'api.example');
      assert.equal(c.kind, kind);
      assert.equal(c.retryable, false);
      assert.match(c.message, /may have been created/);
      assert.match(c.message, /double billing/);
      const p = classifyError(err(code), 'poll', 'api.example');
      assert.equal(p.kind, kind);
      assert.equal(p.retryable, true);
    });
  }

  it('finds the code inside an AggregateError (happy eyeballs)', () => {
    const agg = Object.assign(new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')], 'x'), {});
    assert.equal(classifyError(agg, 'create', 'h').retryable, true);
  });

  it('an aborted signal wins over whatever the transport threw', () => {
    const ac = new AbortController();
    ac.abort();
    assert.equal(classifyError(err('ECONNRESET'), 'poll', 'h', ac.signal).kind, 'cancelled');
  });
});

describe('URL policy', () => {
  it('accepts https and loopback http only', () => {
    assert.equal(checkUrl('https://api.evolink.ai', 'x').host, 'api.evolink.ai');
    for (const ok of ['http://127.0.0.1:1234', 'http://127.5.6.7', 'http://localhost:80', 'http://[::1]:99']) {
      assert.doesNotThrow(() => checkUrl(ok, 'x'), ok);
    }
    for (const bad of ['http://api.evolink.ai', 'http://10.0.0.1', 'http://128.0.0.1', 'ftp://x', 'nonsense']) {
      assert.throws(() => checkUrl(bad, 'The API URL'), (e: unknown) => e instanceof PictorError && e.kind === 'invalid', bad);
    }
    assert.throws(() => checkUrl('http://api.evolink.ai', 'The API URL'), /https:\/\//);
  });

  it('recognises loopback hosts', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('LOCALHOST'), true);
    assert.equal(isLoopbackHost('[::ffff:7f00:1]'), true);
    assert.equal(isLoopbackHost('192.168.1.1'), false);
    assert.equal(isLoopbackHost('localhost.example.com'), false);
  });

  it('bypasses the proxy for loopback and NO_PROXY entries', () => {
    const u = (s: string) => new URL(s);
    assert.equal(bypassesProxy(u('http://127.0.0.1:5000'), undefined), true);
    assert.equal(bypassesProxy(u('https://api.evolink.ai'), undefined), false);
    assert.equal(bypassesProxy(u('https://api.evolink.ai'), 'evolink.ai'), true);
    assert.equal(bypassesProxy(u('https://api.evolink.ai'), '.evolink.ai'), true);
    assert.equal(bypassesProxy(u('https://api.evolink.ai'), 'foo.com, *.evolink.ai'), true);
    assert.equal(bypassesProxy(u('https://api.evolink.ai'), 'evolink.ai:8443'), false);
    assert.equal(bypassesProxy(u('https://api.evolink.ai'), 'notevolink.ai'), false);
    assert.equal(bypassesProxy(u('https://api.evolink.ai'), '*'), true);
  });
});
