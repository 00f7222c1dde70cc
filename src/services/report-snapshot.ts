import type { Acknowledgement, SignatureFacts } from '../domain/acknowledgement.ts';
import type { Approval } from '../domain/approval.ts';
import type { PersonStatus } from '../domain/person-status.ts';
import type { AudienceKey } from '../domain/policy-document.ts';
import type { Clock } from '../ports/clock.ts';
import type { RecordStore } from '../ports/record-store.ts';
import type { AudienceMember } from './audiences.ts';

/**
 * How long a report snapshot is used before the next report reads everything again. Writes made
 * through this instance keep it current; what it cannot see is bounded by this age: another
 * instance's signatures (scaled out), people added to or removed from an audience group in Entra,
 * and a row edited on the site.
 */
export const REPORT_SNAPSHOT_MAX_AGE_MS = 5 * 60_000;

/** Writes remembered for reports being read while they happen (see ReportSnapshots.keep). */
const JOURNAL_SIZE = 1_000;

/** The statuses computed from a snapshot, and until when they hold as they are. */
export interface SnapshotStatuses {
  /** The policy, its versions and the running deadline they were computed with. */
  basis: string;
  /** Epoch ms: the first instant a status could change by time alone (a renewal, a deadline). */
  holdsUntil: number;
  byUser: Map<string, PersonStatus>;
  /** False while being computed: a report running at the same time computes its own. */
  complete: boolean;
}

/**
 * What a policy's people report is computed from: everyone in its audiences and their signatures
 * and decisions, as read from SharePoint, then kept current by this instance's own writes. A cache,
 * never evidence: statuses are always computed from these signed records (domain/status.ts), and
 * the records themselves stay in SharePoint.
 */
export interface ReportInputs {
  readAt: number;
  /** The policy's audiences when read (the members of these). */
  audienceKeys: readonly AudienceKey[];
  members: Map<string, AudienceMember>;
  acksByUser: Map<string, SignatureFacts[]>;
  /** Read only when the policy needs approval; null when not read. */
  approvalsByUser: Map<string, Approval[]> | null;
  statuses?: SnapshotStatuses;
  /**
   * People whose records changed since their status was computed: computed again at the next
   * report (kept here, not with the statuses, so a write made while they are computed is not lost).
   */
  changed: Set<string>;
}

type Write = (inputs: ReportInputs, policyKey: string) => void;

/**
 * The people report's snapshots, one per policy, for this instance's life: a warm report reads
 * no signatures and no group members from Graph and recomputes only the statuses that changed.
 * Every signature, decision, publish and withdrawal made through the service updates them
 * (`withReportSnapshots`); a snapshot older than `maxAgeMs` is read again in full.
 */
export class ReportSnapshots {
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #byPolicy = new Map<string, ReportInputs>();
  /** The latest writes, numbered, so a report read while they happened can apply them. */
  readonly #journal: { n: number; write: Write }[] = [];
  #writes = 0;

