import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { contentHash } from '../src/domain/content-hash.ts';
import type { School } from '../src/domain/school.ts';
import { DirectoryEmulator } from '../src/dev/graph-emulator/directory.ts';
import {
  inTransaction,
  openEmulatorDatabase,
} from '../src/dev/graph-emulator/emulator-database.ts';
import { createCountersignService } from '../src/services/create-countersign-service.ts';
import {
  BENCH_SEAL_KEY,
  POLICY_KEY,
  benchAudit,
  benchVersion,
  flag,
  option,
  seedSignatures,
  startBenchEmulator,
} from './bench-emulator.ts';
import { startEmulatorProcess } from './emulator-process.ts';
import { memoryEvidenceKeys } from '../src/adapters/evidence-keys/local-evidence-keys.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';

/**
 * The compliance report of a large audience (DESIGN.md §5: ≤ 60 Graph requests, no per-person
 * query), built by the service exactly as the admin view builds it, against the emulator.
 *
 *   npm run bench:report -- --people 20000 --json [--signed 15000] [--cpu-prof cold.cpuprofile]
 *
 * Set-up (not counted): the lists, the AUP, `--signed` acknowledgements of version 1 written in
 * `$batch`es of 20, a material version 2 that changes only a clause for governors (so every
 * signer's view of the text must be compared, and stays signed), then `--people` users put
 * straight into the emulator's directory in one group. Counted: everything the report sends
 * after the emulator's counters are reset, the CPU this process spends building it
 * (process.cpuUsage) and the longest the event loop was held (monitorEventLoopDelay) meanwhile,
 * first cold (top-level figures: nothing kept, the report snapshot is built) and then warm
 * (`warm`: the same report again, from the snapshot), with the machine's load average.
 * The emulator runs in a child process (`countersign emulator`) for the counted part, so its
 * work is in neither figure. `--cpu-prof FILE` writes a V8 CPU profile of the cold report
 * (set-up left out), for Chrome DevTools or `bench/profile-summary.ts`, and one of the cold report
 * again beside it (`cold.again.cpuprofile`): the same work without the first run's compilation.
 */
const args = process.argv.slice(2);
/**
 * A full garbage collection before each counted report, so the set-up's garbage (15,000
 * signatures written and 20,000 people seeded in this process) is not collected, and counted,
 * during the report. The report's own garbage is still collected, and counted, as it runs.
 */
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const people = option(args, 'people', 20_000);
const signed = Math.min(people, option(args, 'signed', Math.round(people * 0.75)));
const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-report-'));
const dbPath = join(dir, 'graph.sqlite');
const groupId = crypto.randomUUID();
const userIds = Array.from({ length: people }, () => crypto.randomUUID());
const version = benchVersion();
const profileAt = args.indexOf('--cpu-prof');
const profilePath = profileAt >= 0 ? args[profileAt + 1] : undefined;

