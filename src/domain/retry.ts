/**
 * Retrying a call to a service that throttles: reading its Retry-After, backing off when it
 * names none, and the loop itself. Pure: the caller passes the time, the randomness and the
 * sleep, and decides what is worth another attempt.
 */

/**
 * Retry-After (RFC 9110): delta-seconds or an HTTP date, as milliseconds to wait from `nowMs`.
 * Undefined when absent, empty or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Exponential backoff with "equal jitter" (half fixed, half random), capped: the wait before
 * attempt `attempt + 1` after `attempt` failed (1-based).
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Calls `attempt` until `waitBefore` returns undefined for its result (done, or not worth
 * another try), sleeping the milliseconds it returns in between; resolves to the last result.
 * `waitBefore` gets the 1-based number of the attempt that produced the result, so it bounds
 * the attempts.
 */
export async function retrying<T>(
  attempt: () => Promise<T>,
  waitBefore: (result: T, attempt: number) => number | undefined,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  for (let n = 1; ; n += 1) {
    const result = await attempt();
    const wait = waitBefore(result, n);
    if (wait === undefined) return result;
    await sleep(wait);
  }
}
