import { describe, expect, it } from 'vitest';
import {
  evaluateFilter,
  filterPaths,
  FilterSyntaxError,
  parseFilter,
} from '../../../src/dev/graph-emulator/odata-filter.ts';

describe('OData $filter parser', () => {
  it('parses comparisons joined by and/or with parentheses', () => {
    const expression = parseFilter(
      "fields/PolicyKey eq 'staff' and (fields/VersionNumber ge 2 or startswith(fields/Title,'A'))",
    );
    expect(filterPaths(expression)).toEqual([
      'fields/PolicyKey',
      'fields/VersionNumber',
      'fields/Title',
    ]);
    expect(expression.kind).toBe('and');
  });

  it('reads escaped quotes, booleans, null and unquoted date/times', () => {
    const expression = parseFilter(
      "displayName eq 'Grace O''Neill' and accountEnabled eq true and mail ne null and created lt 2025-01-01T00:00:00Z",
    );
    expect(
      evaluateFilter(expression, {
        displayName: "grace o'neill",
        accountEnabled: true,
        mail: 'g@x',
        created: '2024-06-01T00:00:00Z',
      }),
    ).toBe(true);
  });

  it('evaluates nested paths case-insensitively', () => {
    const expression = parseFilter("teamsApp/externalId eq 'ABC'");
    expect(evaluateFilter(expression, { teamsApp: { externalId: 'abc' } })).toBe(true);
    expect(evaluateFilter(expression, { teamsApp: { externalId: 'abd' } })).toBe(false);
    expect(evaluateFilter(parseFilter("not (id eq 'x')"), { id: 'y' })).toBe(true);
  });

  it('rejects malformed filters with a syntax error', () => {
    expect(() => parseFilter("fields/A eq 'open")).toThrow(FilterSyntaxError);
    expect(() => parseFilter('fields/A equals 3')).toThrow(FilterSyntaxError);
    expect(() => parseFilter('fields/A eq 3 extra')).toThrow(FilterSyntaxError);
    expect(() => parseFilter('')).toThrow(FilterSyntaxError);
  });
});
