import { parseArgs } from 'node:util';
import {
  createGraphAdapters,
  graphConfigFromEnv,
} from '../../adapters/graph/create-graph-adapters.ts';
import type { AcknowledgementRow } from '../../adapters/graph/sharepoint-record-store.ts';
import { loadEnv } from '../../config/env.ts';
import type { AuditEvent } from '../../domain/audit-event.ts';
import { CountersignError } from '../../domain/errors.ts';
import { verifySeals } from '../../domain/seal.ts';
import type { CliCommand } from '../run-cli.ts';

const USAGE =
  'usage: countersign verify [--site <site>] [--json]\n' +
  '  Checks the seal of every acknowledgement (key: COUNTERSIGN_SEAL_KEY) and finds signatures\n' +
  '  the audit log records but the list no longer holds. Exit 1 when anything fails.\n';

export interface VerifyReport {
  /** Acknowledgement rows read. */
  checked: number;
  /** Rows edited (seal fails), unreadable, or whose key no longer names their person/version. */
  sealFailures: { id: string; itemId: string; reason: string }[];
  /** Signatures the audit log recorded whose row is gone (deleted in SharePoint). */
  missing: { id: string; eventId: string; signedAt: string; actorId: string }[];
  ok: boolean;
}

/** What verification reads: every acknowledgement row and the audit log's signatures. */
export interface VerifiableRecords {
  scanAcknowledgements(query: Record<string, never>): Promise<AcknowledgementRow[]>;
  listAudit(query: { type: 'acknowledgement.signed' }): Promise<AuditEvent[]>;
}

export async function verifyRecords(
  records: VerifiableRecords,
  sealKey: string,
): Promise<VerifyReport> {
  const [rows, signed] = await Promise.all([
    records.scanAcknowledgements({}),
    records.listAudit({ type: 'acknowledgement.signed' }),
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
  return {
    checked: rows.length,
    sealFailures,
    missing,
    ok: sealFailures.length === 0 && missing.length === 0,
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `countersign verify`: every seal checked, every deletion the audit log reveals reported. */
export const verifyCommand: CliCommand = async (args, io) => {
  let options;
  try {
    options = parseArgs({
      args,
      options: { site: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const env = loadEnv(io.env);
    if (env.COUNTERSIGN_SEAL_KEY === undefined) {
      io.stderr(
        'countersign verify: set COUNTERSIGN_SEAL_KEY (the key the seals were made with).\n',
      );
      return 2;
    }
    const graph = createGraphAdapters(graphConfigFromEnv(env, options.site));
    const report = await verifyRecords(graph.records, env.COUNTERSIGN_SEAL_KEY);
    if (options.json) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      io.stdout(`Checked ${report.checked} acknowledgement${report.checked === 1 ? '' : 's'}.\n`);
      for (const f of report.sealFailures) {
        io.stdout(`SEAL FAILS  ${f.id} (item ${f.itemId}): ${f.reason}\n`);
      }
      for (const m of report.missing) {
        io.stdout(
          `MISSING     ${m.id}: signed ${m.signedAt} (audit event ${m.eventId}), row deleted\n`,
        );
      }
      io.stdout(
        report.ok
          ? 'All seals hold; no signature is missing.\n'
          : `${report.sealFailures.length} seal failure(s), ${report.missing.length} missing row(s).\n`,
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
