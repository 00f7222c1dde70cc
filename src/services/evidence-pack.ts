import { CountersignError } from '../domain/errors.ts';
import { howToVerify } from '../domain/evidence-pack/how-to-verify.ts';
import {
  PACK_FORMAT,
  PACK_PATHS,
  type PackManifest,
  type PackRow,
} from '../domain/evidence-pack/pack-files.ts';
import { buildPersonDossier } from '../domain/evidence-pack/person-dossier.ts';
import { policyText } from '../domain/evidence-pack/policy-text.ts';
import { buildRegister, type PackPerson } from '../domain/evidence-pack/register.ts';
import { signedStatus, type SignedEvidence } from '../domain/evidence-pack/signed-status.ts';
import { ukDateTime } from '../domain/evidence-pack/uk-time.ts';
import { verifyPack } from '../domain/evidence-pack/verify-pack.ts';
import {
  acknowledgementRecordSchema,
  approvalDecisionRecordSchema,
  publishedVersionRecordSchema,
  type CheckpointRecord,
  type PublishedVersionRecord,
} from '../domain/evidence/evidence-record.ts';
import { readRows, type EvidenceRow } from '../domain/evidence/evidence-row.ts';
import { describeSubject } from '../domain/evidence/finding.ts';
import { prepareKeyRing, type KeyRing } from '../domain/evidence/key-ring.ts';
import { policyDocumentSchema, type PolicyDocument } from '../domain/policy-document.ts';
import type { School } from '../domain/school.ts';
import type { Directory } from '../ports/directory.ts';
import type { PdfRenderer, PrintDocument } from '../ports/pdf-renderer.ts';
import type { RecordStore } from '../ports/record-store.ts';
import type {
  SignedRowReader,
  StoredSignedColumns,
  StoredSignedRow,
} from '../ports/signed-rows.ts';
import { resolveAudienceMembers } from './audiences.ts';
import {
  dossierDocument,
  registerDocument,
  versionTextDocument,
} from './evidence-pack-documents.ts';
import { loadPolicy, runningDeadline } from './policy-versions.ts';

/** Which part of a policy's evidence a pack holds. */
export interface EvidencePackRequest {
  policyKey: string;
  /** One version's register (with every version its signers signed); all versions when absent. */
  version?: number;
  /** People whose own PDF goes in, by UPN. */
  people: readonly string[];
}

/** What assembling a pack reads: the site's records as stored, the directory, the keys. */
export interface EvidencePackDeps {
  records: RecordStore;
  rows: SignedRowReader;
  directory: Directory;
  school: School;
  /** The published key ring the pack's records are checked with (and which it carries). */
  keyRing: KeyRing;
}

/**
 * A pack, assembled and checked: its text files, and its PDFs as printable documents (rendered
 * all at once by `renderPackFiles`, or one at a time by the Admin view's download).
 */
export interface AssembledPack {
  /** JSON and text files by path. */
  files: Map<string, string>;
  /** The PDFs by path, not yet rendered. */
  documents: Map<string, PrintDocument>;
  summary: string[];
  /** Every signed record in the pack holds (as `countersign verify --pack` will find). */
  ok: boolean;
  /** In words, one line each; empty when ok. */
  findings: string[];
  /** How many signed records the pack holds, by list. */
  counts: { acknowledgements: number; decisions: number; versions: number };
  /** The latest signed checkpoint the pack carries, its signature checked; null when none. */
  checkpoint: CheckpointRecord | null;
  manifest: PackManifest;
}

/** A stored row as the pack copies it: the signed columns as stored, and the plain columns. */
function packRow(row: StoredSignedRow): PackRow | null {
  const evidence: StoredSignedColumns | null = row.evidence;
  if (evidence === null) return null;
  const stored = evidence.stored ?? {
    Record: JSON.stringify(evidence.record),
    ...(evidence.signature === undefined ? {} : { Signature: JSON.stringify(evidence.signature) }),
    ...(evidence.recordHash === undefined ? {} : { RecordHash: evidence.recordHash }),
  };
  return { itemId: row.itemId, ...stored, columns: row.columns };
}

function recordOf(row: PackRow): unknown {
  try {
    return JSON.parse(row.Record) as unknown;
  } catch {
    return null; // not JSON: verifyPack names the row (record-unreadable)
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON: its signature does not hold, and it is not the latest
  }
}

/**
 * The latest checkpoint in the site's Checkpoints list whose signature holds with the published
 * keys, as stored (the pack's checkpoint.json), with its record; null when there is none.
 */