  constructor(clock: Clock, maxAgeMs: number = REPORT_SNAPSHOT_MAX_AGE_MS) {
    this.#clock = clock;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The snapshot of a policy, when there is one young enough. */
  current(policyKey: string): ReportInputs | undefined {
    const kept = this.#byPolicy.get(policyKey);
    if (kept === undefined) return undefined;
    if (this.#clock.now().getTime() - kept.readAt >= this.#maxAgeMs) {
      this.#byPolicy.delete(policyKey);
      return undefined;
    }
    return kept;
  }

  /** Where the writes stand: a report notes it before reading, and gives it to `keep`. */
  mark(): number {
    return this.#writes;
  }

  /**
   * Keeps what a report read, after applying the writes made since `mark` (the read may or may
   * not have seen them; each write is applied by id, so twice is the same as once). When those
   * writes are no longer all remembered, the read is not kept.
   */
  keep(policyKey: string, inputs: ReportInputs, mark: number): void {
    const oldest = this.#journal[0]?.n ?? this.#writes + 1;
    if (mark < this.#writes && oldest > mark + 1) return;
    for (const entry of this.#journal) if (entry.n > mark) entry.write(inputs, policyKey);
    this.#byPolicy.set(policyKey, inputs);
  }

  /** Forgets a policy's snapshot (or all): the next report reads everything again. */
  forget(policyKey?: string): void {
    if (policyKey === undefined) this.#byPolicy.clear();
    else this.#byPolicy.delete(policyKey);
  }

  /** A signature stored through this instance. */
  signed(ack: Acknowledgement): void {
    this.#record((inputs, policyKey) => {
      if (policyKey !== ack.policyKey) return;
      const list = inputs.acksByUser.get(ack.userId);
      if (list === undefined) inputs.acksByUser.set(ack.userId, [ack]);
      else {
        const at = list.findIndex((a) => a.id === ack.id);
        if (at >= 0) list[at] = ack;
        else list.push(ack);
      }
      inputs.changed.add(ack.userId);
    });
  }

  /** An approval row created or decided through this instance (a decision also sets the signature's state). */
  approval(approval: Approval): void {
    this.#record((inputs) => {
      const acks = inputs.acksByUser.get(approval.userId);
      const index = acks?.findIndex((a) => a.id === approval.acknowledgementId) ?? -1;
      if (acks === undefined || index < 0) return;
      const ack = acks[index];
      if (ack !== undefined && approval.decision !== 'pending') {
        acks[index] = { ...ack, approvalState: approval.decision };
      }
      if (inputs.approvalsByUser !== null) {
        const list = inputs.approvalsByUser.get(approval.userId);
        if (list === undefined) inputs.approvalsByUser.set(approval.userId, [approval]);
        else {
          const at = list.findIndex((a) => a.acknowledgementId === approval.acknowledgementId);
          if (at >= 0) list[at] = approval;
          else list.push(approval);
        }
      }
      inputs.changed.add(approval.userId);
    });
  }

  /** A policy or its versions changed (published, withdrawn, saved): every status is computed again. */
  policyChanged(policyKey: string): void {
    this.#record((inputs, key) => {
      if (key === policyKey) delete inputs.statuses;
    });
  }

  #record(write: Write): void {
    this.#writes += 1;
    this.#journal.push({ n: this.#writes, write });
    if (this.#journal.length > JOURNAL_SIZE) this.#journal.shift();
    for (const [policyKey, inputs] of this.#byPolicy) write(inputs, policyKey);
  }
}

/** The policy an acknowledgement id names ("policy:vN:user", acknowledgementId). */
function policyOfAcknowledgement(id: string): string | undefined {
  const cut = id.indexOf(':');
  return cut > 0 ? id.slice(0, cut) : undefined;
}

/**
 * The record store with every write that changes a report told to the snapshots: signatures,
 * approvals and decisions, publishing, withdrawing and policy changes. A write that fails may
 * still have landed (a lost answer), so the snapshots it concerns are forgotten instead.
 */
export function withReportSnapshots(records: RecordStore, snapshots: ReportSnapshots): RecordStore {
  const after =
    <A extends unknown[], R>(
      write: (...args: A) => Promise<R>,
      done: (result: R, ...args: A) => void,
      policyOf: (...args: A) => string | undefined,
    ) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await write(...args);
        done(result, ...args);
        return result;
      } catch (error) {
        snapshots.forget(policyOf(...args));
        throw error;
      }
    };
  const overrides: Partial<RecordStore> = {
    recordSignature: after(
      (...args: Parameters<RecordStore['recordSignature']>) => records.recordSignature(...args),
      (result) => {
        snapshots.signed(result.acknowledgement);
      },
      (ack) => ack.policyKey,
    ),
    createApproval: after(
      (...args: Parameters<RecordStore['createApproval']>) => records.createApproval(...args),
      (stored) => {
        snapshots.approval(stored.value);
      },
      (approval) => policyOfAcknowledgement(approval.acknowledgementId),
    ),
    decideApproval: after(
      (...args: Parameters<RecordStore['decideApproval']>) => records.decideApproval(...args),
      (stored) => {
        snapshots.approval(stored.value);
      },
      (current) => policyOfAcknowledgement(current.value.acknowledgementId),
    ),
    publishVersion: after(
      (...args: Parameters<RecordStore['publishVersion']>) => records.publishVersion(...args),
      (published) => {
        snapshots.policyChanged(published.value.policyKey);
      },
      (draft) => draft.value.policyKey,
    ),
    withdrawVersion: after(
      (...args: Parameters<RecordStore['withdrawVersion']>) => records.withdrawVersion(...args),
      (result) => {
        snapshots.policyChanged(result.withdrawn.value.policyKey);
      },
      (withdraw) => withdraw.value.policyKey,
    ),
    putPolicy: after(
      (...args: Parameters<RecordStore['putPolicy']>) => records.putPolicy(...args),
      (_stored, policy) => {
        snapshots.policyChanged(policy.key);
      },
      (policy) => policy.key,
    ),
  };
  // Each write looks the store's method up when called (a test may replace one), and everything
  // else goes straight to the store (bound, so adapters' private fields still work).
  return new Proxy(records, {
    get(target, property, receiver) {
      const own = overrides[property as keyof RecordStore];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
