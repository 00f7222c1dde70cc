import { describe, expectTypeOf, it, expect } from 'vitest';
import type { z } from 'zod';
import type * as Contract from '../../src/api/contract/responses.ts';
import { RESPONSE_BODIES } from '../../src/api/contract/responses.ts';
import { API_ROUTES } from '../../src/api/routes.ts';
import type { PersonStatus, PersonStatusKind } from '../../src/domain/person-status.ts';
import type { PolicyDiff } from '../../src/domain/policy-diff.ts';
import type { ImportReport } from '../../src/importer/import-report.ts';
import type { CampaignSummary } from '../../src/services/campaigns/campaign-status.ts';
import type {
  MyPolicyView,
  PeoplePage,
  PendingApproval,
  PersonRow,
  SignatureSummary,
} from '../../src/services/countersign-service.ts';

/**
 * The contract (src/api/contract) restates, as schemas, shapes the domain, the importer and the
 * services define as types. The handlers' types follow the contract (a handler answering
 * something else does not compile); these checks keep the restatements exact both ways.
 */
describe('the API contract', () => {
  it('names a response body for every route', () => {
    for (const route of API_ROUTES) {
      expect(Object.keys(RESPONSE_BODIES), route.id).toContain(route.id);
    }
  });

  it('says exactly what the domain, the importer and the services mean', () => {
    expectTypeOf<Contract.PersonStatus>().toEqualTypeOf<PersonStatus>();
    expectTypeOf<Contract.PersonStatusKind>().toEqualTypeOf<PersonStatusKind>();
    expectTypeOf<Contract.PolicyDiff>().toEqualTypeOf<PolicyDiff>();
    expectTypeOf<Contract.ImportReport>().toEqualTypeOf<ImportReport>();
    expectTypeOf<Contract.MyPolicyView>().toEqualTypeOf<MyPolicyView>();
    expectTypeOf<Contract.SignatureSummary>().toEqualTypeOf<SignatureSummary>();
    expectTypeOf<Contract.PersonRow>().toEqualTypeOf<PersonRow>();
    expectTypeOf<Contract.PeoplePage>().toEqualTypeOf<PeoplePage>();
    expectTypeOf<Contract.PendingApproval>().toEqualTypeOf<PendingApproval>();
    expectTypeOf<Contract.CampaignSummary>().toMatchTypeOf<
      CampaignSummary['campaign'] & Pick<CampaignSummary, 'delivery' | 'reasons'>
    >();
    expectTypeOf<
      z.output<(typeof RESPONSE_BODIES)['me.changes']>
    >().toEqualTypeOf<Contract.Changes>();
  });
});
