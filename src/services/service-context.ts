import type { AudienceViewHash } from '../domain/audience-hashes.ts';
import type { School } from '../domain/school.ts';
import type { Clock } from '../ports/clock.ts';
import type { Directory } from '../ports/directory.ts';
import type { EvidenceKeys } from '../ports/evidence-keys.ts';
import type { RecordStore } from '../ports/record-store.ts';
import type { Telemetry } from '../ports/telemetry.ts';
import type { ApprovalRequests } from './approval-requests.ts';
import type { EvidencePackPorts } from './evidence-pdf.ts';
import type { CheckpointSources } from './read-checkpoints.ts';
import type { ReportSnapshots } from './report-snapshot.ts';

/**
 * The trust the school belongs to (issue 14): the settings list's rows (src/domain/trust.ts: the
 * reserved '@trust' row names the leads, every other row is a school), read at each use.
 */
export interface TrustContext {
  /** The SchoolId its trust-wide policies carry (TRUST_SETTINGS_ID): no school's view sees them. */
  id: string;
  read(): Promise<{ name: string; leadIds: readonly string[]; schools: School[] }>;
  /**
   * The site's records, whole: a school's service sees its own school only, the trust's calls
   * (the master, every school's copy) span them. Default: the context's records.
   */
  records?: RecordStore;
}

/** What every use case gets: ports and settings, passed in once by the composition root. */
export interface ServiceContext {
  records: RecordStore;
  directory: Directory;
  clock: Clock;
  /** HMAC key for acknowledgement seals: a legacy field, kept until every reader verifies signatures. */
  sealKey: string | Uint8Array;
  /** Signs every evidence record; its ring is what the service publishes. */
  evidence: EvidenceKeys;
  school: School;
  newId: () => string;
  /** How a version reads to an audience set, remembered for the instance's life (AudienceHashes). */
  viewHash: AudienceViewHash;
  /**
   * Told of a best-effort repair that failed where the request itself succeeded (a stored
   * signature's missing audit event): the sweeper retries it, and an operator should know.
   */
  onRepairError?: (error: unknown, what: string) => void;
  /**
   * Where a new signature that waits for a decision asks its approvers, whichever channel it was
   * signed in (tab or card): the work store's delivery queue (approval-requests.ts), sent by the
   * campaign sender. Enqueueing is best effort after the signature is stored: a failure is
   * reported through onRepairError, never undoes the signature, and the repair sweep queues
   * what is missing. None: nobody is asked (tests of other things).
   */
  approvalRequests?: ApprovalRequests;
  /** Counts each signature's outcome (countersign.sign.outcomes). */
  telemetry?: Telemetry;
  /**
   * Where the signed checkpoints are (the site's list, the work store, the WORM container): the
   * records check holds the audit chains to the latest of them. None: the check has no checkpoint.
   */
  checkpoints?: CheckpointSources;
  /**
   * The site's signed rows as stored and the PDF renderer, for the Admin view's evidence pack
   * download. None: the download answers 'unavailable' (the CLI makes packs on its own).
   */
  evidencePack?: EvidencePackPorts;
  /**
   * The people report's snapshots (report-snapshot.ts), kept current by this service's writes;
   * none: every report reads everything from Graph.
   */
  reportSnapshots?: ReportSnapshots;
  /** The trust, when the school is one of a trust's (trust-policies.ts); none: a lone school. */
  trust?: TrustContext;
}
