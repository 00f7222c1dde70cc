import type { PeopleQuery } from '../../services/countersign-service.ts';
import type { EvidencePdf } from '../../services/evidence-pdf.ts';
import { mediaType, readBody, readJson } from '../http/body.ts';
import { toCsv } from '../http/csv.ts';
import { problem, ProblemError, validationProblem } from '../http/problem.ts';
import { json, type BytesReply } from '../http/reply.ts';
import type { RouteContext, RouteHandlers } from '../route-context.ts';
import {
  createPolicyBodySchema,
  draftBodySchema,
  evidencePdfQuerySchema,
  peopleQuerySchema,
  personQuerySchema,
  variantBodySchema,
  variantPreviewBodySchema,
  withdrawBodySchema,
} from '../contract/requests.ts';
import { idParam, policyKeyParam, versionParam } from './path-params.ts';

/**
 * Media types an upload may arrive as. The file name's extension says how to read it; the
 * importer decides which it supports (415 otherwise) and checks the bytes match.
 */
const UPLOAD_TYPES = new Set([
  'application/octet-stream',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/plain',
]);

function uploadFileName(ctx: RouteContext): string {
  const raw = ctx.req.headers['x-file-name'];
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ProblemError(
      problem('bad-request', 'Name the file in the X-File-Name header (e.g. "aup.docx").'),
    );
  }
  // Header values are Latin-1, so a client may percent-encode the name; a name that merely
  // contains "%" ("100% AUP.docx") is taken as it is.
  let name = raw.trim();
  try {
    name = decodeURIComponent(name);
  } catch (error) {
    if (!(error instanceof URIError)) throw error;
  }
  // Only the base name: a path in the header means nothing here.
  const base = name.split(/[\\/]/).pop() ?? '';
  if (base === '' || base.length > 255) {
    throw new ProblemError(problem('bad-request', 'The X-File-Name header is not valid.'));
  }
  return base;
}

function peopleQuery(query: URLSearchParams): PeopleQuery {
  const parsed = peopleQuerySchema.safeParse(Object.fromEntries(query));
  if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
  const q = parsed.data;
  return {
    policyKey: q.policyKey,
    ...(q.audience === undefined ? {} : { audience: q.audience }),
    ...(q.status === undefined ? {} : { status: q.status }),
    ...(q.q === undefined ? {} : { search: q.q }),
    ...(q.sort === undefined && q.dir === undefined
      ? {}
      : { sort: { by: q.sort ?? 'name', direction: q.dir ?? 'ascending' } }),
    ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
    ...(q.pageSize === undefined ? {} : { pageSize: q.pageSize }),
  };
}

/** A PDF as a download; made for this request and about people, so never cached. */
export function pdfReply(pdf: EvidencePdf): BytesReply {
  return {
    status: 200,
    bytes: pdf.bytes,
    contentType: 'application/pdf',
    headers: {
      'content-disposition': `attachment; filename="${pdf.fileName}"`,
      'cache-control': 'no-store',
      // Whether every signed record it rests on held when it was made (the PDF says which did not).
      'x-countersign-records': pdf.ok ? 'hold' : 'problems',
    },
  };
}

