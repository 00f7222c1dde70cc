import { resolveDocumentAudiences, resolveVariantAudiences } from '../domain/audience-keys.ts';
import { currentVariant, nextEffectiveVersion, schoolCopyOf } from '../domain/effective-version.ts';
import { CountersignError } from '../domain/errors.ts';
import { mapLimit } from '../domain/map-limit.ts';
import type { ChangeKind, Policy, PolicyVersion } from '../domain/policy.ts';
import { policyCreatedEvent } from '../domain/policy-created.ts';
import { policyDocumentSchema, type PolicyDocument } from '../domain/policy-document.ts';
import {
  effectivePolicyKey,
  schoolVariantSchema,
  type SchoolVariant,
  type TrustPolicyChange,
} from '../domain/policy-variant.ts';
import type { School } from '../domain/school.ts';
import { rolesIn } from '../domain/school-roles.ts';
import { currentVersion } from '../domain/status.ts';
import type { Tagged } from '../ports/record-store.ts';
import type { Actor } from './actor.ts';
import type { CreatePolicyInput } from './create-policy.ts';
import { loadPolicy } from './policy-versions.ts';
import { publishDraft, writeDraft } from './publish-policy.ts';
import type { ServiceContext, TrustContext } from './service-context.ts';
import type { TrustPublishPreview, VariantPreview } from './trust-publish-preview.ts';
import type { MasterWithdrawal, MasterWithdrawalPreview } from './withdraw-master.ts';

/** One school's copy of a trust policy, as the trust lead (or that school's admin) sees it. */
export interface SchoolCopyView {
  schoolId: string;
  schoolName: string;
  policyKey: string;
  /** The copy's current effective version; absent until the master is first published to it. */
  current?: {
    number: number;
    label: string;
    changeKind: ChangeKind;
    contentHash: string;
    masterVersion: number;
    variantVersion: number;
    publishedAt?: string;
  };
  /** The school's own sections, as its current version carries them. */
  variant: SchoolVariant;
  /** True when the copy is on an older master than the trust's current one. */
  behindMaster: boolean;
  /**
   * The school's settings changed what its text says since it was published (a contact's name,
   * role or detail, or the school's name; a contact removed): its people still sign the text as
   * published, until the school's admin publishes its clauses again. Absent when nothing changed.
   */
  needsRepublish?: { reason: string };
}

export interface TrustPolicyView {
  policy: Policy;
  /** The master's versions (drafts included, for the trust lead; published only for a school). */
  versions: PolicyVersion[];
  schools: SchoolCopyView[];
}

/** What a publish of the master or a variant did to one school's copy. */
export interface SchoolCopyOutcome {
  schoolId: string;
  policyKey: string;
  /** The effective version published; absent when the copy was already on this master. */
  published?: { number: number; label: string; changeKind: ChangeKind; contentHash: string };
  /** This school's people are asked to sign again (a material change reached them). */
  askedToSignAgain: boolean;
}

export interface TrustPublishResult {
  master: PolicyVersion;
  schools: SchoolCopyOutcome[];
}

/** The trust as its settings say now, and a context whose records are the whole site's. */
export interface TrustNow {
  id: string;
  name: string;
  leadIds: readonly string[];
  schools: School[];
  /** The use cases' context over the site's records: the trust's calls span its schools. */
  site: ServiceContext;
}

export async function trustNow(ctx: ServiceContext): Promise<TrustNow> {
  const trust: TrustContext | undefined = ctx.trust;
  if (trust === undefined) {
    throw new CountersignError('not-found', 'This deployment serves no trust.');
  }
  const { name, leadIds, schools } = await trust.read();
  return {
    id: trust.id,
    name,
    leadIds,
    schools,
    site: trust.records === undefined ? ctx : { ...ctx, records: trust.records },
  };
}

/** The trust lead only: the trust's own settings name them (the '@trust' row's leads). */
export async function requireTrustLead(ctx: ServiceContext, actor: Actor): Promise<TrustNow> {
  const trust = await trustNow(ctx);
  if (!trust.leadIds.includes(actor.id)) {
    throw new CountersignError('forbidden', 'This needs the trust lead role.', {
      role: 'Trust.Lead',
    });
  }
  return trust;
}