try {
  // 1. Lists, policy, version, and the acknowledgements, over HTTP (before counting starts).
  {
    const { emulator, graph } = await startBenchEmulator(dbPath, 'none');
    // Version 2: material, but only for governors; staff's text is the same as in version 1.
    const document = {
      ...version.document,
      sections: [
        ...version.document.sections,
        {
          heading: 'Governors',
          clauses: [
            {
              number: 'G1',
              text: 'I will keep board papers within the governors’ secure area.',
              audience: ['governors'],
              items: [],
            },
          ],
        },
      ],
    };
    await graph.records.createVersion(
      {
        ...version,
        number: 2,
        label: '2026-27 (governors)',
        publishedAt: '2026-09-15T07:00:00.000Z',
        document,
        contentHash: contentHash(document),
      },
      benchAudit(`${POLICY_KEY}:v2`),
    );
    await seedSignatures(
      graph.gateway,
      await graph.records.site.listPath('acknowledgements'),
      userIds.slice(0, signed).map((userId, i) => ({ policyKey: POLICY_KEY, version, userId, i })),
    );
    await emulator.close();
  }

  // 2. The audience: users and their group, straight into the emulator's directory.
  {
    const db = openEmulatorDatabase(dbPath);
    const directory = new DirectoryEmulator(db, () => '');
    inTransaction(db, () => {
      directory.putGroup({
        id: groupId,
        displayName: 'All staff (bench)',
        description: null,
        mailNickname: 'benchstaff',
        mail: null,
        mailEnabled: false,
        securityEnabled: true,
        groupTypes: [],
      });
      userIds.forEach((id, i) => {
        directory.putUser({
          id,
          displayName: `Person ${i}`,
          givenName: 'Person',
          surname: String(i),
          userPrincipalName: `person${i}@bench.example`,
          mail: `person${i}@bench.example`,
          jobTitle: 'Teaching assistant',
          department: null,
          officeLocation: null,
          accountEnabled: true,
        });
        directory.addMember(groupId, id, 'user');
      });
    });
    db.close();
  }

  // 3. The report, counted, with the emulator in a child process.
  const emulator = await startEmulatorProcess(dbPath);
  try {
    const graph = createGraphAdapters({
      baseUrl: emulator.url,
      accessToken: emulatorAppToken,
      site: emulator.siteId,
    });
    const school: School = {
      id: 'bench-school',
      name: 'Bench Academy Trust',
      timeZone: 'Europe/London',
      audiences: [{ key: 'staff', label: 'Staff', groupIds: [groupId] }],
      approverIds: [],
      adminIds: [],
    };
    const newService = () =>
      createCountersignService({
        records: graph.records,
        directory: graph.directory,
        clock: { now: () => new Date('2026-10-01T09:00:00.000Z') },
        sealKey: BENCH_SEAL_KEY,
        evidence: memoryEvidenceKeys(),
        school,
      });
    let service = newService();
    const admin = {
      id: 'bench-admin',
      upn: 'admin@bench.example',
      displayName: 'Admin',
      roles: ['Policy.Admin' as const],
    };
    /** One report as the admin view asks for it, counted: Graph requests, CPU, lag, time. */
    const measure = async (profile?: string) => {
      await emulator.admin('POST', 'counters/reset');
      collectGarbage();
      const session = profile === undefined ? undefined : new Session();
      if (session !== undefined) {
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      const cpuBefore = process.cpuUsage();
      const threadBefore = process.threadCpuUsage();
      const started = performance.now();
      const page = await service.peopleStatus(admin, { policyKey: POLICY_KEY, pageSize: 100 });
      const ms = Math.round(performance.now() - started);
      const cpu = process.cpuUsage(cpuBefore);
      const thread = process.threadCpuUsage(threadBefore);
      lag.disable();
      if (session !== undefined && profile !== undefined) {
        const { profile: taken } = await session.post('Profiler.stop');
        writeFileSync(profile, JSON.stringify(taken));
        session.disconnect();
      }
      const counters = (await emulator.admin('GET', 'counters')) as {
        requests: number;
        resourceUnits: number;
      };
      return {
        page,
        figures: {
          graphRequests: counters.requests,
          resourceUnits: counters.resourceUnits,
          ms,
          cpuMs: Math.round((cpu.user + cpu.system) / 1000),
          // The same split: user and kernel time of the whole process (GC and libuv threads too),
          // and the main thread's own, which is what holds requests back.
          cpuUserMs: Math.round(cpu.user / 1000),
          cpuSystemMs: Math.round(cpu.system / 1000),
          mainThreadCpuMs: Math.round((thread.user + thread.system) / 1000),
          maxEventLoopLagMs: Math.round(lag.max / 1e6),
          // The 99th percentile of the loop's delay samples (every 5 ms): what most requests
          // arriving meanwhile would have waited at worst, beside the single longest stall.
          eventLoopLagP99Ms: Math.round(lag.percentile(99) / 1e6),
        },
      };
    };
    // Cold: nothing kept, everything read from Graph (the snapshot is built). Warm: the same
    // report again, from the snapshot the first one kept (as the dashboard opened a second time).
    const cold = await measure(profilePath);
    const warm = await measure();
    // Cold again: a new service (nothing kept) in a process whose code has run once (JIT warm).
    service = newService();
    const coldAgain = await measure(
      profilePath === undefined ? undefined : profilePath.replace(/(\.cpuprofile)?$/, '.again$1'),
    );
    const page = cold.page;
    const counters = {
      requests: cold.figures.graphRequests,
      resourceUnits: cold.figures.resourceUnits,
    };
    const { ms } = cold.figures;
    const load = loadavg().map((l) => Math.round(l * 100) / 100);
    const report = {
      people,
      ...cold.figures,
      warm: warm.figures,
      coldAgain: coldAgain.figures,
      signed,
      total: page.total,
      totals: page.totals,
      loadAverage: load,
      budget: { cpuMs: 500, maxEventLoopLagMs: 50, graphRequests: 60, warmMs: 1000 },
    };
    if (
      warm.page.total !== page.total ||
      JSON.stringify(warm.page.totals) !== JSON.stringify(page.totals)
    )
      throw new Error('the warm report differs from the cold one');
    if (page.total !== people)
      throw new Error(`the report lists ${page.total} of ${people} people`);
    if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(
        `Compliance report of ${people} people: ${counters.requests} Graph requests, ` +
          `${counters.resourceUnits} resource units, ${ms} ms, ${report.cpuMs} ms CPU, ` +
          `event loop held up to ${report.maxEventLoopLagMs} ms; warm (from the snapshot): ` +
          `${warm.figures.graphRequests} requests, ${warm.figures.ms} ms, ${warm.figures.cpuMs} ms CPU, ` +
          `lag ${warm.figures.maxEventLoopLagMs} ms; load average ${load.join(' ')} ` +
          `(budget: ≤ 60 requests, ≤ 500 ms CPU, lag < 50 ms; warm < 1 s).\n`,
      );
    }
  } finally {
    await emulator.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
