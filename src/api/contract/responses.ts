import { z } from 'zod';
import { acknowledgementSchema, approvalStateSchema } from '../../domain/acknowledgement.ts';
import { approvalSchema } from '../../domain/approval.ts';
import { campaignSchema } from '../../domain/campaign.ts';
import {
  approvalBlockSchema,
  audienceKeySchema,
  consentSchema,
  policyDocumentSchema,
} from '../../domain/policy-document.ts';
import { keyRingSchema } from '../../domain/evidence/key-ring.ts';
import { recordsCheckSchema } from '../../domain/evidence/records-check.ts';
import { policySchema, policyVersionSchema } from '../../domain/policy.ts';
import { schoolVariantSchema } from '../../domain/policy-variant.ts';
import { schoolSchema } from '../../domain/school.ts';
import type { RouteId } from '../routes.ts';

/**
 * Response bodies, one schema per route (RESPONSE_BODIES below). The handlers type what they
 * answer with these (http/reply.ts `body`), the tab's client takes its types from them, and with
 * `checkResponses` the handler parses every 2xx JSON body against them (the tests turn it on).
 * Objects are not strict: a field added here before a client knows it does no harm.
 */
const count = z.number().int().min(0);
const versionNumber = z.number().int().min(1);
const isoTime = z.string().min(1);

export const meSchema = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  upn: z.string(),
  roles: z.array(z.string()),
  /** In a trust: the school serving the person's requests (name another with `?school=`). */
  school: z.string().optional(),
  /** In a trust: every school the person belongs to, with their roles in each. */
  schools: z
    .array(z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()) }))
    .optional(),
});

// Where one person stands with one policy (src/domain/person-status.ts).
export const personStatusKindSchema = z.enum([
  'not-required',
  'due',
  'overdue',
  'signed',
  'awaiting-approval',
  'rejected',
]);
const dueReason = z.enum(['never-signed', 'material-change', 'renewal']);
export const personStatusSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('not-required') }),
  z.object({
    kind: z.literal('due'),
    reason: dueReason,
    versionNumber,
    lastSignedVersion: versionNumber.optional(),
    deadline: isoTime.optional(),
  }),
  z.object({
    kind: z.literal('overdue'),
    reason: dueReason,
    versionNumber,
    lastSignedVersion: versionNumber.optional(),
    deadline: isoTime,
  }),
  z.object({
    kind: z.literal('signed'),
    versionNumber,
    signedAt: isoTime,
    validUntil: isoTime,
    /** The signature is of a withdrawn version and stands for this one (person-status.ts). */
    standsFor: versionNumber.optional(),
    additionalPermissions: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('awaiting-approval'), versionNumber, signedAt: isoTime }),
  z.object({
    kind: z.literal('rejected'),
    versionNumber,
    signedAt: isoTime,
    comment: z.string().optional(),
  }),
]);

// What changed between two versions (src/domain/policy-diff.ts).
export const diffClauseSchema = z.object({
  sectionHeading: z.string(),
  number: z.string().optional(),
  text: z.string(),
  items: z.array(z.string()),
  audience: z.array(audienceKeySchema).optional(),
});
const textChange = z.object({ before: z.string(), after: z.string() });
export const policyDiffSchema = z.object({
  added: z.array(diffClauseSchema),
  removed: z.array(diffClauseSchema),
  reworded: z.array(
    z.object({ before: diffClauseSchema, after: diffClauseSchema, similarity: z.number() }),
  ),
  unchanged: count,
  renumbered: count,
  audienceChanged: z.array(z.object({ before: diffClauseSchema, after: diffClauseSchema })),
  headings: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }),
  title: textChange.nullable(),
  declaration: textChange.nullable(),
  consents: z.object({
    added: z.array(consentSchema),
    removed: z.array(consentSchema),
    reworded: z.array(z.object({ key: z.string(), before: z.string(), after: z.string() })),
  }),
  approval: z
    .object({ before: approvalBlockSchema.nullable(), after: approvalBlockSchema.nullable() })
    .nullable(),
  changed: z.boolean(),
});

