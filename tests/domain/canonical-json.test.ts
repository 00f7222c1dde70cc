import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.ts';
import { CountersignError } from '../../src/domain/errors.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no white space', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were written in', () => {
    const one = { title: 'AUP', sections: [{ heading: 'A', clauses: [] }], declaration: 'I agree' };
    const two = { declaration: 'I agree', sections: [{ clauses: [], heading: 'A' }], title: 'AUP' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('drops undefined properties but keeps array positions', () => {
    expect(canonicalJson({ a: undefined, b: [1, undefined, 2] })).toBe('{"b":[1,null,2]}');
  });

  it('escapes strings as JSON does and keeps non-ASCII text', () => {
    expect(canonicalJson({ text: 'St Anne’s "AUP"\n' })).toBe('{"text":"St Anne’s \\"AUP\\"\\n"}');
  });

  it('serialises dates through toJSON', () => {
    expect(canonicalJson({ at: new Date('2026-09-01T00:00:00Z') })).toBe(
      '{"at":"2026-09-01T00:00:00.000Z"}',
    );
  });

  it('refuses values JSON cannot carry, naming where they are', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n/);
    expect(() => canonicalJson([Infinity])).toThrow(CountersignError);
    expect(() => canonicalJson({ big: 1n })).toThrow(/bigint/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/refers to itself/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
