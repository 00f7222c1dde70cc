import { z } from 'zod';

/**
 * Fault injection for tests and benchmarks: latency, 429 with Retry-After, 503 and dropped
 * connections, drawn from a seeded PRNG so a run can be repeated exactly.
 */
export interface FaultPlan {
  /** Added to every outer HTTP request before it is handled. */
  latencyMs?: number;
  /** Fraction (0–1) of requests answered 429 with Retry-After (outer and inside $batch). */
  rate429?: number;
  /** Fraction (0–1) of requests answered 503 with Retry-After (outer and inside $batch). */
  rate503?: number;
  /** Fraction (0–1) of outer requests whose connection is destroyed. */
  rateReset?: number;
  /** The Retry-After value sent with 429/503 (seconds; default 1). */
  retryAfterSeconds?: number;
  /** Seed of the deterministic PRNG (default 1). */
  seed?: number;
  /**
   * When a dropped connection happens: `before` the request is handled (nothing stored), `after`
   * (stored, but the caller never hears: the case idempotent writes exist for), or `either`
   * (default: half and half, drawn from the PRNG).
   */
  resetPhase?: 'before' | 'after' | 'either';
}

/** For plans that arrive over HTTP (`PUT /_emulator/faults`). */
export const faultPlanSchema = z.strictObject({
  latencyMs: z.number().min(0).max(60_000).optional(),
  rate429: z.number().min(0).max(1).optional(),
  rate503: z.number().min(0).max(1).optional(),
  rateReset: z.number().min(0).max(1).optional(),
  retryAfterSeconds: z.number().min(0).max(3600).optional(),
  seed: z.number().int().optional(),
  resetPhase: z.enum(['before', 'after', 'either']).optional(),
});

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'throttle'; status: 429 | 503 }
  | { kind: 'reset'; afterHandling: boolean };

/** mulberry32: small, fast and good enough to spread faults evenly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rate(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  return Math.min(Math.max(value, 0), 1);
}

export class FaultInjector {
  private plan: FaultPlan = {};
  private random: () => number = prng(1);

  setPlan(plan: FaultPlan): void {
    this.plan = { ...plan };
    this.random = prng(plan.seed ?? 1);
  }

  get latencyMs(): number {
    return Math.max(0, this.plan.latencyMs ?? 0);
  }

  get retryAfterSeconds(): number {
    return Math.max(0, Math.round(this.plan.retryAfterSeconds ?? 1));
  }

  /** Draws the fate of one request; `canReset` is false inside a batch (no socket to drop). */
  decide(canReset: boolean): FaultDecision {
    const reset = canReset ? rate(this.plan.rateReset) : 0;
    const r429 = rate(this.plan.rate429);
    const r503 = rate(this.plan.rate503);
    if (reset + r429 + r503 === 0) return { kind: 'none' };
    const draw = this.random();
    if (draw < reset) {
      const phase = this.plan.resetPhase ?? 'either';
      const afterHandling = phase === 'either' ? this.random() < 0.5 : phase === 'after';
      return { kind: 'reset', afterHandling };
    }
    if (draw < reset + r429) return { kind: 'throttle', status: 429 };
    if (draw < reset + r429 + r503) return { kind: 'throttle', status: 503 };
    return { kind: 'none' };
  }
}
