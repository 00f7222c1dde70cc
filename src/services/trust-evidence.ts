import { CountersignError } from '../domain/errors.ts';
import type { School } from '../domain/school.ts';
import { decideInSchool, trustAccessOf, trustOf } from '../domain/trust.ts';
import type { SettingsStore } from '../ports/settings-store.ts';
import type { Actor } from './actor.ts';
import type { CountersignService } from './countersign-service.ts';
import type { EvidencePdf } from './evidence-pdf.ts';

export interface TrustEvidenceDeps {
  settings: Pick<SettingsStore, 'list'>;
  /** One school's own service: its settings, and the records as that school's view. */
  serviceFor: (school: School) => CountersignService;
}

/** One school's register PDF: a policy of that school, a version (the current one by default). */
export interface SchoolEvidenceRequest {
  schoolId: string;
  policyKey: string;
  versionNumber?: number;
}

export interface TrustEvidenceReader {
  registerPdf(actor: Actor, request: SchoolEvidenceRequest): Promise<EvidencePdf>;
}

/**
 * GET /api/trust/schools/:schoolId/policies/:key/evidence.pdf (issue 14, item 3: "the evidence
 * pack per school"): the register PDF a school's admin downloads from the Admin view, made by that
 * school's own service over that school's view of the site, so it is the same pack, with the same
 * records check, whoever asks. Who may ask is decideInSchool's, for reading: the trust lead any
 * school of the trust (read-only: nothing here writes), a school's admin their own school; anyone
 * else is told there is no such school (404), as a school's routes answer for another school's
 * things, so asking tells nobody which schools or policies exist.
 */
export function createTrustEvidence(deps: TrustEvidenceDeps): TrustEvidenceReader {
  return {
    async registerPdf(actor, request) {
      const trust = trustOf((await deps.settings.list()).map((stored) => stored.school));
      const school = trust.schools.find((s) => s.id === request.schoolId);
      const access = trustAccessOf(trust, actor.id);
      if (
        school === undefined ||
        decideInSchool(access, school.id, 'Policy.Admin', 'read').kind !== 'allowed'
      ) {
        throw new CountersignError('not-found', 'There is no such school.');
      }
      // Allowed above to read this school as its admin would; the evidence PDF only reads.
      const reader: Actor = { ...actor, roles: ['Policy.Admin'] };
      return deps.serviceFor(school).evidencePdf(reader, {
        kind: 'register',
        policyKey: request.policyKey,
        ...(request.versionNumber === undefined ? {} : { versionNumber: request.versionNumber }),
      });
    },
  };
}
