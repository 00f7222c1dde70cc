import { createHash } from 'node:crypto';
import type { PolicyDocument } from '../../domain/policy-document.ts';
import type { School } from '../../domain/school.ts';

/**
 * The demo school the Graph emulator is seeded with, exported so the tab's dev identities, the
 * bot and tests use the same people. Every id is derived from a stable name, so it is the same in
 * every process and after every reset. The names are invented; the AUP was written for this
 * project (it is not one of the fixtures).
 */
export type DemoRole = 'staff' | 'governor' | 'volunteer';
export type StaffTeam = 'leadership' | 'teaching' | 'support';

export interface DemoPerson {
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  userPrincipalName: string;
  mail: string;
  jobTitle: string;
  department: string;
  role: DemoRole;
  team?: StaffTeam;
}

export interface DemoGroup {
  key: string;
  id: string;
  displayName: string;
  description: string;
  mailNickname: string;
  /** Direct user members (ids). */
  memberIds: string[];
  /** Direct group members (ids): nested groups exercise transitive membership. */
  memberGroupIds: string[];
}

export const DEMO_DOMAIN = 'demo-school.example';
export const DEMO_SHAREPOINT_HOSTNAME = 'demoschool.sharepoint.com';
export const DEMO_SITE_PATH = '/sites/countersign';

