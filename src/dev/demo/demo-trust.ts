import type { PolicyDocument } from '../../domain/policy-document.ts';
import type { SchoolVariant } from '../../domain/policy-variant.ts';
import type { School } from '../../domain/school.ts';
import { demoId, type DemoPerson } from './demo-school.ts';

/**
 * The demo trust (issue 14, item 5): three schools of different sizes in the same tenant and
 * site as the demo school, one trust-wide AUP with each school's contacts and two schools' own
 * clauses, and one school's own policy. Ids derive from names as the demo school's do; the names
 * are invented.
 */
export const DEMO_TRUST_DOMAIN = 'northfield-trust.example';

function person(givenName: string, surname: string, jobTitle: string): DemoPerson {
  const userPrincipalName = `${givenName}.${surname}`
    .toLowerCase()
    .replace(/[^a-z.]/g, '')
    .concat(`@${DEMO_TRUST_DOMAIN}`);
  return {
    id: demoId(userPrincipalName),
    displayName: `${givenName} ${surname}`,
    givenName,
    surname,
    userPrincipalName,
    mail: userPrincipalName,
    jobTitle,
    department: 'Staff',
    role: 'staff',
  };
}

const GIVEN = [
  'Abigail',
  'Ben',
  'Chloe',
  'Dev',
  'Ellie',
  'Femi',
  'Georgia',
  'Harry',
  'Iqra',
  'Jack',
  'Keira',
  'Liam',
  'Maya',
  'Noah',
  'Orla',
  'Paddy',
  'Qasim',
  'Rosie',
  'Stan',
  'Tia',
];
const FAMILY = [
  'Ashton',
  'Brook',
  'Carver',
  'Dale',
  'Ellis',
  'Foster',
  'Gill',
  'Hale',
  'Irwin',
  'Jowett',
  'Kaur',
  'Lowe',
  'Mistry',
  'Nash',
  'Okoro',
  'Penn',
  'Quinn',
  'Rowe',
  'Sykes',
];

/** `count` staff of a school, named from the lists in a fixed order (the same on every start). */
function staff(count: number, offset: number, jobTitle: string): DemoPerson[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    const given = GIVEN[n % GIVEN.length] ?? 'Sam';
    const family = FAMILY[(n * 7) % FAMILY.length] ?? 'Smith';
    return person(
      given,
      `${family}${n >= GIVEN.length ? ` ${String.fromCharCode(65 + (n % 26))}` : ''}`
        .trim()
        .replace(/ /g, '-'),
      jobTitle,
    );
  });
}

export interface DemoTrustSchool {
  school: School;
  head: DemoPerson;
  /** The school's DSL: its Policy.Admin, and the "dsl" contact the trust policy names. */
  admin: DemoPerson;
  /** The school's own people (each person is one school's, so seeded once). */
  people: DemoPerson[];
  /** Its staff group: its people, and anyone of another school who also works here. */
  group: { id: string; displayName: string; mailNickname: string; memberIds: string[] };
  /** The school's own clauses for the trust AUP (none: the master as it is). */
  variant?: SchoolVariant;
}

function trustSchool(input: {
  id: string;
  name: string;
  head: DemoPerson;
  admin: DemoPerson;
  staff: DemoPerson[];
  /** People of another school of the trust who also work here (in this school's group too). */
  alsoHere?: DemoPerson[];
  variant?: SchoolVariant;
}): DemoTrustSchool {
  const people = [input.head, input.admin, ...input.staff];
  const mailNickname = `${input.id.replace(/-/g, '')}staff`;
  const group = {
    id: demoId(`group:${mailNickname}`),
    displayName: `${input.name} Staff`,
    mailNickname,
    memberIds: [...people, ...(input.alsoHere ?? [])].map((p) => p.id),
  };
  return {
    school: {
      id: input.id,
      name: input.name,
      timeZone: 'Europe/London',
      audiences: [{ key: 'staff', label: 'Staff', groupIds: [group.id] }],
      approverIds: [input.head.id],
      adminIds: [input.admin.id],
      contacts: [
        {
          key: 'dsl',
          name: input.admin.displayName,
          role: 'Designated Safeguarding Lead',
          detail: input.admin.mail,
        },
        { key: 'head', name: input.head.displayName, role: 'Headteacher' },
      ],
    },
    head: input.head,
    admin: input.admin,
    people,
    group,
    ...(input.variant === undefined ? {} : { variant: input.variant }),
  };
}

const kingsmeadStaff = staff(17, 6, 'Teacher');
/**
 * A Kingsmead teacher who also teaches music at Hazel Lane: in both schools' staff groups, so
 * the tab gives her the School picker (the switcher's "shared-teacher"). Kingsmead's last.
 */