/**
 * The policy as staff see it: without who created it and when (an admin's Entra object id is
 * no business of staff's; the admin views keep them). Strict, so a checked response that still
 * carries them is refused.
 */
const staffPolicySchema = policySchema.omit({ createdAt: true, createdBy: true }).strict();

export const myPolicyViewSchema = z.object({
  policy: staffPolicySchema,
  /** The current published version, as this person's audiences see it. */
  version: policyVersionSchema,
  status: personStatusSchema,
  /** One line ("2 new clauses, 3 reworded"), when the person signed an older version. */
  changesSummary: z.string().optional(),
  /** Who decides this person's signature, when the policy needs approval (the receipt says). */
  approver: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.enum(['named', 'approvers']), name: z.string() }),
      z.object({ kind: z.literal('nobody') }),
    ])
    .optional(),
});

/** What changed for me since the version I last signed. */
export const changesSchema = z.object({
  fromVersion: versionNumber.optional(),
  toVersion: versionNumber,
  summary: z.string(),
  diff: policyDiffSchema,
});

/** What publishing a draft would change, against the current version. */
export const publishPreviewSchema = changesSchema.omit({ toVersion: true });

/** Per audience: how many people it has, and what a publish or a withdrawal does to them. */
export const audienceImpactSchema = z.object({
  audience: z.string().min(1),
  label: z.string().min(1),
  people: count,
  mustSignAgain: count,
  stillToSign: count,
  signedAgain: count,
});

/** What the admin confirms before publishing: what changed and who will have to sign again. */
export const publishConfirmationSchema = changesSchema.omit({ toVersion: true }).extend({
  versionNumber,
  label: z.string().min(1),
  changeKind: z.enum(['material', 'minor']),
  audiences: z.array(audienceImpactSchema),
});

export const withdrawalSchema = z.object({
  withdrawn: policyVersionSchema,
  restored: policyVersionSchema,
  audiences: z.array(audienceImpactSchema),
});

export const signResultSchema = z.object({ acknowledgement: acknowledgementSchema });

// The importer's report (src/importer/import-report.ts; tests check the two agree).
export const importReportSchema = z.object({
  source: z.enum(['text', 'docx']),
  removed: z.array(
    z.object({
      kind: z.enum([
        'bookmark',
        'running-header',
        'page-number',
        'signature-line',
        'form-field',
        'ocr-noise',
        'markup',
        'invisible-character',
        'audience-note',
        'block-label',
      ]),
      line: z.number().int().min(1),
      text: z.string(),
      repeats: z.array(z.number().int().min(1)).optional(),
    }),
  ),
  repairs: z.array(z.object({ line: z.number().int().min(1), from: z.string(), to: z.string() })),
  warnings: z.array(z.object({ line: z.number().int().min(1).optional(), message: z.string() })),
  /** Where each clause began: the editor leads from a finding's line to its clause. */
  places: z
    .array(
      z.object({
        section: z.number().int().min(0),
        clause: z.number().int().min(0),
        line: z.number().int().min(1),
      }),
    )
    .optional(),
});

export const importResultSchema = z.object({
  document: policyDocumentSchema,
  report: importReportSchema,
});

export const adminPolicySchema = z.object({
  policy: policySchema,
  versions: z.array(policyVersionSchema),
});

export const signatureSummarySchema = z.object({
  acknowledgementId: z.string().min(1),
  typedName: z.string(),
  statedRole: z.string(),
  /** The Entra display name and UPN on the acknowledgement (from the token), never typed. */
  displayName: z.string(),
  upn: z.string(),
  typedNameDiffers: z.boolean(),
});

