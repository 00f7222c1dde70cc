import { describe, expect, it } from 'vitest';
import { backoffMs, Pacer } from '../../src/services/campaigns/pacing.ts';
import { VirtualTiming } from './fixtures.ts';

/** The most events inside any window of `windowMs` (a window includes its end, not its start). */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[start] ?? 0) <= (times[end] ?? 0) - windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe('Pacer', () => {
  it('keeps 1,000 tenant sends from 8 concurrent workers within 50 in any second', async () => {
    const timing = new VirtualTiming(0);
    const pacer = new Pacer(timing);
    const sent: number[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 1_000) {
        next += 1;
        (await pacer.take(`conversation-${next}`))();
        sent.push(timing.now());
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(sent).toHaveLength(1_000);
    expect(maxInWindow(sent, 1_000)).toBeLessThanOrEqual(50);
    // And not much below it: 1,000 sends at ≥ 97 % of 50 a second take ≤ 20.6 s.
    const seconds = ((sent.at(-1) ?? 0) - (sent[0] ?? 0)) / 1000;
    expect(1_000 / seconds / 50).toBeGreaterThanOrEqual(0.97);
  });

  it('keeps one conversation within 7/1 s, 8/2 s and 60/30 s', async () => {
    const timing = new VirtualTiming(0);
    const pacer = new Pacer(timing);
    const sent: number[] = [];
    for (let i = 0; i < 130; i += 1) {
      (await pacer.take('one'))();
      sent.push(timing.now());
    }
    expect(maxInWindow(sent, 1_000)).toBeLessThanOrEqual(7);
    expect(maxInWindow(sent, 2_000)).toBeLessThanOrEqual(8);
    expect(maxInWindow(sent, 30_000)).toBeLessThanOrEqual(60);
  });

  it('counts a request from when the connector may have seen it: send plus unusual delay', async () => {
    const timing = new VirtualTiming(0);
    const pacer = new Pacer(timing, { tenantLimits: [{ limit: 2, windowMs: 1_000 }] });
    const first = await pacer.take('a');
    timing.advance(100);
    first(); // a round trip of 100 ms: the usual one
    const second = await pacer.take('b');
    // Unanswered, the second holds its place: the window cannot be judged yet.
    expect(pacer.waitMs('c')).toBeGreaterThan(0);
    timing.advance(400);
    second(); // 400 ms: 300 more than usual, so it may have reached the connector at 100 + 300
    // The first counts from 0, the second from 400: the third waits for the first to leave
    // the window (1,000 ms after 0, plus the 15 ms margin); 500 ms have passed.
    expect(pacer.waitMs('c')).toBe(515);
    timing.advance(515);
    (await pacer.take('c'))();
    // The third answered at once: the usual round trip is now 0, so every request is judged
    // against that (never less cautious): the second counts from its answer, 500 ms; the fourth
    // waits 500 + 1,015 − 1,015 = 500 ms.
    expect(pacer.waitMs('d')).toBe(500);
  });

  it('holds every send after a 429 until Retry-After has passed', async () => {
    const timing = new VirtualTiming(0);
    const pacer = new Pacer(timing);
    (await pacer.take('a'))();
    pacer.holdUntil(5_000);
    expect(pacer.waitMs('b')).toBe(5_000);
    (await pacer.take('b'))();
    expect(timing.now()).toBeGreaterThanOrEqual(5_000);
  });

  it('forgets quiet conversations', async () => {
    const timing = new VirtualTiming(0);
    const pacer = new Pacer(timing);
    for (let i = 0; i < 100; i += 1) (await pacer.take(`c${i}`))();
    expect(pacer.conversations).toBe(100);
    timing.advance(2 * 3_600_000);
    (await pacer.take('late'))();
    expect(pacer.conversations).toBe(1);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 1_000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(3, 1_000, 60_000, () => 1)).toBe(4_000);
    expect(backoffMs(20, 1_000, 60_000, () => 1)).toBe(60_000);
  });
});
