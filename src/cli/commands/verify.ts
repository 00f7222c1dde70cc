import { readFileSync } from 'node:fs';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../adapters/graph/create-graph-adapters.ts';
import type { AcknowledgementRow } from '../../adapters/graph/sharepoint-record-store.ts';
import { loadEnv } from '../../config/env.ts';
import { parseCheckpointCopy } from '../../domain/evidence/checkpoint-copy.ts';
import type { EvidenceRow } from '../../domain/evidence/evidence-row.ts';
import { describeSubject } from '../../domain/evidence/finding.ts';
import type { EvidenceReport } from '../../domain/evidence/verify-evidence.ts';
import type { Acknowledgement } from '../../domain/acknowledgement.ts';
import type { Approval } from '../../domain/approval.ts';
import type { AuditEvent } from '../../domain/audit-event.ts';
import { contentHash } from '../../domain/content-hash.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import { verifySeals } from '../../domain/seal.ts';
import type { RecordStore, Tagged } from '../../ports/record-store.ts';
import type { CliCommand, CliIo } from '../run-cli.ts';
import { readEvidencePack } from './evidence-pack-reader.ts';
import { verifyPack } from '../../domain/evidence-pack/verify-pack.ts';
import { loadKeyRing } from '../key-ring-source.ts';
import { verifyStoredEvidence } from '../../services/verify-stored-evidence.ts';
import { parseSiteOptions } from '../site-options.ts';

const USAGE =
  'usage: countersign verify [--site <site>] [--keys <key ring file>] [--checkpoint <file>]… [--json]\n' +
  '       countersign verify --pack <evidence pack folder> [--json]\n' +
  '  Checks every signed record (acknowledgements, approval decisions, published versions) with\n' +
  '  the public keys only (--keys: the JSON of GET /api/evidence/keys; without it they are fetched\n' +
  '  from COUNTERSIGN_PUBLIC_URL), every plain column against its signed record, approval states\n' +
  "  against the signed decisions and every version's text against its signed hash; names rows\n" +
  '  the audit log or a signed decision records but the lists no longer hold.\n' +
  '  Audit events are checked along their chains up to the latest signed checkpoint, from the\n' +
  "  site's Checkpoints list and from each --checkpoint file (a copy kept outside the site: the\n" +
  '  work store, the WORM container): a chain cut short of it fails as chain-truncated. The\n' +
  '  service signs a checkpoint every 5 minutes while it runs; events appended after the latest\n' +
  '  one and then cut from the very end of their chain cannot be told, so that interval bounds\n' +
  '  what can go unseen (signatures are counted from 10 minutes after signing). With\n' +
  '  COUNTERSIGN_SEAL_KEY it also checks the HMAC seals of rows from before signatures (legacy)\n' +
  '  and the older checks. Exit 1 when anything fails; warnings alone exit 0.\n' +
  '  --pack: checks an evidence pack offline with the keys in it alone (no service, no Graph, no\n' +
  '  environment): every record, column, approval, and version text in it (HOW-TO-VERIFY.txt).\n';

export interface VerifyReport {
  /** Acknowledgement rows read. */
  checked: number;
  /** Rows edited (seal fails), unreadable, or whose key no longer names their person/version. */
  sealFailures: { id: string; itemId: string; reason: string }[];
  /** Signatures the audit log recorded whose row is gone (deleted in SharePoint). */
  missing: { id: string; eventId: string; signedAt: string; actorId: string }[];
  /** Approval states (unsealed) the audit log's decisions or the Approvals list contradict. */
  approvalFailures: { id: string; approvalState: string; reason: string }[];
  /** Versions whose stored document no longer hashes to their content hash, or unreadable. */
  versionFailures: { policyKey: string; versionNumber: number | null; reason: string }[];
  /** Signatures whose sealed content hash is not their version's text (or the version is gone). */
  contentFailures: { id: string; reason: string }[];
  /**
   * Inconsistencies a partial failure of the app itself can leave (not counted as failures):
   * a row whose audit event was not written, a pending signature with no Approvals row yet.
   */
  warnings: { id: string; reason: string }[];
  ok: boolean;
}

