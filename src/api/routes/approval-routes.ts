import { CountersignError } from '../../domain/errors.ts';
import { readJson } from '../http/body.ts';
import type { ProblemCode } from '../http/problem.ts';
import { json } from '../http/reply.ts';
import type { RouteHandlers } from '../route-context.ts';
import { bulkDecisionBodySchema, decisionBodySchema } from '../contract/requests.ts';
import { idParam } from './path-params.ts';

interface BulkResult {
  acknowledgementId: string;
  ok: boolean;
  code?: ProblemCode;
  detail?: string;
}

export const approvalRoutes = {
  'approvals.list': async ({ actor, service }) => json(await service.pendingApprovals(actor)),

  'approvals.decide': async ({ actor, service, params, req, limits }) => {
    const acknowledgementId = idParam(params, 'ackId');
    const body = await readJson(req, decisionBodySchema, limits.maxJsonBytes);
    return json(
      await service.decide(actor, {
        acknowledgementId,
        decision: body.decision,
        additionalPermissions: body.additionalPermissions,
        ...(body.comment === undefined || body.comment === '' ? {} : { comment: body.comment }),
      }),
    );
  },

  /**
   * One decision per acknowledgement, in order; each reports its own outcome so one that was
   * decided meanwhile (409) does not hide the others.
   */
  'approvals.bulk': async ({ actor, service, req, limits, reportError }) => {
    const body = await readJson(req, bulkDecisionBodySchema, limits.maxJsonBytes);
    const ids = [...new Set(body.acknowledgementIds)];
    const results: BulkResult[] = [];
    for (const acknowledgementId of ids) {
      try {
        await service.decide(actor, {
          acknowledgementId,
          decision: body.decision,
          additionalPermissions: body.additionalPermissions,
          ...(body.comment === undefined || body.comment === '' ? {} : { comment: body.comment }),
        });
        results.push({ acknowledgementId, ok: true });
      } catch (error) {
        if (!(error instanceof CountersignError)) {
          reportError(error);
          results.push({ acknowledgementId, ok: false, code: 'internal' });
          continue;
        }
        results.push({ acknowledgementId, ok: false, code: error.code, detail: error.message });
      }
    }
    return json({ results });
  },
} satisfies Partial<RouteHandlers>;