async function latestCheckpoint(
  rows: SignedRowReader,
  keyRing: KeyRing,
): Promise<{ row: PackRow; record: CheckpointRecord } | null> {
  const stored = (await rows.scanSignedRows('checkpoints')).flatMap((r) => packRow(r) ?? []);
  const byRow = new Map<EvidenceRow, PackRow>();
  const evidenceRows = stored.map((row) => {
    const evidence: EvidenceRow = {
      record: recordOf(row),
      ...(row.Signature === undefined ? {} : { signature: parseJson(row.Signature) }),
    };
    byRow.set(evidence, row);
    return evidence;
  });
  let latest: { row: PackRow; record: CheckpointRecord } | null = null;
  for (const read of readRows('checkpoints', evidenceRows, prepareKeyRing(keyRing)).rows) {
    if (read.status !== 'valid' || read.record.kind !== 'checkpoint') continue;
    const row = byRow.get(read.row);
    if (row !== undefined && (latest === null || read.record.number > latest.record.number)) {
      latest = { row, record: read.record };
    }
  }
  return latest;
}

/** What the site holds of one policy: its signed rows, as stored. */
interface SiteEvidence {
  acknowledgements: PackRow[];
  decisions: PackRow[];
  versions: { row: PackRow; record: PublishedVersionRecord; documentText: string | null }[];
  /** Signatures from before signed records: not in the pack (their HMAC seals need the school's key). */
  legacy: number;
}

async function readSiteEvidence(rows: SignedRowReader, policyKey: string): Promise<SiteEvidence> {
  const [ackRows, decisionRows, versionRows] = await Promise.all([
    rows.scanAcknowledgements({ policyKey }),
    rows.scanSignedRows('approvals'),
    rows.scanSignedRows('versions'),
  ]);
  const acknowledgements = ackRows.flatMap((r) => packRow(r) ?? []);
  const ackIds = new Set(
    acknowledgements.flatMap((r) => {
      const id = (recordOf(r) as { id?: unknown } | null)?.id;
      return typeof id === 'string' ? [id] : [];
    }),
  );
  const decisions = decisionRows.flatMap((r) => {
    const row = packRow(r);
    const ackId = (row === null ? null : (recordOf(row) as { acknowledgementId?: unknown } | null))
      ?.acknowledgementId;
    return row !== null && typeof ackId === 'string' && ackIds.has(ackId) ? [row] : [];
  });
  const versions = versionRows.flatMap((r) => {
    const row = packRow(r);
    const parsed = row === null ? null : publishedVersionRecordSchema.safeParse(recordOf(row));
    if (row === null || !parsed?.success || parsed.data.policyKey !== policyKey) return [];
    return [
      {
        row,
        record: parsed.data,
        documentText: typeof r.document === 'string' ? r.document : null,
      },
    ];
  });
  return {
    acknowledgements,
    decisions,
    versions: versions.sort((a, b) => a.record.number - b.record.number),
    legacy: ackRows.filter((r) => r.evidence === null).length,
  };
}

function parseDocument(text: string | null): PolicyDocument | null {
  if (text === null) return null;
  try {
    const parsed = policyDocumentSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // verifyPack names it (version-text-edited)
  }
}

/**
 * The evidence pack of one policy, built from the site as stored and checked as it is built, the
 * way `countersign verify --pack` will check it: registers rest only on records whose signatures
 * hold, the rest are named in `findings`. Reads only; writes nothing anywhere.
 */
