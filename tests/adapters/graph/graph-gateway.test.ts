import { describe, expect, it } from 'vitest';
import {
  GraphGateway,
  GraphUnavailableError,
  graphErrorToCountersign,
  ListViewThresholdError,
  retryAfterMs,
  USER_AGENT,
} from '../../../src/adapters/graph/graph-gateway.ts';
import { withGraphDeadline } from '../../../src/adapters/graph/graph-deadline.ts';
import { CountersignError } from '../../../src/domain/errors.ts';
import type { Logger } from '../../../src/ports/logger.ts';
import type { Telemetry } from '../../../src/ports/telemetry.ts';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset';

/** A fetch that records requests and answers from a script (a function of the request). */
function scriptedFetch(answer: (req: Seen, index: number) => Answer) {
  const seen: Seen[] = [];
  const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const raw = init?.body;
    const req: Seen = {
      url: input instanceof Request ? input.url : input.toString(),
      method: init?.method ?? 'GET',
      headers,
      body: typeof raw === 'string' ? (JSON.parse(raw) as unknown) : undefined,
    };
    seen.push(req);
    const a = answer(req, seen.length - 1);
    if (a === 'reset') return Promise.reject(new TypeError('fetch failed: other side closed'));
    return Promise.resolve(
      new Response(a.body === undefined ? null : JSON.stringify(a.body), {
        status: a.status,
        headers: { 'content-type': 'application/json', ...a.headers },
      }),
    );
  };
  return { seen, fetch: fetchFn };
}

function gateway(
  fetchFn: typeof fetch,
  extra: Partial<ConstructorParameters<typeof GraphGateway>[0]> = {},
) {
  const sleeps: number[] = [];
  const gw = new GraphGateway({
    baseUrl: 'http://127.0.0.1:9/v1.0',
    fetch: fetchFn,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0,
    ...extra,
  });
  return { gw, sleeps };
}

const throttled = (seconds: number): Answer => ({
  status: 429,
  headers: { 'Retry-After': String(seconds) },
  body: { error: { code: 'TooManyRequests', message: 'slow down' } },
});