export const personRowSchema = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  upn: z.string(),
  audiences: z.array(z.string()),
  /** Per policy key. */
  statuses: z.record(z.string(), personStatusSchema),
  signature: signatureSummarySchema.optional(),
});

/** How many people have each status: every kind, zeros included, so the counts add up. */
export const statusCountsSchema = z.record(personStatusKindSchema, count);

export const peoplePageSchema = z.object({
  rows: z.array(personRowSchema),
  /** Rows matching every filter. */
  total: count,
  /**
   * Counts by audience, then by status, of everyone matching the audience and search filters
   * (not just this page, whatever the status filter): each audience's sum is its size.
   */
  totals: z.record(z.string(), statusCountsSchema),
  /** The same people by status, each once: sums to `people`. */
  overall: statusCountsSchema,
  people: count,
  nextCursor: z.string().optional(),
});

/** A signature in my history, named by its own version's label and title. */
export const historyEntrySchema = acknowledgementSchema.extend({
  versionLabel: z.string(),
  versionTitle: z.string(),
});

/** The exact text a signature was made on. */
export const signedTextSchema = z.object({
  acknowledgement: acknowledgementSchema,
  policyTitle: z.string(),
  version: policyVersionSchema,
  signedAtLocal: z.string(),
  /** The stored version's hash is the one signed. */
  textMatchesSignature: z.boolean(),
});

export const personSignatureSchema = z.object({
  acknowledgement: acknowledgementSchema,
  versionLabel: z.string(),
  versionTitle: z.string(),
  signedAtLocal: z.string(),
  /** 'superseded': closed by a signed approval.superseded event, never decided. */
  approvalState: z.union([approvalStateSchema, z.literal('superseded')]),
  approvalWords: z.string(),
  supersededBy: z.string().min(1).optional(),
  decisions: z.array(
    z.object({
      decision: z.enum(['approved', 'rejected']),
      approverName: z.string(),
      decidedAt: isoTime.optional(),
      decidedAtLocal: z.string().optional(),
      additionalPermissions: z.array(z.string()),
      comment: z.string().optional(),
    }),
  ),
  consents: z.array(z.object({ key: z.string(), text: z.string(), answer: z.string() })),
  document: policyDocumentSchema.optional(),
  textMatchesSignature: z.boolean().optional(),
});

/** An admin's page for one person and one policy. */
export const personRecordSchema = z.object({
  person: z.object({
    id: z.string().min(1),
    displayName: z.string(),
    upn: z.string(),
    audiences: z.array(z.string()),
  }),
  policy: z.object({ key: z.string(), title: z.string() }),
  status: personStatusSchema,
  statusWords: z.string(),
  signatures: z.array(personSignatureSchema),
});

/** A campaign with live delivery counts (the work store's, fresher than the record's). */
/** A trust-wide launch: each school's own campaign, or why it was not launched there. */
const trustCampaignLaunchSchema = z.object({
  policyKey: z.string(),
  schools: z.array(
    z.discriminatedUnion('kind', [
      z.object({
        schoolId: z.string(),
        schoolName: z.string(),
        kind: z.literal('launched'),
        campaign: campaignSchema,
      }),
      z.object({
        schoolId: z.string(),
        schoolName: z.string(),
        kind: z.literal('not-launched'),
        code: z.string(),
        reason: z.string(),
      }),
    ]),
  ),
});

export const campaignSummarySchema = campaignSchema.extend({
  delivery: z.object({
    queued: count,
    inFlight: count,
    sent: count,
    failed: count,
    skipped: count,
    total: count,
  }),
  reasons: z.record(z.string(), count),
  /** Lost: the work store no longer knows who was sent the card; SharePoint's totals stand. */
  deliveryRecords: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('kept') }),
    z.object({
      kind: z.literal('lost'),
      reason: z.enum(['job-missing', 'store-replaced']),
      sentBeforeLoss: count,
      failedBeforeLoss: count,
    }),
  ]),
  /**
   * After a relaunch moved the deadline, the latest move's card updates ("Cards updated 40 of
   * 42 · …" in `words`); skipped updates of people who signed since are not failures.
   */
  cardUpdates: z
    .object({
      from: isoTime,
      to: isoTime,
      updated: count,
      of: count,
      waiting: count,
      notNeeded: count,
      noCard: count,
      failed: count,
      words: z.string(),
    })
    .optional(),
});

