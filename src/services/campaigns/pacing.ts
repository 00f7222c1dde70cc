import type { Timing } from './timing.ts';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** Teams: 50 requests a second per app per tenant. */
export const TEAMS_TENANT_LIMITS: readonly WindowLimit[] = [{ limit: 50, windowMs: 1_000 }];

/** Teams' per-conversation limits: 7/1 s, 8/2 s, 60/30 s, 1,800/h. */
export const TEAMS_CONVERSATION_LIMITS: readonly WindowLimit[] = [
  { limit: 7, windowMs: 1_000 },
  { limit: 8, windowMs: 2_000 },
  { limit: 60, windowMs: 30_000 },
  { limit: 1_800, windowMs: 3_600_000 },
];

/** A log of actual send times checked against sliding windows (widened by a margin). */
class WindowLog {
  readonly #limits: readonly WindowLimit[];
  readonly #marginMs: number;
  readonly longestMs: number;
  #times: number[] = [];

  constructor(limits: readonly WindowLimit[], marginMs: number) {
    this.#limits = limits;
    this.#marginMs = marginMs;
    this.longestMs = Math.max(...limits.map((l) => l.windowMs)) + marginMs;
  }

  waitMs(now: number): number {
    if (this.#times.length > 2 * Math.max(...this.#limits.map((l) => l.limit))) {
      this.#times = this.#times.filter((t) => t > now - this.longestMs);
    }
    let wait = 0;
    for (const { limit, windowMs } of this.#limits) {
      const limiting = this.#times[this.#times.length - limit];
      if (limiting !== undefined) wait = Math.max(wait, limiting + windowMs + this.#marginMs - now);
    }
    return wait;
  }

  record(now: number): void {
    this.#times.push(now);
  }

  last(): number {
    return this.#times.at(-1) ?? Number.NEGATIVE_INFINITY;
  }
}

export interface PacerOptions {
  /** The tenant's windows (Teams: 50 in any second). */
  tenantLimits: readonly WindowLimit[];
  conversationLimits: readonly WindowLimit[];
  /**
   * Added to every window. The connector counts arrivals, and a request can arrive later than
   * it left (a stalled event loop, the network) while the next one does not: without slack the
   * pair can land inside one window. 25 ms on a 1 s window costs 2.5 % of throughput.
   */
  marginMs: number;
  /** Smallest gap between two sends (token bucket of one): spreads bursts out. Default 1000/50. */
  minIntervalMs: number;
}

export const DEFAULT_PACER_OPTIONS: PacerOptions = {
  tenantLimits: TEAMS_TENANT_LIMITS,
  conversationLimits: TEAMS_CONVERSATION_LIMITS,
  marginMs: 25,
  minIntervalMs: 20,
};

/**
 * Paces sends to Teams' limits: a token bucket of one slot (a minimum gap) for the tenant, the
 * tenant's sliding window, and each conversation's windows. Times are recorded when a send
 * actually leaves, not when it was scheduled, so a late send pushes the following ones back
 * instead of crowding them. Check-and-record is synchronous, so concurrent workers never share
 * a slot. Conversations quiet for longer than their longest window are forgotten.
 */
export class Pacer {
  readonly #timing: Timing;
  readonly #options: PacerOptions;
  readonly #tenant: WindowLog;
  readonly #conversations = new Map<string, WindowLog>();
  #holdUntil = 0;
  #lastSweep = 0;

  constructor(timing: Timing, options: Partial<PacerOptions> = {}) {
    this.#timing = timing;
    this.#options = { ...DEFAULT_PACER_OPTIONS, ...options };
    this.#tenant = new WindowLog(this.#options.tenantLimits, this.#options.marginMs);
  }

  /** Milliseconds until a send to this conversation may leave; 0 = now. */
  waitMs(conversationId: string, now = this.#timing.now()): number {
    const conversation = this.#conversations.get(conversationId);
    return Math.max(
      0,
      this.#holdUntil - now,
      this.#tenant.last() + this.#options.minIntervalMs - now,
      this.#tenant.waitMs(now),
      conversation?.waitMs(now) ?? 0,
    );
  }

  /** Waits until a send may leave, then counts it as sent now. */
  async take(conversationId: string): Promise<void> {
    for (;;) {
      const now = this.#timing.now();
      const wait = this.waitMs(conversationId, now);
      if (wait <= 0) {
        this.#record(conversationId, now);
        return;
      }
      await this.#timing.sleep(wait);
    }
  }

  /** A tenant-wide call that is not in a conversation (creating one). */
  takeTenant(): Promise<void> {
    return this.take('');
  }

  /** After a 429: nobody sends before `until` (epoch ms). */
  holdUntil(until: number): void {
    this.#holdUntil = Math.max(this.#holdUntil, until);
  }

  /** Conversations currently remembered. */
  get conversations(): number {
    return this.#conversations.size;
  }

  #record(conversationId: string, now: number): void {
    this.#tenant.record(now);
    if (conversationId !== '') {
      let log = this.#conversations.get(conversationId);
      if (log === undefined) {
        log = new WindowLog(this.#options.conversationLimits, this.#options.marginMs);
        this.#conversations.set(conversationId, log);
      }
      log.record(now);
    }
    const longest = Math.max(...this.#options.conversationLimits.map((l) => l.windowMs));
    if (now - this.#lastSweep > 60_000) {
      this.#lastSweep = now;
      for (const [id, log] of this.#conversations) {
        if (log.last() <= now - longest - this.#options.marginMs) this.#conversations.delete(id);
      }
    }
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