/** The school of the trust whose admin the actor is, by its settings (rolesIn: one answer). */
export async function requireSchoolAdmin(
  ctx: ServiceContext,
  actor: Actor,
  schoolId: string,
): Promise<{ trust: TrustNow; school: School }> {
  const trust = await trustNow(ctx);
  const school = trust.schools.find((s) => s.id === schoolId);
  if (school === undefined || !rolesIn(school, actor.id).includes('Policy.Admin')) {
    // The same answer whether the school exists or not: an admin of A learns nothing of B.
    throw new CountersignError('forbidden', `This needs the Policy.Admin role of ${schoolId}.`, {
      role: 'Policy.Admin',
      schoolId,
    });
  }
  return { trust, school };
}

export async function loadTrustPolicy(ctx: ServiceContext, policyKey: string) {
  const loaded = await loadPolicy(ctx.records, policyKey);
  if (loaded.policy.scope !== 'trust') {
    throw new CountersignError('not-found', `There is no trust policy "${policyKey}".`);
  }
  return loaded;
}

/** A trust policy's current master, which a school's own clauses are added to (none: 409). */
export function publishedMaster(loaded: Awaited<ReturnType<typeof loadTrustPolicy>>) {
  const master = loaded.current;
  if (master === undefined) {
    throw new CountersignError(
      'conflict',
      `The trust has not published "${loaded.policy.title}" yet: a school's own clauses are added to a published master.`,
    );
  }
  return master;
}

/**
 * Schools' copies read at once by the trust's calls that read every school's (publishMaster,
 * withdrawMaster): each is two list reads, and a trust of 30 schools must not send 60 at once
 * into SharePoint's throttling.
 */
export const COPIES_READ_AT_ONCE = 4;

/** Every school's copy of a trust policy, in the schools' order, COPIES_READ_AT_ONCE at a time. */
export function loadCopies(ctx: ServiceContext, master: Policy, schools: readonly School[]) {
  return mapLimit(schools, COPIES_READ_AT_ONCE, (school) => loadCopy(ctx, master, school.id));
}

/** A school's copy and its versions (none yet: the copy it would be). */
export async function loadCopy(ctx: ServiceContext, master: Policy, schoolId: string) {
  const key = effectivePolicyKey(master.key, schoolId);
  const [stored, tagged] = await Promise.all([
    ctx.records.getPolicy(key),
    ctx.records.listVersions(key),
  ]);
  return {
    copy: stored?.value ?? schoolCopyOf(master, schoolId),
    exists: stored !== null,
    tagged,
    versions: tagged.map((t) => t.value),
  };
}

/** Creates a trust policy (scope 'trust', the trust's id as its school); no version yet. */
export async function createTrustPolicy(
  ctx: ServiceContext,
  actor: Actor,
  input: CreatePolicyInput,
): Promise<Policy> {
  const trust = await requireTrustLead(ctx, actor);
  const site = trust.site;
  const known = new Set(trust.schools.flatMap((s) => s.audiences.map((a) => a.key)));
  const unknown = input.audiences.filter((a) => !known.has(a));
  if (unknown.length > 0) {
    throw new CountersignError(
      'validation',
      `No school of the trust has an audience ${unknown.map((a) => `"${a}"`).join(', ')}.`,
      { audiences: unknown },
    );
  }
  if ((await site.records.getPolicy(input.key)) !== null) {
    throw new CountersignError('conflict', `A policy with the key "${input.key}" already exists.`, {
      key: input.key,
    });
  }
  const at = site.clock.now().toISOString();
  const policy: Policy = {
    key: input.key,
    schoolId: trust.id,
    scope: 'trust',
    title: input.title,
    audiences: [...new Set(input.audiences)],
    renewal: input.renewal ?? { kind: 'fixed-date', month: 9, day: 1 },
    approvalMode: input.approvalMode ?? 'first-signature',
    createdAt: at,
    createdBy: actor.id,
  };
  await site.records.putPolicy(policy);
  // Lost to a fault between the writes, the event is written by the repair sweep.
  await site.records.appendAudit([
    policyCreatedEvent(policy, { id: site.newId(), actorId: actor.id, at }),
  ]);
  return policy;
}