/** A campaign carried on after its delivery records were lost. */
export const recoveredCampaignSchema = z.object({
  campaign: campaignSchema,
  queued: count,
  mayGetSecondCard: count,
});

/** The Adaptive Card a campaign would send (the tab renders it). */
export const adaptiveCardSchema = z.looseObject({ type: z.literal('AdaptiveCard') });

export const sendTestResultSchema = z.object({ jobId: z.string().min(1) });

export const pendingApprovalSchema = z.object({
  approval: approvalSchema,
  acknowledgement: acknowledgementSchema,
  etag: z.string(),
  typedNameDiffers: z.boolean(),
});

/** A signature waiting for approval and whether its approvers were reached (Admin view). */
export const approvalRequestViewSchema = z.object({
  acknowledgementId: z.string(),
  signerName: z.string(),
  policyKey: z.string(),
  policyTitle: z.string(),
  versionNumber: z.number().int(),
  versionLabel: z.string(),
  signedAt: z.string(),
  signedAtLocal: z.string(),
  state: z.enum(['nobody', 'not-queued', 'waiting', 'delivered', 'not-reached']),
  words: z.string(),
  approvers: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      state: z.enum(['waiting', 'delivered', 'not-reached']),
      /** The connector's or sender's reason as stored (for whoever supports the school). */
      reason: z.string().optional(),
      /** Why, in plain words (not reached only). */
      reasonWords: z.string().optional(),
      at: z.string(),
    }),
  ),
  canResend: z.boolean(),
});

export const bulkDecisionResultSchema = z.object({
  results: z.array(
    z.object({
      acknowledgementId: z.string(),
      ok: z.boolean(),
      /** The problem code (http/problem.ts) when this one failed. */
      code: z.string().optional(),
      detail: z.string().optional(),
    }),
  ),
});

export const devUsersSchema = z.array(
  z.object({
    key: z.string(),
    id: z.string(),
    displayName: z.string(),
    upn: z.string(),
    roles: z.array(z.string()),
  }),
);
export const devTokenSchema = z.object({ accessToken: z.string().min(1), tokenType: z.string() });

/**
 * Every route's 2xx body: a schema, or `null` where the body is not JSON (the CSV export, the
 * evidence PDFs).
 * `satisfies` makes a route without an entry a type error.
 */
/** What the service sent one person of a policy (prompts, reminders), newest first, in words. */
export const personDeliveriesSchema = z.object({
  deliveries: z.array(
    z.object({
      jobId: z.string(),
      kind: z.enum(['prompt', 'reminder', 'new-starter', 'renewal', 'update']),
      what: z.string(),
      versionNumber: z.number().int().min(1),
      campaignId: z.string().optional(),
      state: z.enum(['queued', 'in-flight', 'sent', 'failed', 'skipped']),
      outcome: z.string(),
      at: z.iso.datetime(),
      atLocal: z.string(),
      deadlineLocal: z.string().optional(),
    }),
  ),
  /** Campaigns whose delivery records were lost, in words. */
  notes: z.array(z.string()),
});

/** The latest nightly records check, and the line the Admin view shows (with its failures). */
export const recordsCheckViewSchema = z.object({
  check: recordsCheckSchema.nullable(),
  line: z.string().min(1),
  details: z.array(z.string()),
});

/** The school as the tab offers it: audiences to choose from, the approvers' permission list. */
export const schoolViewSchema = z.object({
  name: z.string().min(1),
  audiences: z.array(z.object({ key: audienceKeySchema, label: z.string().min(1) })),
  permissionChoices: z.array(z.string().min(1)),
});

