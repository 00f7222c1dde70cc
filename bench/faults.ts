import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadEvidenceKeyFile } from '../src/adapters/evidence-keys/local-evidence-keys.ts';
import { syntheticPeople } from '../src/dev/graph-emulator/graph-emulator.ts';
import { createCountersignService } from '../src/services/create-countersign-service.ts';
import { BENCH_SEAL_KEY, POLICY_KEY, flag, option, startBenchEmulator } from './bench-emulator.ts';
import { faultsSchool, signEveryone, type FaultsSigner } from './faults-signing.ts';

/**
 * Signatures through Graph faults (issue 10, item 5): `--people` staff each sign once through
 * the real sign use case and the SharePoint adapters, against a Graph emulator that answers
 * `--fault-rate` of its requests (outer and inside `$batch`) with 429, 503 or a dropped
 * connection (half of the drops after the write landed). A person whose sign fails tries again,
 * up to `--attempts` times, as someone pressing Sign again would.
 *
 * With `--kill`, the signing service runs in a child process (bench/faults-child.ts) over HTTP
 * to this process's emulator, and is killed with SIGKILL once `--kill-after` people (default
 * 40 %) have been told their signature was stored; a fresh process then takes everyone not yet
 * told so (those in flight at the kill press Sign again). Then, with the faults off:
 *
 *   accepted   people told their signature was stored
 *   stored     people with a row
 *   lost       accepted but no row
 *   duplicated rows beyond one per person
 *   rowsWithoutAudit / rowsWithoutAuditAfterRepair   rows with no signature event, before and
 *              after the sweeper (repairRecords, run as if ten minutes had passed)
 *   storedButRefused  people with a row whose last answer was that it failed
 *
 *   npm run bench:faults -- --fault-rate 0.5 --people 200 --json [--attempts 5] [--seed 7]
 *                           [--kill [--kill-after N]]
 */
const args = process.argv.slice(2);
const people = option(args, 'people', 200);
const attempts = option(args, 'attempts', 5);
const seed = option(args, 'seed', 7);
const kill = flag(args, 'kill');
const killAfter = option(args, 'kill-after', Math.max(1, Math.floor(people * 0.4)));
const rateAt = args.indexOf('--fault-rate');
const faultRate = rateAt >= 0 ? Number(args[rateAt + 1]) : 0.5;
if (!(faultRate >= 0 && faultRate < 1)) throw new Error('--fault-rate needs a number in [0, 1)');

// One key file for this process and the child it kills: every instance signs with the school's key.
const keyDir = mkdtempSync(join(tmpdir(), 'countersign-faults-'));
const keyFile = join(keyDir, 'evidence-key.pem');
const evidence = loadEvidenceKeyFile(keyFile, { create: true });
const { emulator, graph } = await startBenchEmulator(':memory:', 'none', evidence.signer);
try {
  const staff = syntheticPeople(people, { prefix: 'faults' });
  emulator.setup.putUsers(staff);
  const staffGroupId = emulator.setup.putGroup({
    displayName: 'Staff',
    memberIds: staff.map((p) => p.id),
  });
  const signers: FaultsSigner[] = staff.map((p) => ({
    id: p.id,
    upn: p.userPrincipalName,
    displayName: p.displayName,
  }));
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const repairErrors: unknown[] = [];
  const service = createCountersignService({
    records: graph.records,
    directory: graph.directory,
    clock,
    sealKey: BENCH_SEAL_KEY,
    evidence,
    school: faultsSchool(staffGroupId),
    onRepairError: (error) => repairErrors.push(error),
  });
  const third = faultRate / 3;
  emulator.setFaults({
    rate429: third,
    rate503: third,
    rateReset: third,
    retryAfterSeconds: 0,
    seed,
  });

  const accepted = new Set<string>();
  const refused = new Set<string>();
  const heard = {
    accepted: (id: string) => {
      accepted.add(id);
      refused.delete(id);
    },
    refused: (id: string) => refused.add(id),
  };
  const started = performance.now();
  let killedAfterAccepted: number | null = null;
  if (kill) {
    const base = { graphUrl: emulator.url, siteId: emulator.siteId, staffGroupId };
    const first = await signInChild(base, signers, heard, killAfter);
    killedAfterAccepted = first.acceptedBeforeKill;
    await signInChild(
      base,
      signers.filter((p) => !accepted.has(p.id)),
      heard,
      null,
    );
  } else {
    await signEveryone(service, signers, attempts, heard);
  }
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
    killedAfterAccepted,
    faultsInjected: faults,
    burstMs,
    accepted: accepted.size,
    stored: storedIds.length,
    lost: [...accepted].filter((id) => !perPerson.has(id)).length,
    duplicated: [...perPerson.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    rowsWithoutAudit: before.withoutAudit,
    rowsWithoutAuditAfterRepair: after.withoutAudit,
    auditEventsRecreated: repair.auditEventsRecreated.length,
    storedButRefused: storedIds.filter((id) => refused.has(id)).length,
    neverAnswered: staff.filter((p) => !accepted.has(p.id) && !refused.has(p.id)).length,
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
  rmSync(keyDir, { recursive: true, force: true });
}

/**
 * Runs bench/faults-child.ts over `who`, relaying what each person is told; with `killAt`, sends
 * it SIGKILL (no clean-up, no flush) once that many have been told their signature was stored.
 */
async function signInChild(
  base: { graphUrl: string; siteId: string; staffGroupId: string },
  who: FaultsSigner[],
  heard: { accepted: (id: string) => void; refused: (id: string) => void },
  killAt: number | null,
): Promise<{ acceptedBeforeKill: number }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'faults-child.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin.end(JSON.stringify({ ...base, keyFile, attempts, people: who }));
  let acceptedHere = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const [what, id] = line.split(' ');
    if (id === undefined) continue;
    if (what === 'accepted') {
      heard.accepted(id);
      acceptedHere += 1;
      if (killAt !== null && acceptedHere >= killAt) {
        child.kill('SIGKILL');
        break;
      }
    } else if (what === 'refused') heard.refused(id);
  }
  await exited;
  return { acceptedBeforeKill: acceptedHere };
}
