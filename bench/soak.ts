import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../src/adapters/graph/provision.ts';
import { myPolicyViewSchema, peoplePageSchema } from '../src/api/contract/responses.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { seedDemoPolicy } from '../src/dev/demo/seed-demo-policy.ts';
import { startGraphEmulator, syntheticPeople } from '../src/dev/graph-emulator/graph-emulator.ts';
import { flag, option } from './bench-emulator.ts';
import { startEmulatorProcess } from './emulator-process.ts';

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
 * max event-loop lag < 100 ms, heap flat (end within 20 % + 10 MB of start).
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

const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-soak-'));
const dbPath = join(dir, 'graph.sqlite');
const staff = syntheticPeople(extraPeople, { prefix: 'soak' });

try {
  // 1. Set-up, not measured: the demo school, 2,000 more staff in All staff, the lists, the AUP.
  {
    const emulator = await startGraphEmulator({ dbPath, seed: 'demo' });
    emulator.setup.putUsers(staff);
    for (const person of staff)
      emulator.setup.addGroupMember(DEMO_SCHOOL.groups.allStaff.id, person.id);
    const graph = createGraphAdapters({ baseUrl: emulator.url, site: emulator.siteId });
    await provisionSite(graph.gateway, graph.records.site);
    await seedDemoPolicy(graph.records, {
      schoolId: DEMO_SCHOOL.school.id,
      audiences: DEMO_SCHOOL.school.audiences.map((a) => a.key),
      document: DEMO_SCHOOL.aup,
      actorId: DEMO_SCHOOL.dsl.id,
      now: new Date(),
    });
    await emulator.close();
  }

  // 2. The tokens: this benchmark is the identity provider the service trusts.
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'soak-key';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const issuer = 'urn:countersign:bench-soak';
  const audience = 'api://localhost/countersign-soak';
  const scope = 'access_as_user';
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (person: { id: string; name: string; upn: string }, roles: string[] = []) => {
    const cached = tokens.get(person.id);
    if (cached !== undefined) return cached;
    const seconds = Math.floor(Date.now() / 1000);
    const token = new SignJWT({
      oid: person.id,
      tid: DEMO_SCHOOL.tenantId,
      name: person.name,
      preferred_username: person.upn,
      scp: scope,
      roles,
      ver: '2.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(person.id)
      .setIssuedAt(seconds)
      .setNotBefore(seconds)
      .setExpirationTime(seconds + 3 * 3600)
      .sign(privateKey);
    tokens.set(person.id, token);
    return token;
  };
  const admin = {
    id: DEMO_SCHOOL.dsl.id,
    name: DEMO_SCHOOL.dsl.displayName,
    upn: DEMO_SCHOOL.dsl.userPrincipalName,
  };
  const people = staff.map((p) => ({ id: p.id, name: p.displayName, upn: p.userPrincipalName }));

  // 3. The emulator and the service, each in its own process.
  const emulator = await startEmulatorProcess(dbPath);
  const service = fork(join(import.meta.dirname, 'soak-service.ts'), [], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => service.once('exit', () => resolve()));
  const replies: ((message: unknown) => void)[] = [];
  service.on('message', (message) => replies.shift()?.(message));
  const ask = (message: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      replies.push(resolve);
      service.send(message as object);
    });
  try {
    const started = z.object({ url: z.string() }).parse(
      await ask({
        kind: 'start',
        input: { graphUrl: emulator.url, siteId: emulator.siteId, jwks, issuer, audience, scope },
      }),
    );
    const base = started.url;
    const call = async (
      path: string,
      person: { id: string; name: string; upn: string },
      roles: string[] = [],
      body?: unknown,
    ): Promise<Response> =>
      await fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${await tokenFor(person, roles)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });

    // The version everyone signs, read as the tab reads it.
    const first = people[0];
    if (first === undefined) throw new Error('--people must be at least 1');
    const mine = z
      .array(myPolicyViewSchema)
      .parse(await (await call('/api/me/policies', first)).json());
    const view = mine[0];
    if (view === undefined) throw new Error('the demo AUP is not among the policies of staff');
    const signBody = (name: string) => ({
      versionNumber: view.version.number,
      contentHash: view.version.contentHash,
      declarationAccepted: true,
      typedName: name,
      statedRole: 'Teaching assistant',
      consents: {},
    });
    const reportPath = `/api/admin/people?policyKey=${view.policy.key}&pageSize=100`;
    // Warm-up, not measured: the caches and the audience hash a first report fills.
    await (await call(reportPath, admin, ['Policy.Admin'])).arrayBuffer();
    await (await call('/api/me', first)).arrayBuffer();

    // 4. The load.
    await ask({ kind: 'measure' });
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
          return timed(route, () => call('/api/me', someone));
        case 'myPolicies':
          return timed(route, () => call('/api/me/policies', someone));
        case 'sign': {
          // Each sign is a new person while there are people left (then signing again is
          // answered as already signed, which is still an answer).
          const signer = people[nextSigner++ % people.length] ?? first;
          return timed(route, () =>
            call(`/api/me/policies/${view.policy.key}/sign`, signer, [], signBody(signer.name)),
          );
        }
        case 'adminReport':
          return timed(route, () => call(reportPath, admin, ['Policy.Admin']));
      }
    };
    const durationMs = minutes * 60_000;
    const total = Math.max(1, Math.round((durationMs / 1000) * rate));
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    const health = setInterval(() => {
      pending.push(
        timed('healthz', () =>
          fetch(`${base}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
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
      .parse(await ask({ kind: 'report' }));

    // What SharePoint holds afterwards, through the report: every sign answered 2xx is there.
    const after = peoplePageSchema.parse(
      await (await call(reportPath, admin, ['Policy.Admin'])).json(),
    );
    // Every status is counted (zeros included), so an audience's totals are complete or absent.
    const staffTotals = after.totals.staff;
    const recorded = (staffTotals?.signed ?? 0) + (staffTotals?.['awaiting-approval'] ?? 0);

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
      loadAverage: { before: loadBefore.map(round1), after: loadAfter.map(round1) },
      budget: {
        errors: 0,
        healthzP99Ms: 200,
        maxEventLoopLagMs: 100,
        heap: 'flat (end ≤ start × 1.2 + 10 MB)',
      },
      withinBudget:
        errorCount === 0 && healthP99 < 200 && service_.maxEventLoopLagMs < 100 && heapFlat,
    };
    if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    service.send({ kind: 'stop' });
    await exited;
    await emulator.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, at)] ?? 0);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