/** A GUID-shaped id derived from a name (stable across processes and resets). */
export function demoId(name: string): string {
  const hex = createHash('sha256').update(`countersign-demo:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function upnPart(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^A-Za-z -]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s]+/g, '-');
}

function person(
  givenName: string,
  surname: string,
  jobTitle: string,
  role: DemoRole,
  team?: StaffTeam,
): DemoPerson {
  const userPrincipalName = `${upnPart(givenName)}.${upnPart(surname)}@${DEMO_DOMAIN}`;
  const department =
    role === 'governor'
      ? 'Governing Board'
      : role === 'volunteer'
        ? 'Volunteers'
        : team === 'support'
          ? 'Support Staff'
          : 'Teaching Staff';
  return {
    id: demoId(userPrincipalName),
    displayName: `${givenName} ${surname}`,
    givenName,
    surname,
    userPrincipalName,
    mail: userPrincipalName,
    jobTitle,
    department,
    role,
    ...(team === undefined ? {} : { team }),
  };
}

const headteacher = person('Helen', 'Whitfield', 'Headteacher', 'staff', 'leadership');
const dsl = person(
  'Daniel',
  'Okafor',
  'Deputy Headteacher and Designated Safeguarding Lead',
  'staff',
  'leadership',
);
const senco = person('Priya', 'Chauhan', 'Assistant Headteacher and SENCo', 'staff', 'leadership');

const teaching: [string, string, string][] = [
  ['Sarah', 'Bennett', 'Year 6 Teacher'],
  ['James', 'Holloway', 'Year 5 Teacher'],
  ['Aisha', 'Rahman', 'Year 4 Teacher'],
  ['Thomas', 'Evans', 'Year 3 Teacher'],
  ['Emily', 'Clarke', 'Year 2 Teacher'],
  ['Rhys', 'Morgan', 'Year 1 Teacher'],
  ['Charlotte', 'Hughes', 'Reception Teacher'],
  ['Oliver', 'Pritchard', 'Year 6 Teacher'],
  ['Grace', "O'Neill", 'Year 5 Teacher'],
  ['Mohammed', 'Iqbal', 'Year 4 Teacher'],
  ['Hannah', 'Lewis', 'Year 3 Teacher'],
  ['Lucy', 'Armitage', 'Year 2 Teacher'],
  ['Samuel', 'Fletcher', 'PE Lead'],
  ['Zainab', 'Ahmed', 'Music Teacher'],
  ['Megan', 'Price', 'Year 1 Teacher'],
  ['Joseph', 'Kowalski', 'Computing Lead'],
  ['Rebecca', 'Shaw', 'Early Years Lead'],
  ['Niamh', 'Doherty', 'Reception Teacher'],
  ['Benjamin', 'Wright', 'Maths Lead'],
  ['Fatima', 'Begum', 'English Lead'],
  ['Catherine', 'Marsh', 'PPA Cover Teacher'],
  ['Ethan', 'Roberts', 'Early Career Teacher'],
  ['Isabel', 'Moreno', 'Spanish Teacher'],
  ['Callum', 'Fraser', 'Year 6 Teacher'],
  ['Ruth', 'Adeyemi', 'Intervention Teacher'],
];

const officeManager = person('Joanne', 'Baxter', 'Office Manager', 'staff', 'support');
const itLead = person('Martin', 'Osei', 'IT Technician', 'staff', 'support');

const support: [string, string, string][] = [
  ['Karen', 'Poole', 'School Business Manager'],
  ['Linda', 'Hargreaves', 'Administrative Assistant'],
  ['Paul', 'Jenkins', 'Site Manager'],
  ['Sandra', 'Whitaker', 'Cook'],
  ['Deborah', 'Nolan', 'Kitchen Assistant'],
  ['Amy', 'Turner', 'Teaching Assistant'],
  ['Chloe', 'Walsh', 'Teaching Assistant'],
  ['Jessica', 'Moore', 'Teaching Assistant'],
  ['Natalie', 'Griffiths', 'Higher Level Teaching Assistant'],
  ['Laura', 'Kelly', 'Teaching Assistant'],
  ['Sophie', 'Harrison', 'Teaching Assistant'],
  ['Kirsty', 'Campbell', 'Teaching Assistant'],
  ['Shabana', 'Hussain', 'Teaching Assistant'],
  ['Victoria', 'Palmer', 'SEN Teaching Assistant'],
  ['Gemma', 'Richardson', 'SEN Teaching Assistant'],
  ['Stephen', 'Booth', 'Learning Mentor'],
  ['Michelle', 'Barnes', 'Family Support Worker'],
  ['Julie', 'Simpson', 'Lunchtime Supervisor'],
  ['Tracey', 'Owen', 'Lunchtime Supervisor'],
  ['Beverley', 'Knight', 'Lunchtime Supervisor'],
  ['Anne-Marie', 'Costello', 'Breakfast Club Leader'],
  ['Kwame', 'Mensah', 'Sports Coach'],
  ['Dawn', 'Fisher', 'Cleaner'],
  ['Gary', 'Holt', 'Cleaner'],
  ['Elaine', 'Dawson', 'Librarian'],
  ['Hayley', 'Robson', 'Nursery Nurse'],
  ['Leanne', 'Wood', 'Nursery Nurse'],
  ['Yasmin', 'Patel', 'Attendance Officer'],
  ['Marcus', 'Reid', 'Apprentice Teaching Assistant'],
  ['Bethan', 'Llewellyn', 'Receptionist'],
];

const governors: [string, string, string][] = [
  ['Margaret', 'Ellison', 'Chair of Governors'],
  ['Anthony', 'Grant', 'Vice Chair of Governors'],
  ['Nadia', 'Siddiqui', 'Safeguarding Governor'],
  ['Peter', 'Lawson', 'Parent Governor'],
  ['Claire', 'Donnelly', 'Parent Governor'],
  ['Imran', 'Malik', 'Parent Governor'],
  ['Richard', 'Ashworth', 'Local Authority Governor'],
  ['Olumide', 'Bakare', 'Co-opted Governor'],
  ['Susan', 'Metcalfe', 'Co-opted Governor'],
  ['David', 'Chen', 'Foundation Governor'],
];

const volunteers: [string, string, string][] = [
  ['Patricia', 'Hobbs', 'Reading Volunteer'],
  ['George', 'Whitmore', 'Gardening Club Volunteer'],
  ['Angela', 'Rossi', 'Reading Volunteer'],
  ['Brian', 'Cartwright', 'Forest School Volunteer'],
  ['Maureen', 'Doyle', 'School Trip Volunteer'],
  ['Tariq', 'Hassan', 'Football Club Volunteer'],
  ['Eleanor', 'Fitzgerald', 'Library Volunteer'],
  ['Kieran', 'Walsh', 'Student Placement Volunteer'],
];

const leadershipStaff = [headteacher, dsl, senco];
const teachingStaff = teaching.map(([g, s, j]) => person(g, s, j, 'staff', 'teaching'));
const supportStaff = [
  officeManager,
  itLead,
  ...support.map(([g, s, j]) => person(g, s, j, 'staff', 'support')),
];
const governorPeople = governors.map(([g, s, j]) => person(g, s, j, 'governor'));
const chairOfGovernors = requireChair(governorPeople);

function requireChair(people: readonly DemoPerson[]): DemoPerson {
  const chair = people.find((p) => p.jobTitle === 'Chair of Governors');
  if (chair === undefined) throw new Error('The demo school has no chair of governors.');
  return chair;
}
const volunteerPeople = volunteers.map(([g, s, j]) => person(g, s, j, 'volunteer'));

function group(
  key: string,
  displayName: string,
  description: string,
  members: DemoPerson[],
  memberGroups: DemoGroup[] = [],
): DemoGroup {
  const mailNickname = displayName.replace(/[^A-Za-z0-9]/g, '');
  return {
    key,
    id: demoId(`group:${mailNickname}`),
    displayName,
    description,
    mailNickname,
    memberIds: members.map((member) => member.id),
    memberGroupIds: memberGroups.map((member) => member.id),
  };
}

const seniorLeadershipGroup = group(
  'seniorLeadership',
  'Senior Leadership Team',
  'Headteacher, deputy and assistant headteachers',
  leadershipStaff,
);
const teachingGroup = group(
  'teachingStaff',
  'Teaching Staff',
  'Everyone who teaches (the leadership team is nested in here)',
  teachingStaff,
  [seniorLeadershipGroup],
);
const supportGroup = group(
  'supportStaff',
  'Support Staff',
  'Office, site, kitchen, teaching assistants and other support staff',
  supportStaff,
);
const allStaffGroup = group(
  'allStaff',
  'All Staff',
  'Every member of staff (through the nested Teaching Staff and Support Staff groups)',
  [],
  [teachingGroup, supportGroup],
);
// The headteacher sits on the governing board ex officio, so belongs to two audiences.
const governorsGroup = group('governors', 'Governors', 'The governing board', [
  ...governorPeople,
  headteacher,
]);
const volunteersGroup = group(
  'volunteers',
  'Volunteers',
  'Regular volunteers in school',
  volunteerPeople,
);
const aupAdminsGroup = group(
  'aupAdmins',
  'AUP Admins',
  'Policy admins for Countersign: DSL, office manager, IT',
  [dsl, officeManager, itLead],
);
const approversGroup = group(
  'approvers',
  'AUP Approvers',
  'Approve new signers to be allocated credentials for school systems',
  [headteacher],
);

const demoAup: PolicyDocument = {
  title: 'Demo Primary School — Staff, Governor and Volunteer Acceptable Use Policy',
  sections: [
    {
      heading: 'Why we have this policy',
      clauses: [
        {
          number: '1',
          text: 'School devices, accounts and networks are provided to support teaching, learning and the running of the school. This policy explains what the school expects of everyone who is given access to them.',
          items: [],
        },
        {
          number: '2',
          text: 'The school monitors the use of its systems to keep pupils and staff safe. Anything created, sent or stored on school systems may be reviewed by authorised staff.',
          items: [],
        },
        {
          number: '3',
          text: 'If you are unsure whether something is allowed, ask the Designated Safeguarding Lead or the IT Technician before you do it.',
          items: [],
        },
      ],
    },
    {
      heading: 'Using school systems and data',
      clauses: [
        {
          number: '4',
          text: 'I will keep my passwords private, use multi-factor authentication where it is offered, and lock or sign out of any device I leave unattended.',
          items: [],
        },
        {
          number: '5',
          text: 'I will only access, copy or share personal information about pupils, families or colleagues when my role requires it, and I will handle it in line with the school’s data protection policy.',
          items: [
            'Personal data leaves the school only through approved, encrypted services.',
            'I will not keep pupil data on personal devices or personal cloud storage.',
          ],
        },
        {
          number: '6',
          text: 'I will not install software, browser extensions or apps on school devices unless the IT Technician has approved them.',
          items: [],
        },
        {
          number: '7',
          text: 'I will report any suspected data breach, lost device or phishing message to the school office on the same day.',
          items: [],
        },
        {
          number: '8',
          text: 'I have access to confidential governance and personnel papers and will keep them within the school’s secure storage, never forwarding them to personal email accounts.',
          audience: ['staff', 'governors'],
          items: [],
        },
      ],
    },
    {
      heading: 'Online conduct and safeguarding',
      clauses: [
        {
          number: '9',
          text: 'I will communicate with pupils and parents only through school-approved channels, and I will not accept or request connections with pupils on personal social media.',
          items: [],
        },
        {
          number: '10',
          text: 'I will not take, keep or share images of pupils on personal devices. Photographs for school purposes are taken on school equipment and stored on school systems.',
          items: [],
        },
        {
          number: '11',
          text: 'I will behave online in a way that does not bring the school into disrepute, including in my private use of social media.',
          items: [],
        },
        {
          number: '12',
          text: 'I will report any concern about a child’s safety online, or any inappropriate material I find on school systems, to the Designated Safeguarding Lead straight away.',
          items: [
            'I will not investigate the material myself or show it to others.',
            'I understand the filtering and monitoring systems may flag my activity for review.',
          ],
        },
      ],
    },
  ],
  declaration:
    'I have read, understood and agree to follow this Acceptable Use Policy. I understand that breaking it may lead to my access being withdrawn and, for staff, to disciplinary action.',
  consents: [
    {
      key: 'photo',
      text: 'I give permission for the school to use my photograph on the staff board, the school website and the school’s social media accounts.',
    },
  ],
  approval: {
    statement:
      'I approve this user to be allocated credentials for school systems as relevant to their role.',
    approverName: headteacher.displayName,
    approverRole: 'Headteacher',
  },
};

const users = [
  ...leadershipStaff,
  ...teachingStaff,
  ...supportStaff,
  ...governorPeople,
  ...volunteerPeople,
];

const groups = {
  allStaff: allStaffGroup,
  teachingStaff: teachingGroup,
  supportStaff: supportGroup,
  seniorLeadership: seniorLeadershipGroup,
  governors: governorsGroup,
  volunteers: volunteersGroup,
  aupAdmins: aupAdminsGroup,
  approvers: approversGroup,
};

const school: School = {
  id: 'demo-school',
  name: 'Demo Primary School',
  timeZone: 'Europe/London',
  audiences: [
    { key: 'staff', label: 'Staff', groupIds: [allStaffGroup.id] },
    { key: 'governors', label: 'Governors', groupIds: [governorsGroup.id] },
    { key: 'volunteers', label: 'Volunteers', groupIds: [volunteersGroup.id] },
  ],
  approverIds: [headteacher.id],
  adminIds: [dsl.id, officeManager.id, itLead.id],
  // Nobody approves their own signature: the chair of governors approves the headteacher's.
  approversApprover: {
    id: chairOfGovernors.id,
    name: chairOfGovernors.displayName,
    role: 'Chair of Governors',
  },
  // Named by a trust policy's placeholders ({{contact:dsl}}) when the school is in a trust.
  contacts: [
    {
      key: 'dsl',
      name: dsl.displayName,
      role: 'Designated Safeguarding Lead',
      detail: dsl.mail,
    },
    { key: 'head', name: headteacher.displayName, role: 'Headteacher' },
  ],
  permissionChoices: [
    'Admin rights',
    'Remote access',
    'Finance systems',
    'MIS (SIMS) admin',
    'Safeguarding records (CPOMS)',
  ],
};

export const DEMO_SCHOOL = {
  tenantId: demoId('tenant'),
  sharePointHostname: DEMO_SHAREPOINT_HOSTNAME,
  sitePath: DEMO_SITE_PATH,
  /** The Countersign site's Graph id (`hostname,site-collection-id,web-id`). */
  siteId: `${DEMO_SHAREPOINT_HOSTNAME},${demoId('site-collection:countersign')},${demoId('web:countersign')}`,
  /** The tenant's root site (`GET /sites/root`). */
  rootSiteId: `${DEMO_SHAREPOINT_HOSTNAME},${demoId('site-collection:root')},${demoId('web:root')}`,
  school,
  users,
  staff: [...leadershipStaff, ...teachingStaff, ...supportStaff],
  governors: governorPeople,
  volunteers: volunteerPeople,
  headteacher,
  chairOfGovernors,
  dsl,
  officeManager,
  itLead,
  admins: [dsl, officeManager, itLead],
  groups,
  aup: demoAup,
} as const;
