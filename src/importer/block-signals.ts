/**
 * Recognises the blocks at the end of an AUP by their wording, not by their position in any one
 * school's file: the declaration a person signs, the approver's block, consents.
 */

const SHORT_LINE_WORDS = 12;

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

const SIGNER =
  '(?:the |each |every )?(?:user|member of staff|staff(?: member)?|employee|signatory|individual|applicant|volunteer|governor|trustee|you|person named above)';

const DECLARATION_LABEL = new RegExp(
  [
    `^(?:(?:staff|user|employee|member of staff|volunteer|governor|trustee|your|personal|individual)\\s+)?(?:declaration|signature|acknowledge?ment|acceptance|sign[- ]off|confirmation)\\b`,
    `^to be (?:completed|signed|filled in) by ${SIGNER}\\b`,
    `\\b(?:agreement|acceptance|declaration|consent|acknowledge?ment|sign[- ]off|signature) (?:form|slip|sheet)$`,
    `^(?:please )?sign (?:below|here)\\b`,
    `^statement of (?:agreement|acceptance|understanding)\\b`,
  ].join('|'),
  'i',
);

/** A short label that opens the declaration: "Declaration", "User Signature", "To be completed by the user". */
export function isDeclarationLabel(text: string): boolean {
  return wordCount(text) <= SHORT_LINE_WORDS && DECLARATION_LABEL.test(text.replace(/:$/, ''));
}

/** What a person states when signing: "I have read, understood and agreed to this policy…". */
export const DECLARATION_WORDING =
  /\b(?:I|we) (?:have read|confirm|acknowledge|agree to (?:abide|comply|follow|use)|understand and agree|accept)\b|\bby signing\b/i;

export interface Party {
  name?: string;
  role?: string;
}

const ROLE_WORDS =
  /\b(?:governing body|head ?teacher|head|principal|deputy|assistant|executive|dsl|safeguarding|lead|leader|manager|business|bursar|governors?|chair|trustee|ceo|director|senco|teacher|officer|administrator|co-?ordinator|network|technician|clerk|secretary|office|senior|slt|it|ict|computing)\b/i;
const NAME =
  /^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Rev|Sir|Dame)\.?\s+)?\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,3}$/u;

function isName(text: string): boolean {
  // A name has two parts at least ("Mrs Simons", "Emma Bonnin"): one capitalised word is anything.
  return NAME.test(text) && !ROLE_WORDS.test(text) && wordCount(text) >= 2;
}

function isRole(text: string): boolean {
  return ROLE_WORDS.test(text) && wordCount(text) <= 8;
}

function tidy(text: string): string {
  return text
    .replace(/^(?:the|our|your)\s+/i, '')
    .replace(/[\s.,;:_]+$/, '')
    .trim();
}

/**
 * Who a party is: "Emma Bonnin / Headteacher", "Emma Bonnin (Headteacher)", "the Headteacher",
 * "Mrs Simons", "Mrs Lovell/Mrs Simons". Empty when it is neither a name nor a role.
 */
/**
 * A line of an approver's block that only names them: "Emma Bonnin / Headteacher", "Mrs Simons,
 * Deputy Head". Not a sentence, not a bracketed note.
 */
