import { CountersignError } from '../domain/errors.ts';
import type { ChangeKind } from '../domain/policy.ts';
import { diffDocuments, summariseDiff, type PolicyDiff } from '../domain/policy-diff.ts';
import { versionsAfterPublish } from '../domain/publish-impact.ts';
import type { Actor } from './actor.ts';
import { loadPolicy } from './policy-versions.ts';
import { requireRole } from './require-role.ts';
import type { ServiceContext } from './service-context.ts';
import { versionChangeImpact, type LabelledImpact } from './version-impact.ts';

/** What the admin confirms before publishing: what changed, and who will have to sign. */
export interface PublishPreview {
  versionNumber: number;
  label: string;
  changeKind: ChangeKind;
  fromVersion?: number;
  summary: string;
  diff: PolicyDiff;
  audiences: LabelledImpact[];
}

export async function publishPreview(
  ctx: ServiceContext,
  actor: Actor,
  policyKey: string,
  versionNumber: number,
): Promise<PublishPreview> {
  requireRole(actor, 'Policy.Admin');
  const loaded = await loadPolicy(ctx.records, policyKey);
  const draft = loaded.versions.find((v) => v.number === versionNumber);
  if (!draft) throw new CountersignError('not-found', `There is no version ${versionNumber}.`);
  if (draft.status !== 'draft') {
    throw new CountersignError('conflict', `Version ${versionNumber} is already ${draft.status}.`);
  }
  const from = loaded.current;
  const base = from?.document ?? { ...draft.document, sections: [], consents: [], declaration: '' };
  const diff = diffDocuments(base, draft.document);
  const after = versionsAfterPublish(loaded.versions, versionNumber, ctx.clock.now().toISOString());
  return {
    versionNumber,
    label: draft.label,
    changeKind: draft.changeKind,
    ...(from ? { fromVersion: from.number } : {}),
    summary: summariseDiff(diff),
    diff,
    audiences: await versionChangeImpact(ctx, loaded, after),
  };
}
