import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../src/adapters/graph/provision.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { trustOf, trustSettingsRow } from '../src/domain/trust.ts';
import { startGraphEmulator } from '../src/dev/graph-emulator/graph-emulator.ts';
import { flag, option } from './bench-emulator.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';

/**
 * A trust in one tenant (issue 14), measured as far as it is built:
 *
 *   npm run bench:trust -- --people 50000 --schools 30 --json
 *
 * Measured: provisioning a fresh site (every list, the settings list included), storing the
 * settings of `--schools` schools side by side in the settings list (one row each, as the
 * trust's schools would be seeded), and the people report over `--people` people, run by
 * `bench:report` in a child process (its JSON is carried whole under `report`). Graph requests
 * and resource units are the emulator's own counters. What the trust needs and Countersign does
 * not do yet (a trust-wide campaign across schools, the trust report side by side, new-starter
 * detection across schools) is listed under `notMeasured` with the reason, never given a figure.
 */
const args = process.argv.slice(2);
const people = option(args, 'people', 50_000);
const schools = option(args, 'schools', 30);
const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-trust-'));

try {
  const emulator = await startGraphEmulator({ dbPath: join(dir, 'graph.sqlite'), seed: 'none' });
  try {
    const graph = createGraphAdapters({
      baseUrl: emulator.url,
      accessToken: emulatorAppToken,
      site: emulator.siteId,
    });
    const counted = async (work: () => Promise<unknown>) => {
      emulator.resetCounters();
      const started = performance.now();
      await work();
      const { requests, resourceUnits } = emulator.counters();
      return {
        graphRequests: requests,
        resourceUnits,
        ms: Math.round(performance.now() - started),
      };
    };

    const provisioning = await counted(() => provisionSite(graph.gateway, graph.records.site));
    const at = new Date().toISOString();
    const settings = await counted(async () => {
      for (let i = 0; i < schools; i += 1) {
        await graph.settings.create(
          { ...DEMO_SCHOOL.school, id: `school-${String(i + 1)}`, name: `School ${String(i + 1)}` },
          { by: 'bench', at },
        );
      }
      // The trust's own row ('@trust': its name and leads), which is not a school.
      await graph.settings.create(
        trustSettingsRow({ name: 'Bench Learning Trust', leadIds: ['bench-lead'] }),
        { by: 'bench', at },
      );
    });
    const stored = trustOf((await graph.settings.list()).map((row) => row.school)).schools;
    if (stored.length !== schools) {
      throw new Error(`the settings list holds ${String(stored.length)} of ${String(schools)}`);
    }

    // The report runs in its own process, as bench:report runs it (emulator in a child too).
    const reportOut = execFileSync(
      process.execPath,
      [join(import.meta.dirname, 'report.ts'), '--people', String(people), '--json'],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const reportLine = reportOut.trim().split('\n').at(-1) ?? '';
    const report: unknown = JSON.parse(reportLine);

    const figures = {
      people,
      schools,
      provisioning,
      settings: { ...settings, schoolsStored: stored.length },
      report,
      notMeasured: {
        trustCampaign:
          'no trust-wide campaign across schools yet (issue 14, item 3): bench:fanout measures one school',
        trustReport:
          'GET /api/trust/compliance reads each list once for every school (trust-report-read.ts; tests/services/trust-report-read.test.ts counts its requests on a generated trust), but this bench does not yet seed a trust of --people across --schools to time it: `report` is one audience of all the people',
        newStarters:
          'new-starter detection is per school audience; across schools it waits for item 3',
      },
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      budget: {
        campaignCeilingRatio: 0.97,
        campaignResourceUnits: 250,
        trustReportGraphRequestsCold: 150,
        trustReportWarmMs: 1000,
        newStartersPromptedMinutes: 10,
      },
    };
    if (flag(args, 'json')) process.stdout.write(`${JSON.stringify(figures)}\n`);
    else {
      process.stdout.write(
        `Trust of ${String(schools)} schools, ${String(people)} people: provisioning ` +
          `${String(provisioning.graphRequests)} Graph requests; settings of every school ` +
          `${String(settings.graphRequests)} requests, ${String(settings.resourceUnits)} RU; ` +
          `report: ${reportLine}; not measured yet: trust campaign, trust report, new starters.\n`,
      );
    }
  } finally {
    await emulator.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