export function namingLine(text: string): Party {
  if (/[.!?]$/.test(text) || /^[(\p{Ll}]/u.test(text) || wordCount(text) > 8) return {};
  if (/^(?:I|we|you|they|it|this|the school)\b/i.test(text)) return {};
  const party = parseParty(text);
  if (party.role === undefined && party.name !== undefined && wordCount(party.name) > 4) return {};
  if (party.name === undefined && party.role !== undefined && wordCount(party.role) > 5) return {};
  return party;
}

export function parseParty(text: string): Party {
  const clean = tidy(text.replace(/\s+/g, ' '));
  if (clean === '') return {};
  const pair = /^(.+?)\s*(?:\/|,|\||\s[-–—]\s|\()\s*(.+?)\)?$/.exec(clean);
  if (pair?.[1] && pair[2]) {
    const left = tidy(pair[1]);
    const right = tidy(pair[2]);
    if (isName(left) && isRole(right)) return { name: left, role: right };
    if (isRole(left) && isName(right)) return { name: right, role: left };
  }
  if (isRole(clean)) return { role: clean.charAt(0).toUpperCase() + clean.slice(1) };
  if (isName(clean) || clean.split(/\s*\/\s*/).every(isName)) return { name: clean };
  return {};
}

export interface ApprovalLabel {
  party: Party;
  /** "Approved by: …" on one line: the policy's sign-off, not the start of an approver's block. */
  inline: boolean;
}

const APPROVAL_BY = /^(?:to be (?:completed|signed|filled in) by|for completion by)\s+(.+?):?$/i;
const APPROVAL_HEADING =
  /^(?:for (?:office|school|admin(?:istration)?) use(?: only)?|approval|approver|authori[sz]ation|head ?teacher(?:['’]s)? (?:approval|authori[sz]ation|signature|use)|line manager(?:['’]s)? (?:approval|signature))\b/i;
const APPROVED_BY =
  /^(?:approved|authori[sz]ed|ratified|adopted|signed off)(?: by)?(?:\s*[:\-–—]\s*|\s+)(.{2,120})$/i;

/**
 * A label opening the approver's block: "To be completed by the Headteacher", "To be completed by
 * Mrs Simons", "For office use", "Approved by: Emma Bonnin / Headteacher".
 */
export function approvalLabel(text: string): ApprovalLabel | null {
  if (wordCount(text) > SHORT_LINE_WORDS || isDeclarationLabel(text)) return null;
  const by = APPROVAL_BY.exec(text);
  if (by?.[1]) return { party: parseParty(by[1]), inline: false };
  const approved = APPROVED_BY.exec(text);
  if (approved?.[1]) {
    // "the Governing Body: Emma Bonnin / Headteacher   Date: September 2024"
    const who = approved[1].replace(/\s+(?:date[d]?|on)\s*[:\-–—].*$/i, '');
    for (const part of who.split(/\s*:\s*/).reverse()) {
      const party = parseParty(part);
      if (party.name !== undefined || party.role !== undefined) return { party, inline: true };
    }
  }
  if (APPROVAL_HEADING.test(text.replace(/:$/, ''))) return { party: {}, inline: false };
  return null;
}

/** The approver's own statement: "I approve this user to be allocated credentials…". */
export const APPROVAL_WORDING =
  /^I (?:approve|authori[sz]e|confirm that (?:this|the) (?:user|member of staff|person))\b/i;

/** A form field that names the approver or their role. */
export function partyFromField(label: string, value: string | undefined): Party {
  if (value === undefined || value === '') return {};
  const text = tidy(value);
  if (/\b(?:role|position|job|title|post|capacity)\b/i.test(label)) return { role: text };
  if (/\b(?:name|signed|signature|approver|print)\b/i.test(label)) {
    const party = parseParty(text);
    return party.name !== undefined || party.role !== undefined ? party : { name: text };
  }
  if (isRole(label)) return { role: tidy(label), name: text };
  return {};
}

const CONSENT_WORDING = /\b(?:permission|consent)\b/i;
const CONSENT_TOPICS: ReadonlyArray<readonly [string, RegExp]> = [
  ['photo', /\b(?:images?|photo(?:graph)?s?|pictures?|videos?|film(?:ed|ing)?|likeness|camera)\b/i],
  ['social-media', /\bsocial media|facebook|twitter|instagram|youtube\b/i],
  ['contact', /\b(?:contact|phone|telephone|e-?mail|address)\b/i],
  ['newsletter', /\bnewsletters?\b/i],
  ['data-sharing', /\b(?:data|information|details)\b/i],
];

/** A consent asked of the signer: permission to use their image, their contact details… */
export function consentKeyFor(text: string): string | null {
  if (!CONSENT_WORDING.test(text)) return null;
  for (const [key, pattern] of CONSENT_TOPICS) if (pattern.test(text)) return key;
  return /\b(?:yes|no)\b/i.test(text) ? 'consent' : null;
}

/** A heading that opens a consent block: "Photo consent", "Permission to use images". */
export function isConsentLabel(text: string): boolean {
  return wordCount(text) <= 8 && /\b(?:consent|permission)s?\b/i.test(text) && !/[.]$/.test(text);
}
