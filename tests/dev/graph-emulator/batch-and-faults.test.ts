import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { call, errorCode, values, type JsonReply } from './graph-client.ts';

let emulator: GraphEmulator;
let api: (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<JsonReply>;
let items: string;

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

function create(id: string, fields: Record<string, unknown>, dependsOn?: string[]): unknown {
  return {
    id,
    method: 'POST',
    url: items,
    headers: { 'Content-Type': 'application/json' },
    body: { fields },
    ...(dependsOn === undefined ? {} : { dependsOn }),
  };
}

beforeAll(async () => {
  emulator = await startGraphEmulator({ seed: 'none' });
  api = (method, path, body, headers) => call(emulator.url, method, path, body, headers);
  const list = await api('POST', `/sites/${emulator.siteId}/lists`, {
    displayName: 'Batch Test',
    columns: [
      { name: 'Key', text: {}, indexed: true, enforceUniqueValues: true },
      { name: 'N', number: {} },
    ],
  });
  items = `/sites/${emulator.siteId}/lists/${String(list.body.id)}/items`;
});

afterAll(async () => {
  await emulator.close();
});

describe('$batch', () => {
  it('runs up to 20 requests and answers each with id, status, headers and body', async () => {
    const requests = Array.from({ length: 20 }, (_, k) =>
      create(String(k + 1), { Key: `k${k}`, N: k }),
    );
    const reply = await api('POST', '/$batch', { requests });
    expect(reply.status).toBe(200);
    const responses = reply.body.responses as InnerResponse[];
    expect(responses).toHaveLength(20);
    for (const response of responses) {
      expect(response.status).toBe(201);
      expect(response.headers['Content-Type']).toContain('application/json');
      expect(response.body?.id).toBeDefined();
    }
  });

  it('refuses more than 20 requests, duplicate ids and bodies without Content-Type (400)', async () => {
    const tooMany = Array.from({ length: 21 }, (_, k) => create(String(k + 1), { Key: `x${k}` }));
    const reply = await api('POST', '/$batch', { requests: tooMany });
    expect(reply.status).toBe(400);
    expect(errorCode(reply)).toBe('BadRequest');
    const check = await api('GET', `${items}?$filter=${encodeURIComponent("fields/Key eq 'x0'")}`);
    expect(values(check)).toHaveLength(0);

    const duplicate = await api('POST', '/$batch', {
      requests: [create('a', { Key: 'd1' }), create('A', { Key: 'd2' })],
    });
    expect(duplicate.status).toBe(400);
    const noType = await api('POST', '/$batch', {
      requests: [{ id: '1', method: 'POST', url: items, body: { fields: {} } }],
    });
    expect(noType.status).toBe(400);
    const unknownDependency = await api('POST', '/$batch', {
      requests: [create('1', { Key: 'u1' }, ['9'])],
    });
    expect(unknownDependency.status).toBe(400);
  });

  it('orders by dependsOn and fails dependants of a failed request with 424', async () => {
    // "same" pattern, listed out of order: 2 and 3 both depend on 1, which fails (duplicate).
    const reply = await api('POST', '/$batch', {
      requests: [
        create('3', { Key: 'dep-c' }, ['1']),
        create('1', { Key: 'k0' }), // duplicate of a unique value: 409
        create('2', { Key: 'dep-b' }, ['1']),
      ],
    });
    expect(reply.status).toBe(200);
    const byId = new Map((reply.body.responses as InnerResponse[]).map((r) => [r.id, r]));
    expect(byId.get('1')?.status).toBe(409);
    expect(byId.get('2')?.status).toBe(424);
    expect(byId.get('3')?.status).toBe(424);
    const stored = await api(
      'GET',
      `${items}?$filter=${encodeURIComponent("startswith(fields/Key,'dep-')")}`,
    );
    expect(values(stored)).toHaveLength(0);

    const chain = await api('POST', '/$batch', {
      requests: [
        create('1', { Key: 'chain-1' }),
        create('2', { Key: 'chain-2' }, ['1']),
        {
          id: '3',
          method: 'GET',
          url: `${items}?$filter=startswith(fields/Key,'chain-')`,
          dependsOn: ['2'],
        },
      ],
    });
    const last = (chain.body.responses as InnerResponse[]).find((r) => r.id === '3');
    expect(last?.status).toBe(200);
    expect((last?.body?.value as unknown[]).length).toBe(2);
  });

  it('refuses dependsOn patterns Graph does not run (mixed, or two dependencies)', async () => {
    const mixed = await api('POST', '/$batch', {
      requests: [
        create('1', { Key: 'mixed-1' }),
        create('2', { Key: 'mixed-2' }, ['1']),
        create('3', { Key: 'mixed-3' }),
      ],
    });
    expect(mixed.status).toBe(400);
    const two = await api('POST', '/$batch', {
      requests: [
        create('1', { Key: 'two-1' }),
        create('2', { Key: 'two-2' }),
        create('3', { Key: 'two-3' }, ['1', '2']),
      ],
    });
    expect(two.status).toBe(400);
    const stored = await api(
      'GET',
      `${items}?$filter=${encodeURIComponent("startswith(fields/Key,'mixed-')")}`,
    );
    expect(values(stored)).toHaveLength(0);
  });

  it('accepts inner urls with or without a leading slash or version, as the Graph SDK sends them', async () => {
    const reply = await api('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: items.slice(1) + '/1' },
        { id: '2', method: 'GET', url: `/v1.0${items}/1` },
        { id: '3', method: 'GET', url: `${emulator.url}${items}/1` },
        { id: '4', method: 'GET', url: '/users' },
      ],
    });
    const statuses = (reply.body.responses as InnerResponse[]).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});

describe('counters', () => {
  it('counts outer requests and SharePoint resource units (1 single read, 2 multi read or write)', async () => {
    emulator.resetCounters();
    await api('GET', `${items}/1`); // 1
    await api('GET', `${items}?$top=5`); // 2
    await api('POST', items, { fields: { Key: 'counted' } }); // 2
    await api('POST', '/$batch', {
      requests: [
        create('1', { Key: 'counted-2' }), // 2
        { id: '2', method: 'GET', url: `${items}/1` }, // 1
        { id: '3', method: 'GET', url: '/users' }, // directory: 0
      ],
    });
    const counters = emulator.counters();
    expect(counters.requests).toBe(4);
    expect(counters.byMethod).toEqual({ GET: 2, POST: 2 });
    expect(counters.batchedRequests).toBe(3);
    expect(counters.resourceUnits).toBe(8);
  });
});

describe('fault injection', () => {
  it('answers 429 and 503 with Retry-After, deterministically from the seed', async () => {
    const run = async (): Promise<number[]> => {
      emulator.setFaults({ rate429: 0.3, rate503: 0.2, retryAfterSeconds: 7, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i += 1) {
        const reply = await api('GET', `${items}/1`);
        statuses.push(reply.status);
        if (reply.status === 429 || reply.status === 503) {
          expect(reply.headers.get('retry-after')).toBe('7');
          expect(errorCode(reply)).toBe(
            reply.status === 429 ? 'activityLimitReached' : 'serviceNotAvailable',
          );
        }
      }
      return statuses;
    };
    const first = await run();
    const second = await run();
    emulator.setFaults({});
    expect(first).toEqual(second);
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(0);
  });

  it('throttles requests inside a batch too, leaving the batch itself 200', async () => {
    emulator.setFaults({ rate429: 0.5, retryAfterSeconds: 3, seed: 7 });
    let throttled: InnerResponse | undefined;
    for (let attempt = 0; attempt < 10 && throttled === undefined; attempt += 1) {
      const reply = await api('POST', '/$batch', {
        requests: Array.from({ length: 10 }, (_, k) => ({
          id: String(k),
          method: 'GET',
          url: `${items}/1`,
        })),
      });
      if (reply.status !== 200) continue; // the outer request itself was throttled
      throttled = (reply.body.responses as InnerResponse[]).find((r) => r.status === 429);
    }
    emulator.setFaults({});
    expect(throttled?.headers['Retry-After']).toBe('3');
    expect((throttled?.body?.error as { code: string }).code).toBe('activityLimitReached');
  });

  it('drops connections (before or after handling) and counts faults', async () => {
    emulator.resetCounters();
    emulator.setFaults({ rateReset: 1, resetPhase: 'after', seed: 3 });
    await expect(api('POST', items, { fields: { Key: 'written-then-dropped' } })).rejects.toThrow();
    emulator.setFaults({ rateReset: 1, resetPhase: 'before', seed: 3 });
    await expect(api('POST', items, { fields: { Key: 'never-written' } })).rejects.toThrow();
    emulator.setFaults({});
    const written = await api(
      'GET',
      `${items}?$filter=${encodeURIComponent("fields/Key eq 'written-then-dropped'")}`,
    );
    expect(values(written)).toHaveLength(1);
    const notWritten = await api(
      'GET',
      `${items}?$filter=${encodeURIComponent("fields/Key eq 'never-written'")}`,
    );
    expect(values(notWritten)).toHaveLength(0);
    expect(emulator.counters().faults).toBe(2);
  });

  it('adds latency and can be driven over HTTP by an out-of-process benchmark', async () => {
    const origin = emulator.url.replace(/\/v1\.0$/, '');
    const set = await fetch(`${origin}/_emulator/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ latencyMs: 5_000 }),
    });
    expect(set.status).toBe(200);
    // With 5 s of added latency the answer cannot arrive within 50 ms: the client gives up.
    await expect(
      fetch(`${emulator.url}${items}/1`, { signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    const invalid = await fetch(`${origin}/_emulator/faults`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rate429: 2 }),
    });
    expect(invalid.status).toBe(400);
    emulator.setFaults({});
    const counters = (await (await fetch(`${origin}/_emulator/counters`)).json()) as {
      requests: number;
    };
    expect(counters.requests).toBeGreaterThan(0);
  });
});
