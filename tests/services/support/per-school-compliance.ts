import type { School } from '../../../src/domain/school.ts';
import type { Actor } from '../../../src/services/actor.ts';
import type { CountersignService } from '../../../src/services/countersign-service.ts';
import type { PolicyCompliance, SchoolCompliance } from '../../../src/services/trust-compliance.ts';

/**
 * A school's compliance as its own admin's people report gives it, a report per policy (what
 * GET /api/trust/compliance computed before the shared read): what the trust report must equal.
 */
export async function perSchoolCompliance(
  service: CountersignService,
  school: School,
): Promise<SchoolCompliance> {
  const reader: Actor = {
    id: 'per-school-check',
    upn: '',
    displayName: '',
    roles: ['Policy.Admin'],
  };
  const labels = new Map(school.audiences.map((a) => [a.key, a.label]));
  const policies: PolicyCompliance[] = [];
  for (const { policy, versions } of await service.listPolicies(reader)) {
    const current = versions.find((v) => v.status === 'published');
    const page = await service.peopleStatus(reader, { policyKey: policy.key, pageSize: 1 });
    policies.push({
      key: policy.key,
      title: policy.title,
      ...(current === undefined
        ? {}
        : { version: { number: current.number, label: current.label } }),
      people: page.people,
      overall: page.overall,
      audiences: Object.entries(page.totals).map(([key, counts]) => ({
        key,
        label: labels.get(key) ?? key,
        counts,
      })),
    });
  }
  return { id: school.id, name: school.name, policies };
}
