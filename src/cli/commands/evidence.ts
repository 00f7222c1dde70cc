import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type {
  AcknowledgementRow,
  SignedRow,
} from '../../adapters/graph/sharepoint-record-store.ts';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../adapters/graph/create-graph-adapters.ts';
import { PdfLibRenderer } from '../../adapters/pdf/pdf-lib-renderer.ts';
import { loadEnv } from '../../config/env.ts';
import { CountersignError } from '../../domain/errors.ts';
import { howToVerify } from '../../domain/evidence-pack/how-to-verify.ts';
import {
  PACK_FORMAT,
  PACK_PATHS,
  type PackManifest,
  type PackRow,
} from '../../domain/evidence-pack/pack-files.ts';
import { buildPersonDossier } from '../../domain/evidence-pack/person-dossier.ts';
import { policyText } from '../../domain/evidence-pack/policy-text.ts';
import { buildRegister, type PackPerson } from '../../domain/evidence-pack/register.ts';
import { signedStatus, type SignedEvidence } from '../../domain/evidence-pack/signed-status.ts';
import { ukDateTime } from '../../domain/evidence-pack/uk-time.ts';
import { verifyPack } from '../../domain/evidence-pack/verify-pack.ts';
import {
  acknowledgementRecordSchema,
  approvalDecisionRecordSchema,
  publishedVersionRecordSchema,
  type CheckpointRecord,
  type PublishedVersionRecord,
} from '../../domain/evidence/evidence-record.ts';
import { readRows, type EvidenceRow } from '../../domain/evidence/evidence-row.ts';
import { describeSubject } from '../../domain/evidence/finding.ts';
import { prepareKeyRing, type KeyRing } from '../../domain/evidence/key-ring.ts';
import { policyDocumentSchema, type PolicyDocument } from '../../domain/policy-document.ts';
import type { School } from '../../domain/school.ts';
import type { PrintDocument } from '../../ports/pdf-renderer.ts';
import { resolveAudienceMembers } from '../../services/audiences.ts';
import {
  dossierDocument,
  registerDocument,
  versionTextDocument,
} from '../../services/evidence-pack-documents.ts';
import { loadPolicy, runningDeadline } from '../../services/policy-versions.ts';
import { loadKeyRing } from '../key-ring-source.ts';
import type { CliCommand } from '../run-cli.ts';
import { schoolFrom } from '../school-from-env.ts';

const USAGE = `usage: countersign evidence --policy KEY [--version N] [--person UPN]... [--out DIR]
                             [--keys FILE] [--site S] [--json]
  Writes an evidence pack for an inspector into a new folder (default evidence-KEY-<time>):
  a PDF register per version (who signed, with typed and Entra names, role, time in the school's
  zone, approval and consents; who has not, in words; counts that reconcile), a PDF per person
  asked for, each version's exact text (as stored, and readable), the signed records as stored,
  the public keys (--keys: the JSON of GET /api/evidence/keys; else fetched from
  COUNTERSIGN_PUBLIC_URL), the latest checkpoint if any, and HOW-TO-VERIFY.txt. The pack is
  checked as it is written, as "countersign verify --pack DIR" will check it: exit 1 if a record
  in it does not hold (the pack is written all the same, findings printed).
`;

interface Options {
  policy: string;
  version?: number;
  people: string[];
  out?: string;
  keys?: string;
  site?: string;
  json: boolean;
}

function parseOptions(args: string[]): Options | { help: true } | string {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        policy: { type: 'string' },
        version: { type: 'string' },
        person: { type: 'string', multiple: true },
        out: { type: 'string' },
        keys: { type: 'string' },
        site: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (values.help === true) return { help: true };
  if (values.policy === undefined) return '--policy KEY is required';
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
    return '--version needs a version number (1, 2, …)';
  }
  return {
    policy: values.policy,
    ...(version === undefined ? {} : { version }),
    people: values.person ?? [],
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.keys === undefined ? {} : { keys: values.keys }),
    ...(values.site === undefined ? {} : { site: values.site }),
    json: values.json === true,
  };
}

/** A stored row as the pack copies it: the signed columns as stored, and the plain columns. */
function packRow(row: {
  itemId: string;
  evidence: AcknowledgementRow['evidence'];
  columns: Record<string, unknown>;
}): PackRow | null {
  const evidence = row.evidence;
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
    return null;
  }
}

/**
 * The latest checkpoint in the site's Checkpoints list whose signature holds with the published
 * keys, as stored (the pack's checkpoint.json), with its record; null when there is none.
 */
async function latestCheckpoint(
  records: { scanSignedRows(list: 'checkpoints'): Promise<SignedRow[]> },
  keyRing: KeyRing,
): Promise<{ row: PackRow; record: CheckpointRecord } | null> {
  const rows = (await records.scanSignedRows('checkpoints')).flatMap((r) => packRow(r) ?? []);
  const byRow = new Map<EvidenceRow, PackRow>();
  const evidenceRows = rows.map((row) => {
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON: its signature does not hold, and it is not the latest
  }
}

/** What the site holds of one policy: its signed rows, as stored. */
interface SiteEvidence {
  acknowledgements: PackRow[];
  decisions: PackRow[];
  versions: { row: PackRow; record: PublishedVersionRecord; documentText: string | null }[];
  /** Signatures from before signed records: not in the pack (their HMAC seals need the school's key). */
  legacy: number;
}

async function readSiteEvidence(
  records: {
    scanAcknowledgements(q: { policyKey: string }): Promise<AcknowledgementRow[]>;
    scanSignedRows(list: 'approvals' | 'versions'): Promise<SignedRow[]>;
  },
  policyKey: string,
): Promise<SiteEvidence> {
  const [ackRows, decisionRows, versionRows] = await Promise.all([
    records.scanAcknowledgements({ policyKey }),
    records.scanSignedRows('approvals'),
    records.scanSignedRows('versions'),
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
    return null;
  }
}

function writeFile(dir: string, path: string, content: string | Uint8Array): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content, { flag: 'wx' });
}

