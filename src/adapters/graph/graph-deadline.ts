import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time by which the work under way (a request being answered) must be done with Graph, in
 * epoch ms, carried through every await of that work (AsyncLocalStorage). The gateway waits out
 * no retry that would end after it, and while Graph is failing (the circuit open or probing, or
 * the last exchange failed) starts no exchange after it and abandons one still out when it
 * comes: a sign answers 503 with Retry-After within its budget when Graph is away (no answer at
 * all, a connection that hangs, a Retry-After longer than the time left), not after each
 * exchange's own timeout and retries (issue 13, "Fail fast when Graph is down"). A Graph that
 * answers, slowly, is waited for. Work started outside any deadline (the campaign sender, the
 * scheduled work) has none.
 */
const deadlines = new AsyncLocalStorage<number>();

/** Runs `work` with a Graph deadline at `at` (epoch ms); an earlier one already set stands. */
export function withGraphDeadline<T>(at: number, work: () => T): T {
  const outer = deadlines.getStore();
  return deadlines.run(outer === undefined ? at : Math.min(outer, at), work);
}

/** The Graph deadline of the work under way, if it has one. */
export function currentGraphDeadline(): number | undefined {
  return deadlines.getStore();
}