/** Saves the master's next draft (or replaces the open one): the trust lead's text. */
export async function saveMasterDraft(
  ctx: ServiceContext,
  actor: Actor,
  input: { policyKey: string; label: string; changeKind: ChangeKind; document: PolicyDocument },
): Promise<PolicyVersion> {
  const trust = await requireTrustLead(ctx, actor);
  const site = trust.site;
  const loaded = await loadTrustPolicy(site, input.policyKey);
  // Audience restrictions in the keys the trust's schools use between them.
  const audiences = trust.schools.flatMap((s) => s.audiences);
  const document = resolveDocumentAudiences(policyDocumentSchema.parse(input.document), {
    audiences,
  });
  return writeDraft(site, actor.id, loaded, input, document);
}

/**
 * Publishes an effective version of a school's copy: the copy is created on its first, a draft
 * left by an interrupted publish is replaced, then the shared publish (signed record with the
 * composition, retirements, audit event in one batch).
 */
async function publishEffective(
  ctx: ServiceContext,
  actor: Actor,
  copy: { copy: Policy; exists: boolean; tagged: Tagged<PolicyVersion>[] },
  next: PolicyVersion,
): Promise<PolicyVersion> {
  if (!copy.exists) {
    const at = ctx.clock.now().toISOString();
    const created: Policy = { ...copy.copy, createdAt: at, createdBy: actor.id };
    try {
      await ctx.records.putPolicy(created);
      // The copy is a policy like any other: its creation is in the log (the repair sweep
      // writes the event if a fault loses it here).
      await ctx.records.appendAudit([
        policyCreatedEvent(created, { id: ctx.newId(), actorId: actor.id, at }),
      ]);
    } catch (error) {
      // Made at the same moment by another publish: the copy is there, which is what we need.
      if (!(error instanceof CountersignError && error.code === 'conflict')) throw error;
    }
  }
  const open = copy.tagged.find((t) => t.value.status === 'draft');
  const draft =
    open === undefined
      ? await ctx.records.createVersion(next, {
          id: ctx.newId(),
          type: 'policy.saved',
          actorId: actor.id,
          at: ctx.clock.now().toISOString(),
          subject: `${next.policyKey}:v${next.number}`,
          details: {
            label: next.label,
            changeKind: next.changeKind,
            contentHash: next.contentHash,
            ...(next.composition === undefined
              ? {}
              : {
                  masterVersion: next.composition.masterVersion,
                  variantVersion: next.composition.variantVersion,
                }),
          },
        })
      : await ctx.records.updateDraft(open, { ...next, number: open.value.number });
  const retire = copy.tagged.filter(
    (t) => t.value.status === 'published' && t.value.number < draft.value.number,
  );
  return publishDraft(ctx, actor, draft, retire);
}

/**
 * A material effective version asks the school's people to sign again (schoolsAskedToSignAgain:
 * a material master change, every school; a material variant, its own; a copy's first version).
 */
function outcome(
  schoolId: string,
  policyKey: string,
  published: PolicyVersion | undefined,
): SchoolCopyOutcome {
  return {
    schoolId,
    policyKey,
    ...(published === undefined
      ? {}
      : {
          published: {
            number: published.number,
            label: published.label,
            changeKind: published.changeKind,
            contentHash: published.contentHash,
          },
        }),
    askedToSignAgain: published?.changeKind === 'material',
  };
}

/**
 * Publishes a master version (the trust lead) and composes it into every school's copy: one
 * effective version per school, with the master's change kind (a material change asks everyone in
 * every school to sign again). Every school's text is composed before anything is written, so a
 * school missing a contact the master names stops the publish with nothing published. Publishing
 * the version that is already the current master again composes it into the copies still on an
 * older one (a publish interrupted between schools is finished this way); the others are left.
 */
