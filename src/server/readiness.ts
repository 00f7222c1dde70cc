import type { IntegrityCheck } from '../ports/work-store.ts';
import type { ScheduledRunState } from '../services/campaigns/campaign-runtime.ts';

/**
 * GET /readyz: can this instance serve? Unlike /healthz (the process answers), it checks what
 * every request needs: Graph answering with our token and the site grant, the work store
 * readable and whole, and the scheduled work (reminders, digests, renewals) not stalled. The
 * answer is cached a few seconds, so App Service's pings (and anyone else's) cost one site read
 * per instance per interval, never one per ping.
 */
export interface ReadinessCheck {
  ok: boolean;
  /** What was found, for an operator: "answered", or what is wrong. */
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: { graph: ReadinessCheck; workStore: ReadinessCheck; scheduledWork: ReadinessCheck };
}

export interface ReadinessDeps {
  /** A cheap read of the SharePoint site through the Graph gateway; throws when it fails. */
  probeGraph: () => Promise<void>;
  checkWorkStore: () => Promise<IntegrityCheck>;
  scheduledRun: () => ScheduledRunState;
  now: () => number;
  /** How long one answer is reused (default 5 s). */
  cacheMs?: number;
  /** Runs later than this many intervals make the scheduled work stale (default 3). */
  staleAfterIntervals?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Scheduled work is stale when nothing has finished for a few intervals since start. */
export function scheduledWorkCheck(
  state: ScheduledRunState,
  now: number,
  staleAfterIntervals = 3,
): ReadinessCheck {
  if (state.everyMs <= 0) return { ok: true, detail: 'not run on this instance' };
  if (state.startedAt === undefined) return { ok: false, detail: 'not started' };
  const since = (state.lastRunAt ?? state.startedAt).getTime();
  const late = now - since > staleAfterIntervals * state.everyMs;
  const last =
    state.lastRunAt === undefined ? 'no run yet' : `last run ${state.lastRunAt.toISOString()}`;
  if (late) return { ok: false, detail: `stalled: ${last}, every ${state.everyMs} ms` };
  if (state.lastError !== undefined)
    return { ok: true, detail: `${last} failed: ${state.lastError}` };
  return { ok: true, detail: last };
}

export function createReadiness(deps: ReadinessDeps): () => Promise<Readiness> {
  const cacheMs = deps.cacheMs ?? 5_000;
  let cached: { at: number; answer: Promise<Readiness> } | undefined;

  const check = async (): Promise<Readiness> => {
    const [graph, workStore] = await Promise.all([
      deps.probeGraph().then(
        (): ReadinessCheck => ({ ok: true, detail: 'the site answered' }),
        (error: unknown): ReadinessCheck => ({ ok: false, detail: describe(error) }),
      ),
      deps.checkWorkStore().then(
        (result): ReadinessCheck =>
          result.ok ? { ok: true, detail: 'whole' } : { ok: false, detail: result.problem },
        (error: unknown): ReadinessCheck => ({ ok: false, detail: describe(error) }),
      ),
    ]);
    const scheduledWork = scheduledWorkCheck(
      deps.scheduledRun(),
      deps.now(),
      deps.staleAfterIntervals,
    );
    return {
      ready: graph.ok && workStore.ok && scheduledWork.ok,
      checks: { graph, workStore, scheduledWork },
    };
  };

  return () => {
    const now = deps.now();
    if (cached === undefined || now - cached.at >= cacheMs) {
      cached = { at: now, answer: check() };
    }
    return cached.answer;
  };
}