/** A school's settings as stored: what the Admin view edits, and the revision a save names. */
export const schoolSettingsSchema = z.object({
  settings: schoolSchema,
  revision: z.number().int().min(1),
  updatedAt: isoTime,
  /** Entra object id, or "bootstrap" / "cli". */
  updatedBy: z.string().min(1),
});

export const settingsSavedSchema = schoolSettingsSchema.extend({
  /** The settings this save changed (none: it saved what was stored). */
  changed: z.array(z.string()),
});

/** One change in the settings' history (a settings.changed audit event), newest first. */
export const settingsChangeSchema = z.object({
  eventId: z.string().min(1),
  at: isoTime,
  revision: z.number().int().min(1),
  source: z.enum(['bootstrap', 'import', 'admin']),
  actorId: z.string().min(1),
  actorName: z.string().min(1),
  changed: z.array(z.string()),
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
});

// Trust-wide policies with school variants (src/services/trust-policies.ts).
const changeKind = z.enum(['material', 'minor']);
const schoolCopyOutcomeSchema = z.object({
  schoolId: z.string().min(1),
  policyKey: z.string().min(1),
  published: z
    .object({ number: versionNumber, label: z.string(), changeKind, contentHash: z.string() })
    .optional(),
  askedToSignAgain: z.boolean(),
});
const trustPublishResultSchema = z.object({
  master: policyVersionSchema,
  schools: z.array(schoolCopyOutcomeSchema),
});
const trustPolicyViewSchema = z.object({
  policy: policySchema,
  versions: z.array(policyVersionSchema),
  schools: z.array(
    z.object({
      schoolId: z.string().min(1),
      schoolName: z.string(),
      policyKey: z.string().min(1),
      current: z
        .object({
          number: versionNumber,
          label: z.string(),
          changeKind,
          contentHash: z.string(),
          masterVersion: versionNumber,
          variantVersion: count,
          publishedAt: isoTime.optional(),
        })
        .optional(),
      variant: schoolVariantSchema,
      behindMaster: z.boolean(),
      needsRepublish: z.object({ reason: z.string() }).optional(),
    }),
  ),
});

/** What the trust lead confirms before publishing a master (trust-publish-preview.ts). */
export const trustPublishPreviewSchema = changesSchema.omit({ toVersion: true }).extend({
  versionNumber,
  label: z.string().min(1),
  changeKind,
  schools: z.array(
    z.object({
      schoolId: z.string().min(1),
      schoolName: z.string(),
      label: z.string().optional(),
      changeKind: changeKind.optional(),
      audiences: z.array(audienceImpactSchema),
      problem: z.string().optional(),
    }),
  ),
});

/** What withdrawing a master did in each school (withdraw-master.ts). */
export const masterWithdrawalSchema = z.object({
  withdrawn: policyVersionSchema,
  restored: policyVersionSchema,
  schools: z.array(
    z.object({
      schoolId: z.string().min(1),
      policyKey: z.string().min(1),
      withdrawn: z.array(versionNumber),
      restored: versionNumber.optional(),
    }),
  ),
});

/** What the trust lead confirms before withdrawing a master (withdraw-master.ts). */
export const masterWithdrawalPreviewSchema = z.object({
  withdrawn: policyVersionSchema,
  restored: policyVersionSchema,
  schools: z.array(
    z.object({
      schoolId: z.string().min(1),
      schoolName: z.string(),
      withdrawn: z.array(z.object({ number: versionNumber, label: z.string() })),
      restored: z
        .object({
          number: versionNumber,
          label: z.string(),
          masterVersion: versionNumber.optional(),
        })
        .optional(),
      problem: z.string().optional(),
      /** People who signed the withdrawn versions and the returning one (none rejected). */
      signed: z
        .object({ withdrawn: z.number().int().min(0), restored: z.number().int().min(0) })
        .optional(),
    }),
  ),
});

