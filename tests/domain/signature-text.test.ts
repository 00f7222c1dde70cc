import { describe, expect, it } from 'vitest';
import { CountersignError } from '../../src/domain/errors.ts';
import {
  assertVisibleText,
  hiddenCharacterIn,
  hiddenCharacterMessage,
  visibleTextSchema,
} from '../../src/domain/signature-text.ts';

/** Every character the rule names, with what it is (the code point is the expectation). */
const HIDDEN: readonly (readonly [string, string])[] = [
  ['\u202A', 'left-to-right embedding'],
  ['\u202B', 'right-to-left embedding'],
  ['\u202C', 'pop directional formatting'],
  ['\u202D', 'left-to-right override'],
  ['\u202E', 'right-to-left override'],
  ['\u2066', 'left-to-right isolate'],
  ['\u2067', 'right-to-left isolate'],
  ['\u2068', 'first strong isolate'],
  ['\u2069', 'pop directional isolate'],
  ['\u200E', 'left-to-right mark'],
  ['\u200F', 'right-to-left mark'],
  ['\u061C', 'Arabic letter mark'],
  ['\u200B', 'zero-width space'],
  ['\u200C', 'zero-width non-joiner'],
  ['\u200D', 'zero-width joiner'],
  ['\u2060', 'word joiner'],
  ['\uFEFF', 'zero-width no-break space (BOM)'],
  ['\u180E', 'Mongolian vowel separator'],
  ['\u00AD', 'soft hyphen'],
  ['\u2062', 'invisible times'],
  ['\u{E0041}', 'tag letter A'],
  ['\u034F', 'combining grapheme joiner'],
  ['\u3164', 'Hangul filler'],
  ['\uFE0F', 'variation selector 16'],
  ['\u0000', 'NUL'],
  ['\u001B', 'escape'],
  ['\u0085', 'next line (C1)'],
];

const codePoint = (c: string) =>
  `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

describe('hiddenCharacterIn', () => {
  it.each(HIDDEN)('finds %j (%s) anywhere in a name', (character) => {
    for (const name of [
      `${character}Jane Smith`,
      `Jane ${character}Smith`,
      `Jane Smith${character}`,
    ]) {
      expect(hiddenCharacterIn(name)).toBe(codePoint(character));
    }
  });

  it('finds the reversed-surname trick: stored "htims" shows as "smith"', () => {
    expect(hiddenCharacterIn('Jane \u202Ehtims\u202C')).toBe('U+202E');
  });

  it.each([
    ['Jane Smith'],
    ["Siobhán O'Brien-Ní Dhomhnaill"],
    ['Zoë Ångström'],
    ['José María García'],
    ['Łukasz Żółć'],
    ['محمد علي'],
    ['שרה כהן'],
    ['王秀英'],
    ['Nguyễn Thị Minh Khai'],
    ['Jane\u00A0Smith'],
    ['Jane\tSmith'],
    ['Teaching assistant (Year 3) – SEN'],
  ])('accepts ordinary names and roles in any script: %j', (value) => {
    expect(hiddenCharacterIn(value)).toBeUndefined();
  });
});

describe('assertVisibleText', () => {
  it('throws a validation error naming the field, with the character for support', () => {
    let thrown: unknown;
    try {
      assertVisibleText('typedName', 'Jane\u200BSmith');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CountersignError);
    expect(thrown).toMatchObject({
      code: 'validation',
      message:
        'Your typed name contains an invisible or text-direction character; please type it again without copying and pasting.',
      details: { field: 'typedName', character: 'U+200B' },
    });
  });

  it('names the role when the role is at fault', () => {
    expect(() => {
      assertVisibleText('statedRole', '\u202ETeacher');
    }).toThrow(/^Your role contains an invisible or text-direction character/);
  });

  it('lets visible text through', () => {
    expect(() => {
      assertVisibleText('typedName', 'Jane Smith');
    }).not.toThrow();
  });
});

describe('visibleTextSchema', () => {
  it('refuses a hidden character with the same message, before trimming can hide a BOM', () => {
    const schema = visibleTextSchema('typedName').trim().min(1);
    const result = schema.safeParse('\uFEFFJane Smith');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      hiddenCharacterMessage('typedName'),
    ]);
    expect(schema.parse('  Jane Smith ')).toBe('Jane Smith');
  });
});
