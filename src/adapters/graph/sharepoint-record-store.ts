import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Acknowledgement, SignatureFacts } from '../../domain/acknowledgement.ts';
import { acknowledgementSchema, bySigningOrder } from '../../domain/acknowledgement.ts';
import type { Approval, ApprovalDecision } from '../../domain/approval.ts';
import { approvalSchema } from '../../domain/approval.ts';
import type { AuditEvent, AuditEventType } from '../../domain/audit-event.ts';
import { auditEventSchema } from '../../domain/audit-event.ts';
import type { Campaign } from '../../domain/campaign.ts';
import { campaignSchema } from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import { mapLimit } from '../../domain/map-limit.ts';
import {
  auditEventRecordSchema,
  GENESIS,
  type AuditEventRecord,
  type RowList,
} from '../../domain/evidence/evidence-record.ts';
import type { CheckpointCopy } from '../../domain/evidence/checkpoint-copy.ts';
import type { EvidenceRow } from '../../domain/evidence/evidence-row.ts';
import { signRecord, type EvidenceSigner } from '../../domain/evidence/evidence-signer.ts';
import { SHARD_COUNT, shardOf } from '../../domain/evidence/shard.ts';
import { recordHash } from '../../domain/evidence/signing-payload.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import type {
  RepairRows,
  SignatureEventRef,
  StoredAcknowledgement,
  StoredEvidence,
} from '../../ports/stored-evidence.ts';
import type { EvidenceLedger } from '../../ports/evidence-ledger.ts';
import { policySchema, policyVersionSchema } from '../../domain/policy.ts';
import type {
  RecordStore,
  SignatureForRepair,
  SignatureResult,
  SignedAcknowledgement,
  SignedDecision,
  SignedVersion,
  Tagged,
} from '../../ports/record-store.ts';
import {
  MAX_BATCH,
  graphErrorToCountersign,
  isDuplicateReply,
  isOk,
  withQuery,
} from './graph-gateway.ts';
import type { BatchCall, GraphGateway, GraphReply } from './graph-gateway.ts';
import { highestDenseKey } from './highest-dense-key.ts';
import { mapInSlices, yieldToEventLoop } from './in-slices.ts';
import { sortInSlices } from '../../domain/sort-in-slices.ts';
import { ACK_BUCKETS, AUDIT_BLOCK, ackPartitionKey, auditBlock } from './list-partitions.ts';
import { fieldNames } from './sharepoint-schema.ts';
import type { ListKey } from './sharepoint-schema.ts';
import { PolicyDocumentFiles } from './policy-document-files.ts';
import { acknowledgementEvidenceRow, signedEvidenceRows } from './evidence-rows.ts';
import {
  checkpointColumnsOf,
  checkpointFields,
  acknowledgementColumnsOf,
  acknowledgementFields,
  documentFileOf,
  decisionColumnsOf,
  eventColumnsOf,
  signedFields,
  versionColumnsOf,
  acknowledgementFromFields,
  SIGNATURE_FACTS_COLUMNS,
  signatureFactsFromFields,
  approvalFields,
  approvalFromFields,
  auditFields,
  auditFromFields,
  campaignFields,
  campaignFromFields,
  odataString,
  policyFields,
  policyFromFields,
  policyOfFields,
  storedEvidenceOf,
  tagOf,
  toFieldsRow,
  toRow,
  untag,
  versionFields,
  versionFromFields,
  versionKey,
  writeIdOf,
} from './sharepoint-rows.ts';
import { parseLoosely } from './sharepoint-rows.ts';
import type { StoredEvidence as StoredEvidenceColumns } from './sharepoint-rows.ts';
import type { Fields, FieldsRow, Row } from './sharepoint-rows.ts';
import { SharePointSite } from './sharepoint-site.ts';

export interface SharePointRecordStoreOptions {
  gateway: GraphGateway;
  /** A site id, `hostname:/sites/path`, or `root`. */
  site: string | SharePointSite;
  /** `$top` for bulk reads; SharePoint serves at most 5,000 items a page. */
  pageSize?: number;
  /**
   * Signs every audit event into its shard's chain (Shard, Seq, ChainKey "shard:seq", Record,
   * Signature, RecordHash). Without it events are written unsigned, as before signatures.
   */
  evidenceSigner?: EvidenceSigner;
}

/** Version files read at once by listVersions. */
const VERSION_READS_IN_FLIGHT = 4;

/** An acknowledgement row as stored, readable or not (for `countersign verify`). */
export interface AcknowledgementRow {
  itemId: string;
  key: string;
  acknowledgement: Acknowledgement | null;
  /** The signed record stored in the row; null for a row from before signatures. */
  evidence: StoredEvidenceColumns | null;
  /** The row's plain columns by record field name, for verify to check against the record. */
  columns: Record<string, unknown>;
  /** Why the row could not be read as an acknowledgement (an edit broke it). */
  problem?: string;
}

/** A row of a list whose rows carry signed records (decisions, versions), as stored. */
export interface SignedRow {
  itemId: string;
  evidence: StoredEvidenceColumns | null;
  /** Plain columns by record field name. */
  columns: Record<string, unknown>;
  /** A version row's document (JSON text, unparsed). */
  document?: unknown;
}

/** An eTag no item ever has: a conditional write with it meets 412 and its caller re-reads. */
const STALE_ETAG = '"countersign-unknown,0"';

/** One PATCH of a list item's fields, re-doable on its own. */
interface Update {
  id: string;
  list: ListKey;
  itemsUrl: string;
  itemId: string;
  fields: Fields;
  /** If-Match; none for the acknowledgement's unsealed approval state. */
  etag?: string;
  /** For lists with a WriteId column: the same for every attempt of this write. */
  writeId?: string;
}

/**
 * The RecordStore on SharePoint lists through Microsoft Graph (DESIGN.md §4).
 *
 * - One signature is one round trip: a `$batch` of [create acknowledgement, create audit event
 *   dependsOn it]. The acknowledgement's AckKey column enforces unique values, so a second
 *   signature of the same version (double click, card and tab at once, a retry) fails with a
 *   409 instead of writing a row; we then read the stored one and answer created: false. A row
 *   carrying our own audit event id was written by an earlier attempt of this very call whose
 *   answer was lost (a dropped connection): that is still created: true.
 * - Reads page through `@odata.nextLink` with `$top` up to 5,000 and filter only on indexed
 *   columns (see sharepoint-schema.ts).
 * - Updates send If-Match with the eTag read; a 412 is 'precondition-failed'.
 * - Batches are not transactions: a publish whose draft update succeeded but whose retirements
 *   failed reports the failure, and the draft stays published.
 */
export class SharePointRecordStore implements RecordStore, EvidenceLedger {
  readonly #gateway: GraphGateway;
  readonly site: SharePointSite;
  readonly #pageSize: number;

  constructor(options: SharePointRecordStoreOptions) {
    this.#gateway = options.gateway;
    this.site =
      typeof options.site === 'string'
        ? new SharePointSite(options.gateway, options.site)
        : options.site;
    this.#pageSize = Math.min(5000, Math.max(1, options.pageSize ?? 5000));
    this.#signer = options.evidenceSigner;
    this.#documents = new PolicyDocumentFiles(options.gateway, this.site);
  }

  /** Each version's text, as a file in the site's documents library. */
  readonly #documents: PolicyDocumentFiles;

  readonly #signer: EvidenceSigner | undefined;

  /** `$top` for reads of whole evidence lists (see readEvidence). */
  get #evidencePage(): number {
    return Math.min(this.#pageSize, 1000);
  }
  /**
   * Each shard's head as this instance last wrote or read it: the next event links to it without
   * a read. Another instance appending first makes our create meet the unique ChainKey (409):
   * then the head is read again and the event signed again at the next place.
   */
  readonly #heads = new Map<number, { seq: number; hash: string }>();