/** What verification reads: rows, versions, approvals and the audit log. */
export interface VerifiableRecords extends Pick<
  RecordStore,
  'listPolicies' | 'listVersions' | 'listApprovals' | 'listAudit'
> {
  scanAcknowledgements(query: Record<string, never>): Promise<AcknowledgementRow[]>;
}

export async function verifyRecords(
  records: VerifiableRecords,
  sealKey: string,
): Promise<VerifyReport> {
  const [rows, signed, decided, approvals, policies] = await Promise.all([
    records.scanAcknowledgements({}),
    records.listAudit({ type: 'acknowledgement.signed' }),
    records.listAudit({ type: 'approval.decided' }),
    records.listApprovals({}),
    records.listPolicies(),
  ]);
  const sealFailures: VerifyReport['sealFailures'] = [];
  const readable = rows.flatMap((row) => {
    if (row.acknowledgement === null) {
      sealFailures.push({
        id: row.key,
        itemId: row.itemId,
        reason: `the row is not a valid acknowledgement: ${row.problem ?? 'unreadable'}`,
      });
      return [];
    }
    return [{ row, ack: row.acknowledgement }];
  });
  const report = verifySeals(
    readable.map((r) => r.ack),
    sealKey,
  );
  const itemOf = new Map(readable.map((r) => [r.ack.id, r.row.itemId]));
  for (const failure of report.failed) {
    sealFailures.push({ ...failure, itemId: itemOf.get(failure.id) ?? '' });
  }
  // The key is not sealed: an edited key would hide a row from its person's history.
  for (const { row, ack } of readable) {
    const base = `${ack.policyKey}:v${ack.versionNumber}:${ack.userId}`;
    if (ack.id !== base && !new RegExp(`^${escape(base)}:r[1-9][0-9]*$`).test(ack.id)) {
      sealFailures.push({
        id: ack.id,
        itemId: row.itemId,
        reason: 'the row key does not name the policy, version and person it holds',
      });
    }
  }
  const stored = new Set(rows.map((r) => r.key));
  const missing = signed
    .filter((event) => !stored.has(event.subject))
    .map((event) => ({
      id: event.subject,
      eventId: event.id,
      signedAt: event.at,
      actorId: event.actorId,
    }));

  const acks = readable.map((r) => r.ack);
  const approvalFailures = checkApprovals(acks, decided, approvals);
  const { versionFailures, contentFailures } = await checkContent(records, policies, acks);

  // The sign flow writes the row, then its audit event (a batch, not a transaction): a failed
  // second write leaves a row with no event, and signing again finds the row and writes nothing.
  // So this is a warning; a deleted event is then indistinguishable from that.
  const signedSubjects = new Set(signed.map((e) => e.subject));
  const warnings: VerifyReport['warnings'] = rows
    .filter((r) => !signedSubjects.has(r.key))
    .map((r) => ({ id: r.key, reason: 'no acknowledgement.signed audit event for this row' }));
  const approvalRows = new Set(approvals.map((a) => a.value.acknowledgementId));
  for (const ack of acks) {
    // The Approvals row is written after the signature; signing again creates it.
    if (ack.approvalState === 'pending' && !approvalRows.has(ack.id)) {
      warnings.push({ id: ack.id, reason: 'pending approval with no Approvals row' });
    }
  }

  return {
    checked: rows.length,
    sealFailures,
    missing,
    approvalFailures,
    versionFailures,
    contentFailures,
    warnings,
    ok:
      sealFailures.length === 0 &&
      missing.length === 0 &&
      approvalFailures.length === 0 &&
      versionFailures.length === 0 &&
      contentFailures.length === 0,
  };
}

/**
 * The approval state is outside the seal, so the audit log's decision events are its evidence:
 * a decided state needs the last decision event to say the same, and the Approvals row too; an
 * undecided state must have no decision event (and a not-required one no Approvals row at all).
 */
