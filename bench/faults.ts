import { memoryEvidenceKeys } from '../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { School } from '../src/domain/school.ts';
import { syntheticPeople } from '../src/dev/graph-emulator/graph-emulator.ts';
import { createCountersignService } from '../src/services/create-countersign-service.ts';
import {
  BENCH_SEAL_KEY,
  POLICY_KEY,
  benchVersion,
  flag,
  option,
  startBenchEmulator,
} from './bench-emulator.ts';

/**
 * Signatures through Graph faults (issue 10, item 5): `--people` staff each sign once through
 * the real sign use case and the SharePoint adapters, against a Graph emulator that answers
 * `--fault-rate` of its requests (outer and inside `$batch`) with 429, 503 or a dropped
 * connection (half of the drops after the write landed). A person whose sign fails tries again,
 * up to `--attempts` times, as someone pressing Sign again would. Then, with the faults off:
 *
 *   accepted   people told their signature was stored
 *   stored     people with a row
 *   lost       accepted but no row
 *   duplicated rows beyond one per person
 *   rowsWithoutAudit / rowsWithoutAuditAfterRepair   rows with no signature event, before and
 *              after the sweeper (repairRecords, run as if ten minutes had passed)
 *   storedButRefused  people with a row who were told every time that it failed
 *
 *   npm run bench:faults -- --fault-rate 0.5 --people 200 --json [--attempts 5] [--seed 7]
 *
 * In process: a kill -9 mid-burst is not part of this run.
 */
const args = process.argv.slice(2);
const people = option(args, 'people', 200);
const attempts = option(args, 'attempts', 5);
const seed = option(args, 'seed', 7);
const rateAt = args.indexOf('--fault-rate');
const faultRate = rateAt >= 0 ? Number(args[rateAt + 1]) : 0.5;
if (!(faultRate >= 0 && faultRate < 1)) throw new Error('--fault-rate needs a number in [0, 1)');

const evidence = memoryEvidenceKeys();
const { emulator, graph } = await startBenchEmulator(':memory:', 'none', evidence.signer);
try {
  const staff = syntheticPeople(people, { prefix: 'faults' });
  emulator.setup.putUsers(staff);
  const groupId = emulator.setup.putGroup({
    displayName: 'Staff',
    memberIds: staff.map((p) => p.id),
  });
  const school: School = {
    id: 'bench-faults',
    name: 'Bench Primary',
    timeZone: 'Europe/London',
    audiences: [{ key: 'staff', label: 'Staff', groupIds: [groupId] }],
    approverIds: [],
    adminIds: [],
  };
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const repairErrors: unknown[] = [];
  const service = createCountersignService({
    records: graph.records,
    directory: graph.directory,
    clock,
    sealKey: BENCH_SEAL_KEY,
    evidence,
    school,
    onRepairError: (error) => repairErrors.push(error),
  });
  const version = benchVersion();
  const third = faultRate / 3;
  emulator.setFaults({
    rate429: third,
    rate503: third,
    rateReset: third,
    retryAfterSeconds: 0,
    seed,
  });

  const accepted = new Set<string>();
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < staff.length; i = next++) {
      const person = staff[i];
      if (person === undefined) continue;
      const actor = {
        id: person.id,
        upn: person.userPrincipalName,
        displayName: person.displayName,
        roles: [],
      };
      for (let attempt = 0; attempt < attempts; attempt++) {
        try {
          const outcome = await service.sign(actor, {
            policyKey: POLICY_KEY,
            versionNumber: version.number,
            contentHash: version.contentHash,
            declarationAccepted: true,
            typedName: person.displayName,
            statedRole: 'Teaching assistant',
            consents: {},
            channel: 'tab',
          });
          if (outcome.kind === 'signed') accepted.add(person.id);
          break;
        } catch {
          // Told it failed: the person presses Sign again (the figures count what was stored).
          continue;
        }
      }
    }
  };
  // Ten people at a time, as a busy morning would have it.
  await Promise.all(Array.from({ length: 10 }, worker));
  const burstMs = Math.round(performance.now() - started);
  const faults = emulator.counters().faults;
  emulator.setFaults({});

  const count = async () => {
    const rows = await graph.records.listAcknowledgements({ policyKey: POLICY_KEY });
    const events = await graph.records.listAudit({ type: 'acknowledgement.signed' });
    const announced = new Set(events.map((e) => e.subject));
    return { rows, withoutAudit: rows.filter((r) => !announced.has(r.id)).length };
  };
  const before = await count();
  const perPerson = new Map<string, number>();
  for (const row of before.rows) perPerson.set(row.userId, (perPerson.get(row.userId) ?? 0) + 1);
  // The sweeper leaves signatures younger than ten minutes alone: run it as if they had passed.
  offsetMs = 11 * 60 * 1000;
  const repair = await service.repairRecords();
  const after = await count();
  const storedIds = [...perPerson.keys()];
  const figures = {
    people,
    faultRate,
    attempts,
    faultsInjected: faults,
    burstMs,
    accepted: accepted.size,
    stored: storedIds.length,
    lost: [...accepted].filter((id) => !perPerson.has(id)).length,
    duplicated: [...perPerson.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    rowsWithoutAudit: before.withoutAudit,
    rowsWithoutAuditAfterRepair: after.withoutAudit,
    auditEventsRecreated: repair.auditEventsRecreated.length,
    storedButRefused: storedIds.filter((id) => !accepted.has(id)).length,
    repairErrors: repairErrors.length,
  };
  if (flag(args, 'json')) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    process.stdout.write(
      `${people} people through ${Math.round(faultRate * 100)} % Graph faults: ${figures.accepted} accepted, ` +
        `${figures.stored} stored, lost ${figures.lost}, duplicated ${figures.duplicated}, ` +
        `rows without audit ${figures.rowsWithoutAudit} (after repair ${figures.rowsWithoutAuditAfterRepair}), ` +
        `stored but refused ${figures.storedButRefused}\n`,
    );
  }
} finally {
  await emulator.close();
}
