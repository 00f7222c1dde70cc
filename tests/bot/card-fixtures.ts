import { contentHash } from '../../src/domain/content-hash.ts';
import { diffDocuments, summariseDiff, type PolicyDiff } from '../../src/domain/policy-diff.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { CardsConfig } from '../../src/bot/cards/index.ts';

/** Deterministic, realistic data for the card tests: long names, a 25-clause change. */

export const config: CardsConfig = {
  appId: '3f2b8c1e-6d4a-4f7e-9b21-0c5d8e7a1f42',
  timeZone: 'Europe/London',
};

export const signer = {
  userId: '6b1f0e4c-2a9d-4c3b-8e7f-1d2c3b4a5e6f',
  displayName: 'Dr Anne-Marie Featherstonehaugh-Okonkwo-Wainwright',
  upn: 'anne-marie.featherstonehaugh-okonkwo-wainwright@st-bartholomews-primary.sch.uk',
};

export const headteacher = {
  userId: '9c8d7e6f-5a4b-4c3d-9e2f-1a0b9c8d7e6f',
  displayName: 'Mrs Emma Bonnin-Ashworth',
};

const CLAUSE_STEMS = [
  'I will only use the school’s digital technology resources and systems for professional purposes or for uses deemed reasonable by the Headteacher and Governing Body',
  'I will not reveal my password(s) to anyone, and I will change it whenever the IT lead asks me to',
  'I will follow good practice for passwords: at least twelve characters, not reused on any other service, never written down near the device',
  'I will not allow unauthorised individuals to access email, the internet, the intranet, the network, or other school systems',
  'I will ensure all documents, data and other personal information are saved, accessed and deleted in accordance with the school’s data protection policy',
  'I will not engage in any online activity that may compromise my professional responsibilities',
  'I will only use the approved school email, school learning platform or other school-approved communication systems with pupils or parents and carers',
  'I will not browse, download or send material that could be considered offensive to colleagues, pupils or parents',
  'I will report any accidental access to, or receipt of, inappropriate materials, or filtering breach to the Designated Safeguarding Lead',
  'I will not download any software or resources from the internet that can compromise the network, or are not adequately licensed',
];

function clauseText(i: number, variant: string): string {
  const stem = CLAUSE_STEMS[i % CLAUSE_STEMS.length] ?? '';
  return `${stem} (${variant} ${i + 1}), including when working from home, on a school laptop or on a personal device enrolled in the school’s device management.`;
}

function documentOf(
  clauses: { number: string; text: string }[],
  declaration: string,
): PolicyDocument {
  return {
    title:
      'St Bartholomew’s Church of England Primary School Staff, Governor and Volunteer Acceptable Use Policy',
    sections: [
      {
        heading: 'Using the school’s systems and data',
        clauses: clauses.map((c) => ({ number: c.number, text: c.text, items: [] })),
      },
    ],
    declaration,
    consents: [
      {
        key: 'photo',
        text: 'I consent to the school using my photograph on the school website, in the newsletter and on identity badges, and understand I can withdraw this consent at any time by telling the office.',
      },
      {
        key: 'contact',
        text: 'I agree that the school may share my work mobile number with the lettings manager for out-of-hours building emergencies.',
      },
    ],
    approval: {
      statement:
        'I approve this user to be allocated credentials for school systems as relevant to their role.',
      approverName: 'Emma Bonnin-Ashworth',
      approverRole: 'Headteacher',
    },
  };
}

const DECLARATION =
  'I have read, understood and agreed to comply with the Staff, Governor and Volunteer Acceptable Use Policy. I understand that failure to comply may lead to disciplinary action and, where appropriate, referral to the police.';

/** Version 3: 20 clauses. */
export const previousDocument = documentOf(
  Array.from({ length: 20 }, (_, i) => ({ number: String(i + 1), text: clauseText(i, 'rule') })),
  DECLARATION,
);

/**
 * Version 4: clauses 1–10 reworded, 11–15 removed, 16–20 kept, 10 new ones: a 25-clause diff.
 * Reworded clauses keep most of their words so the diff pairs them rather than add + remove.
 */
export const currentDocument = documentOf(
  [
    ...Array.from({ length: 10 }, (_, i) => ({
      number: String(i + 1),
      text: `${clauseText(i, 'rule')} This now also covers Microsoft Teams chats and channels.`,
    })),
    ...Array.from({ length: 5 }, (_, i) => ({
      number: String(i + 11),
      text: clauseText(i + 15, 'rule'),
    })),
    ...Array.from({ length: 10 }, (_, i) => ({
      number: `${16 + i}`,
      text: `New for 2025–26 (${i + 1}): I will not use generative AI tools to process pupils’ personal data, photographs or work unless the tool is on the school’s approved list, and I will say when work was drafted with one.`,
    })),
  ],
  DECLARATION,
);

export const diff: PolicyDiff = diffDocuments(previousDocument, currentDocument);
export const diffSummary = summariseDiff(diff);

export const policy = {
  key: 'staff-aup',
  title: currentDocument.title,
};

export const version = {
  number: 4,
  label: 'Spring 2026 (material change)',
  contentHash: contentHash(currentDocument),
  document: currentDocument,
};

export const acknowledgement = {
  id: `staff-aup:v4:${signer.userId}`,
  policyKey: 'staff-aup',
  versionNumber: 4,
  contentHash: version.contentHash,
  userId: signer.userId,
  upn: signer.upn,
  displayName: signer.displayName,
  typedName: 'Anne-Marie Featherstonehaugh-Okonkwo-Wainwright',
  statedRole: 'Deputy Headteacher, Designated Safeguarding Lead and Year 6 class teacher',
  signedAt: '2026-03-05T14:07:31.000Z',
  channel: 'card' as const,
  consents: { photo: true, contact: false },
  approvalState: 'pending' as const,
  seal: 'a'.repeat(64),
};

/** 140 overdue people with long names. */
export const overduePeople = Array.from({ length: 140 }, (_, i) => ({
  displayName: `${['Mr', 'Mrs', 'Ms', 'Dr', 'Mx'][i % 5]} ${['Oluwaseun', 'Siobhan', 'Krzysztof', 'Aleksandra', 'Bartholomew'][i % 5]} ${['Featherstonehaugh', 'Okonkwo-Wainwright', 'Fitzgerald-Montgomery', 'Ramaswamy', 'Llewellyn-Bowen'][i % 5]} ${i + 1}`,
}));
