import { describe, expect, it } from 'vitest';
import { matchesSearch, searchTokens } from '../../src/domain/directory-search.ts';

describe("Entra's tokenized $search, as documented", () => {
  it('splits at spaces, symbols, numbers and a lower-to-upper change of case', () => {
    expect(searchTokens('hello world')).toEqual(['hello', 'world']);
    expect(searchTokens('HelloWorld')).toEqual(['hello', 'world']);
    expect(searchTokens('HELLOworld')).toEqual(['helloworld']);
    expect(searchTokens('hello123world')).toEqual(['hello', '123', 'world']);
    expect(searchTokens('hello.world')).toEqual(['hello', 'world', 'helloworld']);
  });

  it('matches each word at the start of a token, in any case and order', () => {
    expect(matchesSearch('Oscar Ward', 'wa')).toBe(true);
    expect(matchesSearch('Teaching Staff', 'STAFF teach')).toBe(true);
    expect(matchesSearch('Year-7 Tutors', 'year7')).toBe(true);
    expect(matchesSearch('Teaching Staff', 'aching')).toBe(false);
    expect(matchesSearch('Teaching Staff', '')).toBe(false);
  });
});