export async function assembleEvidencePack(
  deps: EvidencePackDeps,
  request: EvidencePackRequest,
  now: Date,
): Promise<AssembledPack> {
  const { school, keyRing } = deps;
  const loaded = await loadPolicy(deps.records, request.policyKey);
  const site = await readSiteEvidence(deps.rows, request.policyKey);
  const labelOf = new Map(loaded.versions.map((v) => [v.number, v.label]));
  const versionName = (n: number) => labelOf.get(n) ?? `version ${n}`;
  const wantedUpns = new Set(request.people.map((p) => p.toLowerCase()));

  // Which signatures go in: every one of the versions asked for, and every one of each person.
  const acks = site.acknowledgements.filter((row) => {
    const record = recordOf(row) as { versionNumber?: unknown; upn?: unknown } | null;
    return (
      request.version === undefined ||
      record?.versionNumber === request.version ||
      (typeof record?.upn === 'string' && wantedUpns.has(record.upn.toLowerCase()))
    );
  });
  const ackIds = new Set(acks.map((r) => (recordOf(r) as { id?: unknown } | null)?.id));
  const decisions = site.decisions.filter((row) =>
    ackIds.has((recordOf(row) as { acknowledgementId?: unknown } | null)?.acknowledgementId),
  );
  const signedNumbers = new Set(
    acks.map((r) => (recordOf(r) as { versionNumber?: unknown } | null)?.versionNumber),
  );
  if (
    request.version !== undefined &&
    !site.versions.some((v) => v.record.number === request.version)
  ) {
    throw new CountersignError(
      'not-found',
      `Version ${request.version} of ${request.policyKey} has no signed published record.`,
    );
  }
  const versions = site.versions.filter(
    (v) =>
      request.version === undefined ||
      v.record.number === request.version ||
      signedNumbers.has(v.record.number),
  );
  const registerVersions = versions.filter(
    (v) => request.version === undefined || v.record.number === request.version,
  );

  const documents = new Map<number, string>();
  for (const v of versions)
    if (v.documentText !== null) documents.set(v.record.number, v.documentText);
  // The latest signed checkpoint (chain heads and counts of every list, signed): the pack
  // carries it so the inspector can compare it with the copy kept outside the site.
  const latest = await latestCheckpoint(deps.rows, keyRing);
  const checkpoint = latest?.row ?? null;
  const report = verifyPack({
    acknowledgements: acks,
    approvalDecisions: decisions,
    versions: versions.map((v) => v.row),
    documents,
    checkpoint,
    keyRing,
  });
  // The registers rest on records whose signatures hold; the rest are named in the findings.
  const failing = new Set(
    report.findings.filter((f) => f.severity === 'failure').map((f) => f.subject.id),
  );
  const evidence: SignedEvidence = {
    acknowledgements: acks.flatMap((row) => {
      const parsed = acknowledgementRecordSchema.safeParse(recordOf(row));
      return parsed.success && !failing.has(parsed.data.id) ? [parsed.data] : [];
    }),
    decisions: decisions.flatMap((row) => {
      const parsed = approvalDecisionRecordSchema.safeParse(recordOf(row));
      return parsed.success && !failing.has(parsed.data.id) ? [parsed.data] : [];
    }),
  };

  const labels = new Map(school.audiences.map((a) => [a.key, a.label]));
  const deadline =
    loaded.current === undefined
      ? undefined
      : await runningDeadline(deps.records, request.policyKey, loaded.current.number);
  const statusOf = (userId: string, audiences: string[]) =>
    signedStatus({
      policy: loaded.policy,
      versions: loaded.versions,
      evidence,
      userId,
      personAudiences: audiences,
      timeZone: school.timeZone,
      now,
      ...(deadline === undefined ? {} : { deadline }),
    });
  const members = await resolveAudienceMembers(deps.directory, school, loaded.policy.audiences);
  const people: PackPerson[] = [...members.values()].map(({ person, audiences }) => ({
    id: person.id,
    displayName: person.displayName,
    upn: person.userPrincipalName,
    audiences: audiences.map((a) => labels.get(a) ?? a),
    status: statusOf(person.id, audiences),
  }));

  const createdAt = now.toISOString();
  const checkpointLine =
    latest === null
      ? null
      : `${latest.record.id} of ${ukDateTime(latest.record.at, school.timeZone)}`;
  const howTo = howToVerify({
    schoolName: school.name,
    policyTitle: loaded.policy.title,
    createdAtLocal: ukDateTime(createdAt, school.timeZone),
    keyIds: keyRing.keys.map((k) => k.kid),
    checkpoint: checkpointLine,
  });
  const files = new Map<string, string>();
  const printed = new Map<string, PrintDocument>();
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const summary: string[] = [];

  files.set(PACK_PATHS.keys, json(keyRing));
  if (checkpoint !== null) files.set(PACK_PATHS.checkpoint, json(checkpoint));
  files.set(PACK_PATHS.acknowledgements, json({ rows: acks }));
  files.set(PACK_PATHS.approvalDecisions, json({ rows: decisions }));
  files.set(PACK_PATHS.versions, json({ rows: versions.map((v) => v.row) }));
  for (const v of versions) {
    const n = v.record.number;
    if (v.documentText === null) continue;
    files.set(PACK_PATHS.versionDocument(n), v.documentText);
    const document = parseDocument(v.documentText);
    if (document === null) continue; // verify names it (version-text-edited)
    files.set(PACK_PATHS.versionText(n), policyText(document));
    printed.set(
      PACK_PATHS.versionPdf(n),
      versionTextDocument(
        {
          schoolName: school.name,
          policyTitle: loaded.policy.title,
          label: v.record.label,
          number: n,
          contentHash: v.record.contentHash,
          document,
          ...(v.record.composition === undefined
            ? {}
            : {
                composedFrom: `The trust policy "${v.record.composition.masterPolicyKey}" version ${v.record.composition.masterVersion}, with ${school.name}'s own clauses ${v.record.composition.variantVersion === 0 ? '(none)' : `version ${v.record.composition.variantVersion}`}`,
              }),
        },
        createdAt,
      ),
    );
  }
  for (const v of registerVersions) {
    const document = parseDocument(v.documentText);
    if (document === null) continue;
    const register = buildRegister({
      schoolName: school.name,
      timeZone: school.timeZone,
      policyKey: loaded.policy.key,
      policyTitle: loaded.policy.title,
      version: v.record,
      document,
      acknowledgements: evidence.acknowledgements,
      decisions: evidence.decisions,
      people,
      versionName,
    });
    files.set(PACK_PATHS.registerJson(v.record.number), json(register));
    printed.set(
      PACK_PATHS.registerPdf(v.record.number),
      registerDocument(register, howTo, createdAt),
    );
    summary.push(
      `Register ${v.record.label} (v${v.record.number}): ${register.countLines.join(' ')}`,
    );
  }
  for (const upn of request.people) {
    const member = people.find((p) => p.upn.toLowerCase() === upn.toLowerCase());
    const signedAs = evidence.acknowledgements.find(
      (a) => a.upn.toLowerCase() === upn.toLowerCase(),
    );
    const audienceKeys = member === undefined ? [] : (members.get(member.id)?.audiences ?? []);
    const dossier = buildPersonDossier({
      schoolName: school.name,
      timeZone: school.timeZone,
      policyKey: loaded.policy.key,
      policyTitle: loaded.policy.title,
      person: {
        upn: member?.upn ?? signedAs?.upn ?? upn,
        ...(member === undefined ? {} : { displayName: member.displayName }),
        audiences: member?.audiences ?? [],
        status:
          member === undefined && signedAs === undefined
            ? { kind: 'not-required' }
            : statusOf(member?.id ?? signedAs?.userId ?? '', audienceKeys),
      },
      acknowledgements: evidence.acknowledgements,
      decisions: evidence.decisions,
      versions: versions.flatMap((v) => {
        const document = parseDocument(v.documentText);
        return document === null
          ? []
          : [
              {
                number: v.record.number,
                label: v.record.label,
                contentHash: v.record.contentHash,
                document,
              },
            ];
      }),
      versionName,
    });
    printed.set(PACK_PATHS.personPdf(upn), dossierDocument(dossier, howTo, createdAt));
    summary.push(
      `Person ${dossier.name} (${dossier.upn}): ${dossier.signatures.length} signature(s).`,
    );
  }
  files.set(PACK_PATHS.howToVerify, `${howTo.join('\n')}\n`);
  const manifest: PackManifest = {
    format: PACK_FORMAT,
    school: school.name,
    policyKey: loaded.policy.key,
    policyTitle: loaded.policy.title,
    createdAt,
    versions: versions.map((v) => ({ number: v.record.number, label: v.record.label })),
    people: [...request.people],
    checkpoint: latest?.record.id ?? null,
  };
  files.set(PACK_PATHS.manifest, json(manifest));
  summary.push(
    latest === null
      ? 'No checkpoint existed: the pack holds none.'
      : `Checkpoint: ${latest.record.id}, taken ${latest.record.at} (rows signed by ${latest.record.cutoff}), in checkpoint.json.`,
  );
  if (site.legacy > 0) {
    summary.push(
      `${site.legacy} signature(s) from before signed records are not in the pack: their HMAC seals verify only with the school's seal key ("countersign verify" against the site).`,
    );
  }
  const findings = report.findings.map(
    (f) =>
      `${f.severity === 'failure' ? 'FAILS' : 'WARNS'}  ${f.code}  ${describeSubject(f.subject)}: ${f.message}`,
  );
  return {
    files,
    documents: printed,
    summary,
    ok: report.ok,
    findings,
    counts: {
      acknowledgements: acks.length,
      decisions: decisions.length,
      versions: versions.length,
    },
    checkpoint: latest?.record ?? null,
    manifest,
  };
}

/** Every file of the pack by path, its PDFs rendered: what `countersign evidence` writes. */
export async function renderPackFiles(
  pack: AssembledPack,
  renderer: PdfRenderer,
): Promise<Map<string, string | Uint8Array>> {
  const out = new Map<string, string | Uint8Array>(pack.files);
  // One at a time: a register of thousands is a large document, and rendering is CPU-bound.
  for (const [path, document] of pack.documents) out.set(path, await renderer.render(document));
  return out;
}
