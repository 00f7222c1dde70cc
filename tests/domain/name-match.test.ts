import { describe, expect, it } from 'vitest';
import {
  nameResemblance,
  signedAsLine,
  typedNameDiffers,
  type NameResemblance,
} from '../../src/domain/name-match.ts';

/** [typed name, Entra display name, expected, why]. */
const CASES: readonly (readonly [string, string, NameResemblance, string])[] = [
  // The attack: a colleague's name typed from someone else's account.
  ['Bob Jones', 'Alice Brown', 'different', 'Alice signs typing a colleague’s name'],
  ['Alice Brown', 'Bob Jones', 'different', 'the same the other way round'],
  ['B. Jones', 'Alice Brown', 'different', 'a colleague’s initial and surname'],
  ['Bob Jones', 'Jones, Robert', 'similar', 'but Bob is a Robert'],
  ['Alice Jones', 'Alice Brown', 'different', 'another surname (perhaps married): worth a look'],
  ['Samuel Okafor', 'Samantha Okafor', 'different', 'two different full names, one family'],
  ['Daniel Walsh', 'Danielle Walsh', 'different', 'not a short form of each other'],
  ['Alice Brown for Bob Jones', 'Alice Brown', 'different', 'padding that names someone else'],
  ['Mrs', 'Jane Smith', 'different', 'no name at all'],
  ['Zhang Wei', '张伟', 'different', 'another script: no transliteration, so flagged'],

  // The same name, written differently.
  ['Jane Smith', 'Jane Smith', 'same', 'identical'],
  ['  jane   SMITH ', 'Jane Smith', 'same', 'case and spaces'],
  ['Smith, Jane', 'Jane Smith', 'same', 'surname first with a comma'],
  ['Jane Smith', 'SMITH Jane', 'same', 'surname first without one'],
  ['Zoe Angstrom', 'Zoë Ångström', 'same', 'diacritics'],
  ['Lukasz Zolc', 'Łukasz Żółć', 'same', 'letters that do not decompose'],
  ['Søren Kierkegaard', 'Soren Kierkegaard', 'same', 'ø'],
  ['Mary OBrien', 'Mary O’Brien', 'same', 'a curly apostrophe'],
  ['Mary O Brien', "Mary O'Brien", 'same', 'a space for the apostrophe'],
  ['Jane Smith-Jones', 'Jane Smith Jones', 'same', 'hyphen or space'],
  ['Jane Smith–Jones', 'Jane Smith-Jones', 'same', 'en dash or hyphen'],
  ['Ｊａｎｅ Ｓｍｉｔｈ', 'Jane Smith', 'same', 'full-width letters (NFKC)'],
  ['Mrs Jane Smith', 'Jane Smith', 'same', 'a title'],
  ['Dr. Jane Smith PhD', 'Jane Smith', 'same', 'a title and post-nominals'],
  ['Jane Smith', 'Jane Smith (Staff)', 'same', 'a bracketed note on the account'],
  ['Jane Smith', 'jane.smith', 'same', 'a display name that is the UPN’s local part'],
  ['Strauß Anna', 'Anna Strauss', 'same', 'ß'],

  // Compatible: not flagged.
  ['J. Smith', 'Jane Smith', 'similar', 'an initial'],
  ['J Smith', 'Smith, Jane', 'similar', 'an initial, surname first'],
  ['Jane Smith', 'Mrs J Smith', 'similar', 'the account has the initial and a title'],
  ['Mrs Smith', 'Jane Smith', 'similar', 'title and surname'],
  ['Jane Mary Smith', 'Jane Smith', 'similar', 'a middle name the account lacks'],
  ['Jane Smith', 'Jane Mary Smith', 'similar', 'a middle name left out'],
  ['Jane M. Smith', 'Jane Mary Smith', 'similar', 'a middle initial'],
  ['Jane Mary Smith', 'Mrs J Smith', 'similar', 'a middle name, against an initial'],
  ['Jane Mary Smith', 'Jane Smith (Staff)', 'similar', 'a middle name and a bracketed note'],
  ['Jane Smith-Jones', 'Jane Smith', 'similar', 'a double-barrelled surname'],
  ['Jane Smith', 'Jane Smith-Jones', 'similar', 'half of one'],
  ['Kate Walsh', 'Katherine Walsh', 'similar', 'a short form'],
  ['Katie Walsh', 'Walsh, Catherine', 'similar', 'a short form of another spelling'],
  ['Alex Green', 'Alexandra Green', 'similar', 'a short form that is a prefix'],
  ['Liz Patel', 'Elizabeth Patel', 'similar', 'a short form that is not'],
  ['Jo Adeyemi', 'Joanne Adeyemi', 'similar', 'a two-letter short form'],
  ['Jane', 'Jane Smith', 'similar', 'one name only'],
  ['Jean-Paul Martin', 'J-P Martin', 'similar', 'hyphenated initials'],
  ['Jane Smith', '—', 'similar', 'an account with no name to compare'],
];

describe('nameResemblance', () => {
  it.each(CASES)('%j against %j is %s (%s)', (typed, display, expected) => {
    expect(nameResemblance(typed, display)).toBe(expected);
  });

  it('ignores invisible characters left in old records', () => {
    expect(nameResemblance('Jane\u200B Smith', 'Jane Smith')).toBe('same');
  });

  it('stays quick on the longest names the API accepts', () => {
    const long = Array.from({ length: 100 }, (_, i) => `n${i}`).join(' ');
    const started = performance.now();
    expect(nameResemblance(long, long.split(' ').reverse().join(' '))).toBe('same');
    expect(nameResemblance(long, 'Alice Brown')).toBe('different');
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('typedNameDiffers', () => {
  it('is true only for a clear mismatch', () => {
    expect(typedNameDiffers('Bob Jones', 'Alice Brown')).toBe(true);
    expect(typedNameDiffers('A. Brown', 'Alice Brown')).toBe(false);
    expect(typedNameDiffers('Mrs Brown', 'Alice Brown')).toBe(false);
  });
});

describe('signedAsLine', () => {
  it('puts the typed name beside the account it was signed from', () => {
    expect(
      signedAsLine({ typedName: 'Jane Smith', displayName: 'Jane Smith', upn: 'jane@school' }),
    ).toBe('Typed: Jane Smith · Account: Jane Smith (jane@school)');
  });
});
