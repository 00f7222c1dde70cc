import type { Timing } from './timing.ts';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** Teams: 50 requests a second per app per tenant. */
export const TEAMS_TENANT_LIMITS: readonly WindowLimit[] = [{ limit: 50, windowMs: 1_000 }];

/**
 * The pacing for a tenant ceiling of `requestsPerSecond` (a setting: "Optimize your bot with
 * rate limiting in Teams" gives 50 per app per tenant today, older copies of the page said 30,
 * and the service may count split requests): that window, and a steady pace at 98 % of it.
 * Anything stricter on the day is met by 429 + Retry-After, which slows the sender and loses
 * nobody.
 */
export function tenantPacing(requestsPerSecond: number): {
  tenantLimits: readonly WindowLimit[];
  ratePerSecond: number;
} {
  return {
    tenantLimits: [{ limit: requestsPerSecond, windowMs: 1_000 }],
    ratePerSecond: requestsPerSecond * 0.98,
  };
}

/** Teams' per-conversation limits: 7/1 s, 8/2 s, 60/30 s, 1,800/h. */
export const TEAMS_CONVERSATION_LIMITS: readonly WindowLimit[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

/** One request in a window log: `at` is Infinity until its answer came back. */
interface Entry {
  at: number;
}

/**
 * A log of requests checked against sliding windows (widened by a margin). The connector counts
 * a request when it reaches it, somewhere between our send and its answer; a stall on the way
 * (a descheduled process, a slow network) shows as a round trip longer than usual. So each
 * request counts from its send time plus however much longer than the usual (fastest recent)
 * round trip its answer took: a request the connector saw late then cannot share a window with
 * one sent a second later, and steady latency costs nothing.
 */
class WindowLog {
  readonly #limits: readonly WindowLimit[];
  readonly #maxMarginMs: number;
  readonly #maxLimit: number;
  readonly longestMs: number;
  #entries: Entry[] = [];

  constructor(limits: readonly WindowLimit[], maxMarginMs: number) {
    this.#limits = limits;
    this.#maxMarginMs = maxMarginMs;
    this.#maxLimit = Math.max(...limits.map((l) => l.limit));
    this.longestMs = Math.max(...limits.map((l) => l.windowMs)) + maxMarginMs;
  }

  /**
   * Milliseconds to wait; a still-unanswered request in the way means "look again soon".
   * Entries hold answer times; each counts from its answer less the usual round trip (the same
   * for all, so the log's order is the answers' order).
   */
  waitMs(now: number, marginMs: number, pollMs: number, usualRoundTripMs: number): number {
    const margin = Math.min(marginMs, this.#maxMarginMs);
    if (this.#entries.length > 2 * this.#maxLimit) {
      this.#entries = this.#entries.filter((e) => e.at > now - this.longestMs);
    }
    let wait = 0;
    for (const { limit, windowMs } of this.#limits) {
      const limiting = this.#entries[this.#entries.length - limit];
      if (limiting === undefined) continue;
      wait = Math.max(
        wait,
        limiting.at === Infinity
          ? pollMs
          : limiting.at - usualRoundTripMs + windowMs + margin - now,
      );
    }
    return wait;
  }

  record(): Entry {
    const entry = { at: Infinity };
    this.#entries.push(entry);
    return entry;
  }

  /** The answer came back: the request counts from `at`; keep the log in time order. */
  answered(entry: Entry, at: number): void {
    entry.at = at;
    this.#entries.sort((a, b) => a.at - b.at);
  }

  last(): number {
    return this.#entries.at(-1)?.at ?? Number.NEGATIVE_INFINITY;
  }
}

/** How soon to look again when an unanswered request decides the wait. */
const POLL_MS = 2;
/** Round trips remembered to find the usual (fastest recent) one. */
const ROUND_TRIPS_KEPT = 64;

export interface PacerOptions {
  /** The tenant's windows (Teams: 50 in any second). */
  tenantLimits: readonly WindowLimit[];
  conversationLimits: readonly WindowLimit[];
  /**
   * The steady pace (token bucket): a little under 50 so that the windows below rarely bind.
   * 49/s is 98 % of the ceiling.
   */
  ratePerSecond: number;
  /**
   * How far behind its schedule the bucket may fall and still catch up (ms): a send that woke
   * late does not push every later send back (the pace would drift below the rate otherwise).
   */
  catchUpMs: number;
  /**
   * Added to every window, checked on actual send times. The connector counts arrivals, and a
   * request can arrive later than it left (a stalled event loop, the network) while the next
   * does not: the margin keeps such a pair out of one window.
   */
  marginMs: number;
  /**
   * Each 429 widens the margin by this much (up to `maxMarginMs`); it narrows again by 1 ms for
   * every second without one. A busy machine or network gets the slack it needs, no more.
   */
  marginStepMs: number;
  maxMarginMs: number;
}

export const DEFAULT_PACER_OPTIONS: PacerOptions = {
  tenantLimits: TEAMS_TENANT_LIMITS,
  conversationLimits: TEAMS_CONVERSATION_LIMITS,
  ratePerSecond: 49,
  catchUpMs: 60,
  marginMs: 15,
  marginStepMs: 10,
  maxMarginMs: 100,
};

/**
 * Paces sends to Teams' limits with two layers:
 * - a token bucket (virtual schedule) at `ratePerSecond` for the tenant, which remembers up to
 *   `catchUpMs` of lateness so that timers firing late on a busy machine do not slow the pace;
 * - the documented sliding windows (tenant, and each conversation), counting each request from
 *   its send time plus any delay beyond the usual round trip (when the connector may have seen
 *   it), with a margin: a catch-up burst or a stalled connector cannot crowd a window.
 * Check-and-record is synchronous, so concurrent workers never share a slot. Conversations quiet
 * for longer than their longest window are forgotten.
 */
export class Pacer {
  readonly #timing: Timing;
  readonly #options: PacerOptions;
  readonly #tenant: WindowLog;
  readonly #conversations = new Map<string, WindowLog>();
  readonly #intervalMs: number;
  /** The bucket's next slot (epoch ms). */
  #tat = Number.NEGATIVE_INFINITY;
  #holdUntil = 0;
  #lastSweep = 0;
  readonly #roundTrips: (number | undefined)[] = [];
  #roundTripIndex = 0;
  /** Extra margin from recent 429s, and when it was last raised. */
  #extraMarginMs = 0;
  #raisedAt = 0;

  constructor(timing: Timing, options: Partial<PacerOptions> = {}) {
    this.#timing = timing;
    this.#options = { ...DEFAULT_PACER_OPTIONS, ...options };
    this.#tenant = new WindowLog(this.#options.tenantLimits, this.#options.maxMarginMs);
    this.#intervalMs = 1000 / this.#options.ratePerSecond;
  }

  /** The slot the next send would take. */
  #slot(now: number): number {
    return Math.max(this.#tat, now - this.#options.catchUpMs);
  }

  /** Milliseconds until a send to this conversation may leave; 0 = now. */
  waitMs(conversationId: string, now = this.#timing.now()): number {
    const conversation = this.#conversations.get(conversationId);
    return Math.max(
      0,
      this.#holdUntil - now,
      this.#slot(now) - now,
      this.#tenant.waitMs(now, this.margin(now), POLL_MS, this.#usualRoundTrip()),
      conversation?.waitMs(now, this.margin(now), POLL_MS, this.#usualRoundTrip()) ?? 0,
    );
  }

  /**
   * Waits until a send may leave and takes the slot. Call the function it returns when the
   * answer (any answer, or a failure) comes back: until then the request holds its place in
   * the windows, and its round trip decides when it counts from.
   */
  async take(conversationId: string): Promise<() => void> {
    for (;;) {
      const now = this.#timing.now();
      const wait = this.waitMs(conversationId, now);
      if (wait <= 0) return this.#record(conversationId, now);
      await this.#timing.sleep(wait);
    }
  }

  /** A tenant-wide call that is not in a conversation (creating one). */
  takeTenant(): Promise<() => void> {
    return this.take('');
  }

  /** The window margin now: the base, plus what recent 429s added (narrowing 1 ms a second). */
  margin(now = this.#timing.now()): number {
    const decayed = Math.max(0, this.#extraMarginMs - (now - this.#raisedAt) / 1000);
    return this.#options.marginMs + decayed;
  }

  /** A 429 came back: widen the margin (see marginStepMs). */
  throttled(now = this.#timing.now()): void {
    const current = this.margin(now) - this.#options.marginMs;
    this.#extraMarginMs = Math.min(
      this.#options.maxMarginMs - this.#options.marginMs,
      current + this.#options.marginStepMs,
    );
    this.#raisedAt = now;
  }

  /**
   * The tenant's longest window with the widest margin: after it, no request another sender
   * made before now can share a window with one of ours.
   */
  get tenantWindowMs(): number {
    return this.#tenant.longestMs;
  }

  /** After a 429: nobody sends before `until` (epoch ms). */
  holdUntil(until: number): void {
    this.#holdUntil = Math.max(this.#holdUntil, until);
    // No catch-up burst after the hold: the schedule restarts from its end.
    this.#tat = Math.max(this.#tat, until);
  }

  /**
   * The usual round trip: the fastest of the recent ones (a request's delay beyond it may be a
   * stall before the connector saw it). Taken when the windows are checked, so an early slow
   * answer (a new connection) is judged against what turned out to be usual.
   */
  #usualRoundTrip(): number {
    let usual = Infinity;
    for (const t of this.#roundTrips) if (t !== undefined && t < usual) usual = t;
    return usual === Infinity ? 0 : usual;
  }

  /** Conversations currently remembered. */
  get conversations(): number {
    return this.#conversations.size;
  }

  #record(conversationId: string, now: number): () => void {
    this.#tat = this.#slot(now) + this.#intervalMs;
    const tenantEntry = this.#tenant.record();
    let log: WindowLog | undefined;
    let entry: Entry | undefined;
    if (conversationId !== '') {
      log = this.#conversations.get(conversationId);
      if (log === undefined) {
        log = new WindowLog(this.#options.conversationLimits, this.#options.maxMarginMs);
        this.#conversations.set(conversationId, log);
      }
      entry = log.record();
    }
    const longest = Math.max(...this.#options.conversationLimits.map((l) => l.windowMs));
    if (now - this.#lastSweep > 60_000) {
      this.#lastSweep = now;
      for (const [id, quiet] of this.#conversations) {
        if (quiet.last() <= now - longest - this.#options.maxMarginMs) {
          this.#conversations.delete(id);
        }
      }
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const at = this.#timing.now();
      this.#roundTrips[this.#roundTripIndex] = Math.max(0, at - now);
      this.#roundTripIndex = (this.#roundTripIndex + 1) % ROUND_TRIPS_KEPT;
      this.#tenant.answered(tenantEntry, at);
      if (log !== undefined && entry !== undefined) log.answered(entry, at);
    };
  }
}

/** Exponential backoff with "equal jitter" (half fixed, half random), capped: the wait before attempt `attempt` (1-based). */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