function checkApprovals(
  acks: readonly Acknowledgement[],
  decided: readonly AuditEvent[],
  approvals: readonly Tagged<Approval>[],
): VerifyReport['approvalFailures'] {
  const lastDecision = new Map<string, AuditEvent>();
  for (const event of decided) {
    const seen = lastDecision.get(event.subject);
    if (seen === undefined || seen.at < event.at || (seen.at === event.at && seen.id < event.id)) {
      lastDecision.set(event.subject, event);
    }
  }
  const rowsOf = new Map<string, Approval[]>();
  for (const { value } of approvals) {
    rowsOf.set(value.acknowledgementId, [...(rowsOf.get(value.acknowledgementId) ?? []), value]);
  }
  const failures: VerifyReport['approvalFailures'] = [];
  for (const ack of acks) {
    const state = ack.approvalState;
    const fail = (reason: string) => failures.push({ id: ack.id, approvalState: state, reason });
    const event = lastDecision.get(ack.id);
    const recorded = event === undefined ? undefined : decisionOf(event);
    const rowDecisions = (rowsOf.get(ack.id) ?? []).map((a) => a.decision);
    switch (state) {
      case 'approved':
      case 'rejected':
        if (event === undefined) {
          fail(`${state} but the audit log records no decision`);
        } else if (recorded !== state) {
          fail(
            `${state} but the last decision in the audit log (${event.id}) is ${recorded ?? 'unreadable'}`,
          );
        }
        if (rowDecisions.length === 0) fail(`${state} but there is no Approvals row`);
        for (const d of rowDecisions) {
          if (d !== state) fail(`${state} but the Approvals row says ${d}`);
        }
        break;
      case 'pending':
      case 'not-required':
        if (event !== undefined) {
          fail(
            `${state} but the audit log records a decision (${recorded ?? 'unreadable'}, event ${event.id})`,
          );
        }
        if (state === 'not-required' && rowDecisions.length > 0) {
          fail(
            `not-required but the Approvals list holds a row for it (${rowDecisions.join(', ')})`,
          );
        }
        for (const d of rowDecisions) {
          if (state === 'pending' && d !== 'pending') {
            fail(`pending but the Approvals row says ${d}`);
          }
        }
        break;
    }
  }
  return failures;
}

function decisionOf(event: AuditEvent): string | undefined {
  const decision = event.details.decision;
  return typeof decision === 'string' ? decision : undefined;
}

/**
 * The stored document is what staff are shown as what they signed: each version's text must
 * still hash to its content hash, and each signature's sealed hash must be that version's.
 */
async function checkContent(
  records: VerifiableRecords,
  policies: readonly Policy[],
  acks: readonly Acknowledgement[],
): Promise<Pick<VerifyReport, 'versionFailures' | 'contentFailures'>> {
  const versionFailures: VerifyReport['versionFailures'] = [];
  // Policy rows can be deleted too: the keys signatures name are checked as well.
  const keys = [...new Set([...policies.map((p) => p.key), ...acks.map((a) => a.policyKey)])];
  const hashes = new Map<string, string>();
  for (const policyKey of keys) {
    let versions: Tagged<PolicyVersion>[];
    try {
      versions = await records.listVersions(policyKey);
    } catch (error) {
      // One unreadable version row (its Document edited into invalid JSON) fails the read.
      if (
        error instanceof CountersignError &&
        error.code === 'upstream' &&
        error.details.list === 'versions'
      ) {
        versionFailures.push({ policyKey, versionNumber: null, reason: error.message });
        continue;
      }
      throw error;
    }
    for (const { value: version } of versions) {
      const actual = contentHash(version.document);
      hashes.set(`${policyKey}:v${version.number}`, actual);
      if (actual !== version.contentHash) {
        versionFailures.push({
          policyKey,
          versionNumber: version.number,
          reason: `the ${version.status} document hashes to ${actual}, not its content hash ${version.contentHash}: its text was edited`,
        });
      }
    }
  }
  const contentFailures: VerifyReport['contentFailures'] = [];
  for (const ack of acks) {
    const actual = hashes.get(`${ack.policyKey}:v${ack.versionNumber}`);
    if (actual === undefined) {
      contentFailures.push({
        id: ack.id,
        reason: `version ${ack.versionNumber} of ${ack.policyKey} is missing or unreadable`,
      });
    } else if (actual !== ack.contentHash) {
      contentFailures.push({
        id: ack.id,
        reason: `signed text ${ack.contentHash} but the version's document now hashes to ${actual}`,
      });
    }
  }
  return { versionFailures, contentFailures };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `--keys FILE`, `--pack DIR` and every `--checkpoint FILE` out of the arguments (the rest are
 * the site options).
 */
function takeFileOptions(
  args: readonly string[],
): { keys?: string; pack?: string; checkpoints: string[]; rest: string[] } | string {
  const rest: string[] = [];
  const checkpoints: string[] = [];
  const taken: { keys?: string; pack?: string } = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const name = (['keys', 'pack', 'checkpoint'] as const).find(
      (n) => arg === `--${n}` || arg.startsWith(`--${n}=`),
    );
    if (name === undefined) {
      rest.push(arg);
      continue;
    }
    const value = arg === `--${name}` ? args[(i += 1)] : arg.slice(`--${name}=`.length);
    if (value === undefined || value === '') {
      return `--${name} needs a ${name === 'pack' ? 'folder' : 'file'}`;
    }
    if (name === 'checkpoint') checkpoints.push(value);
    else taken[name] = value;
  }
  return { ...taken, checkpoints, rest };
}