function defaultOut(policyKey: string, at: Date): string {
  return `evidence-${policyKey}-${at.toISOString().slice(0, 16).replace(/[-:]/g, '')}Z`;
}

/** The pack, built from the site: every file it holds, by path. */
async function buildPack(
  options: Options,
  school: School,
  keyRing: KeyRing,
  now: Date,
  graph: ReturnType<typeof createGraphAdapters>,
): Promise<{
  files: Map<string, string | Uint8Array>;
  summary: string[];
  ok: boolean;
  findings: string[];
}> {
  const loaded = await loadPolicy(graph.records, options.policy);
  const site = await readSiteEvidence(graph.records, options.policy);
  const labelOf = new Map(loaded.versions.map((v) => [v.number, v.label]));
  const versionName = (n: number) => labelOf.get(n) ?? `version ${n}`;
  const wantedUpns = new Set(options.people.map((p) => p.toLowerCase()));

  // Which signatures go in: every one of the versions asked for, and every one of each person.
  const acks = site.acknowledgements.filter((row) => {
    const record = recordOf(row) as { versionNumber?: unknown; upn?: unknown } | null;
    return (
      options.version === undefined ||
      record?.versionNumber === options.version ||
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
    options.version !== undefined &&
    !site.versions.some((v) => v.record.number === options.version)
  ) {
    throw new CountersignError(
      'not-found',
      `Version ${options.version} of ${options.policy} has no signed published record.`,
    );
  }
  const versions = site.versions.filter(
    (v) =>
      options.version === undefined ||
      v.record.number === options.version ||
      signedNumbers.has(v.record.number),
  );
  const registerVersions = versions.filter(
    (v) => options.version === undefined || v.record.number === options.version,
  );

  const documents = new Map<number, string>();
  for (const v of versions)
    if (v.documentText !== null) documents.set(v.record.number, v.documentText);
  // The latest signed checkpoint (chain heads and counts of every list, signed): the pack
  // carries it so the inspector can compare it with the copy kept outside the site.
  const latest = await latestCheckpoint(graph.records, keyRing);
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
      : await runningDeadline(graph.records, options.policy, loaded.current.number);
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
  const members = await resolveAudienceMembers(graph.directory, school, loaded.policy.audiences);
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
  const renderer = new PdfLibRenderer();
  const files = new Map<string, string | Uint8Array>();
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const pdf = (doc: PrintDocument) => renderer.render(doc);
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
    files.set(
      PACK_PATHS.versionPdf(n),
      await pdf(
        versionTextDocument(
          {
            schoolName: school.name,
            policyTitle: loaded.policy.title,
            label: v.record.label,
            number: n,
            contentHash: v.record.contentHash,
            document,
          },
          createdAt,
        ),
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
    files.set(
      PACK_PATHS.registerPdf(v.record.number),
      await pdf(registerDocument(register, howTo, createdAt)),
    );
    summary.push(
      `Register ${v.record.label} (v${v.record.number}): ${register.countLines.join(' ')}`,
    );
  }
  for (const upn of options.people) {
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
    files.set(PACK_PATHS.personPdf(upn), await pdf(dossierDocument(dossier, howTo, createdAt)));
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
    people: options.people,
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
  return { files, summary, ok: report.ok, findings };
}

/** `countersign evidence`: writes an evidence pack of one policy for an inspector. */
export const evidenceCommand: CliCommand = async (args, io) => {
  const options = parseOptions(args);
  if (typeof options === 'string') {
    io.stderr(`${options}\n${USAGE}`);
    return 2;
  }
  if ('help' in options) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const env = loadEnv(io.env);
    const school = await schoolFrom(env);
    const keyRing = await loadKeyRing(options.keys, env.COUNTERSIGN_PUBLIC_URL);
    const now = new Date();
    const out = resolve(options.out ?? defaultOut(options.policy, now));
    if (existsSync(out) && readdirSync(out).length > 0) {
      io.stderr(
        `countersign evidence: ${out} is not empty; a pack is written only into a new or empty folder.\n`,
      );
      return 2;
    }
    const graph = createGraphAdapters(graphConfigFromEnv(env, options.site));
    const pack = await buildPack(options, school, keyRing, now, graph);
    mkdirSync(out, { recursive: true });
    for (const [path, content] of pack.files) writeFile(out, path, content);
    if (options.json) {
      io.stdout(
        `${JSON.stringify({ out, files: [...pack.files.keys()].sort(), ok: pack.ok, findings: pack.findings, summary: pack.summary }, null, 2)}\n`,
      );
    } else {
      io.stdout(`Evidence pack written to ${out} (${pack.files.size} files).\n`);
      for (const line of pack.summary) io.stdout(`${line}\n`);
      for (const line of pack.findings) io.stdout(`${line}\n`);
      io.stdout(
        pack.ok
          ? 'All signed records in the pack hold.\n'
          : 'Some records in the pack do not hold (above): the pack was written so they can be seen.\n',
      );
    }
    return pack.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof CountersignError) {
      io.stderr(`countersign evidence: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
