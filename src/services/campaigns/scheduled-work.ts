import type { Acknowledgement } from '../../domain/acknowledgement.ts';
import { CountersignError } from '../../domain/errors.ts';
import { ukDateTime } from '../../domain/evidence-pack/uk-time.ts';
import type { CheckpointCopy } from '../../domain/evidence/checkpoint-copy.ts';
import type { CheckpointRecord } from '../../domain/evidence/evidence-record.ts';
import { readRows } from '../../domain/evidence/evidence-row.ts';
import { evidenceSignatureSchema } from '../../domain/evidence/evidence-signature.ts';
import { prepareKeyRing } from '../../domain/evidence/key-ring.ts';
import type { PersonStatusKind } from '../../domain/person-status.ts';
import type { Policy, PolicyVersion } from '../../domain/policy.ts';
import { renewalDue } from '../../domain/renewal.ts';
import type { School } from '../../domain/school.ts';
import { computeStatus, currentVersion } from '../../domain/status.ts';
import { wallTimeAt } from '../../domain/zoned-time.ts';
import type { Directory } from '../../ports/directory.ts';
import type { RecordStore } from '../../ports/record-store.ts';
import type { DeliveryJob, DeliveryQueue, RecipientInput } from '../../ports/delivery-queue.ts';
import type { LeaseStore } from '../../ports/lease-store.ts';
import type { MembershipSnapshots } from '../../ports/membership-snapshots.ts';
import type { OnceMarkers } from '../../ports/once-markers.ts';
import { resolveAudienceMembers, type AudienceMember } from '../audiences.ts';
import type { RecordsCheckRunner } from '../records-check.ts';
import {
  writeCheckpoint,
  type CheckpointOutcome,
  type CheckpointWriterDeps,
} from '../write-checkpoint.ts';
import { deliveryRecordsOf } from './delivery-records.ts';
import {
  promptJobDataSchema,
  variantFor,
  type DigestJobData,
  type LostCampaign,
} from './job-data.ts';
import { isWorkingTime, schoolCalendar } from '../../domain/school-calendar.ts';
import { dueReminderRound } from './reminder-schedule.ts';

export const SCHEDULER_LEASE = 'campaign-scheduler';

export interface ScheduledWorkDeps {
  records: RecordStore;
  directory: Directory;
  /** Jobs to remind and digest, and the rows of the jobs this raises. */
  queue: Pick<
    DeliveryQueue,
    | 'listJobs'
    | 'createJob'
    | 'enqueue'
    | 'listDeliveries'
    | 'countDeliveries'
    | 'countReasons'
    | 'getJob'
    | 'storeIdentity'
    | 'finishJob'
  >;
  /** The scheduler lease: one instance at a time runs this. */
  leases: LeaseStore;
  /** Digests and reminder rounds done. */
  markers: OnceMarkers;
  /** Audience members seen (new starters). */
  snapshots: MembershipSnapshots;
  school: School;
  /** This instance (the lease holder id). */
  holderId: string;
  /** How long one run may hold the scheduler lease (default 10 minutes). */
  leaseTtlMs?: number;
  /**
   * The scheduler lease's name (default SCHEDULER_LEASE). In a trust each school's scheduled work
   * holds its own, so the schools' runs on one instance never skip each other.
   */
  lease?: string;
  /**
   * Which running campaigns' jobs are this school's (default: every job). A trust's schools
   * share one work store: each school reminds and digests its own campaigns only. Asked once a
   * run with every running job, so a school decides with one read, not one a job (in a trust
   * each school's run sees every school's jobs).
   */
  ownedJobs?: (jobs: readonly DeliveryJob[]) => Promise<DeliveryJob[]>;
  /**
   * Signs a checkpoint of the evidence every run (skipped when nothing changed); absent where no
   * evidence is signed.
   */
  checkpoints?: CheckpointWriterDeps;
  /**
   * How many overdue names the digest job keeps (default all: it lives in the work store, and
   * the card shows the first few and counts the rest).
   */
  digestNames?: number;
  /** The nightly records check: run when due; its line goes into every admin digest. */
  recordsCheck?: RecordsCheckRunner;
  /**
   * How many signatures waiting for approval have a card that reached none of their approvers
   * (approval-request-status.ts): every admin digest says so when any. Absent: not said.
   */
  approvalsNotReached?: () => Promise<number>;
}