/** Checkpoint copies given on the command line (a file each, as the archives keep them). */
function readCheckpointFiles(files: readonly string[]): EvidenceRow[] {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CountersignError(
        'validation',
        `Cannot read the checkpoint ${file}: ${String(error)}`,
      );
    }
    return parseCheckpointCopy(text, file);
  });
}

/** `verify --pack DIR`: the pack with its own keys, offline; no environment is read. */
function verifyPackCommand(dir: string, json: boolean, io: CliIo): number {
  const report = verifyPack(readEvidencePack(dir));
  if (json) {
    io.stdout(`${JSON.stringify({ evidence: report, ok: report.ok }, null, 2)}\n`);
  } else {
    printFindings(report, io, 'in the pack ');
  }
  return report.ok ? 0 : 1;
}

function printFindings(report: EvidenceReport, io: CliIo, where = ''): void {
  const c = report.counts;
  io.stdout(
    `Signed evidence: ${c.acknowledgements.rows} acknowledgement row(s) (${c.legacyAcknowledgements} legacy), ${c.approvalDecisions.rows} decision(s), ${c.versions.rows} published version(s).\n`,
  );
  const latest = report.latestCheckpoint;
  io.stdout(
    latest === null
      ? 'No signed checkpoint: events deleted from the end of a chain cannot be told.\n'
      : `Latest checkpoint: ${latest.id}, taken ${latest.at} (rows signed by ${latest.cutoff}).\n`,
  );
  for (const f of report.findings) {
    const label = f.severity === 'failure' ? 'FAILS' : 'WARNS';
    io.stdout(`${label}  ${f.code}  ${describeSubject(f.subject)}: ${f.message}\n`);
  }
  const failures = report.findings.filter((f) => f.severity === 'failure').length;
  io.stdout(
    failures === 0
      ? `All signed records ${where}hold (${report.findings.length} warning(s)).\n`
      : `${failures} finding(s) fail, ${report.findings.length - failures} warning(s).\n`,
  );
}

/**
 * `countersign verify`: the signed evidence checked with the public keys alone; with the seal
 * key, the legacy checks (seals, deletions the audit log reveals, approvals, texts) too.
 */
