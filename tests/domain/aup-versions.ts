import type { Clause, PolicyDocument } from '../../src/domain/policy-document.ts';

/**
 * Three versions of a realistic staff/governor AUP (written for these tests in the style of real
 * schools' AUPs), so the diff and the status rules run on documents, not toy strings.
 *
 * v1 → v2: the USB clause (5) is removed, so 6–9 renumber to 5–8; the phone clause is reworded;
 * a generative-AI clause is added. v2 → v3: only the staff-only app clause is reworded.
 */
const intro: Clause = {
  text: 'We ask all adults involved in the life of Hollybank Primary School to sign an Acceptable Use Policy (AUP), which outlines how we expect them to behave when they are online, and when using school networks, devices, cloud platforms and social media.',
  items: [],
};

const onlineSafetyPolicy: Clause = {
  text: 'I have read and understood the Online Safety Policy and agree to uphold the spirit and letter of the approaches outlined there, both for my behaviour as an adult and enforcing the rules for pupils.',
  audience: ['staff', 'governors'],
  items: [],
};

const safeguarding: Clause = {
  text: 'I understand online safety is a core part of safeguarding and part of everyone’s job. I will report any behaviour which I believe may be inappropriate or concerning in any way to the Designated Safeguarding Lead.',
  items: [],
};

const monitoring: Clause = {
  text: 'I understand that school systems and users are protected by security, monitoring and filtering services, and that my use of school devices and networks is monitored.',
  items: [],
};

const phoneV1: Clause = {
  text: 'I will leave my phone in my pocket and turned off when in the presence of children, and I will never use it to take photographs of pupils.',
  items: [],
};

const phoneV2: Clause = {
  text: 'I will leave my phone in my bag and switched off when in the presence of children, and I will never use it to take photographs of pupils.',
  items: [],
};

const usb: Clause = {
  text: 'I will not use USB memory sticks or other removable media to carry school data off site.',
  items: [],
};

const dataProtection: Clause = {
  text: 'I agree to adhere to all provisions of the school Data Protection Policy at all times, whether or not I am on site, and in particular:',
  items: [
    'not sharing my passwords or login details with anyone',
    'locking my screen whenever I leave a device unattended',
    'using my school email account for all school business',
  ],
};

const appsV1: Clause = {
  text: 'I will check with the Headteacher before I use any new platform or app that has not already been approved by the school, to ensure it is quality assured.',
  audience: ['staff'],
  items: [],
};

const appsV3: Clause = {
  text: 'I will check with the Computing Lead before I use any new platform or app that has not already been approved by the school, to ensure it is quality assured and meets data protection law.',
  audience: ['staff'],
  items: [],
};

const roleModel: Clause = {
  text: 'I understand that I am a role model and will model safe, responsible and positive behaviours in my own use of technology, including social media.',
  items: [],
};

const generativeAi: Clause = {
  text: 'I will not enter pupils’ personal information, images or work into generative AI tools unless the tool has been approved by the Data Protection Officer.',
  items: [],
};

const breach: Clause = {
  text: 'I understand that breach of this AUP may lead to disciplinary action and, where appropriate, referral to the relevant authorities.',
  items: [],
};

function numbered(clauses: Clause[]): Clause[] {
  return clauses.map((clause, index) => ({ ...clause, number: String(index + 1) }));
}

const declaration =
  'I have read, understood and agreed to this policy. I understand that it is my responsibility to ensure I remain up to date with the school’s online safety and safeguarding policies.';

const approval = {
  statement:
    'I approve this user to be allocated credentials for school systems as relevant to their role.',
  approverName: 'Emma Bonnin',
  approverRole: 'Headteacher',
};

export const aupV1: PolicyDocument = {
  title: 'Staff, Governor and Volunteer Acceptable Use Policy',
  sections: [
    { heading: 'What is an AUP?', clauses: [intro] },
    {
      heading: 'What am I agreeing to?',
      clauses: numbered([
        onlineSafetyPolicy,
        safeguarding,
        monitoring,
        phoneV1,
        usb,
        dataProtection,
        appsV1,
        roleModel,
        breach,
      ]),
    },
  ],
  declaration,
  consents: [],
  approval,
};

export const aupV2: PolicyDocument = {
  ...aupV1,
  sections: [
    { heading: 'What is an AUP?', clauses: [intro] },
    {
      heading: 'What am I agreeing to?',
      clauses: numbered([
        onlineSafetyPolicy,
        safeguarding,
        monitoring,
        phoneV2,
        dataProtection,
        appsV1,
        roleModel,
        generativeAi,
        breach,
      ]),
    },
  ],
};

export const aupV3: PolicyDocument = {
  ...aupV2,
  sections: [
    { heading: 'What is an AUP?', clauses: [intro] },
    {
      heading: 'What am I agreeing to?',
      clauses: numbered([
        onlineSafetyPolicy,
        safeguarding,
        monitoring,
        phoneV2,
        dataProtection,
        appsV3,
        roleModel,
        generativeAi,
        breach,
      ]),
    },
  ],
};

/** A document with an abbreviation spelt out in a clause everyone sees: a minor correction. */
export function clarified(doc: PolicyDocument): PolicyDocument {
  return {
    ...doc,
    sections: doc.sections.map((section) => ({
      ...section,
      clauses: section.clauses.map((clause) =>
        clause.text === breach.text
          ? { ...clause, text: clause.text.replace('this AUP', 'this Acceptable Use Policy') }
          : clause,
      ),
    })),
  };
}
