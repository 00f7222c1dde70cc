import { loadavg } from 'node:os';
import { z } from 'zod';
import { peoplePageSchema } from '../src/api/contract/responses.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { approvalCardFigures, settledDeliveries } from './approval-cards.ts';
import { flag, option } from './bench-emulator.ts';
import { signBodyFor, startServiceStack } from './service-stack.ts';

/**
 * A soak of the service as the local stack composes it (issue 13, "Benchmarks"): at a fixed
 * rate, a mix of what a school's morning looks like against a Graph emulator holding the demo
 * school plus `--people` (default 2,000) staff:
 *
 *   status (GET /api/me) 30 %, my policies (GET /api/me/policies) 35 %, signs (POST …/sign,
 *   each by a person not yet signed) 30 %, the admin people report (GET /api/admin/people) 5 %
 *
 * plus a /healthz probe every 250 ms, as App Service's pings would come regardless of load.
 * Requests are sent on schedule whether or not earlier ones have answered (an open loop, so a
 * slow service meets the same demand a real one would). Three processes: this one (the load),
 * the service (bench/soak-service.ts, whose heap, RSS and event-loop lag are measured) and the
 * Graph emulator (`countersign emulator`), so neither the load nor the emulator's SQLite work is
 * in the service's figures.
 *
 *   npm run bench:soak -- --minutes 5 --rate 20 --json [--people 2000]
 *
 * `--minutes` may be fractional (0.25 for a quick look). Budget: 0 errors, /healthz p99 < 200 ms,
 * max event-loop lag < 100 ms, heap flat (end within 20 % + 10 MB of start), and exactly one
 * approval card per signature needing approval per approver (bench/approval-cards.ts).
 */
const args = process.argv.slice(2);
const minutes = positiveNumber('minutes', 5);
const rate = positiveNumber('rate', 20);
const extraPeople = option(args, 'people', 2_000);
const REQUEST_TIMEOUT_MS = 30_000;
const HEALTH_EVERY_MS = 250;

type RouteName = 'status' | 'myPolicies' | 'sign' | 'adminReport' | 'healthz';
const MIX: readonly { route: Exclude<RouteName, 'healthz'>; weight: number }[] = [
  { route: 'status', weight: 30 },
  { route: 'myPolicies', weight: 35 },
  { route: 'sign', weight: 30 },
  { route: 'adminReport', weight: 5 },
];

function positiveNumber(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`--${name} needs a positive number`);
  return value;
}