export const verifyCommand: CliCommand = async (args, io) => {
  const taken = takeFileOptions(args);
  if (typeof taken === 'string') {
    io.stderr(`${taken}\n${USAGE}`);
    return 2;
  }
  const options = parseSiteOptions(taken.rest, io, USAGE);
  if (typeof options === 'number') return options;
  if (taken.pack !== undefined) {
    if (taken.keys !== undefined || options.site !== undefined || taken.checkpoints.length > 0) {
      io.stderr(
        `--pack verifies with the pack's own keys only: no --keys, --site or --checkpoint.\n${USAGE}`,
      );
      return 2;
    }
    try {
      return verifyPackCommand(taken.pack, options.json, io);
    } catch (error) {
      if (error instanceof CountersignError) {
        io.stderr(`countersign verify: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }
  try {
    const env = loadEnv(io.env);
    const sealKey = env.COUNTERSIGN_SEAL_KEY;
    if (
      sealKey === undefined &&
      taken.keys === undefined &&
      env.COUNTERSIGN_PUBLIC_URL === undefined
    ) {
      io.stderr(
        'countersign verify: give the published keys (--keys FILE), or set COUNTERSIGN_SEAL_KEY (the key the legacy seals were made with).\n',
      );
      return 2;
    }
    // Legacy-only sites (no key ring given) verify their seals with an empty ring.
    const keyRing =
      taken.keys === undefined && env.COUNTERSIGN_PUBLIC_URL === undefined
        ? { keys: [] }
        : await loadKeyRing(taken.keys, env.COUNTERSIGN_PUBLIC_URL);
    const graph = createGraphAdapters(graphConfigFromEnv(env, options.site));
    // The site's checkpoints and any copies from outside it (--checkpoint FILE).
    const [stored, siteCheckpoints] = await Promise.all([
      graph.records.readEvidence(),
      graph.records.readCheckpointsFrom(0),
    ]);
    const evidence = verifyStoredEvidence(stored, keyRing, sealKey, [
      ...siteCheckpoints,
      ...readCheckpointFiles(taken.checkpoints),
    ]);
    if (sealKey === undefined) {
      if (options.json) io.stdout(`${JSON.stringify({ evidence, ok: evidence.ok }, null, 2)}\n`);
      else printFindings(evidence, io);
      return evidence.ok ? 0 : 1;
    }
    const legacy = await verifyRecords(graph.records, sealKey);
    const report = { ...legacy, evidence, ok: legacy.ok && evidence.ok };
    if (options.json) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      printFindings(evidence, io);
      io.stdout(`Checked ${report.checked} acknowledgement${report.checked === 1 ? '' : 's'}.\n`);
      for (const f of report.sealFailures) {
        io.stdout(`SEAL FAILS  ${f.id} (item ${f.itemId}): ${f.reason}\n`);
      }
      for (const m of report.missing) {
        io.stdout(
          `MISSING     ${m.id}: signed ${m.signedAt} (audit event ${m.eventId}), row deleted\n`,
        );
      }
      for (const a of report.approvalFailures) {
        io.stdout(`APPROVAL    ${a.id}: ${a.reason}\n`);
      }
      for (const v of report.versionFailures) {
        const which = v.versionNumber === null ? v.policyKey : `${v.policyKey} v${v.versionNumber}`;
        io.stdout(`TEXT        ${which}: ${v.reason}\n`);
      }
      for (const c of report.contentFailures) {
        io.stdout(`HASH        ${c.id}: ${c.reason}\n`);
      }
      for (const w of report.warnings) {
        io.stdout(`WARNING     ${w.id}: ${w.reason}\n`);
      }
      const failures = [
        [report.sealFailures.length, 'seal failure(s)'],
        [report.missing.length, 'missing row(s)'],
        [report.approvalFailures.length, 'approval mismatch(es)'],
        [report.versionFailures.length, 'edited version(s)'],
        [report.contentFailures.length, 'signature(s) not matching their text'],
      ] as const;
      io.stdout(
        report.ok
          ? `All seals, approvals and policy texts hold; no signature is missing${report.warnings.length > 0 ? ` (${report.warnings.length} warning(s))` : ''}.\n`
          : `${failures.map(([n, what]) => `${n} ${what}`).join(', ')}; ${report.warnings.length} warning(s).\n`,
      );
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof CountersignError) {
      io.stderr(`countersign verify: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};