export const adminRoutes = {
  'admin.import': async (ctx) => {
    const type = mediaType(ctx.req);
    if (type === undefined || !UPLOAD_TYPES.has(type)) {
      throw new ProblemError(
        problem('unsupported-input', 'Send the file as the raw body (application/octet-stream).', {
          accepted: [...UPLOAD_TYPES],
        }),
      );
    }
    const fileName = uploadFileName(ctx);
    const bytes = await readBody(ctx.req, ctx.limits.maxUploadBytes);
    if (bytes.length === 0) {
      throw new ProblemError(problem('validation', 'The file is empty.'));
    }
    const { document, report } = await ctx.importPolicy(bytes, fileName);
    return json({ document, report });
  },

  'admin.policies': async ({ actor, service }) => json(await service.listPolicies(actor)),

  'admin.policies.create': async ({ actor, service, req, limits }) => {
    const body = await readJson(req, createPolicyBodySchema, limits.maxJsonBytes);
    return json(
      await service.createPolicy(actor, {
        key: body.key,
        title: body.title,
        audiences: body.audiences,
        ...(body.approvalMode === undefined ? {} : { approvalMode: body.approvalMode }),
        ...(body.renewal === undefined ? {} : { renewal: body.renewal }),
      }),
      201,
    );
  },

  'admin.draft': async ({ actor, service, params, req, limits }) => {
    const policyKey = policyKeyParam(params);
    const body = await readJson(req, draftBodySchema, limits.maxJsonBytes);
    return json(await service.saveDraft(actor, { policyKey, ...body }));
  },

  'admin.diff': async ({ actor, service, params }) =>
    json(await service.previewPublish(actor, policyKeyParam(params), versionParam(params))),

  'admin.publish': async ({ actor, service, params }) =>
    json(await service.publish(actor, policyKeyParam(params), versionParam(params))),

  'admin.publish-preview': async ({ actor, service, params }) =>
    json(await service.publishPreview(actor, policyKeyParam(params), versionParam(params))),

  'admin.withdraw-preview': async ({ actor, service, params }) =>
    json(await service.withdrawPreview(actor, policyKeyParam(params), versionParam(params))),

  'admin.withdraw': async ({ actor, service, params, req, limits }) => {
    const policyKey = policyKeyParam(params);
    const versionNumber = versionParam(params);
    const { reason } = await readJson(req, withdrawBodySchema, limits.maxJsonBytes);
    return json(await service.withdraw(actor, policyKey, versionNumber, reason));
  },

  'admin.people': async ({ actor, service, query }) =>
    json(await service.peopleStatus(actor, peopleQuery(query))),

  'admin.person': async ({ actor, service, params, query }) => {
    const parsed = personQuerySchema.safeParse(Object.fromEntries(query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    return json(
      await service.personRecord(actor, parsed.data.policyKey, idParam(params, 'userId')),
    );
  },

  'admin.policy.evidence': async ({ actor, service, params, query }) => {
    const parsed = evidencePdfQuerySchema.safeParse(Object.fromEntries(query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    const { version } = parsed.data;
    return pdfReply(
      await service.evidencePdf(actor, {
        kind: 'register',
        policyKey: policyKeyParam(params),
        ...(version === undefined ? {} : { versionNumber: version }),
      }),
    );
  },

  'admin.person.evidence': async ({ actor, service, params, query }) => {
    const parsed = personQuerySchema.safeParse(Object.fromEntries(query));
    if (!parsed.success) throw new ProblemError(validationProblem(parsed.error, 'query'));
    return pdfReply(
      await service.evidencePdf(actor, {
        kind: 'person',
        policyKey: parsed.data.policyKey,
        userId: idParam(params, 'userId'),
      }),
    );
  },

  'admin.records-check': async ({ actor, service }) => json(await service.recordsCheck(actor)),

  'admin.approval-requests': async ({ actor, service }) =>
    json(await service.approvalRequests(actor)),

  'admin.approval-requests.resend': async ({ actor, service, params }) =>
    json(await service.resendApprovalRequest(actor, idParam(params, 'ackId')), 202),

  'trust.policies': async ({ actor, service }) => json(await service.trust.list(actor)),

  'trust.policies.create': async ({ actor, service, req, limits }) => {
    const body = await readJson(req, createPolicyBodySchema, limits.maxJsonBytes);
    return json(
      await service.trust.create(actor, {
        key: body.key,
        title: body.title,
        audiences: body.audiences,
        ...(body.approvalMode === undefined ? {} : { approvalMode: body.approvalMode }),
        ...(body.renewal === undefined ? {} : { renewal: body.renewal }),
      }),
      201,
    );
  },

  'trust.draft': async ({ actor, service, params, req, limits }) => {
    const policyKey = policyKeyParam(params);
    const body = await readJson(req, draftBodySchema, limits.maxJsonBytes);
    return json(await service.trust.saveMasterDraft(actor, { policyKey, ...body }));
  },

  'trust.publish': async ({ actor, service, params }) =>
    json(await service.trust.publishMaster(actor, policyKeyParam(params), versionParam(params))),

  'trust.variant': async ({ actor, service, params, req, limits }) => {
    const policyKey = policyKeyParam(params);
    const schoolId = idParam(params, 'schoolId');
    const body = await readJson(req, variantBodySchema, limits.maxJsonBytes);
    return json(
      await service.trust.publishVariant(actor, {
        policyKey,
        schoolId,
        changeKind: body.changeKind,
        variant: { sections: body.sections },
      }),
    );
  },

  'trust.publish-preview': async ({ actor, service, params }) =>
    json(
      await service.trust.masterPublishPreview(actor, policyKeyParam(params), versionParam(params)),
    ),

  'trust.withdraw-preview': async ({ actor, service, params }) =>
    json(
      await service.trust.masterWithdrawalPreview(
        actor,
        policyKeyParam(params),
        versionParam(params),
      ),
    ),

  'trust.withdraw': async ({ actor, service, params, req, limits }) => {
    const policyKey = policyKeyParam(params);
    const versionNumber = versionParam(params);
    const { reason } = await readJson(req, withdrawBodySchema, limits.maxJsonBytes);
    return json(await service.trust.withdrawMaster(actor, policyKey, versionNumber, reason));
  },

  'trust.variant-preview': async ({ actor, service, params, req, limits }) => {
    const policyKey = policyKeyParam(params);
    const schoolId = idParam(params, 'schoolId');
    const body = await readJson(req, variantPreviewBodySchema, limits.maxJsonBytes);
    return json(
      await service.trust.variantPreview(actor, {
        policyKey,
        schoolId,
        variant: { sections: body.sections },
      }),
    );
  },

  'admin.people.csv': async ({ actor, service, query }) => {
    const { policyKey, audience, status, search, sort } = peopleQuery(query);
    const filters = {
      policyKey,
      ...(audience === undefined ? {} : { audience }),
      ...(status === undefined ? {} : { status }),
      ...(search === undefined ? {} : { search }),
      ...(sort === undefined ? {} : { sort }),
    };
    const csv = toCsv(await service.exportPeopleRows(actor, filters));
    const day = new Date().toISOString().slice(0, 10);
    return {
      status: 200,
      // A BOM so Excel reads UTF-8 names correctly.
      text: `\uFEFF${csv}`,
      contentType: 'text/csv; charset=utf-8',
      headers: {
        'content-disposition': `attachment; filename="countersign-${filters.policyKey}-${day}.csv"`,
      },
    };
  },
} satisfies Partial<RouteHandlers>;