  /**
   * The last event of a shard as stored (seq 0 and GENESIS for an empty chain), found by probing
   * its unique ChainKey "shard:seq" (highest-dense-key.ts): `Shard eq N` would match a sixteenth
   * of the whole log, past the list view threshold once the log passes 80,000 events.
   */
  async #readHead(shard: number): Promise<{ seq: number; hash: string }> {
    const { n, found } = await highestDenseKey(
      this.#probe('audit', 'ChainKey', (seq) => `${String(shard)}:${String(seq)}`, [
        'Seq',
        'RecordHash',
      ]),
    );
    let seq = n;
    let hash = found?.fields.RecordHash;
    // Probing alone stops below the true head at a gap (a deleted event), and the next event
    // would then fill the gap as a fork; the last blocks read by Block (one read, usually) find
    // the true head, so a deletion never redirects the chain (verify names it).
    const top = await this.#highestInBlocks(shard, n);
    if (top !== null && top.seq > seq) ({ seq, hash } = top);
    if (seq === 0) return { seq: 0, hash: GENESIS };
    if (typeof hash !== 'string') {
      throw new CountersignError(
        'upstream',
        `Audit event ${String(shard)}:${String(seq)} has no RecordHash: the chain cannot be continued.`,
      );
    }
    return { seq, hash };
  }

  /**
   * The highest event of a shard at or above `from`, read by Block (≤ 1,000 events a read, valid
   * under the list view threshold) from the block of `from` on until an empty block, so a deleted
   * event at a block's end does not hide the blocks after it.
   */
  async #highestInBlocks(
    shard: number,
    from: number,
  ): Promise<{ seq: number; hash: unknown } | null> {
    let top: { seq: number; hash: unknown } | null = null;
    for (let block = Math.floor(from / AUDIT_BLOCK); ; block += 1) {
      const rows = await this.#query(
        'audit',
        `fields/Block eq ${odataString(auditBlock(shard, block * AUDIT_BLOCK))}`,
        this.#evidencePage,
        ['Seq', 'RecordHash'],
      );
      for (const row of rows) {
        const seq = Number(row.fields.Seq);
        if (Number.isInteger(seq) && seq > (top?.seq ?? -1)) {
          top = { seq, hash: row.fields.RecordHash };
        }
      }
      if (rows.length === 0) return top;
    }
  }

  /**
   * Which of the given numbers a unique column holds (`keyOf(n)`), up to 20 per `$batch` of
   * equality filters: each matches one item at most, valid on a list of any size.
   */
  #probe(
    list: ListKey,
    column: string,
    keyOf: (n: number) => string,
    select: readonly string[],
  ): (numbers: number[]) => Promise<Map<number, Row>> {
    return async (numbers) => {
      const items = await this.#items(list);
      const found = new Map<number, Row>();
      for (let i = 0; i < numbers.length; i += MAX_BATCH) {
        const chunk = numbers.slice(i, i + MAX_BATCH);
        const replies = await this.#gateway.batch(
          chunk.map((n, k) => ({
            id: String(k),
            method: 'GET',
            url: withQuery(items, {
              $filter: `fields/${column} eq ${odataString(keyOf(n))}`,
              $select: ITEM_SELECT,
              $expand: `fields($select=${select.join(',')})`,
              $top: 1,
            }),
          })),
        );
        for (const [id, reply] of replies) {
          if (!isOk(reply)) {
            throw graphErrorToCountersign(reply.status, reply.body, `Read ${list}`, reply.headers);
          }
          const value = (reply.body as { value?: unknown } | null)?.value;
          const first: unknown = Array.isArray(value) ? value[0] : undefined;
          const n = chunk[Number(id)];
          if (first !== undefined && n !== undefined) found.set(n, toRow(first));
        }
      }
      return found;
    };
  }

  /**
   * The fields of an audit event: signed at the next place of its shard's chain when this store
   * signs. The place is taken before signing, so concurrent appends here never share a seq.
   */
  async #auditFieldsOf(event: AuditEvent): Promise<Fields> {
    const signer = this.#signer;
    if (signer === undefined) return auditFields(event);
    const shard = shardOf(event.subject);
    if (!this.#heads.has(shard)) {
      const read = await this.#readHead(shard);
      if (!this.#heads.has(shard)) this.#heads.set(shard, read);
    }
    const head = this.#heads.get(shard) ?? { seq: 0, hash: GENESIS };
    const record: AuditEventRecord = auditEventRecordSchema.parse({
      kind: 'audit-event',
      id: event.id,
      type: event.type,
      actorId: event.actorId,
      at: event.at,
      subject: event.subject,
      details: event.details,
      shard,
      seq: head.seq + 1,
      prev: head.hash,
    });
    this.#heads.set(shard, { seq: record.seq, hash: recordHash(record) });
    const signed = await signRecord(signer, record);
    return {
      ...auditFields(event),
      Shard: shard,
      Seq: record.seq,
      ChainKey: `${String(shard)}:${String(record.seq)}`,
      Block: auditBlock(shard, record.seq),
      ...signedFields(signed),
    };
  }

  /**
   * What a 409 on an audit create means. Unsigned: the EventId is there (a retried append).
   * Chained: the EventId (then it is there) or the ChainKey (another writer took the place: the
   * event is appended again at the next place). Resolves true when this call created it.
   */
  async #auditClash(event: AuditEvent): Promise<boolean> {
    if (this.#signer === undefined) return false;
    if ((await this.#one('audit', 'EventId', event.id)) !== null) return false;
    this.#heads.delete(shardOf(event.subject));
    return this.#appendAlone(event);
  }

  /** Creates one audit event on its own; false when it was there already. */
  async #appendAlone(event: AuditEvent): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      const reply = await this.#gateway.exchange(
        this.#create(await this.#items('audit'), await this.#auditFieldsOf(event), 'audit'),
      );
      if (isOk(reply)) return true;
      if (!isDuplicateReply(reply)) {
        this.#heads.delete(shardOf(event.subject));
        throw graphErrorToCountersign(
          reply.status,
          reply.body,
          'Append audit event',
          reply.headers,
        );
      }
      if (this.#signer === undefined) return false;
      // Either way the place we took is not ours: the next event must not link to it.
      this.#heads.delete(shardOf(event.subject));
      if ((await this.#one('audit', 'EventId', event.id)) !== null) return false;
      if (attempt >= 8) {
        throw new CountersignError('conflict', `Audit event ${event.id}: its shard kept moving.`);
      }
    }
  }

  /** Each shard's appends of this instance, one after another (see #withShard). */
  readonly #shardQueues = new Map<number, Promise<unknown>>();

  /**
   * Runs a write that appends `event` while no other append of this instance is in flight in its
   * shard: an event whose write fails then never has a successor linked to it (no gap in the
   * chain), and the next append starts from the head as it really is.
   */
  async #withShard<T>(event: AuditEvent, write: () => Promise<T>): Promise<T> {
    if (this.#signer === undefined) return write();
    const shard = shardOf(event.subject);
    const before = this.#shardQueues.get(shard) ?? Promise.resolve();
    // Whatever failed (a batch refused whole, a lost answer), the head we assumed is in doubt.
    const guarded = async (): Promise<T> => {
      try {
        return await write();
      } catch (error) {
        this.#heads.delete(shard);
        throw error;
      }
    };
    const run = before.then(guarded, guarded);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#shardQueues.set(shard, settled);
    try {
      return await run;
    } finally {
      if (this.#shardQueues.get(shard) === settled) this.#shardQueues.delete(shard);
    }
  }

  /** After an audit create in a batch failed (not 409): the head we assumed may be wrong. */
  #forgetHead(event: AuditEvent): void {
    if (this.#signer !== undefined) this.#heads.delete(shardOf(event.subject));
  }

  /** Resolves the site and list ids now, so the first real call costs only itself. */
  async warmUp(): Promise<void> {
    await this.site.listIds();
  }

  // Plumbing ---------------------------------------------------------------------------------

  async #items(list: ListKey): Promise<string> {
    return `${await this.site.listPath(list)}/items`;
  }

  #query(
    list: ListKey,
    filter?: string,
    top = this.#pageSize,
    select: readonly string[] = fieldNames(list),
  ): Promise<Row[]> {
    return this.#queryItems(TAGGED, list, filter, top, select);
  }

  async #queryItems<R extends FieldsRow>(
    read: ItemRead<R>,
    list: ListKey,
    filter: string | undefined,
    top: number,
    select: readonly string[],
  ): Promise<R[]> {
    const url = withQuery(await this.#items(list), {
      $select: read.select,
      $expand: `fields($select=${select.join(',')})`,
      $filter: filter,
      $top: top,
    });
    const rows: R[] = [];
    try {
      for await (const page of this.#gateway.pages(url)) {
        rows.push(...(await mapInSlices(page, read.convert)));
      }
    } catch (error) {
      // We filter only on indexed columns; this means someone removed an index from the site.
      if (
        error instanceof CountersignError &&
        error.details.status === 400 &&
        /not indexed/i.test(String(error.details.graphMessage))
      ) {
        throw new CountersignError(
          'upstream',
          `A column Countersign filters ${list} on is no longer indexed: run "countersign provision".`,
          error.details,
          { cause: error },
        );
      }
      throw error;
    }
    return rows;
  }

  async #one(list: ListKey, column: string, value: string): Promise<Row | null> {
    const rows = await this.#query(list, `fields/${column} eq ${odataString(value)}`, 2);
    return rows[0] ?? null;
  }

  #create(url: string, fields: Fields, id: string, dependsOn?: string[]): BatchCall {
    return { id, method: 'POST', url, body: { fields }, ...(dependsOn ? { dependsOn } : {}) };
  }

  #patch(
    itemsUrl: string,
    itemId: string,
    fields: Fields,
    id: string,
    etag?: string,
    dependsOn?: string[],
  ): BatchCall {
    return {
      id,
      method: 'PATCH',
      url: `${itemsUrl}/${encodeURIComponent(itemId)}/fields`,
      body: fields,
      ...(etag === undefined ? {} : { headers: { 'If-Match': etag } }),
      ...(dependsOn ? { dependsOn } : {}),
    };
  }

  /**
   * The eTag an answer carries: the body's (item or fieldValueSet) or the ETag header. A PATCH
   * of `/fields` may carry none: "Update listItem" documents its reply as the fieldValueSet
   * alone (https://learn.microsoft.com/en-us/graph/api/listitem-update, the example response
   * has no `@odata.etag`), so the caller re-reads the item.
   */
  #etagOf(reply: GraphReply, itemId: string): string | undefined {
    const body = (reply.body ?? {}) as Record<string, unknown>;
    const fields = (body.fields ?? {}) as Record<string, unknown>;
    const candidates = [body.eTag, body['@odata.etag'], fields['@odata.etag']];
    const header = Object.entries(reply.headers).find(([k]) => k.toLowerCase() === 'etag')?.[1];
    const etag = candidates.find((c): c is string => typeof c === 'string') ?? header;
    return etag === undefined ? undefined : tagOf({ itemId, etag });
  }

  /**
   * The tag after an update that succeeded but answered without an eTag: the item as it is now.
   * The write happened, so this never fails: if the item cannot be read, the tag carries an
   * eTag known to be stale (the one the write replaced), so the next conditional write meets
   * 412 and its caller re-reads, as after anyone's change.
   */
  async #tagAfterWrite(update: Update): Promise<string> {
    try {
      const reply = await this.#gateway.exchange({
        method: 'GET',
        url: withQuery(`${update.itemsUrl}/${encodeURIComponent(update.itemId)}`, {
          $expand: `fields($select=${fieldNames(update.list).join(',')})`,
        }),
      });
      if (isOk(reply)) return tagOf(toRow(reply.body));
    } catch {
      // Fall through: the write stands whatever the read did.
    }
    return tagOf({ itemId: update.itemId, etag: update.etag ?? STALE_ETAG });
  }

  #createdTag(reply: GraphReply): string {
    const row = toRow(reply.body);
    return tagOf(row);
  }

  /** Reads a row into a record; an unreadable row is an 'upstream' error naming the item. */
  #read<T>(row: Row, list: ListKey, read: (fields: Record<string, unknown>) => T): T {
    try {
      return read(row.fields);
    } catch (error) {
      throw new CountersignError(
        'upstream',
        `Item ${row.itemId} of ${list} does not hold a valid record (edited in SharePoint?).`,
        { itemId: row.itemId, list },
        { cause: error },
      );
    }
  }

  /**
   * Creates a row and its audit event in one `$batch`. On a unique-key clash, `ours` decides
   * whether the stored row is this very write (a retry after a lost answer): then the audit
   * event is made sure of and the stored row returned; otherwise 'conflict'.
   */
  #createWithAudit(
    list: ListKey,
    fields: Fields,
    audit: AuditEvent,
    what: string,
    existing: () => Promise<Row | null>,
    ours: (row: Row) => boolean,
  ): Promise<Row> {
    return this.#withShard(audit, () =>
      this.#createWithAuditNow(list, fields, audit, what, existing, ours),
    );
  }

  async #createWithAuditNow(
    list: ListKey,
    fields: Fields,
    audit: AuditEvent,
    what: string,
    existing: () => Promise<Row | null>,
    ours: (row: Row) => boolean,
  ): Promise<Row> {
    const [itemsUrl, auditUrl, eventFields] = await Promise.all([
      this.#items(list),
      this.#items('audit'),
      this.#auditFieldsOf(audit),
    ]);
    const replies = await this.#gateway.batch([
      this.#create(itemsUrl, fields, 'record'),
      this.#create(auditUrl, eventFields, 'audit', ['record']),
    ]);
    const record = replies.get('record');
    const auditReply = replies.get('audit');
    if (auditReply === undefined || !isOk(auditReply)) this.#forgetHead(audit);
    if (record !== undefined && isOk(record)) {
      if (auditReply !== undefined && isDuplicateReply(auditReply)) {
        await this.#auditClash(audit);
      } else if (auditReply === undefined || !isOk(auditReply)) {
        throw this.#auditFailed(auditReply, what);
      }
      return toRow(record.body);
    }
    if (record !== undefined && isDuplicateReply(record)) {
      const row = await existing();
      if (row !== null && ours(row)) {
        await this.#ensureAudit(audit);
        return row;
      }
      throw graphErrorToCountersign(409, record.body, `${what}: it already exists`);
    }
    throw graphErrorToCountersign(record?.status ?? 0, record?.body, what, record?.headers);
  }

  #auditFailed(reply: GraphReply | undefined, what: string): CountersignError {
    const error = graphErrorToCountersign(
      reply?.status ?? 0,
      reply?.body,
      `${what} (audit event)`,
      reply?.headers,
    );
    return new CountersignError(error.code, `${error.message}; the record itself was stored.`, {
      ...error.details,
      recordStored: true,
    });
  }

  async #ensureAudit(audit: AuditEvent): Promise<void> {
    await this.#appendAlone(audit);
  }

  /**
   * A PATCH is re-sent after a lost answer like any request; if the first attempt was applied,
   * the retry meets a changed eTag (412). The WriteId the write carried tells that case (our own
   * write: success) from a second writer's change ('precondition-failed').
   */
  async #wroteIt(update: Update): Promise<Row | null> {
    if (update.writeId === undefined) return null;
    const reply = await this.#gateway.exchange({
      method: 'GET',
      url: withQuery(`${update.itemsUrl}/${encodeURIComponent(update.itemId)}`, {
        $expand: `fields($select=${fieldNames(update.list).join(',')})`,
      }),
    });
    if (!isOk(reply)) return null;
    const row = toRow(reply.body);
    return writeIdOf(row.fields) === update.writeId ? row : null;
  }

  #updateCall(update: Update, dependsOn?: string[]): BatchCall {
    const fields =
      update.writeId === undefined ? update.fields : { ...update.fields, WriteId: update.writeId };
    return this.#patch(update.itemsUrl, update.itemId, fields, update.id, update.etag, dependsOn);
  }

  /** The new tag of an update answered `reply` (in a batch or alone), re-doing it if needed. */
  async #settleUpdate(
    update: Update,
    reply: GraphReply | undefined,
    what: string,
  ): Promise<string> {
    if (reply !== undefined && isOk(reply)) {
      return this.#etagOf(reply, update.itemId) ?? (await this.#tagAfterWrite(update));
    }
    if (reply?.status === 412) {
      const row = await this.#wroteIt(update);
      if (row !== null) return tagOf(row);
    }
    if (reply?.status === 424) {
      // Its dependency turned out to be our own earlier write: this one still has to happen.
      return this.#update(update, what);
    }
    throw graphErrorToCountersign(reply?.status ?? 0, reply?.body, what, reply?.headers);
  }

  async #update(update: Update, what: string): Promise<string> {
    const reply = await this.#gateway.exchange(this.#updateCall(update));
    if (reply.status === 424) throw graphErrorToCountersign(424, reply.body, what);
    return this.#settleUpdate(update, reply, what);
  }

  /** The audit event of a batch: written, already there, or (after a 424) written now. */
  async #settleAudit(
    reply: GraphReply | undefined,
    event: AuditEvent,
    what: string,
  ): Promise<void> {
    if (reply !== undefined && isOk(reply)) return;
    this.#forgetHead(event);
    if (reply !== undefined && isDuplicateReply(reply)) {
      await this.#auditClash(event);
      return;
    }
    if (reply?.status === 424) return this.#ensureAudit(event);
    throw this.#auditFailed(reply, what);
  }

  // Policies ---------------------------------------------------------------------------------

  async listPolicies(schoolId?: string): Promise<Policy[]> {
    const rows = await this.#query(
      'policies',
      schoolId === undefined ? undefined : `fields/SchoolId eq ${odataString(schoolId)}`,
    );
    return rows
      .map((r) => this.#read(r, 'policies', policyFromFields))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async getPolicy(key: string): Promise<Tagged<Policy> | null> {
    const row = await this.#one('policies', 'PolicyKey', key);
    return row === null
      ? null
      : { value: this.#read(row, 'policies', policyFromFields), etag: tagOf(row) };
  }

  async putPolicy(policy: Policy, etag?: string): Promise<Tagged<Policy>> {
    const value = parse(policySchema, policy);
    const itemsUrl = await this.#items('policies');
    if (etag !== undefined) {
      const { itemId, etag: ifMatch } = untag(etag);
      const update: Update = {
        id: 'p',
        list: 'policies',
        itemsUrl,
        itemId,
        fields: policyFields(value),
        etag: ifMatch,
        writeId: randomUUID(),
      };
      return { value, etag: await this.#update(update, `Update policy ${value.key}`) };
    }
    const writeId = randomUUID();
    const reply = await this.#gateway.exchange(
      this.#create(itemsUrl, policyFields(value, writeId), 'p'),
    );
    if (isOk(reply)) return { value, etag: this.#createdTag(reply) };
    if (isDuplicateReply(reply)) {
      // This very call's earlier attempt (its answer lost) stored it: that is success.
      const row = await this.#one('policies', 'PolicyKey', value.key);
      if (row !== null && writeIdOf(row.fields) === writeId) return { value, etag: tagOf(row) };
    }
    throw graphErrorToCountersign(
      reply.status,
      reply.body,
      `Create policy ${value.key}`,
      reply.headers,
    );
  }

  // Versions ---------------------------------------------------------------------------------

  async listVersions(policyKey: string): Promise<Tagged<PolicyVersion>[]> {
    const rows = await this.#query('versions', `fields/PolicyKey eq ${odataString(policyKey)}`);
    // Each version's text is a file read of its own: a policy with many versions must not send
    // them all to Graph at once (throttling), so a few at a time.
    const versions = await mapLimit(rows, VERSION_READS_IN_FLIGHT, async (r) => ({
      value: await this.#readVersion(r),
      etag: tagOf(r),
    }));
    return versions.sort((a, b) => a.value.number - b.value.number);
  }

  async listVersionsOf(policyKeys: readonly string[]): Promise<Tagged<PolicyVersion>[]> {
    const keys = new Set(policyKeys);
    if (keys.size === 0) return [];
    // The whole list, paged without a filter (a filter on PolicyKey names one policy; an `or` of
    // thirty would be one condition matching them all, against the list view threshold), and
    // only the wanted rows' texts read, a few at a time as listVersions reads them.
    const rows = (await this.#query('versions')).filter(
      (r) => typeof r.fields.PolicyKey === 'string' && keys.has(r.fields.PolicyKey),
    );
    const versions = await mapLimit(rows, VERSION_READS_IN_FLIGHT, async (r) => ({
      value: await this.#readVersion(r),
      etag: tagOf(r),
    }));
    return versions.sort(
      (a, b) =>
        a.value.policyKey.localeCompare(b.value.policyKey) || a.value.number - b.value.number,
    );
  }

  async getVersion(policyKey: string, number: number): Promise<Tagged<PolicyVersion> | null> {
    const row = await this.#one('versions', 'VersionKey', versionKey(policyKey, number));
    return row === null ? null : { value: await this.#readVersion(row), etag: tagOf(row) };
  }

  /**
   * A version row with its text: from its file in the documents library (checked against the
   * hash the row names), or inline for versions stored before the library.
   */
  async #readVersion(row: Row): Promise<PolicyVersion> {
    const file = documentFileOf(row.fields);
    if (file === null) return this.#read(row, 'versions', (fields) => versionFromFields(fields));
    const what = `version ${String(row.fields.VersionKey)}`;
    let text: string;
    try {
      text = await this.#documents.read(file, what);
    } catch (error) {
      // An edited or deleted file makes the row unreadable, like an edited column would.
      if (error instanceof CountersignError && error.details.text !== undefined) {
        throw new CountersignError(
          'upstream',
          error.message,
          { ...error.details, itemId: row.itemId, list: 'versions' },
          { cause: error },
        );
      }
      throw error;
    }
    return this.#read(row, 'versions', (fields) => versionFromFields(fields, text));
  }

  /** Stores a version's text as a file; the row then names it (see versionFields). */
  #storeDocument(version: PolicyVersion) {
    return this.#documents.put(
      `${version.policyKey}-v${String(version.number)}`,
      JSON.stringify(version.document),
    );
  }

  async createVersion(version: PolicyVersion, audit: AuditEvent): Promise<Tagged<PolicyVersion>> {
    const value = parse(policyVersionSchema, version);
    const event = parse(auditEventSchema, audit);
    const key = versionKey(value.policyKey, value.number);
    const writeId = randomUUID();
    const file = await this.#storeDocument(value);
    const row = await this.#createWithAudit(
      'versions',
      versionFields(value, writeId, file),
      event,
      `Create version ${key}`,
      () => this.#one('versions', 'VersionKey', key),
      (r) => writeIdOf(r.fields) === writeId,
    );
    return { value, etag: tagOf(row) };
  }

  publishVersion(
    draft: Tagged<PolicyVersion>,
    publishedAt: string,
    retire: Tagged<PolicyVersion>[],
    audit: AuditEvent,
    signed?: SignedVersion,
  ): Promise<Tagged<PolicyVersion>> {
    return this.#withShard(audit, () =>
      this.#publishVersionNow(draft, publishedAt, retire, audit, signed),
    );
  }

  async #publishVersionNow(
    draft: Tagged<PolicyVersion>,
    publishedAt: string,
    retire: Tagged<PolicyVersion>[],
    audit: AuditEvent,
    signed?: SignedVersion,
  ): Promise<Tagged<PolicyVersion>> {
    const event = parse(auditEventSchema, audit);
    const published = parse(policyVersionSchema, {
      ...draft.value,
      status: 'published',
      publishedAt,
    });
    const [itemsUrl, auditUrl, eventFields] = await Promise.all([
      this.#items('versions'),
      this.#items('audit'),
      this.#auditFieldsOf(event),
    ]);
    const target = untag(draft.etag);
    const what = `Publish version ${versionKey(draft.value.policyKey, draft.value.number)}`;
    const publish: Update = {
      id: 'draft',
      list: 'versions',
      itemsUrl,
      itemId: target.itemId,
      fields: { Status: 'published', PublishedAt: publishedAt, ...signedFields(signed) },
      etag: target.etag,
      writeId: randomUUID(),
    };
    const retirements = retire.map((r, i): Update => {
      const t = untag(r.etag);
      return {
        id: `retire${i}`,
        list: 'versions',
        itemsUrl,
        itemId: t.itemId,
        fields: { Status: 'retired' },
        etag: t.etag,
        writeId: randomUUID(),
      };
    });
    // Retirements beyond what one batch holds go in follow-up batches (rare: 18 fit).
    const first = retirements.slice(0, MAX_BATCH - 2);
    const replies = await this.#gateway.batch([
      this.#updateCall(publish),
      this.#create(auditUrl, eventFields, 'audit', ['draft']),
      ...first.map((r) => this.#updateCall(r, ['draft'])),
    ]);
    const tag = await this.#settleUpdate(publish, replies.get('draft'), what);
    for (const r of first) {
      await this.#settleUpdate(r, replies.get(r.id), `${what}: retire an older version`);
    }
    for (let i = first.length; i < retirements.length; i += MAX_BATCH) {
      const chunk = retirements.slice(i, i + MAX_BATCH);
      const more = await this.#gateway.batch(chunk.map((r) => this.#updateCall(r)));
      for (const r of chunk) {
        await this.#settleUpdate(r, more.get(r.id), `${what}: retire an older version`);
      }
    }
    await this.#settleAudit(replies.get('audit'), event, what);
    return { value: published, etag: tag };
  }

  withdrawVersion(
    withdraw: Tagged<PolicyVersion>,
    restore: Tagged<PolicyVersion>,
    audit: AuditEvent,
  ): Promise<{ withdrawn: Tagged<PolicyVersion>; restored: Tagged<PolicyVersion> }> {
    return this.#withShard(audit, () => this.#withdrawVersionNow(withdraw, restore, audit));
  }

  async #withdrawVersionNow(
    withdraw: Tagged<PolicyVersion>,
    restore: Tagged<PolicyVersion>,
    audit: AuditEvent,
  ): Promise<{ withdrawn: Tagged<PolicyVersion>; restored: Tagged<PolicyVersion> }> {
    const event = parse(auditEventSchema, audit);
    const [itemsUrl, auditUrl, eventFields] = await Promise.all([
      this.#items('versions'),
      this.#items('audit'),
      this.#auditFieldsOf(event),
    ]);
    const what = `Withdraw version ${versionKey(withdraw.value.policyKey, withdraw.value.number)}`;
    // Only Status changes: the signed record, the text and PublishedAt stay as published.
    const update = (id: string, row: Tagged<PolicyVersion>, status: string): Update => {
      const t = untag(row.etag);
      return {
        id,
        list: 'versions',
        itemsUrl,
        itemId: t.itemId,
        fields: { Status: status },
        etag: t.etag,
        writeId: randomUUID(),
      };
    };
    const withdrawing = update('withdraw', withdraw, 'withdrawn');
    const restoring = update('restore', restore, 'published');
    // The event and the restore go only once the withdrawal itself is accepted (dependsOn).
    const replies = await this.#gateway.batch([
      this.#updateCall(withdrawing),
      this.#updateCall(restoring, ['withdraw']),
      this.#create(auditUrl, eventFields, 'audit', ['withdraw']),
    ]);
    const withdrawnTag = await this.#settleUpdate(withdrawing, replies.get('withdraw'), what);
    const restoredTag = await this.#settleUpdate(
      restoring,
      replies.get('restore'),
      `${what}: restore version ${restore.value.number}`,
    );
    await this.#settleAudit(replies.get('audit'), event, what);
    return {
      withdrawn: { value: { ...withdraw.value, status: 'withdrawn' }, etag: withdrawnTag },
      restored: { value: { ...restore.value, status: 'published' }, etag: restoredTag },
    };
  }

  async updateDraft(
    draft: Tagged<PolicyVersion>,
    next: PolicyVersion,
  ): Promise<Tagged<PolicyVersion>> {
    const value = parse(policyVersionSchema, next);
    const key = versionKey(draft.value.policyKey, draft.value.number);
    if (versionKey(value.policyKey, value.number) !== key) {
      throw new CountersignError('validation', 'A draft keeps its policy and number.', { key });
    }
    if (draft.value.status !== 'draft') {
      throw new CountersignError(
        'conflict',
        `Version ${key} is ${draft.value.status}, not a draft.`,
        {
          key,
        },
      );
    }
    const { itemId, etag } = untag(draft.etag);
    const file = await this.#storeDocument(value);
    const update: Update = {
      id: 'v',
      list: 'versions',
      itemsUrl: await this.#items('versions'),
      itemId,
      fields: versionFields(value, undefined, file),
      etag,
      writeId: randomUUID(),
    };
    return { value, etag: await this.#update(update, `Update draft ${key}`) };
  }

  // Acknowledgements -------------------------------------------------------------------------

  async recordSignature(
    ack: Acknowledgement,
    audit: AuditEvent,
    signed?: SignedAcknowledgement,
  ): Promise<SignatureResult> {
    const value = parse(acknowledgementSchema, ack);
    const event = parse(auditEventSchema, audit);
    if (signed !== undefined && signed.record.id !== value.id) {
      throw new CountersignError('validation', `The signed record is not ${value.id}'s.`);
    }
    let repeat: Acknowledgement | undefined;
    await this.#createWithAudit(
      'acknowledgements',
      acknowledgementFields(value, event.id, signed),
      event,
      `Record signature ${value.id}`,
      () => this.#one('acknowledgements', 'AckKey', value.id),
      (row) => {
        const stored = this.#read(row, 'acknowledgements', acknowledgementFromFields);
        if (stored.auditEventId === event.id) return true;
        repeat = stored.ack;
        return false;
      },
    ).catch((error: unknown) => {
      // A repeat is not a failure: the person had signed this version already.
      if (repeat !== undefined && error instanceof CountersignError && error.code === 'conflict') {
        return null;
      }
      throw error;
    });
    return repeat === undefined
      ? { acknowledgement: value, created: true }
      : { acknowledgement: repeat, created: false };
  }

  async readSignatureForRepair(ackId: string): Promise<SignatureForRepair | null> {
    const [rows, event] = await Promise.all([
      this.#query(
        'acknowledgements',
        `fields/AckKey eq ${odataString(ackId)}`,
        1,
        EVIDENCE_SELECT.acknowledgements,
      ),
      // Under whatever id: a blanked AuditEventId must not make a second event.
      this.#signatureEventFor(ackId),
    ]);
    const [row] = rows;
    if (row === undefined) return null;
    return { acknowledgement: storedAcknowledgementOf(row), signatureEvent: event !== null };
  }

  ensureAuditEvent(event: AuditEvent): Promise<boolean> {
    return this.#createAuditOnce(parse(auditEventSchema, event));
  }

  /**
   * The evidence lists, each read once, paged, with only the columns verify checks. Pages of
   * 1,000 signed rows, not SharePoint's maximum of 5,000: the gateway abandons an exchange after
   * 10 s, and a 5,000-row page of signed events (several MB) can take longer to serve. 20,000
   * acknowledgements and 100,000 events are then 20 + 100 pages, within the 200-request budget.
   */
  async readEvidence(): Promise<StoredEvidence> {
    const [acks, approvals, versions, events] = await Promise.all([
      this.#query(
        'acknowledgements',
        undefined,
        this.#evidencePage,
        EVIDENCE_SELECT.acknowledgements,
      ),
      this.#query('approvals', undefined, this.#evidencePage, EVIDENCE_SELECT.approvals),
      this.#query('versions', undefined, this.#evidencePage, EVIDENCE_SELECT.versions),
      this.#query('audit', undefined, this.#evidencePage, EVIDENCE_SELECT.audit),
    ]);
    const signatureEvents: SignatureEventRef[] = [];
    const auditEvents: EvidenceRow[] = [];
    for (const row of events) {
      const ref = signatureEventOf(row);
      if (ref !== null) signatureEvents.push(ref);
      const signed = signedRowOf(row, eventColumnsOf);
      if (signed !== null) auditEvents.push(signed);
    }
    return {
      acknowledgements: acks.map(storedAcknowledgementOf),
      approvalDecisions: approvals.flatMap((row) => signedRowOf(row, decisionColumnsOf) ?? []),
      // Only a signed (published) version's text is evidence: its file read fresh, drafts not read.
      versions: (
        await mapLimit(versions, VERSION_READS_IN_FLIGHT, async (row) => {
          const signed = signedRowOf(row, versionColumnsOf);
          return signed === null
            ? []
            : [{ ...signed, document: parseLoosely(await this.#storedText(row)) }];
        })
      ).flat(),
      auditEvents,
      signatureEvents,
    };
  }

  async readRepairRows(): Promise<RepairRows> {
    const [acks, events, approvals, policies] = await Promise.all([
      this.#query(
        'acknowledgements',
        undefined,
        this.#evidencePage,
        EVIDENCE_SELECT.acknowledgements,
      ),
      // Every event, four columns, filtered here: `EventType eq 'acknowledgement.signed'` would
      // match one event per signature, past the list view threshold at 5,000 signatures. The
      // policy.created events come from the same pages, so they cost no request of their own.
      this.#query('audit', undefined, this.#pageSize, ['EventId', 'EventType', 'Subject', 'At']),
      this.#query('approvals', undefined, this.#pageSize, ['AcknowledgementId']),
      // Unfiltered and paged like the others: valid at any size (one row per policy, so a page).
      this.#query('policies', undefined, this.#pageSize, ['Record']),
    ]);
    const approvalsFor: string[] = [];
    const unreadableApprovals: string[] = [];
    for (const row of approvals) {
      const id = row.fields.AcknowledgementId;
      if (typeof id === 'string' && id !== '') approvalsFor.push(id);
      else unreadableApprovals.push(row.itemId);
    }
    const readPolicies: Policy[] = [];
    const unreadablePolicies: string[] = [];
    for (const row of policies) {
      const policy = policyOfFields(row.fields);
      if (policy === null) unreadablePolicies.push(row.itemId);
      else readPolicies.push(policy);
    }
    const policyCreatedFor: string[] = [];
    for (const row of events) {
      const { EventType, Subject } = row.fields;
      if (EventType === 'policy.created' && typeof Subject === 'string') {
        policyCreatedFor.push(Subject);
      }
    }
    return {
      acknowledgements: acks.map(storedAcknowledgementOf),
      signatureEvents: events.flatMap((row) => signatureEventOf(row) ?? []),
      approvalsFor,
      unreadableApprovals,
      policies: readPolicies,
      unreadablePolicies,
      policyCreatedFor,
    };
  }

  /** The acknowledgement.signed event of a signature, under whatever id (Subject is indexed). */
  async #signatureEventFor(ackId: string): Promise<Row | null> {
    const rows = await this.#query(
      'audit',
      `fields/Subject eq ${odataString(ackId)} and fields/EventType eq ${odataString('acknowledgement.signed')}`,
      1,
      ['EventId'],
    );
    return rows[0] ?? null;
  }

  /** Creates the event; false when it existed already (the unique EventId answered 409). */
  #createAuditOnce(event: AuditEvent): Promise<boolean> {
    return this.#withShard(event, () => this.#appendAlone(event));
  }

  async listAcknowledgements(query: {
    policyKey?: string;
    userId?: string;
    versionNumber?: number;
  }): Promise<Acknowledgement[]> {
    // Only the columns an Acknowledgement holds, each row parsed once: the signed record and
    // its columns are verify's (scanAcknowledgements), not a listing's.
    const rows = await this.#acknowledgementRows(TAGGED, query, LISTING_SELECT);
    const acks = await mapInSlices(rows, (row) => {
      try {
        return acknowledgementFromFields(row.fields).ack;
      } catch {
        // An edited row that no longer parses: left out of listings so one broken row cannot
        // stop a school's report; `countersign verify` reports it (scanAcknowledgements).
        return null;
      }
    });
    return sortInSlices(
      acks.filter((ack): ack is Acknowledgement => ack !== null),
      bySigningOrder,
      yieldToEventLoop,
    );
  }

  async listSignatureFacts(query: { policyKey?: string }): Promise<SignatureFacts[]> {
    // The people report's read: only the columns SignatureFacts holds, through
    // `$expand=fields($select=…)`, which returns only the fields named
    // (https://learn.microsoft.com/graph/api/listitem-list, "Get list items with specific
    // fields"). Against LISTING_SELECT this leaves out the seal, consents, channel and content
    // hash: about a third of each row's bytes, and their parsing.
    // Facts are never written back, so their items are read without the eTag (`$select=id`).
    const rows = await this.#acknowledgementRows(UNTAGGED, query, SIGNATURE_FACTS_COLUMNS);
    // As listAcknowledgements: a row an edit broke (null) is left out; verify reports it.
    const facts = await mapInSlices(rows, (row) => signatureFactsFromFields(row.fields));
    return sortInSlices(
      facts.filter((fact): fact is SignatureFacts => fact !== null),
      bySigningOrder,
      yieldToEventLoop,
    );
  }

  /**
   * The rows a query selects, each read valid at any list size. A person's: `UserId eq` first
   * (one person signs a few rows a year). A policy's: by Partition, 16 per published or retired
   * version ("policy:version:bucket", list-partitions.ts), never `PolicyKey eq`, which matches
   * every signature of the policy (a 20,000-person school passes 5,000 in its first year).
   * Otherwise the whole list, paged without a filter.
   */
  async #acknowledgementRows<R extends FieldsRow>(
    read: ItemRead<R>,
    query: {
      policyKey?: string;
      userId?: string;
      versionNumber?: number;
    },
    columns: readonly string[] = fieldNames('acknowledgements'),
  ): Promise<R[]> {
    const { policyKey, userId, versionNumber } = query;
    const matches = (row: R): boolean =>
      (policyKey === undefined || row.fields.PolicyKey === policyKey) &&
      (userId === undefined || row.fields.UserId === userId) &&
      (versionNumber === undefined || row.fields.VersionNumber === versionNumber);
    if (userId !== undefined) {
      const filters = [
        `fields/UserId eq ${odataString(userId)}`,
        policyKey === undefined ? undefined : `fields/PolicyKey eq ${odataString(policyKey)}`,
        versionNumber === undefined
          ? undefined
          : `fields/VersionNumber eq ${String(versionNumber)}`,
      ].filter((f): f is string => f !== undefined);
      return this.#queryItems(
        read,
        'acknowledgements',
        filters.join(' and '),
        this.#pageSize,
        columns,
      );
    }
    if (policyKey === undefined) {
      return (
        await this.#queryItems(read, 'acknowledgements', undefined, this.#pageSize, columns)
      ).filter(matches);
    }
    const numbers =
      versionNumber !== undefined ? [versionNumber] : await this.#signableVersions(policyKey);
    // No version row: nothing in production signs one, but rows written for a version never
    // stored (fixtures, a deleted version row) are still found, by paging the whole list.
    if (numbers.length === 0) {
      return (
        await this.#queryItems(read, 'acknowledgements', undefined, this.#pageSize, columns)
      ).filter(matches);
    }
    const partitions = numbers.flatMap((number) =>
      Array.from({ length: ACK_BUCKETS }, (_, bucket) =>
        ackPartitionKey(policyKey, number, bucket),
      ),
    );
    // Two partitions to a $batch (the first page of each), two batches in flight: a 20,000-person
    // version is 8 requests, a 50,000-person one answers about 6,000 rows an exchange, near the
    // page size a single read would have. A partition with more follows its nextLink alone.
    const items = await this.#items('acknowledgements');
    const select = `fields($select=${columns.join(',')})`;
    const chunks: string[][] = [];
    for (let i = 0; i < partitions.length; i += PARTITIONS_PER_BATCH) {
      chunks.push(partitions.slice(i, i + PARTITIONS_PER_BATCH));
    }
    const rows: R[] = [];
    const readChunk = async (chunk: string[]): Promise<void> => {
      const replies = await this.#gateway.batch(
        chunk.map((partition, k) => ({
          id: String(k),
          method: 'GET',
          url: withQuery(items, {
            $select: read.select,
            $expand: select,
            $filter: `fields/Partition eq ${odataString(partition)}`,
            $top: this.#pageSize,
          }),
        })),
      );
      for (const reply of replies.values()) {
        if (!isOk(reply)) {
          throw graphErrorToCountersign(
            reply.status,
            reply.body,
            'Read acknowledgements',
            reply.headers,
          );
        }
        const body = (reply.body ?? {}) as { value?: unknown; '@odata.nextLink'?: unknown };
        rows.push(
          ...(await mapInSlices(Array.isArray(body.value) ? body.value : [], read.convert)),
        );
        const link = body['@odata.nextLink'];
        if (typeof link === 'string') {
          for await (const page of this.#gateway.pages(this.#gateway.relativeUrl(link))) {
            rows.push(...(await mapInSlices(page, read.convert)));
          }
        }
      }
    };
    for (let i = 0; i < chunks.length; i += BATCHES_AT_ONCE) {
      await Promise.all(chunks.slice(i, i + BATCHES_AT_ONCE).map(readChunk));
    }
    return rows;
  }

  /** The numbers of a policy's versions that can hold signatures (published or retired). */
  async #signableVersions(policyKey: string): Promise<number[]> {
    const rows = await this.#query(
      'versions',
      `fields/PolicyKey eq ${odataString(policyKey)}`,
      this.#pageSize,
      ['VersionNumber', 'Status'],
    );
    return rows.flatMap((row) =>
      typeof row.fields.VersionNumber === 'number' && row.fields.Status !== 'draft'
        ? [row.fields.VersionNumber]
        : [],
    );
  }

  /**
   * Every acknowledgement row, including rows an edit made unreadable (those come back with
   * `acknowledgement: null` and the problem): `listAcknowledgements` leaves them out so one
   * broken row cannot stop a school's report, and `countersign verify` reports them.
   */
  async scanAcknowledgements(query: {
    policyKey?: string;
    userId?: string;
    versionNumber?: number;
  }): Promise<AcknowledgementRow[]> {
    const rows = await this.#acknowledgementRows(TAGGED, query);
    return mapInSlices(rows, (row) => {
      const key = typeof row.fields.AckKey === 'string' ? row.fields.AckKey : `item ${row.itemId}`;
      const stored = {
        itemId: row.itemId,
        key,
        evidence: storedEvidenceOf(row.fields),
        columns: acknowledgementColumnsOf(row.fields),
      };
      try {
        return { ...stored, acknowledgement: acknowledgementFromFields(row.fields).ack };
      } catch (error) {
        const problem = error instanceof Error ? error.message.slice(0, 500) : String(error);
        return { ...stored, acknowledgement: null, problem };
      }
    });
  }

  /**
   * The signed rows of the Approvals list (decisions), the versions list (published versions),
   * the audit log (chained events) or the Checkpoints list, as stored, for `countersign verify`
   * and the checkpoint writer: rows without a signed record (pending approvals, drafts, rows from
   * before signatures) come back with `evidence: null`. `texts: false` leaves a version's stored
   * text unread (the checkpoint writer counts records only).
   */
  async scanSignedRows(
    list: 'approvals' | 'versions' | 'audit' | 'checkpoints',
    filter?: string,
    texts = true,
  ): Promise<SignedRow[]> {
    const rows = await this.#query(list, filter);
    const columnsOf =
      list === 'approvals'
        ? decisionColumnsOf
        : list === 'versions'
          ? versionColumnsOf
          : list === 'audit'
            ? eventColumnsOf
            : checkpointColumnsOf;
    // Only version rows read a file each; at most VERSION_READS_IN_FLIGHT at once.
    return mapLimit(rows, VERSION_READS_IN_FLIGHT, async (row) => {
      const evidence = storedEvidenceOf(row.fields);
      // Only a signed (published) version's text is evidence; drafts are not read.
      const withText = texts && list === 'versions' && evidence !== null;
      return {
        itemId: row.itemId,
        evidence,
        columns: columnsOf(row.fields),
        ...(withText ? { document: await this.#storedText(row) } : {}),
      };
    });
  }

  /**
   * A version's text as stored now, for verify to hash against the signed content hash: the
   * file's bytes read fresh (no cache: an edit must show), null when the file is gone.
   */
  async #storedText(row: Row): Promise<unknown> {
    const file = documentFileOf(row.fields);
    if (file === null) return row.fields.Document;
    const bytes = await this.#documents.bytes(file.itemId);
    return bytes === null ? null : bytes.toString('utf8');
  }

  // Evidence ledger (the checkpoint writer) --------------------------------------------------

  async readCountedLists(): Promise<Record<RowList, EvidenceRow[]>> {
    const [acks, approvals, versions] = await Promise.all([
      this.scanAcknowledgements({}),
      this.scanSignedRows('approvals'),
      // The texts are verify's business; a checkpoint counts the signed records only.
      this.scanSignedRows('versions', undefined, false),
    ]);
    return {
      acknowledgements: acks.map(acknowledgementEvidenceRow),
      approvalDecisions: signedEvidenceRows(approvals),
      versions: signedEvidenceRows(versions),
    };
  }

  /**
   * Each shard's events above `seq`, read by Block ("shard:thousand", at most 1,000 events each):
   * `Seq gt N` would match every shard's later events at once and, without a recent checkpoint,
   * most of the log. A block is read and the next one too while the block runs to its end.
   */
  async readEventsAfter(seq: number): Promise<EvidenceRow[]> {
    const after = Math.max(0, Math.trunc(seq));
    const perShard = await Promise.all(
      Array.from({ length: SHARD_COUNT }, async (_, shard) => {
        const rows: SignedRow[] = [];
        for (let block = Math.floor((after + 1) / AUDIT_BLOCK); ; block += 1) {
          const read = await this.scanSignedRows(
            'audit',
            `fields/Block eq ${odataString(auditBlock(shard, block * AUDIT_BLOCK))}`,
          );
          rows.push(...read.filter((row) => Number(row.columns.seq) > after));
          const last = (block + 1) * AUDIT_BLOCK - 1;
          if (!read.some((row) => Number(row.columns.seq) === last)) break;
        }
        return rows;
      }),
    );
    return signedEvidenceRows(perShard.flat());
  }

  /**
   * The checkpoints from `number` on. One is written every 5 minutes (over 100,000 a year), so
   * `Number ge N` would pass the list view threshold: the latest number is found by probing the
   * unique CheckpointKey, and the few from `number` to it are read by key; from far back (verify,
   * a writer without an archive) the whole list is paged without a filter.
   */
  async readCheckpointsFrom(number: number): Promise<EvidenceRow[]> {
    const from = Math.max(1, Math.trunc(number));
    const probe = this.#probe(
      'checkpoints',
      'CheckpointKey',
      (n) => `checkpoint:${String(n)}`,
      fieldNames('checkpoints'),
    );
    const top = from > 1 ? (await highestDenseKey(probe, { from })).n : 0;
    if (top >= from && top - from < 2 * MAX_BATCH) {
      const rows = await probe(Array.from({ length: top - from + 1 }, (_, k) => from + k));
      return signedEvidenceRows(
        [...rows.values()].map((row) => ({
          itemId: row.itemId,
          evidence: storedEvidenceOf(row.fields),
          columns: checkpointColumnsOf(row.fields),
        })),
      );
    }
    const all = await this.scanSignedRows('checkpoints');
    return signedEvidenceRows(all.filter((row) => Number(row.columns.number) >= from));
  }

  async putCheckpoint(copy: CheckpointCopy): Promise<'created' | 'exists'> {
    const reply = await this.#gateway.exchange(
      this.#create(await this.#items('checkpoints'), checkpointFields(copy), 'checkpoint'),
    );
    if (isOk(reply)) return 'created';
    // The unique CheckpointKey: that number is stored already (a retry, or another writer).
    if (isDuplicateReply(reply)) return 'exists';
    throw graphErrorToCountersign(
      reply.status,
      reply.body,
      `Store ${copy.record.id}`,
      reply.headers,
    );
  }

  async getAcknowledgement(id: string): Promise<Tagged<Acknowledgement> | null> {
    const row = await this.#one('acknowledgements', 'AckKey', id);
    return row === null
      ? null
      : {
          value: this.#read(row, 'acknowledgements', acknowledgementFromFields).ack,
          etag: tagOf(row),
        };
  }

  // Approvals --------------------------------------------------------------------------------

  async createApproval(approval: Approval): Promise<Tagged<Approval>> {
    const value = parse(approvalSchema, approval);
    const writeId = randomUUID();
    const reply = await this.#gateway.exchange(
      this.#create(await this.#items('approvals'), approvalFields(value, writeId), 'a'),
    );
    if (isOk(reply)) return { value, etag: this.#createdTag(reply) };
    if (isDuplicateReply(reply)) {
      const row = await this.#one('approvals', 'AcknowledgementId', value.acknowledgementId);
      if (row !== null && writeIdOf(row.fields) === writeId) return { value, etag: tagOf(row) };
    }
    throw graphErrorToCountersign(
      reply.status,
      reply.body,
      `Create approval for ${value.acknowledgementId}`,
    );
  }

  async listApprovals(query: {
    decision?: ApprovalDecision;
    userId?: string;
  }): Promise<Tagged<Approval>[]> {
    // A person's decisions by UserId (a few); by decision alone, the whole list paged and
    // filtered here: `Decision eq 'pending'` can match every signer of a policy needing approval.
    const rows =
      query.userId === undefined
        ? await this.#query('approvals')
        : await this.#query('approvals', `fields/UserId eq ${odataString(query.userId)}`);
    return rows
      .filter((r) => query.decision === undefined || r.fields.Decision === query.decision)
      .map((r) => ({
        value: this.#read(r, 'approvals', approvalFromFields),
        etag: tagOf(r),
      }));
  }

  decideApproval(
    current: Tagged<Approval>,
    decided: Approval,
    audit: AuditEvent,
    signed?: SignedDecision,
  ): Promise<Tagged<Approval>> {
    return this.#withShard(audit, () => this.#decideApprovalNow(current, decided, audit, signed));
  }

  async #decideApprovalNow(
    current: Tagged<Approval>,
    decided: Approval,
    audit: AuditEvent,
    signed?: SignedDecision,
  ): Promise<Tagged<Approval>> {
    const value = parse(approvalSchema, decided);
    const event = parse(auditEventSchema, audit);
    const key = current.value.acknowledgementId;
    if (value.acknowledgementId !== key) {
      throw new CountersignError('validation', 'A decision keeps its acknowledgement.', { key });
    }
    const target = untag(current.etag);
    // The acknowledgement's item id: one read (a decision is rare, a signature is not).
    const [ackRow, approvalsUrl, acksUrl, auditUrl, eventFields] = await Promise.all([
      this.#one('acknowledgements', 'AckKey', key),
      this.#items('approvals'),
      this.#items('acknowledgements'),
      this.#items('audit'),
      this.#auditFieldsOf(event),
    ]);
    const decision: Update = {
      id: 'approval',
      list: 'approvals',
      itemsUrl: approvalsUrl,
      itemId: target.itemId,
      fields: { ...approvalFields(value), ...signedFields(signed) },
      etag: target.etag,
      writeId: randomUUID(),
    };
    const state: Update | null =
      ackRow === null
        ? null
        : {
            id: 'ack',
            list: 'acknowledgements',
            itemsUrl: acksUrl,
            itemId: ackRow.itemId,
            fields: { ApprovalState: value.decision },
          };
    const replies = await this.#gateway.batch([
      this.#updateCall(decision),
      this.#create(auditUrl, eventFields, 'audit', ['approval']),
      ...(state === null ? [] : [this.#updateCall(state, ['approval'])]),
    ]);
    const what = `Decide approval for ${key}`;
    const tag = await this.#settleUpdate(decision, replies.get('approval'), what);
    if (state !== null) {
      await this.#settleUpdate(state, replies.get('ack'), `${what}: acknowledgement state`);
    }
    await this.#settleAudit(replies.get('audit'), event, what);
    return { value, etag: tag };
  }

  // Campaigns --------------------------------------------------------------------------------

  async createCampaign(campaign: Campaign, audit: AuditEvent): Promise<Tagged<Campaign>> {
    const value = parse(campaignSchema, campaign);
    const event = parse(auditEventSchema, audit);
    const writeId = randomUUID();
    const row = await this.#createWithAudit(
      'campaigns',
      campaignFields(value, writeId),
      event,
      `Create campaign ${value.id}`,
      () => this.#one('campaigns', 'CampaignId', value.id),
      (r) => writeIdOf(r.fields) === writeId,
    );
    return { value, etag: tagOf(row) };
  }

  async getCampaign(id: string): Promise<Tagged<Campaign> | null> {
    const row = await this.#one('campaigns', 'CampaignId', id);
    return row === null
      ? null
      : { value: this.#read(row, 'campaigns', campaignFromFields), etag: tagOf(row) };
  }

  async listCampaigns(query: {
    policyKey?: string;
    status?: Campaign['status'];
  }): Promise<Tagged<Campaign>[]> {
    const filters = [
      query.policyKey === undefined
        ? undefined
        : `fields/PolicyKey eq ${odataString(query.policyKey)}`,
      query.status === undefined ? undefined : `fields/Status eq ${odataString(query.status)}`,
    ].filter((f): f is string => f !== undefined);
    const rows = await this.#query(
      'campaigns',
      filters.length === 0 ? undefined : filters.join(' and '),
    );
    return rows
      .map((r) => ({ value: this.#read(r, 'campaigns', campaignFromFields), etag: tagOf(r) }))
      .sort((a, b) => a.value.createdAt.localeCompare(b.value.createdAt));
  }

  async updateCampaign(current: Tagged<Campaign>, next: Campaign): Promise<Tagged<Campaign>> {
    const value = parse(campaignSchema, next);
    if (value.id !== current.value.id) {
      throw new CountersignError('validation', 'A campaign keeps its id.', { key: value.id });
    }
    const { itemId, etag } = untag(current.etag);
    const update: Update = {
      id: 'c',
      list: 'campaigns',
      itemsUrl: await this.#items('campaigns'),
      itemId,
      fields: campaignFields(value),
      etag,
      writeId: randomUUID(),
    };
    return { value, etag: await this.#update(update, `Update campaign ${value.id}`) };
  }

  // Audit ------------------------------------------------------------------------------------

  async appendAudit(events: AuditEvent[]): Promise<void> {
    const parsed = events.map((e) => parse(auditEventSchema, e));
    if (this.#signer !== undefined) {
      // Chained: each event at its shard's next place, in order (audit-only writes are few).
      for (const event of parsed) await this.#withShard(event, () => this.#appendAlone(event));
      return;
    }
    const url = await this.#items('audit');
    for (let i = 0; i < parsed.length; i += MAX_BATCH) {
      const chunk = parsed.slice(i, i + MAX_BATCH);
      const fields: Fields[] = [];
      for (const e of chunk) fields.push(await this.#auditFieldsOf(e));
      const replies = await this.#gateway.batch(
        chunk.map((_e, j) => this.#create(url, fields[j] ?? {}, String(j))),
      );
      for (const [id, reply] of replies) {
        const event = chunk[Number(id)];
        if (event !== undefined && !isOk(reply)) this.#forgetHead(event);
        // Unique EventId: an event already there (a retried append) is success; a taken ChainKey
        // puts the event at the next place.
        if (event !== undefined && isDuplicateReply(reply)) {
          await this.#auditClash(event);
          continue;
        }
        if (!isOk(reply) && !isDuplicateReply(reply)) {
          throw graphErrorToCountersign(
            reply.status,
            reply.body,
            `Append audit event #${id}`,
            reply.headers,
          );
        }
      }
    }
  }

  async listAudit(query: { type?: AuditEventType; since?: string }): Promise<AuditEvent[]> {
    // Only a rare type is filtered on (EventType first: `At ge` over a day can match a whole
    // campaign's signatures); any other query pages the whole log and filters here.
    const filtered = query.type !== undefined && RARE_EVENT_TYPES.has(query.type);
    const rows = await this.#query(
      'audit',
      filtered ? `fields/EventType eq ${odataString(query.type ?? '')}` : undefined,
    );
    return rows
      .map((r) => this.#read(r, 'audit', auditFromFields))
      .filter(
        (e) =>
          (query.type === undefined || e.type === query.type) &&
          (query.since === undefined || e.at >= query.since),
      )
      .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  }

  async getAuditEvent(id: string): Promise<AuditEvent | null> {
    // EventId is unique and indexed: a point read, under the list view threshold at any size.
    const row = await this.#one('audit', 'EventId', id);
    return row === null ? null : this.#read(row, 'audit', auditFromFields);
  }
}

/** Acknowledgement partitions read in one `$batch`, and batches in flight (#acknowledgementRows). */
const PARTITIONS_PER_BATCH = 2;
const BATCHES_AT_ONCE = 2;

/**
 * Event types written a bounded number of times (a night's records check, an admin's action):
 * a filter on one stays under the list view threshold for decades. Signatures, decisions,
 * campaign changes and refused activities are not: they grow with the school or with an attacker.
 */
const RARE_EVENT_TYPES: ReadonlySet<AuditEventType> = new Set<AuditEventType>([
  'records.checked',
  'policy.created',
  'policy.saved',
  'version.published',
  'version.retired',
  'campaign.launched',
  'campaign.deadline-moved',
  'campaign.recovered',
  'settings.changed',
]);

/**
 * The listItem properties every read asks for: the item id and its eTag, nothing else. Without an
 * item-level `$select`, Graph returns createdDateTime, lastModifiedDateTime, webUrl, createdBy,
 * lastModifiedBy, parentReference and contentType with every item beside the expanded fields
 * (microsoftgraph/microsoft-graph-docs-contrib#215), over half the bytes of a 5,000-item page of
 * signatures; `$select` picks the properties returned
 * (https://learn.microsoft.com/graph/query-parameters, "select parameter").
 */
const ITEM_SELECT = 'id,eTag';

/** How a read asks for its items and what it makes of each. */
interface ItemRead<R extends FieldsRow> {
  select: string;
  convert: (item: unknown) => R;
}
/** Items with their eTag, for reads whose rows may be written back (If-Match). */
const TAGGED: ItemRead<Row> = { select: ITEM_SELECT, convert: toRow };
/** Items without it (`$select=id`), for reads nothing writes back: less to send and parse. */
const UNTAGGED: ItemRead<FieldsRow> = { select: 'id', convert: toFieldsRow };

/**
 * The columns a listing of acknowledgements reads (listAcknowledgements: reports, campaigns,
 * status): what an Acknowledgement holds, without the signed record (Record, Signature,
 * RecordHash: verify and the evidence pack read those through scanAcknowledgements), the
 * partition or the Title. A signed row's record is most of its bytes.
 */
const LISTING_SELECT = [
  'AckKey',
  'PolicyKey',
  'VersionNumber',
  'UserId',
  'SignedAt',
  'ContentHash',
  'Seal',
  'Upn',
  'DisplayName',
  'TypedName',
  'StatedRole',
  'Channel',
  'Consents',
  'ApprovalState',
];

/** The columns verify reads of each list: none of SharePoint's own, no Title, WriteId or ChainKey. */
const EVIDENCE_SELECT = {
  acknowledgements: columnNames('acknowledgements'),
  approvals: columnNames('approvals'),
  versions: columnNames('versions'),
  audit: columnNames('audit').filter((name) => name !== 'ChainKey'),
} as const;

function columnNames(list: ListKey): string[] {
  return fieldNames(list).filter((name) => name !== 'Title' && name !== 'WriteId');
}

/** An acknowledgement.signed event's id and subject, from whatever its row holds. */
function signatureEventOf(row: Row): SignatureEventRef | null {
  const { EventType, EventId, Subject, At } = row.fields;
  if (EventType !== 'acknowledgement.signed') return null;
  if (typeof EventId !== 'string' || typeof Subject !== 'string') return null;
  return { id: EventId, subject: Subject, at: typeof At === 'string' ? At : '' };
}

/** A row carrying a signed record, as verify reads it; null for a row without one. */
function signedRowOf(
  row: Row,
  columnsOf: (fields: Record<string, unknown>) => Record<string, unknown>,
): EvidenceRow | null {
  const evidence = storedEvidenceOf(row.fields);
  if (evidence === null) return null;
  return {
    itemId: row.itemId,
    record: evidence.record,
    ...(evidence.signature === undefined ? {} : { signature: evidence.signature }),
    columns: columnsOf(row.fields),
  };
}

/**
 * An acknowledgement row as verify reads it: its signed record, or for a row from before
 * signatures the acknowledgement its columns hold (checked against its legacy seal).
 */
function storedAcknowledgementOf(row: Row): StoredAcknowledgement {
  const key = typeof row.fields.AckKey === 'string' ? row.fields.AckKey : `item ${row.itemId}`;
  const auditEventId = row.fields.AuditEventId;
  const base = {
    itemId: row.itemId,
    key,
    columns: acknowledgementColumnsOf(row.fields),
    ...(typeof auditEventId === 'string' && auditEventId !== '' ? { auditEventId } : {}),
  };
  const evidence = storedEvidenceOf(row.fields);
  if (evidence !== null) {
    return {
      ...base,
      record: evidence.record,
      ...(evidence.signature === undefined ? {} : { signature: evidence.signature }),
    };
  }
  // A row from before signatures: its record is its columns, seal included (no column check).
  const { columns, ...legacy } = base;
  try {
    return { ...legacy, record: acknowledgementFromFields(row.fields).ack };
  } catch {
    return { ...legacy, record: columns }; // unreadable: verify names it
  }
}

/** Rows written before AuditEventId existed: their event gets a fixed id, so repair is idempotent. */

/** Input validation: a record that breaks its schema never reaches SharePoint. */
function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CountersignError('validation', 'The record does not match its schema.', {
      issues: result.error.issues,
    });
  }
  return result.data;
}
