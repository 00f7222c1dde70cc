import { audienceKeySchema } from '../domain/policy-document.ts';

/** The nouns an audience note names; anything else in brackets is ordinary text. */
const AUDIENCE_NOUNS = new Set(
  (
    'staff governor trustee volunteer visitor contractor teacher pupil student parent carer ' +
    'leader manager employee trainee administrator technician assistant member worker agency ' +
    'supply slt dsl senco clerk everyone adult'
  ).split(' '),
);

const NOTE_BODY =
  /^(?:(?:this|the following|these) (?:point|clause|section|paragraph|item|statement|part)s? (?:is |are )?(?:only )?(?:for|applies to|apply to|relevant to)|(?:applies|apply) (?:only )?to|(?:only )?for|relevant to)\s+(.+?)(?:\s+only)?$/i;
const ONLY_BODY = /^(.+?)\s+only$/i;

function singular(word: string): string {
  if (/ies$/.test(word)) return word.slice(0, -3) + 'y';
  if (/(?:ss|us)$/.test(word)) return word;
  return word.replace(/s$/, '');
}

/** "staff and governors" → ["staff", "governor"]; null when it is not a list of audiences. */
export function parseAudienceList(phrase: string): string[] | null {
  const parts = phrase
    .toLowerCase()
    .split(/\s*(?:,|\band\b|&|\/|\bor\b|\+)\s*/)
    .map((part) =>
      part
        .replace(/^(?:all|the|our|any|every|members of)\s+/g, '')
        .replace(/['’]s?$/, '')
        .trim(),
    )
    .filter((part) => part !== '');
  if (parts.length === 0) return null;
  const keys: string[] = [];
  for (const part of parts) {
    if (!/^[a-z][a-z -]*$/.test(part)) return null;
    const words = part.split(/\s+/).map(singular);
    const head = words.at(-1);
    if (words.length > 3 || head === undefined || !AUDIENCE_NOUNS.has(head)) return null;
    const key = words.join('-').replace(/[^a-z0-9-]/g, '');
    if (!audienceKeySchema.safeParse(key).success) return null;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

function noteAudience(inside: string): string[] | null {
  const text = inside.trim().replace(/\s+/g, ' ');
  const match = NOTE_BODY.exec(text) ?? ONLY_BODY.exec(text);
  return match?.[1] ? parseAudienceList(match[1]) : null;
}

/**
 * A note standing alone, restricting what follows: "(This section applies to governors)",
 * "Governors only", "For staff only:". Null for anything else.
 */
export function standaloneAudienceNote(text: string): string[] | null {
  const trimmed = text.trim().replace(/[:.]$/, '');
  const bracketed = /^\(([^()]{2,100})\)$/.exec(trimmed);
  if (bracketed?.[1]) return noteAudience(bracketed[1]);
  const only = /^(?:for\s+)?(.{2,60}?)\s+only$/i.exec(trimmed);
  return only?.[1] ? parseAudienceList(only[1]) : null;
}

export interface AudienceNote {
  audience: string[];
  /** The note as printed, removed from the text. */
  note: string;
  text: string;
}

/**
 * Finds an audience note at the start or end of a clause: "(This point for staff and governors):
 * I have read…", "… (governors only).", "Staff only: …". Returns the clause text without it.
 */
export function extractAudienceNote(text: string): AudienceNote | null {
  const lead = /^\(([^()]{2,100})\)\s*[:.\-–—]?\s*/.exec(text);
  if (lead?.[1]) {
    const audience = noteAudience(lead[1]);
    const rest = text.slice(lead[0].length).trim();
    if (audience && rest !== '') return { audience, note: lead[0].trim(), text: rest };
  }
  const trail = /\s*\(([^()]{2,100})\)(\.?)$/.exec(text);
  if (trail?.[1]) {
    const audience = noteAudience(trail[1]);
    const rest = (text.slice(0, trail.index) + (trail[2] ?? '')).trim();
    if (audience && rest !== '') return { audience, note: trail[0].trim(), text: rest };
  }
  const prefix = /^([\p{L} ,/&]{2,60}?) only\s*[:\-–—]\s*/iu.exec(text);
  if (prefix?.[1]) {
    const audience = parseAudienceList(prefix[1]);
    const rest = text.slice(prefix[0].length).trim();
    if (audience && rest !== '') return { audience, note: prefix[0].trim(), text: rest };
  }
  return null;
}
