/**
 * A circuit breaker for a dependency that can go down (Microsoft Graph): after
 * `failureThreshold` consecutive failures it opens, and callers are refused at once for
 * `openMs` instead of each waiting out its own retries; then one call is let through as a probe
 * (half-open), and its outcome closes the circuit again or re-opens it. Pure: the caller passes
 * the time and says what counts as a failure (for Graph: no answer, or a 5xx; never a 4xx,
 * which means Graph is there and answering).
 */

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before a probe is let through. */
  openMs: number;
  /** A probe not heard of in this long is taken as lost, and another is let through. */
  probeTimeoutMs: number;
}

export type CircuitState =
  | { kind: 'closed'; failures: number }
  | { kind: 'open'; until: number }
  /** One probe is out; everyone else is refused until it answers. */
  | { kind: 'half-open'; since: number };

/** What a caller may do now: go ahead, or give up at once and come back after `retryAfterMs`. */
export type CircuitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export const CIRCUIT_DEFAULTS: CircuitBreakerOptions = {
  failureThreshold: 5,
  openMs: 10_000,
  probeTimeoutMs: 30_000,
};

/**
 * How long callers refused while a probe is out are told to wait: the probe answers within one
 * Graph-call timeout at most, and usually at once.
 */
const PROBE_RETRY_AFTER_MS = 2_000;

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  #state: CircuitState = { kind: 'closed', failures: 0 };

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.#options = { ...CIRCUIT_DEFAULTS, ...options };
    if (!Number.isSafeInteger(this.#options.failureThreshold) || this.#options.failureThreshold < 1)
      throw new RangeError('failureThreshold must be a positive whole number.');
    if (!(this.#options.openMs > 0)) throw new RangeError('openMs must be positive.');
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Asks to make a call at `now` (ms). An open circuit whose time is up lets this one probe. */
  request(now: number): CircuitDecision {
    const state = this.#state;
    switch (state.kind) {
      case 'closed':
        return { allowed: true };
      case 'open':
        if (now < state.until) return { allowed: false, retryAfterMs: state.until - now };
        this.#state = { kind: 'half-open', since: now };
        return { allowed: true };
      case 'half-open':
        if (now - state.since >= this.#options.probeTimeoutMs) {
          this.#state = { kind: 'half-open', since: now };
          return { allowed: true };
        }
        return { allowed: false, retryAfterMs: PROBE_RETRY_AFTER_MS };
    }
  }

  /** The dependency answered (whatever the answer): the circuit closes. */
  succeeded(): void {
    this.#state = { kind: 'closed', failures: 0 };
  }

  /**
   * The caller gave the call up before it was answered (its own deadline came): nothing is
   * learnt about the dependency, so the count stands; a probe given up frees the probe's place
   * at once (the next caller probes) rather than holding everyone off for `probeTimeoutMs`.
   */
  abandoned(now: number): void {
    if (this.#state.kind === 'half-open') this.#state = { kind: 'open', until: now };
  }

  /** The dependency did not answer, or failed: counts towards opening; a failed probe re-opens. */
  failed(now: number): void {
    const state = this.#state;
    switch (state.kind) {
      case 'closed': {
        const failures = state.failures + 1;
        this.#state =
          failures >= this.#options.failureThreshold
            ? { kind: 'open', until: now + this.#options.openMs }
            : { kind: 'closed', failures };
        return;
      }
      case 'half-open':
        this.#state = { kind: 'open', until: now + this.#options.openMs };
        return;
      case 'open':
        // A call let through before the circuit opened, failing late: the circuit stays open.
        return;
    }
  }
}
