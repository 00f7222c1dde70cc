import { evidencePdfQuerySchema } from '../contract/requests.ts';
import { problem, ProblemError, validationProblem } from '../http/problem.ts';
import type { RouteHandlers } from '../route-context.ts';
import { pdfReply } from './admin-routes.ts';
import { idParam, policyKeyParam } from './path-params.ts';

/**
 * Each school's evidence pack for the trust (issue 14, item 3). Access is `user`: the service
 * decides (the trust lead any school of the trust, a school's admin their own, anyone else 404).
 */
export const trustEvidenceRoutes = {
  'trust.school.evidence': async ({ actor, trustEvidence, params, query }) => {
    if (trustEvidence === undefined) {
      throw new ProblemError(
        problem('unavailable', 'Schools’ evidence packs are not available on this server.'),
      );
    }
    const parsed = evidencePdfQuerySchema.safeParse(Object.fromEntries(query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    const { version } = parsed.data;
    return pdfReply(
      await trustEvidence.registerPdf(actor, {
        schoolId: idParam(params, 'schoolId'),
        policyKey: policyKeyParam(params),
        ...(version === undefined ? {} : { versionNumber: version }),
      }),
    );
  },
} satisfies Partial<RouteHandlers>;