/** A school's text with its own clauses, as it would be published (trust-publish-preview.ts). */
export const variantPreviewSchema = z.object({
  label: z.string(),
  masterVersion: versionNumber,
  document: policyDocumentSchema,
});

/** A group the picker offers (Entra's id and name). */
export const directoryGroupSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().min(1),
  description: z.string().optional(),
});

/** GET /api/trust/compliance (src/services/trust-compliance.ts). */
export const trustComplianceSchema = z.object({
  trust: z.object({ name: z.string() }),
  view: z.enum(['trust-lead', 'school-admin']),
  schools: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string(),
      policies: z.array(
        z.object({
          key: z.string().min(1),
          title: z.string(),
          version: z.object({ number: versionNumber, label: z.string() }).optional(),
          people: count,
          overall: statusCountsSchema,
          audiences: z.array(
            z.object({ key: z.string().min(1), label: z.string(), counts: statusCountsSchema }),
          ),
        }),
      ),
    }),
  ),
});

export const RESPONSE_BODIES = {
  me: meSchema,
  'me.policies': z.array(myPolicyViewSchema),
  'policies.version': policyVersionSchema,
  'me.changes': changesSchema,
  'me.sign': signResultSchema,
  'me.history': z.array(historyEntrySchema),
  'signatures.text': signedTextSchema,
  school: schoolViewSchema,
  'admin.import': importResultSchema,
  'admin.policies': z.array(adminPolicySchema),
  'admin.policies.create': policySchema,
  'admin.draft': policyVersionSchema,
  'admin.diff': publishPreviewSchema,
  'admin.publish': policyVersionSchema,
  'admin.publish-preview': publishConfirmationSchema,
  'admin.withdraw-preview': withdrawalSchema,
  'admin.withdraw': withdrawalSchema,
  'admin.people': peoplePageSchema,
  'admin.people.csv': null,
  'admin.person': personRecordSchema,
  'admin.policy.evidence': null,
  'admin.person.evidence': null,
  'admin.person.deliveries': personDeliveriesSchema,
  'admin.records-check': recordsCheckViewSchema,
  'admin.approval-requests': z.array(approvalRequestViewSchema),
  'admin.approval-requests.resend': z.object({ queued: z.number().int().min(0) }),
  'trust.policies': z.array(trustPolicyViewSchema),
  'trust.compliance': trustComplianceSchema,
  'trust.school.evidence': null,
  'trust.policies.create': policySchema,
  'trust.draft': policyVersionSchema,
  'trust.publish': trustPublishResultSchema,
  'trust.variant': schoolCopyOutcomeSchema,
  'trust.publish-preview': trustPublishPreviewSchema,
  'trust.variant-preview': variantPreviewSchema,
  'trust.withdraw-preview': masterWithdrawalPreviewSchema,
  'trust.withdraw': masterWithdrawalSchema,
  'admin.settings': schoolSettingsSchema,
  'admin.settings.save': settingsSavedSchema,
  'admin.settings.history': z.array(settingsChangeSchema),
  'admin.groups': z.array(directoryGroupSchema),
  'admin.campaigns.list': z.array(campaignSummarySchema),
  'admin.campaigns.launch': campaignSchema,
  'trust.campaigns.launch': trustCampaignLaunchSchema,
  'admin.campaigns.preview-card': adaptiveCardSchema,
  'admin.campaigns.send-test': sendTestResultSchema,
  'admin.campaigns.pause': campaignSchema,
  'admin.campaigns.resume': campaignSchema,
  'admin.campaigns.cancel': campaignSchema,
  'admin.campaigns.recover': recoveredCampaignSchema,
  'approvals.list': z.array(pendingApprovalSchema),
  'approvals.bulk': bulkDecisionResultSchema,
  'approvals.decide': approvalSchema,
  'dev.users': devUsersSchema,
  'dev.token': devTokenSchema,
  'dev.openid-configuration': z.record(z.string(), z.unknown()),
  'dev.jwks': z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
  'evidence.keys': keyRingSchema,
} as const satisfies Record<RouteId, z.ZodType | null>;

