/**
 * Milliseconds and waiting, injected so pacing and backoff run on a virtual clock in tests.
 * (Timers are not I/O; the real one lives here so the composition root need not repeat it.)
 */
export interface Timing {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemTiming: Timing = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, Math.max(0, ms));
    }),
};
