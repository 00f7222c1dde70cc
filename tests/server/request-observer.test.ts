import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { currentGraphDeadline } from '../../src/adapters/graph/graph-deadline.ts';
import { silentLogger } from '../../src/ports/logger.ts';
import { noTelemetry } from '../../src/ports/telemetry.ts';
import { createRequestScope, SIGN_GRAPH_BUDGET_MS } from '../../src/server/request-observer.ts';

/** The Graph deadline the handler of `method path` runs under, as the observer sets it. */
async function deadlineSeen(method: string, path: string): Promise<number | undefined> {
  const observe = createRequestScope(noTelemetry).observer(silentLogger);
  const req = { method, url: path, headers: { host: 'localhost' } } as unknown as IncomingMessage;
  const headers = new Map<string, unknown>();
  const res = {
    statusCode: 200,
    setHeader: (name: string, value: unknown) => headers.set(name, value),
  } as unknown as ServerResponse;
  let seen: number | undefined;
  await observe(req, res, () => {
    // Read after an await, as a Graph call deep in a handler would.
    return Promise.resolve().then(() => {
      seen = currentGraphDeadline();
    });
  });
  return seen;
}

describe('request observer: the Graph budget of a sign', () => {
  it('gives a sign a Graph deadline of its budget from arrival, and other requests none', async () => {
    const before = Date.now();
    const signAt = await deadlineSeen('POST', '/api/me/policies/staff-aup/sign');
    expect(signAt).toBeGreaterThanOrEqual(before + SIGN_GRAPH_BUDGET_MS);
    expect(signAt).toBeLessThanOrEqual(Date.now() + SIGN_GRAPH_BUDGET_MS);
    expect(await deadlineSeen('GET', '/api/admin/people?policyKey=staff-aup')).toBeUndefined();
    expect(await deadlineSeen('GET', '/api/me/policies/staff-aup/sign')).toBeUndefined();
    expect(await deadlineSeen('POST', '/api/me/policies/staff-aup/sign/x')).toBeUndefined();
  });
});