/** The body a route answers with (2xx). */
export type ResponseBody<R extends RouteId> = (typeof RESPONSE_BODIES)[R] extends z.ZodType
  ? z.output<(typeof RESPONSE_BODIES)[R]>
  : never;

// The types clients read, inferred from the schemas.
export type Me = z.infer<typeof meSchema>;
export type RecordsCheckView = z.infer<typeof recordsCheckViewSchema>;
export type PersonStatus = z.infer<typeof personStatusSchema>;
export type PersonStatusKind = z.infer<typeof personStatusKindSchema>;
export type DiffClause = z.infer<typeof diffClauseSchema>;
export type PolicyDiff = z.infer<typeof policyDiffSchema>;
export type MyPolicyView = z.infer<typeof myPolicyViewSchema>;
export type Changes = z.infer<typeof changesSchema>;
export type PublishPreview = z.infer<typeof publishPreviewSchema>;
export type PublishConfirmation = z.infer<typeof publishConfirmationSchema>;
export type Withdrawal = z.infer<typeof withdrawalSchema>;
export type SignResult = z.infer<typeof signResultSchema>;
export type ImportReport = z.infer<typeof importReportSchema>;
export type ImportResult = z.infer<typeof importResultSchema>;
export type AdminPolicy = z.infer<typeof adminPolicySchema>;
export type SchoolView = z.infer<typeof schoolViewSchema>;
export type SchoolSettings = z.infer<typeof schoolSettingsSchema>;
export type SettingsSaved = z.infer<typeof settingsSavedSchema>;
export type SettingsChange = z.infer<typeof settingsChangeSchema>;
export type DirectoryGroup = z.infer<typeof directoryGroupSchema>;
export type SignatureSummary = z.infer<typeof signatureSummarySchema>;
export type PersonRow = z.infer<typeof personRowSchema>;
export type PeoplePage = z.infer<typeof peoplePageSchema>;
export type StatusCounts = z.infer<typeof statusCountsSchema>;
export type TrustCompliance = z.infer<typeof trustComplianceSchema>;
export type TrustPolicyView = z.infer<typeof trustPolicyViewSchema>;
export type TrustPublishPreview = z.infer<typeof trustPublishPreviewSchema>;
export type MasterWithdrawal = z.infer<typeof masterWithdrawalSchema>;
export type MasterWithdrawalPreview = z.infer<typeof masterWithdrawalPreviewSchema>;
export type VariantPreview = z.infer<typeof variantPreviewSchema>;
export type SchoolCopyOutcome = z.infer<typeof schoolCopyOutcomeSchema>;
export type TrustPublishResult = z.infer<typeof trustPublishResultSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type SignedText = z.infer<typeof signedTextSchema>;
export type PersonRecord = z.infer<typeof personRecordSchema>;
export type PersonDeliveries = z.infer<typeof personDeliveriesSchema>;
export type PersonSignature = z.infer<typeof personSignatureSchema>;
export type CampaignSummary = z.infer<typeof campaignSummarySchema>;
export type RecoveredCampaign = z.infer<typeof recoveredCampaignSchema>;
export type AdaptiveCard = z.infer<typeof adaptiveCardSchema>;
export type SendTestResult = z.infer<typeof sendTestResultSchema>;
export type PendingApproval = z.infer<typeof pendingApprovalSchema>;
export type ApprovalRequestItem = z.infer<typeof approvalRequestViewSchema>;
export type BulkDecisionResult = z.infer<typeof bulkDecisionResultSchema>;
export type DevToken = z.infer<typeof devTokenSchema>;
