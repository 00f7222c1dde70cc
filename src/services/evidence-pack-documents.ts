import type { PersonDossier } from '../domain/evidence-pack/person-dossier.ts';
import type { Register, RegisterSignature } from '../domain/evidence-pack/register.ts';
import type { PolicyDocument } from '../domain/policy-document.ts';
import type { PrintBlock, PrintDocument } from '../ports/pdf-renderer.ts';

/** The HOW-TO-VERIFY page as print blocks: its first line is the heading. */
function howToVerifyBlocks(lines: readonly string[]): PrintBlock[] {
  const [heading, ...rest] = lines;
  return [
    { kind: 'page-break' },
    { kind: 'heading', text: heading ?? 'How to verify this evidence pack', level: 1 },
    ...rest
      .filter((line) => line !== '')
      .map((text): PrintBlock => ({ kind: 'paragraph', text, style: 'normal' })),
  ];
}

function consentsInWords(signature: Pick<RegisterSignature, 'consents'>): string {
  return signature.consents.map((c) => `${c.key}: ${c.answer}`).join('; ') || 'None asked';
}

function approvalInWords(signature: Pick<RegisterSignature, 'approval'>): string {
  const permissions = signature.approval.additionalPermissions;
  return `${signature.approval.words}${permissions.length > 0 ? `. Additional permissions: ${permissions.join(', ')}` : ''}`;
}

/** One version's register: its facts, the reconciled counts, who signed, who has not. */
export function registerDocument(
  register: Register,
  howTo: readonly string[],
  createdAt: string,
): PrintDocument {
  const signed: PrintBlock = {
    kind: 'table',
    columns: [
      { header: 'Name (Entra ID)', width: 14 },
      { header: 'Typed name', width: 12 },
      { header: 'Role', width: 13 },
      { header: 'Signed', width: 12 },
      { header: 'Approval', width: 20 },
      { header: 'Consents', width: 13 },
      { header: 'Record', width: 16 },
    ],
    rows: register.signatures.map((s) => [
      `${s.entraName}\n${s.upn}${s.inAudiences ? '' : '\n(no longer in the audiences)'}`,
      s.typedName,
      s.role,
      `${s.signedAtLocal} (${s.channel})`,
      approvalInWords(s),
      consentsInWords(s),
      s.acknowledgementId,
    ]),
  };
  const outstanding: PrintBlock = {
    kind: 'table',
    columns: [
      { header: 'Name', width: 18 },
      { header: 'UPN', width: 24 },
      { header: 'Audiences', width: 12 },
      { header: 'Status', width: 46 },
    ],
    rows: register.outstanding.map((o) => [o.name, o.upn, o.audiences.join(', '), o.statusWords]),
  };
  return {
    title: `Register: ${register.policyTitle}, ${register.versionLabel}`,
    footer: `${register.schoolName} - ${register.policyTitle} ${register.versionLabel} - register`,
    orientation: 'landscape',
    createdAt,
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['School', register.schoolName],
          ['Policy', `${register.policyTitle} (${register.policyKey})`],
          [
            'Version',
            `${register.versionLabel} (version ${register.versionNumber}, ${register.changeKind} change)`,
          ],
          ['Title of this version', register.versionTitle],
          ['Published', register.publishedAtLocal],
          ['Content hash (SHA-256)', register.contentHash],
          ['Times are in', register.timeZone],
        ],
      },
      { kind: 'heading', text: 'Counts', level: 2 },
      ...register.countLines.map((text): PrintBlock => ({ kind: 'paragraph', text })),
      { kind: 'heading', text: `Who signed (${register.counts.signatures})`, level: 2 },
      register.signatures.length === 0
        ? { kind: 'paragraph', text: 'Nobody has signed this version.' }
        : signed,
      { kind: 'heading', text: `Who has not signed (${register.counts.notSigned})`, level: 2 },
      register.outstanding.length === 0
        ? { kind: 'paragraph', text: 'Everyone in the audiences has signed this version.' }
        : outstanding,
      {
        kind: 'paragraph',
        style: 'small',
        text: 'Approval states are those of the signed approval decisions; every signature here is a signed record in records/acknowledgements.json, which "countersign verify --pack" checks.',
      },
      ...howToVerifyBlocks(howTo),
    ],
  };
}

/** The text of a version as print blocks: sections, numbered clauses and items, consents. */
export function policyTextBlocks(document: PolicyDocument): PrintBlock[] {
  const blocks: PrintBlock[] = [{ kind: 'heading', text: document.title, level: 2 }];
  for (const section of document.sections) {
    if (section.heading !== '') blocks.push({ kind: 'heading', text: section.heading, level: 3 });
    for (const clause of section.clauses) {
      blocks.push({
        kind: 'paragraph',
        text: `${clause.number === undefined ? '' : `${clause.number}. `}${clause.text}${clause.audience === undefined ? '' : ` [for: ${clause.audience.join(', ')}]`}`,
      });
      for (const item of clause.items) blocks.push({ kind: 'paragraph', text: `    - ${item}` });
    }
  }
  if (document.declaration !== '') {
    blocks.push({ kind: 'heading', text: 'Declaration', level: 3 });
    blocks.push({ kind: 'paragraph', text: document.declaration });
  }
  if (document.consents.length > 0) {
    blocks.push({ kind: 'heading', text: 'Consents', level: 3 });
    for (const c of document.consents)
      blocks.push({ kind: 'paragraph', text: `[${c.key}] ${c.text}` });
  }
  if (document.approval !== null) {
    blocks.push({ kind: 'heading', text: 'Approval', level: 3 });
    blocks.push({ kind: 'paragraph', text: document.approval.statement });
  }
  return blocks;
}

