import { problem, ProblemError } from '../http/problem.ts';
import { json } from '../http/reply.ts';
import type { RouteHandlers } from '../route-context.ts';

/**
 * The trust's schools side by side (issue 14, item 3). Access is `user`: the service decides
 * (the trust lead every school, a school's admin their own, anyone else 403).
 */
export const trustComplianceRoutes = {
  'trust.compliance': async ({ actor, trust }) => {
    if (trust === undefined) {
      throw new ProblemError(
        problem('unavailable', 'The trust view is not available on this server right now.'),
      );
    }
    return json(await trust.compliance(actor));
  },
} satisfies Partial<RouteHandlers>;
