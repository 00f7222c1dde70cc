import { CountersignError } from '../src/domain/errors.ts';
import type { School } from '../src/domain/school.ts';
import type { CountersignService } from '../src/services/countersign-service.ts';
import { POLICY_KEY, benchVersion } from './bench-emulator.ts';

/** How long an answer asked the caller to wait before trying again (none: at once). */
function retryAfterMs(error: unknown): number {
  if (!(error instanceof CountersignError)) return 0;
  const seconds = error.details.retryAfterSeconds;
  return typeof seconds === 'number' ? Math.min(seconds, 15) * 1000 : 0;
}

const pause = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

/** One member of staff as the faults benchmark signs them. */
export interface FaultsSigner {
  id: string;
  upn: string;
  displayName: string;
}

/** The school both the benchmark and its killable child sign in (one Staff audience). */
export function faultsSchool(staffGroupId: string): School {
  return {
    id: 'bench-faults',
    name: 'Bench Primary',
    timeZone: 'Europe/London',
    audiences: [{ key: 'staff', label: 'Staff', groupIds: [staffGroupId] }],
    approverIds: [],
    adminIds: [],
  };
}

/**
 * Ten people at a time (a busy morning), each pressing Sign up to `attempts` times until told it
 * was stored. `accepted` hears each person told so, the moment they are; `refused` each person
 * told every time that it failed.
 */
export async function signEveryone(
  service: CountersignService,
  people: readonly FaultsSigner[],
  attempts: number,
  heard: { accepted: (id: string) => void; refused: (id: string) => void },
): Promise<void> {
  const version = benchVersion();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < people.length; i = next++) {
      const person = people[i];
      if (person === undefined) continue;
      const actor = { id: person.id, upn: person.upn, displayName: person.displayName, roles: [] };
      let told = false;
      for (let attempt = 0; attempt < attempts && !told; attempt++) {
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
          if (outcome.kind === 'signed') heard.accepted(person.id);
          told = true;
        } catch (error) {
          // Told it failed: the person (or the tab, which retries by itself) presses Sign again,
          // after the Retry-After the answer gave (the Graph gateway's breaker says when Graph
          // may be back). The figures count what was stored.
          await pause(retryAfterMs(error));
          continue;
        }
      }
      if (!told) heard.refused(person.id);
    }
  };
  await Promise.all(Array.from({ length: 10 }, worker));
}