/** A version's text on its own, with what identifies it. */
export function versionTextDocument(
  input: {
    schoolName: string;
    policyTitle: string;
    label: string;
    number: number;
    contentHash: string;
    document: PolicyDocument;
    /** A school's copy of a trust policy: the master and variant the text was composed from. */
    composedFrom?: string;
  },
  createdAt: string,
): PrintDocument {
  return {
    title: `${input.policyTitle}, ${input.label}: the text as published`,
    footer: `${input.schoolName} - ${input.policyTitle} ${input.label} - text`,
    orientation: 'portrait',
    createdAt,
    blocks: [
      {
        kind: 'fields',
        rows: [
          ['Version', `${input.label} (version ${input.number})`],
          ['Content hash (SHA-256)', input.contentHash],
          ...(input.composedFrom === undefined
            ? []
            : [['Composed from', input.composedFrom] as [string, string]]),
          ['Exact text', `texts/v${input.number}.document.json (as stored)`],
        ],
      },
      ...policyTextBlocks(input.document),
    ],
  };
}

/** One person's signatures, each with the text they signed and its approvals. */
export function dossierDocument(
  dossier: PersonDossier,
  howTo: readonly string[],
  createdAt: string,
): PrintDocument {
  const blocks: PrintBlock[] = [
    {
      kind: 'fields',
      rows: [
        ['School', dossier.schoolName],
        ['Policy', `${dossier.policyTitle} (${dossier.policyKey})`],
        ['Person', `${dossier.name} (${dossier.upn})`],
        ['Audiences', dossier.audiences.join(', ') || 'None now'],
        ['Status now', dossier.statusWords],
        ['Signatures', String(dossier.signatures.length)],
      ],
    },
  ];
  if (dossier.signatures.length === 0) {
    blocks.push({ kind: 'paragraph', text: `${dossier.name} has no signature of this policy.` });
  }
  dossier.signatures.forEach((s, i) => {
    blocks.push(
      {
        kind: 'heading',
        text: `Signature ${i + 1}: ${s.versionLabel}, ${s.signedAtLocal}`,
        level: 2,
      },
      {
        kind: 'fields',
        rows: [
          ['Name (Entra ID)', s.entraName],
          ['Typed name', s.typedName],
          ['Role', s.role],
          ['Signed', `${s.signedAtLocal} (${s.channel})`],
          ['Approval', approvalInWords(s)],
          ['Decisions', s.decisions.join('\n') || 'None'],
          ['Consents', consentsInWords(s)],
          ['Content hash signed', s.contentHash],
          ['Record', s.acknowledgementId],
        ],
      },
      { kind: 'heading', text: 'The text signed', level: 3 },
      ...(s.document === undefined
        ? [{ kind: 'paragraph', text: 'The pack holds no text for this version.' } as const]
        : policyTextBlocks(s.document)),
    );
  });
  return {
    title: `${dossier.name}: ${dossier.policyTitle}`,
    footer: `${dossier.schoolName} - ${dossier.policyTitle} - ${dossier.upn}`,
    orientation: 'portrait',
    createdAt,
    blocks: [...blocks, ...howToVerifyBlocks(howTo)],
  };
}

/** What the Admin view's download says about the records a PDF rests on, checked as it is made. */
export interface PackCheckFacts {
  policyKey: string;
  ok: boolean;
  /** The pack's findings, one line each. */
  findings: readonly string[];
  counts: { acknowledgements: number; decisions: number; versions: number };
  /** "checkpoint:12, taken 3 December 2026, 17:30 GMT", or null when the site has none. */
  checkpoint: string | null;
  /** The service's latest nightly records check, as the Admin view shows it. */
  nightlyCheck: string;
}

/**
 * A pack PDF downloaded on its own (from the Admin view) says, after its first facts, what was
 * checked when it was made: the signed records it rests on, the latest signed checkpoint and the
 * nightly records check; and where the signed records themselves are, since a PDF is only their
 * rendering.
 */
export function withPackCheck(document: PrintDocument, facts: PackCheckFacts): PrintDocument {
  const { acknowledgements, decisions, versions } = facts.counts;
  const checked = `${acknowledgements} signature(s), ${decisions} approval decision(s) and ${versions} published version(s)`;
  const blocks: PrintBlock[] = [
    { kind: 'heading', text: 'Records check', level: 2 },
    {
      kind: 'paragraph',
      style: 'strong',
      text: facts.ok
        ? `All signed records this PDF rests on hold: ${checked}, each checked against the school's published keys when this PDF was made.`
        : `Some signed records do not hold (${checked} checked when this PDF was made); this PDF shows only those that hold:`,
    },
    ...facts.findings.map((text): PrintBlock => ({ kind: 'paragraph', style: 'small', text })),
    {
      kind: 'paragraph',
      text:
        facts.checkpoint === null
          ? 'Signed checkpoint: none existed when this PDF was made.'
          : `Signed checkpoint: ${facts.checkpoint}, its signature checked. Compare it with the copy kept outside the site.`,
    },
    { kind: 'paragraph', text: facts.nightlyCheck },
    {
      kind: 'paragraph',
      style: 'small',
      text: `This PDF is the readable part of the evidence pack. The signed records, public keys and checkpoint that "countersign verify --pack" checks offline are in the folder "countersign evidence --policy ${facts.policyKey}" writes.`,
    },
  ];
  const [first, ...rest] = document.blocks;
  return {
    ...document,
    blocks: first === undefined ? blocks : [first, ...blocks, ...rest],
  };
}
