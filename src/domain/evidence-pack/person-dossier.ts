import type { AcknowledgementRecord, ApprovalDecisionRecord } from '../evidence/evidence-record.ts';
import type { PersonStatus } from '../person-status.ts';
import type { PolicyDocument } from '../policy-document.ts';
import { consentAnswers, registerApproval, type RegisterSignature } from './register.ts';
import { statusInWords, type VersionName } from './status-words.ts';
import { ukDateTime } from './uk-time.ts';

/** A version as a dossier shows it: its label and the exact text signed. */
export interface DossierVersion {
  number: number;
  label: string;
  contentHash: string;
  document: PolicyDocument;
}

export interface DossierSignature extends Omit<RegisterSignature, 'inAudiences'> {
  versionNumber: number;
  versionLabel: string;
  contentHash: string;
  /** Every signed decision on this signature, oldest first, in words. */
  decisions: string[];
  /** The text signed; undefined when the pack lacks it (verify names that). */
  document?: PolicyDocument;
}

/** Everything one person signed of one policy, with the text of each version signed. */
export interface PersonDossier {
  schoolName: string;
  timeZone: string;
  policyKey: string;
  policyTitle: string;
  upn: string;
  name: string;
  audiences: string[];
  statusWords: string;
  signatures: DossierSignature[];
}

export interface DossierInput {
  schoolName: string;
  timeZone: string;
  policyKey: string;
  policyTitle: string;
  /** The person as the directory knows them now, if it does. */
  person: { upn: string; displayName?: string; audiences: string[]; status: PersonStatus };
  acknowledgements: readonly AcknowledgementRecord[];
  decisions: readonly ApprovalDecisionRecord[];
  versions: readonly DossierVersion[];
  versionName: VersionName;
}

/** The person's signatures (matched by UPN, as signed), oldest first. */
export function buildPersonDossier(input: DossierInput): PersonDossier {
  const upn = input.person.upn.toLowerCase();
  const records = input.acknowledgements
    .filter((a) => a.policyKey === input.policyKey && a.upn.toLowerCase() === upn)
    .sort((a, b) => Date.parse(a.signedAt) - Date.parse(b.signedAt) || a.id.localeCompare(b.id));
  const versions = new Map(input.versions.map((v) => [v.number, v]));
  const signatures = records.map((record): DossierSignature => {
    const version = versions.get(record.versionNumber);
    const empty = { title: '', sections: [], declaration: '', consents: [], approval: null };
    return {
      acknowledgementId: record.id,
      userId: record.userId,
      entraName: record.displayName,
      typedName: record.typedName,
      upn: record.upn,
      role: record.statedRole,
      signedAt: record.signedAt,
      signedAtLocal: ukDateTime(record.signedAt, input.timeZone),
      channel: record.channel,
      consents: consentAnswers(record, version?.document ?? empty),
      approval: registerApproval(record, input.decisions, input.timeZone),
      versionNumber: record.versionNumber,
      versionLabel: input.versionName(record.versionNumber),
      contentHash: record.contentHash,
      decisions: input.decisions
        .filter((d) => d.acknowledgementId === record.id)
        .sort((a, b) => Date.parse(a.decidedAt) - Date.parse(b.decidedAt))
        .map(
          (d) =>
            `${d.decision === 'approved' ? 'Approved' : 'Rejected'} by ${d.approverName}, ${ukDateTime(d.decidedAt, input.timeZone)}${d.additionalPermissions.length > 0 ? `; additional permissions: ${d.additionalPermissions.join(', ')}` : ''}${d.reason === undefined ? '' : `; reason: ${d.reason}`}`,
        ),
      ...(version === undefined ? {} : { document: version.document }),
    };
  });
  const latest = records.at(-1);
  return {
    schoolName: input.schoolName,
    timeZone: input.timeZone,
    policyKey: input.policyKey,
    policyTitle: input.policyTitle,
    upn: input.person.upn,
    name: input.person.displayName ?? latest?.displayName ?? input.person.upn,
    audiences: input.person.audiences,
    statusWords: statusInWords(input.person.status, input.versionName, input.timeZone),
    signatures,
  };
}