export interface ScheduledWorkReport {
  /** False when another instance holds the scheduler lease: this run did nothing. */
  ran: boolean;
  reminders: { campaignId: string; round: number; recipients: number }[];
  digests: { campaignId: string; recipients: number }[];
  /** Alerts that a campaign's delivery records were lost: one per campaign and work store. */
  lostAlerts: { campaignId: string; recipients: number }[];
  newStarters: { policyKey: string; recipients: number }[];
  renewals: { policyKey: string; jobId: string; recipients: number }[];
  /** Jobs this run finished (nothing left to send): they leave the running list. */
  finished: string[];
  /** The records check, when this run ran it. */
  recordsCheck?: { at: string; ok: boolean };
  /** What the checkpoint step did (absent when it is not configured or failed). */
  checkpoint?: CheckpointOutcome;
}

const PAGE = 1_000;
/** How many records-check failures a digest spells out (the Admin view lists more). */
const DIGEST_CHECK_DETAILS = 3;

function groupByUser(acks: readonly Acknowledgement[]): Map<string, Acknowledgement[]> {
  const byUser = new Map<string, Acknowledgement[]>();
  for (const ack of acks) {
    const list = byUser.get(ack.userId) ?? [];
    list.push(ack);
    byUser.set(ack.userId, list);
  }
  return byUser;
}

