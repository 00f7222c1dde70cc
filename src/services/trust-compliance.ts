import { CountersignError } from '../domain/errors.ts';
import type { PersonStatusKind } from '../domain/person-status.ts';
import { decideInSchool, trustAccessOf, trustOf } from '../domain/trust.ts';
import type { SettingsStore } from '../ports/settings-store.ts';
import type { Actor } from './actor.ts';
import type { TrustReportRead } from './trust-report-read.ts';

/** One policy of one school: its current version and how many people stand where. */
export interface PolicyCompliance {
  key: string;
  title: string;
  /** The current published version; absent while the policy has none (nobody is counted). */
  version?: { number: number; label: string };
  /** Everyone in its audiences, each once. */
  people: number;
  overall: Record<PersonStatusKind, number>;
  /** Per audience, with the school's name for it; each audience's counts sum to its size. */
  audiences: { key: string; label: string; counts: Record<PersonStatusKind, number> }[];
}

export interface SchoolCompliance {
  id: string;
  name: string;
  policies: PolicyCompliance[];
}

/** The trust's schools side by side, as far as the actor may read them. */
export interface TrustCompliance {
  trust: { name: string };
  /** Whether the actor leads the trust (sees every school) or reads only the schools they administer. */
  view: 'trust-lead' | 'school-admin';
  schools: SchoolCompliance[];
}

export interface TrustComplianceDeps {
  settings: Pick<SettingsStore, 'list'>;
  /** Every readable school's figures from one shared read (trust-report-read.ts). */
  read: TrustReportRead;
}

export interface TrustComplianceReader {
  compliance(actor: Actor): Promise<TrustCompliance>;
}

/**
 * GET /api/trust/compliance (issue 14, item 3): compliance per school, per policy and per
 * audience, counted as each school's own people report counts them (so the figures are the ones
 * that school's admin sees), from one read shared by the schools (trust-report-read.ts). Who reads which school is decideInSchool's: the trust lead every school, a school's admin
 * their own, anyone else nothing (403: the route names no school, so refusing tells nothing).
 */
export function createTrustCompliance(deps: TrustComplianceDeps): TrustComplianceReader {
  return {
    async compliance(actor) {
      const trust = trustOf((await deps.settings.list()).map((stored) => stored.school));
      const access = trustAccessOf(trust, actor.id);
      const readable = trust.schools.filter(
        (school) => decideInSchool(access, school.id, 'Policy.Admin', 'read').kind === 'allowed',
      );
      if (readable.length === 0) {
        throw new CountersignError(
          'forbidden',
          'This needs the trust lead role, or Policy.Admin in a school of the trust.',
          { role: 'Trust.Lead' },
        );
      }
      // Allowed above to read each of these schools as its admin would; only reads follow.
      const bySchool = await deps.read.policiesOf(readable);
      const schools = readable.map((school): SchoolCompliance => {
        const labels = new Map(school.audiences.map((a) => [a.key, a.label]));
        const policies = (bySchool.get(school.id) ?? []).map(
          ({ policy, current, tally }): PolicyCompliance => ({
            key: policy.key,
            title: policy.title,
            ...(current === undefined
              ? {}
              : { version: { number: current.number, label: current.label } }),
            people: tally.people,
            overall: tally.overall,
            audiences: Object.entries(tally.byAudience).map(([key, counts]) => ({
              key,
              label: labels.get(key) ?? key,
              counts,
            })),
          }),
        );
        return { id: school.id, name: school.name, policies };
      });
      return {
        trust: { name: trust.settings.name },
        view: access.trustLead ? 'trust-lead' : 'school-admin',
        schools,
      };
    },
  };
}
