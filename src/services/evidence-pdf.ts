import { CountersignError } from '../domain/errors.ts';
import { PACK_PATHS } from '../domain/evidence-pack/pack-files.ts';
import { ukDateTime } from '../domain/evidence-pack/uk-time.ts';
import { recordsCheckLine } from '../domain/evidence/records-check.ts';
import type { PdfRenderer, PrintDocument } from '../ports/pdf-renderer.ts';
import type { SignedRowReader } from '../ports/signed-rows.ts';
import type { Actor } from './actor.ts';
import { assembleEvidencePack, type AssembledPack } from './evidence-pack.ts';
import { withPackCheck } from './evidence-pack-documents.ts';
import { loadPolicy } from './policy-versions.ts';
import { latestRecordsCheck } from './records-check.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';

/** What the Admin view's evidence download reads and renders with (wired by the composition root). */
export interface EvidencePackPorts {
  rows: SignedRowReader;
  renderer: PdfRenderer;
}

/** One PDF of the evidence pack: a version's register, or one person's signatures. */
export type EvidencePdfRequest =
  | { kind: 'register'; policyKey: string; versionNumber?: number }
  | { kind: 'person'; policyKey: string; userId: string };

export interface EvidencePdf {
  bytes: Uint8Array;
  /** A file name for the download: policy, version or person, and the day. */
  fileName: string;
  /** Every signed record it rests on held when it was made. */
  ok: boolean;
}

function fileSafe(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9@._-]/g, '_');
}

/** The UPN a person signed with or the directory knows now: the pack finds signatures by UPN. */
async function upnOf(ctx: ServiceContext, policyKey: string, userId: string): Promise<string> {
  const person = await ctx.directory.getPerson(userId);
  if (person !== null) return person.userPrincipalName;
  // Left the school: their signatures still name them.
  const [signed] = await ctx.records.listAcknowledgements({ policyKey, userId });
  if (signed !== undefined) return signed.upn;
  throw new CountersignError('not-found', 'There is no such person.');
}

/**
 * GET /api/admin/policies/:key/evidence.pdf and /api/admin/people/:userId/evidence.pdf
 * (Policy.Admin only): the same pack `countersign evidence` writes, assembled and checked now
 * with the service's own published keys, one PDF of it rendered, with a page of what was
 * checked (the records it rests on, the latest signed checkpoint, the nightly records check).
 */
export async function evidencePdfFor(
  ctx: ServiceContext,
  actor: Actor,
  request: EvidencePdfRequest,
): Promise<EvidencePdf> {
  requireRole(actor, 'Policy.Admin');
  const ports = ctx.evidencePack;
  if (ports === undefined) {
    throw new CountersignError('unavailable', 'This service cannot make evidence packs.');
  }
  const now = ctx.clock.now();
  const day = now.toISOString().slice(0, 10);
  const deps = {
    records: ctx.records,
    rows: ports.rows,
    directory: ctx.directory,
    school: ctx.school,
    keyRing: ctx.evidence.keyRing,
  };
  let pack: AssembledPack;
  let path: string;
  let fileName: string;
  if (request.kind === 'register') {
    const loaded = await loadPolicy(ctx.records, request.policyKey);
    const versionNumber = request.versionNumber ?? loaded.current?.number;
    if (versionNumber === undefined) {
      throw new CountersignError(
        'not-found',
        `"${loaded.policy.title}" has no published version yet.`,
      );
    }
    pack = await assembleEvidencePack(
      deps,
      { policyKey: request.policyKey, version: versionNumber, people: [] },
      now,
    );
    path = PACK_PATHS.registerPdf(versionNumber);
    fileName = `evidence-${fileSafe(request.policyKey)}-v${versionNumber}-${day}.pdf`;
  } else {
    const upn = await upnOf(ctx, request.policyKey, request.userId);
    pack = await assembleEvidencePack(deps, { policyKey: request.policyKey, people: [upn] }, now);
    path = PACK_PATHS.personPdf(upn);
    fileName = `evidence-${fileSafe(request.policyKey)}-${fileSafe(upn)}-${day}.pdf`;
  }
  const document: PrintDocument | undefined = pack.documents.get(path);
  if (document === undefined) {
    throw new CountersignError(
      'not-found',
      'The text of that version cannot be read, so its register cannot be made; "countersign verify" names the problem.',
    );
  }
  const nightly = recordsCheckLine(await latestRecordsCheck(ctx), ctx.school.timeZone);
  const bytes = await ports.renderer.render(
    withPackCheck(document, {
      policyKey: request.policyKey,
      ok: pack.ok,
      findings: pack.findings,
      counts: pack.counts,
      checkpoint:
        pack.checkpoint === null
          ? null
          : `${pack.checkpoint.id}, taken ${ukDateTime(pack.checkpoint.at, ctx.school.timeZone)}`,
      nightlyCheck: [nightly.line, ...nightly.details].join(' '),
    }),
  );
  return { bytes, fileName, ok: pack.ok };
}