export async function publishMaster(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<TrustPublishResult> {
  const trust = await requireTrustLead(ctx, actor);
  const site = trust.site;
  const loaded = await loadTrustPolicy(site, policyKey);
  const target = loaded.tagged.find((t) => t.value.number === versionNumber);
  if (target === undefined) {
    throw new CountersignError('not-found', `There is no version ${versionNumber}.`);
  }
  const isCurrent = loaded.current?.number === versionNumber;
  if (target.value.status !== 'draft' && !isCurrent) {
    throw new CountersignError(
      'conflict',
      `Version ${versionNumber} is already ${target.value.status}.`,
    );
  }
  const schools = trust.schools;
  const copies = await loadCopies(site, loaded.policy, schools);
  const change: TrustPolicyChange = { kind: 'master', changeKind: target.value.changeKind };
  // Composed against the master as it will be published, before anything is written.
  const asPublished: PolicyVersion = { ...target.value, status: 'published' };
  const plans = schools.map((school, i) => {
    const copy = copies[i] as (typeof copies)[number];
    const onIt = currentVersion(copy.versions)?.composition?.masterVersion === versionNumber;
    const next = onIt
      ? undefined
      : nextEffectiveVersion({
          copy: copy.copy,
          copyVersions: copy.versions,
          master: asPublished,
          school,
          variant: currentVariant(copy.versions),
          change,
        });
    return { school, copy, next };
  });
  const master =
    target.value.status === 'draft'
      ? await publishDraft(
          site,
          actor,
          target,
          loaded.tagged.filter(
            (t) => t.value.status === 'published' && t.value.number < versionNumber,
          ),
        )
      : target.value;
  const results: SchoolCopyOutcome[] = [];
  for (const { school, copy, next } of plans) {
    const published =
      next === undefined
        ? undefined
        : // The serving school's copy through its own view, so its report sees the new version.
          await publishEffective(school.id === ctx.school.id ? ctx : site, actor, copy, next);
    results.push(outcome(school.id, copy.copy.key, published));
  }
  return { master, schools: results };
}

/**
 * Publishes a school's variant (that school's admin): its own sections, composed with the trust's
 * current master into the next effective version of its copy. Only its people are asked to sign
 * again, and only when the change is material.
 */
export async function publishVariant(
  ctx: ServiceContext,
  actor: Actor,
  input: {
    policyKey: string;
    schoolId: string;
    changeKind: ChangeKind;
    variant: SchoolVariant;
  },
): Promise<SchoolCopyOutcome> {
  const { trust, school } = await requireSchoolAdmin(ctx, actor, input.schoolId);
  const site = trust.site;
  // The school's own copy is written through the school's own view (its report stays current).
  const own = school.id === ctx.school.id ? ctx : site;
  const loaded = await loadTrustPolicy(site, input.policyKey);
  const variant = resolveVariantAudiences(
    schoolVariantSchema.parse(input.variant),
    school,
    loaded.policy.audiences,
  );
  const master = publishedMaster(loaded);
  const copy = await loadCopy(site, loaded.policy, school.id);
  const change: TrustPolicyChange = {
    kind: 'variant',
    schoolId: school.id,
    changeKind: input.changeKind,
  };
  const next = nextEffectiveVersion({
    copy: copy.copy,
    copyVersions: copy.versions,
    master,
    school,
    variant: { version: currentVariant(copy.versions).version + 1, variant },
    change,
  });
  return outcome(school.id, copy.copy.key, await publishEffective(own, actor, copy, next));
}

/**
 * Whether the school's settings now compose its current text differently: the same master
 * version and the same clauses, filled from the settings as they are now, compared by content
 * hash with what was published. A settings change never publishes by itself (a changed contact is
 * a changed text: whether people sign again is the school admin's call, material or minor), so the
 * copy is marked to be published again instead; publishVariant with the same clauses does it.
 */
function settingsDrift(
  masterVersions: readonly PolicyVersion[],
  copy: { copy: Policy; versions: PolicyVersion[] },
  current: PolicyVersion | undefined,
  school: School,
): Pick<SchoolCopyView, 'needsRepublish'> {
  const composition = current?.composition;
  const master = masterVersions.find((v) => v.number === composition?.masterVersion);
  if (current === undefined || composition === undefined || master === undefined) return {};
  try {
    const now = nextEffectiveVersion({
      copy: copy.copy,
      copyVersions: copy.versions,
      master: { ...master, status: 'published' },
      school,
      variant: { version: composition.variantVersion, variant: composition.variant },
      change: { kind: 'master', changeKind: 'minor' },
    });
    return now.contentHash === current.contentHash
      ? {}
      : {
          needsRepublish: {
            reason: `${school.name}'s settings have changed what its text says since version ${current.number} was published.`,
          },
        };
  } catch (error) {
    // A contact the text names was removed from the settings: say which, as a publish would.
    if (!(error instanceof CountersignError && error.code === 'validation')) throw error;
    return { needsRepublish: { reason: error.message } };
  }
}

/**
 * The trust's policies, each with every school's copy side by side (the trust lead), or with the
 * actor's own schools' copies only (a school's admin: nothing of another school).
 */
export async function trustPolicies(ctx: ServiceContext, actor: Actor): Promise<TrustPolicyView[]> {
  const trust = await trustNow(ctx);
  const site = trust.site;
  const lead = trust.leadIds.includes(actor.id);
  const schools = trust.schools.filter(
    (s) => lead || rolesIn(s, actor.id).includes('Policy.Admin'),
  );
  if (!lead && schools.length === 0) {
    throw new CountersignError('forbidden', 'This needs the trust lead or a school admin role.', {
      role: 'Trust.Lead',
    });
  }
  const views: TrustPolicyView[] = [];
  for (const policy of await site.records.listPolicies(trust.id)) {
    if (policy.scope !== 'trust') continue;
    const loaded = await loadPolicy(site.records, policy.key);
    const copies: SchoolCopyView[] = [];
    for (const school of schools) {
      const copy = await loadCopy(site, loaded.policy, school.id);
      const current = currentVersion(copy.versions);
      const composition = current?.composition;
      copies.push({
        schoolId: school.id,
        schoolName: school.name,
        policyKey: copy.copy.key,
        ...(current === undefined || composition === undefined
          ? {}
          : {
              current: {
                number: current.number,
                label: current.label,
                changeKind: current.changeKind,
                contentHash: current.contentHash,
                masterVersion: composition.masterVersion,
                variantVersion: composition.variantVersion,
                ...(current.publishedAt === undefined ? {} : { publishedAt: current.publishedAt }),
              },
            }),
        variant: currentVariant(copy.versions).variant,
        behindMaster:
          loaded.current !== undefined && (composition?.masterVersion ?? 0) < loaded.current.number,
        ...settingsDrift(loaded.versions, copy, current, school),
      });
    }
    views.push({
      policy: loaded.policy,
      versions: lead ? loaded.versions : loaded.versions.filter((v) => v.status !== 'draft'),
      schools: copies,
    });
  }
  return views;
}

/** The trust's calls, as CountersignService.trust offers them to the API. */
export interface TrustPolicyService {
  list(actor: Actor): Promise<TrustPolicyView[]>;
  create(actor: Actor, input: CreatePolicyInput): Promise<Policy>;
  saveMasterDraft(
    actor: Actor,
    input: { policyKey: string; label: string; changeKind: ChangeKind; document: PolicyDocument },
  ): Promise<PolicyVersion>;
  publishMaster(
    actor: Actor,
    policyKey: string,
    versionNumber: number,
  ): Promise<TrustPublishResult>;
  publishVariant(
    actor: Actor,
    input: { policyKey: string; schoolId: string; changeKind: ChangeKind; variant: SchoolVariant },
  ): Promise<SchoolCopyOutcome>;
  /** What publishing a master draft would do in each school (trust-publish-preview.ts). */
  masterPublishPreview(
    actor: Actor,
    policyKey: string,
    versionNumber: number,
  ): Promise<TrustPublishPreview>;
  /** What withdrawing a master would do in each school (withdraw-master.ts); writes nothing. */
  masterWithdrawalPreview(
    actor: Actor,
    policyKey: string,
    versionNumber: number,
  ): Promise<MasterWithdrawalPreview>;
  /** Withdraws a master published by mistake, and every school's text composed from it. */
  withdrawMaster(
    actor: Actor,
    policyKey: string,
    versionNumber: number,
    reason: string,
  ): Promise<MasterWithdrawal>;
  /** A school's text as it would read with these clauses of its own (trust-publish-preview.ts). */
  variantPreview(
    actor: Actor,
    input: { policyKey: string; schoolId: string; variant: SchoolVariant },
  ): Promise<VariantPreview>;
}
