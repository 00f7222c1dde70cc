import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter, retrying } from '../../src/domain/retry.ts';

describe('retrying a throttled call', () => {
  it('reads Retry-After as seconds or an HTTP date, and nothing from an empty header', () => {
    expect(parseRetryAfter(' 2 ', 0)).toBe(2_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:01 GMT', 4_000)).toBe(0);
    expect(parseRetryAfter('', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('backs off exponentially with equal jitter, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 100, 500, () => 0))).toEqual([50, 100, 200, 250]);
    expect(backoffMs(2, 100, 500, () => 1)).toBe(200);
  });

  it('tries until the caller says stop, sleeping what it asks in between', async () => {
    const slept: number[] = [];
    const results = ['busy', 'busy', 'ok'];
    const seen: [string, number][] = [];
    const last = await retrying(
      () => Promise.resolve(results.shift() ?? 'none'),
      (result, attempt) => {
        seen.push([result, attempt]);
        return result === 'busy' ? attempt * 10 : undefined;
      },
      (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    );
    expect(last).toBe('ok');
    expect(seen).toEqual([
      ['busy', 1],
      ['busy', 2],
      ['ok', 3],
    ]);
    expect(slept).toEqual([10, 20]);
  });
});
