import type { PersonStatus } from './person-status.ts';
import type { PolicyVersion } from './policy.ts';

/**
 * The versions as they would stand once `number` is published: it is published and every
 * published version before it retired (what publishing does), so a status computed against them
 * is the status the person would have.
 */
export function versionsAfterPublish(
  versions: readonly PolicyVersion[],
  number: number,
  publishedAt: string,
): PolicyVersion[] {
  return versions.map((version) => {
    if (version.number === number) return { ...version, status: 'published', publishedAt };
    if (version.status === 'published' && version.number < number) {
      return { ...version, status: 'retired' };
    }
    return version;
  });
}

/**
 * What a change of versions does to one person, from their status before and after:
 * - must-sign-again: their signature stood (signed, or awaiting approval) and they will be due;
 * - still-to-sign: they had to sign already (due, overdue, rejected) and still will;
 * - signed-again: they had to sign and will not (a withdrawal restored what they signed);
 * - unaffected: anything else (still signed, or not required).
 */
export type Impact = 'must-sign-again' | 'still-to-sign' | 'signed-again' | 'unaffected';

export function impactOf(before: PersonStatus, after: PersonStatus): Impact {
  const mustSignAfter = mustSign(after);
  switch (before.kind) {
    case 'signed':
    case 'awaiting-approval':
      return mustSignAfter ? 'must-sign-again' : 'unaffected';
    case 'due':
    case 'overdue':
    case 'rejected':
      return mustSignAfter ? 'still-to-sign' : 'signed-again';
    case 'not-required':
      return mustSignAfter ? 'still-to-sign' : 'unaffected';
  }
}

function mustSign(status: PersonStatus): boolean {
  switch (status.kind) {
    case 'due':
    case 'overdue':
    case 'rejected':
      return true;
    case 'signed':
    case 'awaiting-approval':
    case 'not-required':
      return false;
  }
}

/** Per audience: how many people are in it and how many of them each impact reaches. */
export interface AudienceImpact {
  audience: string;
  people: number;
  mustSignAgain: number;
  stillToSign: number;
  signedAgain: number;
}

/** Counts impacts per audience; a person in two audiences counts in both. */
export function tallyImpacts(
  audiences: readonly string[],
  people: Iterable<{ audiences: readonly string[]; impact: Impact }>,
): AudienceImpact[] {
  const rows = new Map<string, AudienceImpact>(
    audiences.map((audience) => [
      audience,
      { audience, people: 0, mustSignAgain: 0, stillToSign: 0, signedAgain: 0 },
    ]),
  );
  for (const person of people) {
    for (const audience of person.audiences) {
      const row = rows.get(audience);
      if (row === undefined) continue;
      row.people += 1;
      switch (person.impact) {
        case 'must-sign-again':
          row.mustSignAgain += 1;
          break;
        case 'still-to-sign':
          row.stillToSign += 1;
          break;
        case 'signed-again':
          row.signedAgain += 1;
          break;
        case 'unaffected':
          break;
      }
    }
  }
  return [...rows.values()];
}
