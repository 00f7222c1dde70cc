import { describe, expect, it } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import { policyDocumentSchema } from '../../src/domain/policy-document.ts';
import { parsePolicyText } from '../../src/importer/parse-policy-text.ts';
import { missingWords, sourceLines } from './word-coverage.ts';

/** Small deterministic PRNG (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pieces of real AUPs' debris and structure, recombined at random.
const PIECES = [
  'Staff Acceptable Use Policy',
  'Declaration',
  'To be completed by the user',
  'To be completed by the Headteacher',
  'Approved by: Emma Bonnin / Headteacher',
  'I have read, understood and agreed to this policy.',
  'I approve this user to be allocated credentials.',
  'Signature:\t\t\t____________',
  'Name:\t\tDarren Rubin________',
  'Signature\tDate',
  '[bookmark: _Toc520963847]I will lock my screen.',
  '\tI will report concerns to the DSL',
  '\t not sharing images',
  '\tregardless of who they are.',
  '· refraining from negative comments',
  '• I will keep passwords private.',
  '    o\tthis includes apps',
  '1. Purpose',
  '1.1 This policy applies to all staff.',
  'a) keep data safe;',
  'ii. report breaches.',
  '(This point for staff and governors): I will follow the policy.',
  '(governors only)',
  'What is an AUP?',
  'Using school systems:',
  '162\tphoneigning',
  'a\tnd am in agreement\twith my desi\tgnated',
  'Page 2 of 4',
  '3',
  '---',
  '# Heading',
  'I give permission for the school to use images of me. Yes / No',
  'Photo consent',
  '☐ I do not give consent.',
  '<u>Data Protection Policy</u> applies.',
  'Online Safety Policy. Online Safety Policy',
  '',
  '',
  '   ',
  '•',
  '()',
  ':',
  '____',
  'ÿ',
  'Additional permissions (e.g. admin)\t____________',
  'Emma Bonnin / Headteacher',
  'User Signature',
  'Full Name\t(printed) Job title',
  'Wŀ\tnen contacting families to keep in touch:',
  '_\the member of staff is at home:',
  'Date approved: 01/09/2024',
  'SECTION 2: MY RESPONSIBILITIES',
  '1\tI will ask before going online.',
  'Governors only',
  'This agreement is meant to make sure:',
  '\tØ\tencrypt memory sticks;',
  'I will use the internet responsibly and I will tell a member of staff if I see',
  'something that worries me, including messages from people I do not know.',
];

describe('parsePolicyText on random recombinations of real debris', () => {
  it('never fails but with a CountersignError, always fits the schema, drops no word', () => {
    const next = random(Number(process.env.FUZZ_SEED ?? 20261123));
    for (let n = 0; n < 400; n++) {
      const count = 1 + Math.floor(next() * 40);
      const lines = Array.from(
        { length: count },
        () => PIECES[Math.floor(next() * PIECES.length)] ?? '',
      );
      const text = lines.join('\n');
      let result: ReturnType<typeof parsePolicyText>;
      try {
        result = parsePolicyText(text);
      } catch (error) {
        expect(error, text).toBeInstanceOf(CountersignError);
        continue;
      }
      expect(policyDocumentSchema.safeParse(result.document).success, text).toBe(true);
      expect(missingWords(sourceLines(text), result), text).toEqual([]);
    }
  });
});