function isoDate(instant: Date, timeZone: string): string {
  const wall = wallTimeAt(instant, timeZone);
  return `${String(wall.year).padStart(4, '0')}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
}

/**
 * The periodic work nobody launches (run it every few minutes on every instance; a lease in the
 * work store lets one instance at a time do it, and every step is idempotent besides):
 * - reminders of running campaigns, per their plan, on weekdays 08:00–17:00 school time, to
 *   those prompted who have not signed since;
 * - after a campaign's deadline, ONE digest to the school's admins and approvers, and the
 *   campaign record marked completed;
 * - prompts for new starters (people who joined an audience group since the last run) and for
 *   people whose signature's renewal date has come, without a campaign;
 * - an alert digest, once per campaign and work store, when a campaign under way has lost its
 *   delivery records (the store deleted, replaced or set aside as damaged): its job and deadline
 *   digest went with the store, so without it nobody would hear;
 * - the records check (verify over every record), at night in the school's time zone and
 *   whenever none has run for 24 hours (so soon after a start);
 * - a signed checkpoint of the evidence (write-checkpoint.ts), at any hour: the interval between
 *   runs bounds the tail of the audit log a deletion could take unseen (ARCHITECTURE.md).
 */
export async function runScheduledWork(
  deps: ScheduledWorkDeps,
  now: Date,
): Promise<ScheduledWorkReport> {
  const report: ScheduledWorkReport = {
    ran: false,
    reminders: [],
    digests: [],
    lostAlerts: [],
    newStarters: [],
    renewals: [],
    finished: [],
  };
  const { queue, leases, records, school } = deps;
  const lease = await leases.acquireLease(
    deps.lease ?? SCHEDULER_LEASE,
    deps.holderId,
    deps.leaseTtlMs ?? 600_000,
    now,
  );
  if (lease === null) return report;
  report.ran = true;
  // A step that fails is left undone and runs again next time; it must not hold up the others
  // (one campaign's missing policy would otherwise stop every digest and reminder after it).
  const failures: unknown[] = [];
  const step = (run: () => Promise<void>): Promise<void> =>
    run().catch((error: unknown) => {
      failures.push(error);
    });
  try {
    const { checkpoints } = deps;
    if (checkpoints !== undefined) {
      await step(async () => {
        report.checkpoint = await writeCheckpoint(checkpoints, now);
      });
    }
    const running = await queue.listJobs({ kind: 'prompt', status: 'running' });
    for (const job of deps.ownedJobs === undefined ? running : await deps.ownedJobs(running)) {
      await step(() => campaignStep(deps, job, now, report));
    }
    await step(() => lostRecordsStep(deps, now, report));
    // New starters' and renewals' prompts only in school time: never on a holiday or in a break.
    if (isWorkingTime(now, schoolCalendar(school))) {
      for (const policy of await records.listPolicies(school.id)) {
        await step(() => policyStep(deps, policy, now, report));
      }
    }
    await step(() => finishJobsStep(deps, report));
    const { recordsCheck } = deps;
    if (recordsCheck !== undefined) {
      await step(async () => {
        const check = await recordsCheck.runIfDue(now);
        if (check !== null) report.recordsCheck = { at: check.at, ok: check.ok };
      });
    }
  } finally {
    await leases.releaseLease(lease);
  }
  const [first] = failures;
  if (failures.length === 1) throw first;
  if (failures.length > 1) {
    throw new AggregateError(failures, `${failures.length} steps of the scheduled work failed.`);
  }
  return report;
}

/**
 * Jobs stay running until finished here, or the running list every sender loop and every run
 * reads would hold every campaign, reminder round, digest, test and renewal day ever made
 * (issue 13). A campaign's prompt job finishes once its digest is out (until then it drives the
 * reminders and the digest); any other job as soon as none of its rows is queued or in flight.
 * finishJob checks that itself, and rows enqueued later revive the job.
 */
async function finishJobsStep(deps: ScheduledWorkDeps, report: ScheduledWorkReport): Promise<void> {
  const { queue, markers } = deps;
  for (const job of await queue.listJobs({ status: 'running' })) {
    if (job.kind === 'prompt' && !(await markers.isMarked(`digest:${job.campaignId ?? job.id}`))) {
      continue;
    }
    if (await queue.finishJob(job.id)) report.finished.push(job.id);
  }
}

async function campaignStep(
  deps: ScheduledWorkDeps,
  job: DeliveryJob,
  now: Date,
  report: ScheduledWorkReport,
): Promise<void> {
  const { queue, markers, records, school } = deps;
  const campaignId = job.campaignId ?? job.id;
  if (job.deadline === undefined) return;
  const data = promptJobDataSchema.parse(job.data);
  const deadline = new Date(job.deadline);

  if (now.getTime() >= deadline.getTime()) {
    // One digest per campaign, ever: the digest job's id and enqueue keep repeats to one, and
    // the marker, taken only once the digest is queued and the record completed, stops the
    // reads; a run that fails part-way (Graph down) leaves it for the next run, not lost.
    const doneKey = `digest:${campaignId}`;
    if (await markers.isMarked(doneKey)) return;
    const recipients = await digest(deps, job, data.audiences, now, report);
    const tagged = await records.getCampaign(campaignId);
    if (tagged !== null && tagged.value.status === 'running') {
      const counts = await queue.countDeliveries({ jobId: campaignId });
      await records.updateCampaign(tagged, {
        ...tagged.value,
        status: 'completed',
        counts: {
          ...tagged.value.counts,
          sent: counts.sent,
          failed: counts.failed,
          signed: recipients.signed,
        },
      });
    }
    await markers.markOnce(doneKey, now);
    return;
  }

  const round = dueReminderRound(
    data.reminderDays,
    new Date(data.launchedAt),
    deadline,
    now,
    schoolCalendar(school),
  );
  if (round === null) return;
  // Marked done only after its rows are queued (the job id and enqueue keep a retry from
  // repeating anyone): a transient error before then leaves the round for the next run.
  const roundKey = (r: number): string => `reminder:${campaignId}:${r}`;
  if (await markers.isMarked(roundKey(round))) return;

  const signed = new Set(
    (
      await records.listAcknowledgements({
        policyKey: job.policyKey,
        versionNumber: job.versionNumber,
      })
    ).map((a) => a.userId),
  );
  const reminderJob: DeliveryJob = {
    id: `${campaignId}/reminder-${round}`,
    kind: 'reminder',
    campaignId,
    policyKey: job.policyKey,
    versionNumber: job.versionNumber,
    deadline: job.deadline,
    status: 'running',
    createdAt: now.toISOString(),
    data: { round },
  };
  await queue.createJob(reminderJob);
  let recipients = 0;
  // Those the prompt reached (not the failed: a blocked app stays blocked) who have not signed.
  for (let after: string | undefined; ;) {
    const page = await queue.listDeliveries({
      jobId: campaignId,
      state: 'sent',
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    const due: RecipientInput[] = page
      .filter((d) => !signed.has(d.userId))
      .map((d) => ({
        userId: d.userId,
        ...(d.displayName === undefined ? {} : { displayName: d.displayName }),
        ...(d.variant === undefined ? {} : { variant: d.variant }),
      }));
    recipients += await queue.enqueue(reminderJob.id, due, now);
    if (page.length < PAGE) break;
    after = page.at(-1)?.userId;
  }
  // Earlier rounds missed while nothing ran are not sent late: mark them done too.
  for (let r = 1; r <= round; r += 1) await markers.markOnce(roundKey(r), now);
  report.reminders.push({ campaignId, round, recipients });
}

/** A checkpoint as the digest prints it: hex and digits only, so a card's text leaves it whole. */
function checkpointLines(copy: CheckpointCopy & { record: CheckpointRecord }, timeZone: string) {
  const { record, signature } = copy;
  return [
    `Latest checkpoint: ${record.id}, taken ${ukDateTime(record.at, timeZone)} (a signed copy kept outside the site).`,
    `Counts: ${record.counts.acknowledgements} acknowledgements, ${record.counts.approvalDecisions} approval decisions, ${record.counts.versions} versions, ${record.counts.auditEvents} audit events; rows signed by ${ukDateTime(record.cutoff, timeZone)}.`,
    `Heads (shard seq hash): ${record.heads.map((h) => `${h.shard} ${h.seq} ${h.hash}`).join(', ')}.`,
    `Record SHA-256: ${copy.hash}`,
    `Signature (${signature.alg}, key ${signature.kid}), hex: ${Buffer.from(signature.sig, 'base64url').toString('hex')}`,
  ];
}

/**
 * The latest checkpoint the work store holds whose signature holds with the published keys, as
 * a copy (record, signature, hash); null when there is none.
 */
async function latestCheckpointCopy(
  deps: CheckpointWriterDeps,
): Promise<(CheckpointCopy & { record: CheckpointRecord }) | null> {
  const [primary] = deps.archives;
  if (primary === undefined) return null;
  const rows = await primary.latestCheckpoints(1);
  for (const read of readRows('checkpoints', rows, prepareKeyRing(deps.keyRing)).rows) {
    if (read.status !== 'valid' || read.record.kind !== 'checkpoint') continue;
    const signature = evidenceSignatureSchema.safeParse(read.row.signature);
    if (signature.success) {
      return { record: read.record, signature: signature.data, hash: read.hash };
    }
  }
  return null;
}

async function digest(
  deps: ScheduledWorkDeps,
  job: DeliveryJob,
  audiences: readonly string[],
  now: Date,
  report: ScheduledWorkReport,
): Promise<{ signed: number }> {
  const { queue, records, school, directory } = deps;
  const campaignId = job.campaignId ?? job.id;
  const policy = (await records.getPolicy(job.policyKey))?.value;
  if (policy === undefined) {
    throw new CountersignError('not-found', `No policy ${job.policyKey}.`, { campaignId });
  }
  const versions = (await records.listVersions(policy.key)).map((t) => t.value);
  const members = await resolveAudienceMembers(
    directory,
    school,
    policy.audiences.filter((a) => audiences.includes(a)),
  );
  const byUser = groupByUser(await records.listAcknowledgements({ policyKey: policy.key }));
  const counts: Partial<Record<PersonStatusKind, number>> = {};
  const overdue: { displayName: string }[] = [];
  for (const { person, audiences: personAudiences } of members.values()) {
    const status = computeStatus({
      policy,
      versions,
      acknowledgements: byUser.get(person.id) ?? [],
      personAudiences,
      timeZone: school.timeZone,
      now,
      ...(job.deadline === undefined ? {} : { deadline: job.deadline }),
    });
    counts[status.kind] = (counts[status.kind] ?? 0) + 1;
    if (status.kind === 'overdue') overdue.push({ displayName: person.displayName });
  }
  overdue.sort((a, b) => a.displayName.localeCompare(b.displayName, 'en-GB'));
  const lost = await lostCampaigns(deps);
  const data: DigestJobData = {
    digest: {
      counts,
      overdue: overdue.slice(0, deps.digestNames ?? overdue.length),
      overdueTotal: overdue.length,
      delivery: await queue.countDeliveries({ jobId: campaignId }),
      reasons: await queue.countReasons({ jobId: campaignId }),
      ...(await digestFooter(deps)),
      ...(lost.length === 0 ? {} : { deliveryRecordsLost: lost }),
    },
  };
  const digestJob: DeliveryJob = {
    id: `${campaignId}/digest`,
    kind: 'digest',
    campaignId,
    policyKey: job.policyKey,
    versionNumber: job.versionNumber,
    ...(job.deadline === undefined ? {} : { deadline: job.deadline }),
    status: 'running',
    createdAt: now.toISOString(),
    data,
  };
  await queue.createJob(digestJob);
  const added = await queue.enqueue(digestJob.id, await digestRecipients(deps), now);
  report.digests.push({ campaignId, recipients: added });
  return { signed: (counts.signed ?? 0) + (counts['awaiting-approval'] ?? 0) };
}

/** Who gets the admin digest: the school's admins and approvers, each once. */
async function digestRecipients(
  deps: Pick<ScheduledWorkDeps, 'school' | 'directory'>,
): Promise<RecipientInput[]> {
  const ids = [...new Set([...deps.school.adminIds, ...deps.school.approverIds])];
  const recipients: RecipientInput[] = [];
  for (const id of ids) {
    const person = await deps.directory.getPerson(id);
    recipients.push({
      userId: id,
      ...(person === null ? {} : { displayName: person.displayName }),
    });
  }
  return recipients;
}

/**
 * What every admin digest ends with: approval requests that reached no approver, the records
 * check and the latest checkpoint.
 */
async function digestFooter(
  deps: ScheduledWorkDeps,
): Promise<Pick<DigestJobData['digest'], 'recordsCheck' | 'checkpoint' | 'approvalsNotReached'>> {
  const check = deps.recordsCheck === undefined ? undefined : await deps.recordsCheck.latest();
  const checkpoint =
    deps.checkpoints === undefined ? null : await latestCheckpointCopy(deps.checkpoints);
  const notReached = deps.approvalsNotReached === undefined ? 0 : await deps.approvalsNotReached();
  return {
    ...(notReached > 0 ? { approvalsNotReached: notReached } : {}),
    // The same line as the Admin view, and the first failures in plain words.
    ...(check === undefined
      ? {}
      : { recordsCheck: [check.line, ...check.details.slice(0, DIGEST_CHECK_DETAILS)] }),
    ...(checkpoint === null
      ? {}
      : { checkpoint: checkpointLines(checkpoint, deps.school.timeZone) }),
  };
}

/**
 * The campaigns under way by SharePoint's records (running or paused) whose delivery records
 * this work store does not hold (delivery-records.ts), with SharePoint's totals.
 */
async function lostCampaigns(deps: ScheduledWorkDeps): Promise<LostCampaign[]> {
  const lost: LostCampaign[] = [];
  for (const status of ['running', 'paused'] as const) {
    for (const { value: campaign } of await deps.records.listCampaigns({ status })) {
      const kept = await deliveryRecordsOf(deps.queue, campaign);
      if (kept.kind !== 'lost') continue;
      const policy = await deps.records.getPolicy(campaign.policyKey);
      lost.push({
        campaignId: campaign.id,
        title: policy?.value.title ?? campaign.policyKey,
        versionNumber: campaign.versionNumber,
        reason: kept.reason,
        sentBeforeLoss: kept.sentBeforeLoss,
        failedBeforeLoss: kept.failedBeforeLoss,
      });
    }
  }
  return lost;
}

/**
 * The alert digest for campaigns whose delivery records were lost: once per campaign and work
 * store (a marker in the store that lost nothing yet), naming every lost campaign with
 * SharePoint's totals and the admin's choice. A store lost again alerts again.
 */
async function lostRecordsStep(
  deps: ScheduledWorkDeps,
  now: Date,
  report: ScheduledWorkReport,
): Promise<void> {
  const lost = await lostCampaigns(deps);
  if (lost.length === 0) return;
  const store = (await deps.queue.storeIdentity()).id;
  for (const entry of lost) {
    const doneKey = `lost-alert:${entry.campaignId}:${store}`;
    if (await deps.markers.isMarked(doneKey)) continue;
    const campaign = (await deps.records.getCampaign(entry.campaignId))?.value;
    if (campaign === undefined) continue;
    const alert: DeliveryJob = {
      id: `${entry.campaignId}/lost-${store}`,
      kind: 'digest',
      campaignId: entry.campaignId,
      policyKey: campaign.policyKey,
      versionNumber: campaign.versionNumber,
      deadline: campaign.deadline,
      status: 'running',
      createdAt: now.toISOString(),
      data: {
        digest: {
          counts: {},
          overdue: [],
          overdueTotal: 0,
          // SharePoint's totals: the store that counted the deliveries is gone.
          delivery: {
            queued: 0,
            inFlight: 0,
            sent: entry.sentBeforeLoss,
            failed: entry.failedBeforeLoss,
            skipped: 0,
            total: entry.sentBeforeLoss + entry.failedBeforeLoss,
          },
          reasons: {},
          alert: 'delivery-records-lost',
          // This campaign first, then any other lost one.
          deliveryRecordsLost: [entry, ...lost.filter((l) => l !== entry)],
          ...(await digestFooter(deps)),
        },
      } satisfies DigestJobData,
    };
    await deps.queue.createJob(alert);
    const recipients = await deps.queue.enqueue(alert.id, await digestRecipients(deps), now);
    await deps.markers.markOnce(doneKey, now);
    report.lostAlerts.push({ campaignId: entry.campaignId, recipients });
  }
}

async function policyStep(
  deps: ScheduledWorkDeps,
  policy: Policy,
  now: Date,
  report: ScheduledWorkReport,
): Promise<void> {
  const { queue, snapshots, records, school, directory } = deps;
  const versions: PolicyVersion[] = (await records.listVersions(policy.key)).map((t) => t.value);
  const current = currentVersion(versions);
  if (current === undefined) return;
  const members = await resolveAudienceMembers(directory, school, policy.audiences);
  const { baseline, added } = await snapshots.recordMembers(
    `members/${policy.key}`,
    [...members.keys()],
    now,
  );
  const byUser = groupByUser(await records.listAcknowledgements({ policyKey: policy.key }));
  const statusOf = (member: AudienceMember) =>
    computeStatus({
      policy,
      versions,
      acknowledgements: byUser.get(member.person.id) ?? [],
      personAudiences: member.audiences,
      timeZone: school.timeZone,
      now,
    });

  // New starters: people who joined an audience since the last run (the first run only notes
  // who is there: existing staff are a campaign's business, not a flood from the scheduler).
  if (!baseline && added.length > 0) {
    const starters: RecipientInput[] = [];
    for (const userId of added) {
      const member = members.get(userId);
      if (member === undefined) continue;
      const status = statusOf(member);
      if (status.kind !== 'due' && status.kind !== 'overdue') continue;
      const variant = variantFor(status.lastSignedVersion);
      starters.push({
        userId,
        displayName: member.person.displayName,
        ...(variant === undefined ? {} : { variant }),
      });
    }
    if (starters.length > 0) {
      const job: DeliveryJob = {
        id: `auto/${policy.key}/v${current.number}/new-starters`,
        kind: 'new-starter',
        policyKey: policy.key,
        versionNumber: current.number,
        status: 'running',
        createdAt: now.toISOString(),
        data: {},
      };
      await queue.createJob(job);
      const enqueued = await queue.enqueue(job.id, starters, now, {
        unlessInVersion: { policyKey: policy.key, versionNumber: current.number },
      });
      if (enqueued > 0) report.newStarters.push({ policyKey: policy.key, recipients: enqueued });
    }
  }

  // Renewals: signatures whose renewal date has come; one job per renewal date, so each cycle
  // prompts once however often this runs.
  const byDate = new Map<string, RecipientInput[]>();
  for (const member of members.values()) {
    const status = statusOf(member);
    if (status.kind !== 'due' || status.reason !== 'renewal') continue;
    const latest = (byUser.get(member.person.id) ?? []).reduce<Acknowledgement | undefined>(
      (last, ack) => (last === undefined || ack.signedAt > last.signedAt ? ack : last),
      undefined,
    );
    if (latest === undefined) continue;
    const dueDate = isoDate(
      renewalDue(policy.renewal, new Date(latest.signedAt), school.timeZone),
      school.timeZone,
    );
    const list = byDate.get(dueDate) ?? [];
    const variant = variantFor(status.lastSignedVersion);
    list.push({
      userId: member.person.id,
      displayName: member.person.displayName,
      ...(variant === undefined ? {} : { variant }),
    });
    byDate.set(dueDate, list);
  }
  for (const [dueDate, recipients] of byDate) {
    const job: DeliveryJob = {
      id: `renewal/${policy.key}/v${current.number}/${dueDate}`,
      kind: 'renewal',
      policyKey: policy.key,
      versionNumber: current.number,
      status: 'running',
      createdAt: now.toISOString(),
      data: { dueDate },
    };
    await queue.createJob(job);
    const enqueued = await queue.enqueue(job.id, recipients, now);
    if (enqueued > 0) {
      report.renewals.push({ policyKey: policy.key, jobId: job.id, recipients: enqueued });
    }
  }
}