const sharedTeacher = person('Zara', 'Whitlock', 'Teacher (music at Kingsmead and Hazel Lane)');

const hazelLane = trustSchool({
  id: 'hazel-lane',
  name: 'Hazel Lane Infant School',
  head: person('Miriam', 'Oduya', 'Headteacher'),
  admin: person('Gareth', 'Pryce', 'Deputy Headteacher and DSL'),
  staff: staff(6, 0, 'Class Teacher'),
  alsoHere: [sharedTeacher],
});

const kingsmead = trustSchool({
  id: 'kingsmead',
  name: 'Kingsmead Primary School',
  head: person('Declan', 'Rourke', 'Headteacher'),
  admin: person('Shreya', 'Nair', 'Assistant Headteacher and DSL'),
  staff: [...kingsmeadStaff, sharedTeacher],
  variant: {
    sections: [
      {
        heading: 'Kingsmead Primary School: our own rules',
        clauses: [
          {
            text: 'Class iPads are signed out on the sheet in the Year 3 corridor and returned charged by 3.30 pm.',
            items: [],
          },
          {
            text: 'Photographs from Forest School are taken on the Forest School tablet only and uploaded to the class page by {{contact:head}}’s office.',
            items: [],
          },
        ],
      },
    ],
  },
});

const northfieldAcademy = trustSchool({
  id: 'northfield-academy',
  name: 'Northfield Academy',
  head: person('Judith', 'Marlow', 'Principal'),
  admin: person('Kofi', 'Asante', 'Vice Principal and DSL'),
  staff: staff(43, 24, 'Teacher'),
  variant: {
    sections: [
      {
        heading: 'Northfield Academy: our own rules',
        clauses: [
          {
            text: 'Sixth-form students may use their own devices on the student Wi-Fi only; staff never connect a student’s device to the staff network.',
            items: [],
          },
          {
            text: 'Exam-board portals are used only from the exams office.',
            items: ['Passwords for them are held by the exams officer, never shared by email.'],
          },
        ],
      },
    ],
  },
});

const trustLead = person(
  'Catherine',
  'Ashby',
  'Chief Executive Officer, Northfield Learning Trust',
);

/** The trust-wide AUP: the master text, with the placeholders each school's settings fill. */
const trustAup: PolicyDocument = {
  title: 'Northfield Learning Trust — Staff Acceptable Use Policy ({{school}})',
  sections: [
    {
      heading: 'Why the trust has this policy',
      clauses: [
        {
          number: '1',
          text: 'Devices, accounts and networks across the trust are provided for teaching, learning and running our schools. This policy applies in every school of the trust.',
          items: [],
        },
        {
          number: '2',
          text: 'If you are unsure whether something is allowed, speak to {{contact:dsl}} before you do it.',
          items: [],
        },
      ],
    },
    {
      heading: 'Using trust systems and data',
      clauses: [
        {
          number: '3',
          text: 'I will keep my passwords private and use multi-factor authentication on every trust account.',
          items: [],
        },
        {
          number: '4',
          text: 'I will only access pupil and staff information my role requires, and will not keep it on personal devices.',
          items: [],
        },
        {
          number: '5',
          text: 'I will report a concern about a child’s safety online, or inappropriate material on trust systems, to {{contact:dsl}} straight away.',
          items: [],
        },
      ],
    },
  ],
  declaration:
    'I have read, understood and agree to follow the Northfield Learning Trust Acceptable Use Policy as it applies at {{school}}.',
  consents: [],
  approval: null,
};

/** Northfield Academy's own policy: not the trust's, only its people sign it. */
const laptopLoan: PolicyDocument = {
  title: 'Northfield Academy — Staff Laptop Loan Agreement',
  sections: [
    {
      heading: 'Your academy laptop',
      clauses: [
        {
          number: '1',
          text: 'The laptop remains the academy’s property and is returned when I leave or when asked.',
          items: [],
        },
        {
          number: '2',
          text: 'I will keep it with me or locked away, and report loss or damage to the IT office the same day.',
          items: [],
        },
      ],
    },
  ],
  declaration: 'I accept the laptop on these terms.',
  consents: [],
  approval: null,
};

export const DEMO_TRUST = {
  id: 'northfield-trust',
  name: 'Northfield Learning Trust',
  trustLead,
  /** Smallest first: 8, 20 and 45 people of their own (Hazel Lane's group has 9: see below). */
  schools: [hazelLane, kingsmead, northfieldAcademy],
  /** Kingsmead's, and in Hazel Lane's staff group too: the one person in two schools. */
  sharedTeacher,
  trustPolicyKey: 'trust-aup',
  trustAup,
  /** The school with a policy of its own, and that policy. */
  ownPolicy: { school: northfieldAcademy, key: 'academy-laptop-loan', document: laptopLoan },
} as const;