describe('GraphGateway', () => {
  it('sends the ISV User-Agent, no token to the emulator, and a bearer token when given one', async () => {
    const plain = scriptedFetch(() => ({ status: 200, body: { id: 'x' } }));
    await gateway(plain.fetch).gw.call({ method: 'GET', url: 'sites/root' });
    expect(plain.seen[0]?.url).toBe('http://127.0.0.1:9/v1.0/sites/root');
    expect(plain.seen[0]?.headers['user-agent']).toBe(USER_AGENT);
    expect(plain.seen[0]?.headers.authorization).toBeUndefined();

    const authed = scriptedFetch(() => ({ status: 200, body: {} }));
    await gateway(authed.fetch, { accessToken: () => Promise.resolve('tok') }).gw.call({
      method: 'GET',
      url: 'users',
    });
    expect(authed.seen[0]?.headers.authorization).toBe('Bearer tok');
  });

  it('waits the Retry-After of a 429 and a 503, then succeeds', async () => {
    const f = scriptedFetch((_r, i) =>
      i === 0
        ? throttled(3)
        : i === 1
          ? { status: 503, headers: { 'Retry-After': '1' } }
          : { status: 200, body: { ok: true } },
    );
    const { gw, sleeps } = gateway(f.fetch);
    const reply = await gw.call({ method: 'GET', url: 'sites/root' });
    expect(reply.body).toEqual({ ok: true });
    expect(sleeps).toEqual([3000, 1000]);
    expect(gw.roundTrips).toBe(3);
  });

  it('retries a dropped connection, and gives up after the bounded attempts as a typed error', async () => {
    const f = scriptedFetch(() => 'reset');
    const { gw, sleeps } = gateway(f.fetch, { retry: { maxAttempts: 4, baseDelayMs: 100 } });
    const error = await gw.call({ method: 'GET', url: 'sites/root' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CountersignError);
    expect((error as CountersignError).code).toBe('unavailable');
    expect((error as CountersignError).details.status).toBe(0);
    expect(f.seen).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    // Exponential backoff without a Retry-After (random() = 0 gives the lower half).
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('does not retry a 412 or a 404; maps them to typed codes keeping the status', async () => {
    const f = scriptedFetch(() => ({
      status: 412,
      body: { error: { code: 'preconditionFailed', message: 'eTag' } },
    }));
    const { gw } = gateway(f.fetch);
    const error = await gw.call({ method: 'PATCH', url: 'x', body: {} }).catch((e: unknown) => e);
    expect((error as CountersignError).code).toBe('precondition-failed');
    expect((error as CountersignError).details.status).toBe(412);
    expect(f.seen).toHaveLength(1);
  });

  it('does not wait out a Retry-After longer than its limit: the caller hears throttled, with the wait', async () => {
    const f = scriptedFetch(() => throttled(600));
    const { gw, sleeps } = gateway(f.fetch);
    const error = await gw.call({ method: 'GET', url: 'sites/root' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'throttled',
      details: { status: 429, retryAfterSeconds: 600 },
    });
    expect(f.seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('maps Graph errors in one place', () => {
    const code = (status: number, message = '') =>
      graphErrorToCountersign(status, { error: { code: 'x', message } }, 'op').code;
    expect(code(404)).toBe('not-found');
    expect(code(409)).toBe('conflict');
    expect(code(412)).toBe('precondition-failed');
    expect(code(429)).toBe('throttled');
    expect(code(503)).toBe('unavailable');
    expect(code(504)).toBe('unavailable');
    expect(code(0)).toBe('unavailable');
    expect(code(400)).toBe('validation');
    expect(code(400, 'The list item could not be added because duplicate values were found')).toBe(
      'conflict',
    );
    expect(code(401)).toBe('upstream');
    expect(code(403)).toBe('upstream');
    expect(code(500)).toBe('upstream');
    expect(graphErrorToCountersign(503, undefined, 'op').details).toMatchObject({ status: 503 });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': '7' })).toBe(7000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({})).toBeUndefined();
  });

  it('re-sends only the throttled requests of a $batch, after their Retry-After', async () => {
    const f = scriptedFetch((req, i) => {
      const requests = (req.body as { requests: { id: string; dependsOn?: string[] }[] }).requests;
      if (i === 0) {
        return {
          status: 200,
          body: {
            responses: [
              { id: 'a', status: 201, body: { id: '1' } },
              {
                id: 'b',
                status: 429,
                headers: { 'Retry-After': '2' },
                body: { error: { code: 'throttled' } },
              },
              { id: 'c', status: 201, body: { id: '3' } },
            ],
          },
        };
      }
      expect(requests.map((r) => r.id)).toEqual(['b']);
      return { status: 200, body: { responses: [{ id: 'b', status: 201, body: { id: '2' } }] } };
    });
    const { gw, sleeps } = gateway(f.fetch);
    const replies = await gw.batch([
      { id: 'a', method: 'POST', url: 'l/items', body: { fields: { A: 1 } } },
      { id: 'b', method: 'POST', url: 'l/items', body: { fields: { A: 2 } } },
      { id: 'c', method: 'POST', url: 'l/items', body: { fields: { A: 3 } } },
    ]);
    expect([...replies.values()].map((r) => r.status)).toEqual([201, 201, 201]);
    expect(sleeps).toEqual([2000]);
    const first = f.seen[0]?.body as {
      requests: { url: string; headers: Record<string, string> }[];
    };
    expect(first.requests[0]?.url).toBe('/l/items');
    expect(first.requests[0]?.headers['Content-Type']).toBe('application/json');
  });

  it('re-sends a dependant that failed only because its dependency was throttled, and drops satisfied dependencies', async () => {
    const sent: { id: string; dependsOn?: string[] }[][] = [];
    const f = scriptedFetch((req, i) => {
      const requests = (req.body as { requests: { id: string; dependsOn?: string[] }[] }).requests;
      sent.push(requests);
      if (i === 0) {
        return {
          status: 200,
          body: {
            responses: [
              { id: 'ack', status: 503, headers: { 'Retry-After': '1' } },
              { id: 'audit', status: 424, body: { error: { code: 'failedDependency' } } },
            ],
          },
        };
      }
      if (i === 1) {
        return {
          status: 200,
          body: {
            responses: [
              { id: 'ack', status: 201, body: { id: '9' } },
              { id: 'audit', status: 429, headers: { 'Retry-After': '0' } },
            ],
          },
        };
      }
      return {
        status: 200,
        body: { responses: [{ id: 'audit', status: 201, body: { id: '10' } }] },
      };
    });
    const { gw } = gateway(f.fetch);
    const replies = await gw.batch([
      { id: 'ack', method: 'POST', url: 'acks/items', body: {} },
      { id: 'audit', method: 'POST', url: 'audit/items', body: {}, dependsOn: ['ack'] },
    ]);
    expect(replies.get('ack')?.status).toBe(201);
    expect(replies.get('audit')?.status).toBe(201);
    expect(sent[1]?.find((r) => r.id === 'audit')?.dependsOn).toEqual(['ack']);
    expect(sent[2]).toEqual([expect.objectContaining({ id: 'audit' })]);
    expect(sent[2]?.[0]?.dependsOn).toBeUndefined();
  });

  it('retries the whole batch when the outer request is throttled or dropped', async () => {
    const f = scriptedFetch((_r, i) =>
      i === 0
        ? 'reset'
        : i === 1
          ? throttled(1)
          : { status: 200, body: { responses: [{ id: '1', status: 204 }] } },
    );
    const { gw, sleeps } = gateway(f.fetch);
    const replies = await gw.batch([{ id: '1', method: 'DELETE', url: 'x/items/1' }]);
    expect(replies.get('1')?.status).toBe(204);
    expect(f.seen).toHaveLength(3);
    expect(sleeps[1]).toBe(1000);
  });

  it('refuses more than 20 requests in one batch', async () => {
    const { gw } = gateway(scriptedFetch(() => ({ status: 200 })).fetch);
    const calls = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: 'GET' as const,
      url: 'x',
    }));
    await expect(gw.batch(calls)).rejects.toMatchObject({ code: 'validation' });
  });

  it('pages through @odata.nextLink on the same host and refuses a link elsewhere', async () => {
    const f = scriptedFetch((req) =>
      req.url.includes('skiptoken')
        ? { status: 200, body: { value: [3], '@odata.nextLink': 'https://evil.example/v1.0/x' } }
        : {
            status: 200,
            body: {
              value: [1, 2],
              '@odata.nextLink': 'http://127.0.0.1:9/v1.0/x?$skiptoken=abc%3D',
            },
          },
    );
    const { gw } = gateway(f.fetch);
    const seen: unknown[] = [];
    const run = async () => {
      for await (const page of gw.pages('x?$top=2')) seen.push(...page);
    };
    await expect(run()).rejects.toMatchObject({ code: 'upstream' });
    expect(seen).toEqual([1, 2, 3]);
    expect(f.seen[1]?.url).toBe('http://127.0.0.1:9/v1.0/x?$skiptoken=abc%3D');
  });
});

describe('GraphGateway when Graph is down: time-bounded retries and the circuit breaker', () => {
  /** A gateway on a clock the test moves: each sleep advances it. */
  function onClock(
    fetchFn: typeof fetch,
    extra: Partial<ConstructorParameters<typeof GraphGateway>[0]> = {},
  ) {
    const clock = { now: 1_000_000 };
    const sleeps: number[] = [];
    const gw = new GraphGateway({
      baseUrl: 'http://127.0.0.1:9/v1.0',
      fetch: fetchFn,
      now: () => clock.now,
      sleep: (ms) => {
        sleeps.push(ms);
        clock.now += ms;
        return Promise.resolve();
      },
      random: () => 0,
      ...extra,
    });
    return { gw, clock, sleeps };
  }
  const serverError: Answer = { status: 500, body: { error: { code: 'generalException' } } };

  it('stops retrying a request Graph does not answer once the time budget is spent, not after 8 attempts', async () => {
    const f = scriptedFetch(() => 'reset');
    const { gw, sleeps } = onClock(f.fetch, {
      retry: { baseDelayMs: 200, maxOutageMs: 1_500 },
      circuit: { failureThreshold: 100 },
    });
    const error = await gw.call({ method: 'GET', url: 'sites/root' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', details: { status: 0 } });
    // 100 + 200 + 400 + 800 = 1.5 s of waiting; the next wait (1.6 s) would end past the budget.
    expect(sleeps).toEqual([100, 200, 400, 800]);
    expect(f.seen).toHaveLength(5);
  });

  it('opens after consecutive failures (no answer, 5xx): then every call is refused at once with Retry-After', async () => {
    const f = scriptedFetch((_r, i) => (i % 2 === 0 ? 'reset' : serverError));
    const { gw } = onClock(f.fetch, {
      retry: { maxAttempts: 1 },
      circuit: { failureThreshold: 3, openMs: 10_000 },
    });
    for (let i = 0; i < 3; i++) {
      await expect(gw.call({ method: 'GET', url: 'sites/root' })).rejects.toMatchObject({
        code: i % 2 === 0 ? 'unavailable' : 'upstream',
      });
    }
    expect(gw.circuit.kind).toBe('open');
    const refused = await gw.call({ method: 'GET', url: 'sites/root' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GraphUnavailableError);
    expect(refused).toMatchObject({
      code: 'unavailable',
      details: { reason: 'circuit-open', retryAfterSeconds: 10 },
    });
    await expect(gw.batch([{ id: '1', method: 'GET', url: 'x' }])).rejects.toBeInstanceOf(
      GraphUnavailableError,
    );
    // Nothing was sent while open.
    expect(f.seen).toHaveLength(3);
  });

  it('never opens on answers: 4xx, 429 and a 503 with Retry-After are Graph answering', async () => {
    const answers: Answer[] = [
      { status: 404, body: { error: { code: 'itemNotFound' } } },
      { status: 400, body: { error: { code: 'invalidRequest' } } },
      throttled(1),
      { status: 503, headers: { 'Retry-After': '1' } },
      { status: 403, body: { error: { code: 'accessDenied' } } },
    ];
    const f = scriptedFetch((_r, i) => answers[i % answers.length] ?? { status: 200 });
    const { gw } = onClock(f.fetch, {
      retry: { maxAttempts: 1 },
      circuit: { failureThreshold: 2 },
    });
    for (let i = 0; i < 10; i++) {
      await gw.exchange({ method: 'GET', url: 'sites/root' });
    }
    expect(gw.circuit).toEqual({ kind: 'closed', failures: 0 });
    expect(f.seen).toHaveLength(10);
  });

  it('a query refused for the list view threshold is a query error: never retried, never an outage', async () => {
    // SharePoint's answer as the emulator gives it (sp-dev-docs#7149, pnpjs#3149).
    const refused: Answer = {
      status: 500,
      body: {
        error: {
          code: 'generalException',
          message:
            'The attempted operation is prohibited because it exceeds the list view threshold.',
        },
      },
    };
    const f = scriptedFetch(() => refused);
    const { gw } = onClock(f.fetch, { circuit: { failureThreshold: 2 } });
    for (let i = 0; i < 6; i++) {
      const failure = await gw
        .call({ method: 'GET', url: 'sites/s/lists/l/items?$filter=fields/PolicyKey eq 1' })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ListViewThresholdError);
      expect(failure).toMatchObject({
        code: 'upstream',
        details: { reason: 'list-view-threshold', status: 500, graphCode: 'generalException' },
      });
    }
    // Six calls, six requests (no retries), and the circuit stays closed.
    expect(f.seen).toHaveLength(6);
    expect(gw.circuit).toEqual({ kind: 'closed', failures: 0 });
    // REST's own name for it counts too; any other 500 is still an outage.
    const rest = { error: { code: 'Microsoft.SharePoint.SPQueryThrottledException' } };
    expect(graphErrorToCountersign(500, rest, 'GET x')).toBeInstanceOf(ListViewThresholdError);
    expect(
      graphErrorToCountersign(500, { error: { code: 'generalException' } }, 'GET x'),
    ).not.toBeInstanceOf(ListViewThresholdError);
  });

  it('lets one probe through when the open time is up: a failed probe re-opens, an answer closes it', async () => {
    let up = false;
    const f = scriptedFetch(() => (up ? { status: 200, body: { ok: true } } : 'reset'));
    const { gw, clock } = onClock(f.fetch, {
      retry: { maxAttempts: 1 },
      circuit: { failureThreshold: 2, openMs: 5_000 },
    });
    for (let i = 0; i < 2; i++) await gw.exchange({ method: 'GET', url: 'sites/root' });
    expect(gw.circuit).toEqual({ kind: 'open', until: clock.now + 5_000 });

    clock.now += 5_000;
    // The probe fails: open again for another 5 s.
    expect((await gw.exchange({ method: 'GET', url: 'sites/root' })).status).toBe(0);
    expect(gw.circuit).toEqual({ kind: 'open', until: clock.now + 5_000 });
    await expect(gw.exchange({ method: 'GET', url: 'sites/root' })).rejects.toMatchObject({
      details: { retryAfterSeconds: 5 },
    });

    clock.now += 5_000;
    up = true;
    const sent = f.seen.length;
    // Two callers at once: one probes, the other is refused until the probe has answered.
    const [probe, other] = await Promise.allSettled([
      gw.call({ method: 'GET', url: 'sites/root' }),
      gw.call({ method: 'GET', url: 'sites/root' }),
    ]);
    expect(probe).toMatchObject({ status: 'fulfilled', value: { body: { ok: true } } });
    expect(other).toMatchObject({
      status: 'rejected',
      reason: { details: { reason: 'circuit-open' } },
    });
    expect(f.seen.length - sent).toBe(1);
    // Recovered: calls go through again, no restart.
    expect(gw.circuit).toEqual({ kind: 'closed', failures: 0 });
    expect((await gw.call({ method: 'GET', url: 'sites/root' })).body).toEqual({ ok: true });
  });

  it('abandons an exchange Graph never finishes after its time limit (AbortSignal), as no answer', async () => {
    const hanging = (_input: string | URL | Request, init?: RequestInit): Promise<Response> =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
      });
    const gw = new GraphGateway({
      baseUrl: 'http://127.0.0.1:9/v1.0',
      fetch: hanging,
      timeoutMs: 50,
      retry: { maxAttempts: 1 },
    });
    const reply = await gw.exchange({ method: 'GET', url: 'sites/root' });
    expect(reply.status).toBe(0);
    expect(JSON.stringify(reply.body)).toMatch(/timeout|abort/i);
  });
});

describe('GraphGateway with a deadline (a sign answers within its budget)', () => {
  const start = 1_000_000;
  function onClock(fetchFn: typeof fetch, deadlineAt: number, extra = {}) {
    const clock = { now: start };
    const sleeps: number[] = [];
    const gw = new GraphGateway({
      baseUrl: 'http://127.0.0.1:9/v1.0',
      fetch: fetchFn,
      now: () => clock.now,
      sleep: (ms) => {
        sleeps.push(ms);
        clock.now += ms;
        return Promise.resolve();
      },
      random: () => 0,
      deadline: () => deadlineAt,
      retry: { baseDelayMs: 200, maxOutageMs: 60_000 },
      circuit: { failureThreshold: 100 },
      ...extra,
    });
    return { gw, clock, sleeps };
  }

  it('waits out no retry that would end past the deadline, and starts nothing after it', async () => {
    const f = scriptedFetch(() => 'reset');
    const { gw, clock, sleeps } = onClock(f.fetch, start + 1_000);
    const error = await gw.call({ method: 'GET', url: 'sites/root' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', details: { status: 0 } });
    // 100 + 200 + 400 ms waited; the next (800 ms) would end past the deadline, 300 ms away.
    expect(sleeps).toEqual([100, 200, 400]);
    expect(f.seen).toHaveLength(4);

    clock.now = start + 1_000;
    const late = await gw.call({ method: 'GET', url: 'sites/root' }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(GraphUnavailableError);
    expect(late).toMatchObject({
      code: 'unavailable',
      details: { reason: 'deadline', retryAfterSeconds: 2 },
    });
    await expect(gw.batch([{ id: '1', method: 'GET', url: 'x' }])).rejects.toMatchObject({
      details: { reason: 'deadline' },
    });
    expect(f.seen).toHaveLength(4);
  });

  it('does not wait out a Retry-After that outlasts the deadline, in a $batch or alone', async () => {
    const f = scriptedFetch((req) =>
      req.url.endsWith('$batch')
        ? {
            status: 200,
            body: {
              responses: [
                { id: '1', status: 429, headers: { 'Retry-After': '5' }, body: {} },
                { id: '2', status: 200, body: { ok: true } },
              ],
            },
          }
        : throttled(5),
    );
    const { gw, sleeps } = onClock(f.fetch, start + 2_500);
    await expect(gw.call({ method: 'GET', url: 'sites/root' })).rejects.toMatchObject({
      code: 'throttled',
    });
    const replies = await gw.batch([
      { id: '1', method: 'GET', url: 'a' },
      { id: '2', method: 'GET', url: 'b' },
    ]);
    expect(replies.get('1')?.status).toBe(429);
    expect(replies.get('2')?.status).toBe(200);
    expect(sleeps).toEqual([]);
    expect(f.seen).toHaveLength(2);
  });

  it('waits for a Graph that answers, slowly, past the deadline while nothing is failing', async () => {
    const slow = (): Promise<Response> =>
      new Promise((resolve) => {
        setTimeout(() => {
          resolve(new Response(JSON.stringify({ ok: true }), { status: 200 }));
        }, 80);
      });
    const gw = new GraphGateway({ baseUrl: 'http://127.0.0.1:9/v1.0', fetch: slow });
    const replies = await withGraphDeadline(Date.now() + 20, async () => [
      await gw.call({ method: 'GET', url: 'sites/root' }),
      // Started after the deadline: still sent, Graph has not failed.
      await gw.call({ method: 'GET', url: 'sites/root' }),
    ]);
    expect(replies.map((r) => r.body)).toEqual([{ ok: true }, { ok: true }]);
    expect(gw.circuit).toEqual({ kind: 'closed', failures: 0 });
  });

  it('abandons an exchange still out at the deadline (withGraphDeadline) without opening the circuit or holding a probe', async () => {
    let calls = 0;
    const fetchFn = (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      calls += 1;
      if (calls === 1) return Promise.reject(new TypeError('fetch failed: connection refused'));
      if (calls === 2) {
        // Graph hangs: only the abort ends it.
        return new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
        });
      }
      return Promise.resolve(new Response(JSON.stringify({ ok: true }), { status: 200 }));
    };
    const gw = new GraphGateway({
      baseUrl: 'http://127.0.0.1:9/v1.0',
      fetch: fetchFn,
      retry: { maxAttempts: 1 },
      circuit: { failureThreshold: 1, openMs: 1 },
    });
    expect((await gw.exchange({ method: 'GET', url: 'sites/root' })).status).toBe(0);
    expect(gw.circuit.kind).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The probe goes out under a 50 ms deadline and is cut off there.
    const cut = await withGraphDeadline(Date.now() + 50, () =>
      gw.exchange({ method: 'GET', url: 'sites/root' }),
    );
    expect(cut.status).toBe(0);
    expect(gw.circuit.kind).toBe('open');
    // Its place is free at once: the next caller probes, Graph answers, the circuit closes.
    expect((await gw.call({ method: 'GET', url: 'sites/root' })).body).toEqual({ ok: true });
    expect(gw.circuit).toEqual({ kind: 'closed', failures: 0 });
    expect(calls).toBe(3);
  });
});

describe('GraphGateway: what operators see', () => {
  /** A Logger that keeps its entries. */
  function recordingLogger() {
    const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
    const make = (bound: Record<string, unknown>): Logger => {
      const at =
        (level: string) =>
        (message: string, fields: Record<string, unknown> = {}) =>
          entries.push({ level, message, fields: { ...bound, ...fields } });
      return {
        debug: at('debug'),
        info: at('info'),
        warn: at('warn'),
        error: at('error'),
        child: (fields) => make({ ...bound, ...fields }),
      };
    };
    return { log: make({}), entries };
  }

  /** A Telemetry that keeps its spans (with their attributes) and counts. */
  function recordingTelemetry() {
    const spans: { name: string; kind: string; attributes: Record<string, unknown> }[] = [];
    const counts: { name: string; attributes: Record<string, unknown> }[] = [];
    const telemetry: Telemetry = {
      span: async (name, kind, attributes, work) => {
        const span = { name, kind, attributes: { ...attributes } };
        spans.push(span);
        return work({
          setAttributes: (more) => Object.assign(span.attributes, more),
          fail: () => undefined,
        });
      },
      annotate: () => undefined,
      count: (name, attributes = {}) => counts.push({ name, attributes }),
      observe: () => undefined,
      operationId: () => undefined,
    };
    return { telemetry, spans, counts };
  }

  it('sends a fresh client-request-id with every exchange, retries included, and logs each failure with it', async () => {
    const script = scriptedFetch((_req, i) =>
      i < 2
        ? { status: 503, headers: { 'request-id': `graph-${i}`, 'Retry-After': '0' } }
        : { status: 200, body: { id: 'x' } },
    );
    const { log, entries } = recordingLogger();
    const { telemetry, spans, counts } = recordingTelemetry();
    await gateway(script.fetch, { log, telemetry }).gw.call({
      method: 'GET',
      url: 'sites/contoso.sharepoint.com,1b2c,3d4e/lists/0f0e0d0c-1111-4222-8333-444455556666/items/17?$filter=x',
    });

    const sent = script.seen.map((r) => r.headers['client-request-id']);
    expect(sent).toHaveLength(3);
    expect(sent.every((id) => /^[0-9a-f-]{36}$/.test(id ?? ''))).toBe(true);
    expect(new Set(sent).size).toBe(3);

    const failures = entries.filter((e) => e.message === 'Graph answered with a failure');
    expect(failures.map((e) => [e.level, e.fields.status, e.fields.clientRequestId])).toEqual([
      ['warn', 503, sent[0]],
      ['warn', 503, sent[1]],
    ]);
    expect(failures.map((e) => e.fields.graphRequestId)).toEqual(['graph-0', 'graph-1']);
    expect(entries.filter((e) => e.message === 'Graph request retried')).toHaveLength(2);

    // One client span per exchange, named without ids or the query, with both request ids.
    expect(spans.map((s) => [s.name, s.kind, s.attributes['http.response.status_code']])).toEqual([
      ['GET sites/{id}/lists/{id}/items/{id}', 'client', 503],
      ['GET sites/{id}/lists/{id}/items/{id}', 'client', 503],
      ['GET sites/{id}/lists/{id}/items/{id}', 'client', 200],
    ]);
    expect(spans.map((s) => s.attributes['graph.client_request_id'])).toEqual(sent);
    expect(spans[0]?.attributes['graph.request_id']).toBe('graph-0');
    expect(String(spans[0]?.attributes['url.full'])).not.toContain('$filter');
    expect(counts).toEqual([
      { name: 'countersign.graph.failures', attributes: { status: 503 } },
      { name: 'countersign.graph.retries', attributes: { status: 503 } },
      { name: 'countersign.graph.failures', attributes: { status: 503 } },
      { name: 'countersign.graph.retries', attributes: { status: 503 } },
    ]);
  });

  it('counts a request throttled inside a $batch, whose outer answer is a 200', async () => {
    const script = scriptedFetch((_req, i) => ({
      status: 200,
      body: {
        responses: [
          i === 0
            ? { id: '1', status: 429, headers: { 'Retry-After': '0' } }
            : { id: '1', status: 201, body: {} },
        ],
      },
    }));
    const { telemetry, counts } = recordingTelemetry();
    const { log } = recordingLogger();
    await gateway(script.fetch, { log, telemetry }).gw.batch([
      { id: '1', method: 'POST', url: 'sites/x/lists/y/items', body: {} },
    ]);
    expect(counts.map((c) => [c.name, c.attributes.status])).toEqual([
      ['countersign.graph.failures', 429],
      ['countersign.graph.retries', 429],
    ]);
  });
});
