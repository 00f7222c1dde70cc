/** A limit as Teams documents it: at most `limit` requests in any `windowMs`. */
export interface WindowRule {
  limit: number;
  windowMs: number;
}

/**
 * Teams: 50 requests a second per app per tenant ("Optimize your bot with rate limiting and best
 * practices in Teams", learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit; older
 * copies of the page say 30, which `tenantRequestsPerSecond` can set).
 */
export const TENANT_RULES: readonly WindowRule[] = [{ limit: 50, windowMs: 1_000 }];

/**
 * Teams, per bot per conversation (thread): 7/1 s, 8/2 s, 60/30 s, 1,800/h, the same page's
 * "Per bot per thread limit" table for Send to conversation and Create conversation.
 */
export const CONVERSATION_RULES: readonly WindowRule[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

/**
 * Exact sliding windows (a log of accepted request times, trimmed to the longest window): the
 * strictest reading of the documented limits, so a sender that passes here passes Teams.
 */
export class SlidingWindows {
  readonly #rules: readonly WindowRule[];
  readonly #longest: number;
  #times: number[] = [];
  #head = 0;

  constructor(rules: readonly WindowRule[]) {
    this.#rules = rules;
    this.#longest = Math.max(...rules.map((r) => r.windowMs));
  }

  #trim(now: number): void {
    while (
      this.#head < this.#times.length &&
      (this.#times[this.#head] ?? 0) <= now - this.#longest
    ) {
      this.#head += 1;
    }
    // Compact now and then so the log does not grow without end.
    if (this.#head > 1_024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Milliseconds until a request would be accepted; 0 when it would be now. */
  waitMs(now: number): number {
    this.#trim(now);
    let wait = 0;
    const count = this.#times.length - this.#head;
    for (const rule of this.#rules) {
      if (count < rule.limit) continue;
      // The request `limit` back must have left the window.
      const limiting = this.#times[this.#times.length - rule.limit] ?? 0;
      wait = Math.max(wait, limiting + rule.windowMs - now);
    }
    return Math.max(0, wait);
  }

  record(now: number): void {
    this.#times.push(now);
  }

  /** Accepted requests in the last `windowMs`. */
  countWithin(now: number, windowMs: number): number {
    let n = 0;
    for (let i = this.#times.length - 1; i >= this.#head; i -= 1) {
      if ((this.#times[i] ?? 0) <= now - windowMs) break;
      n += 1;
    }
    return n;
  }

  /** True when the log holds nothing inside its longest window (can be dropped). */
  idle(now: number): boolean {
    this.#trim(now);
    return this.#head >= this.#times.length;
  }
}