const stack = await startServiceStack({ extraPeople });
try {
  const { people, admin, view } = stack;
  const first = people[0];
  if (first === undefined) throw new Error('--people must be at least 1');
  const adminCall = (path: string) => stack.call(path, admin, { roles: ['Policy.Admin'] });
  {
    const reportPath = `/api/admin/people?policyKey=${view.policy.key}&pageSize=100`;
    // Warm-up, not measured: the caches and the audience hash a first report fills.
    await (await adminCall(reportPath)).arrayBuffer();
    await (await stack.call('/api/me', first)).arrayBuffer();

    // 4. The load.
    await stack.ask({ kind: 'measure' });
    const loadBefore = loadavg();
    const latencies = new Map<RouteName, number[]>();
    const errors = new Map<RouteName, number>();
    const errorSamples: string[] = [];
    let nextSigner = 1;
    let signed = 0;
    const record = (route: RouteName, ms: number, ok: boolean, why: string): void => {
      const list = latencies.get(route) ?? [];
      list.push(ms);
      latencies.set(route, list);
      if (!ok) {
        errors.set(route, (errors.get(route) ?? 0) + 1);
        if (errorSamples.length < 10) errorSamples.push(`${route}: ${why}`);
      }
    };
    const timed = async (route: RouteName, send: () => Promise<Response>): Promise<void> => {
      const at = performance.now();
      try {
        const res = await send();
        await res.arrayBuffer();
        if (route === 'sign' && res.ok) signed += 1;
        record(route, performance.now() - at, res.ok, `${res.status}`);
      } catch (error) {
        record(route, performance.now() - at, false, String(error));
      }
    };
    const pick = (n: number): Exclude<RouteName, 'healthz'> => {
      // A fixed cycle of 100 slots spread evenly, so a short run has the same mix as a long one.
      const slot = (n * 37) % 100;
      let acc = 0;
      for (const { route, weight } of MIX) {
        acc += weight;
        if (slot < acc) return route;
      }
      return 'status';
    };
    const fire = (n: number): Promise<void> => {
      const route = pick(n);
      const someone = people[n % people.length] ?? first;
      switch (route) {
        case 'status':
          return timed(route, () => stack.call('/api/me', someone));
        case 'myPolicies':
          return timed(route, () => stack.call('/api/me/policies', someone));
        case 'sign': {
          // Each sign is a new person while there are people left (then signing again is
          // answered as already signed, which is still an answer).
          const signer = people[nextSigner++ % people.length] ?? first;
          return timed(route, () =>
            stack.call(`/api/me/policies/${view.policy.key}/sign`, signer, {
              body: signBodyFor(view, signer),
            }),
          );
        }
        case 'adminReport':
          return timed(route, () => adminCall(reportPath));
      }
    };
    const durationMs = minutes * 60_000;
    const total = Math.max(1, Math.round((durationMs / 1000) * rate));
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    const health = setInterval(() => {
      pending.push(
        timed('healthz', () =>
          fetch(`${stack.url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
        ),
      );
    }, HEALTH_EVERY_MS);
    for (let n = 0; n < total; n++) {
      const due = t0 + (n * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(fire(n));
    }
    clearInterval(health);
    await Promise.all(pending);
    const wallMs = performance.now() - t0;
    const loadAfter = loadavg();
    const service_ = z
      .object({
        heapUsedMb: z.object({ start: z.number(), end: z.number() }),
        rssMb: z.object({ start: z.number(), end: z.number() }),
        maxEventLoopLagMs: z.number(),
        p99EventLoopLagMs: z.number(),
        errorsLogged: z.number(),
      })
      .parse(await stack.ask({ kind: 'report' }));

    // What SharePoint holds afterwards, through the report: every sign answered 2xx is there.
    const after = peoplePageSchema.parse(await (await adminCall(reportPath)).json());
    // Every status is counted (zeros included), so an audience's totals are complete or absent.
    const staffTotals = after.totals['staff'];
    const recorded = (staffTotals?.signed ?? 0) + (staffTotals?.['awaiting-approval'] ?? 0);
    // Every sign that needs approval queues one card per approver (job `approval/<ack id>`):
    // once the queue is empty (2 min at most), each is counted per signature.
    const { deliveries, waitedMs: approvalsWaitedMs } = await settledDeliveries(stack, 120);
    const approvalCards = await approvalCardFigures(stack, deliveries);

    const routes: Record<string, unknown> = {};
    for (const route of ['status', 'myPolicies', 'sign', 'adminReport', 'healthz'] as const) {
      const list = (latencies.get(route) ?? []).sort((a, b) => a - b);
      routes[route] = {
        requests: list.length,
        errors: errors.get(route) ?? 0,
        p50Ms: percentile(list, 50),
        p95Ms: percentile(list, 95),
        p99Ms: percentile(list, 99),
        maxMs: Math.round(list.at(-1) ?? 0),
      };
    }
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    const healthP99 = percentile(
      (latencies.get('healthz') ?? []).sort((a, b) => a - b),
      99,
    );
    const heapFlat = service_.heapUsedMb.end <= service_.heapUsedMb.start * 1.2 + 10;
    const figures = {
      minutes,
      rate,
      people: people.length + DEMO_SCHOOL.users.length,
      sent: total,
      achievedRate: Math.round((total / (wallMs / 1000)) * 10) / 10,
      routes,
      errors: errorCount,
      errorSamples,
      serviceErrorsLogged: service_.errorsLogged,
      healthzP99Ms: healthP99,
      maxEventLoopLagMs: service_.maxEventLoopLagMs,
      p99EventLoopLagMs: service_.p99EventLoopLagMs,
      heapUsedMb: service_.heapUsedMb,
      rssMb: service_.rssMb,
      heapFlat,
      signsAnswered: signed,
      signaturesInReport: recorded,
      /** Exactly one per signature needing approval per approver; missing and twice named. */
      approvalCards,
      approvalsWaitedMs,
      loadAverage: { before: loadBefore.map(round1), after: loadAfter.map(round1) },
      budget: {
        errors: 0,
        healthzP99Ms: 200,
        maxEventLoopLagMs: 100,
        heap: 'flat (end ≤ start × 1.2 + 10 MB)',
        approvalCards: { missing: 0, duplicates: 0, unexpected: 0 },
      },
      withinBudget:
        errorCount === 0 &&
        healthP99 < 200 &&
        service_.maxEventLoopLagMs < 100 &&
        heapFlat &&
        approvalCards.missing === 0 &&
        approvalCards.duplicates === 0 &&
        approvalCards.unexpected === 0,
    };
    if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  }
} finally {
  await stack.close();
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, at)] ?? 0);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
