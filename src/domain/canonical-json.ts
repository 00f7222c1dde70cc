import { CountersignError } from './errors.ts';

/**
 * A deterministic JSON serialisation: object keys sorted by code unit, no whitespace, properties
 * whose value is undefined dropped (as JSON.stringify does; inside arrays undefined becomes null,
 * also as JSON.stringify does). Hashes and seals are computed over this, so two equal values
 * always give the same bytes whatever order their keys were written in.
 *
 * Values that JSON cannot carry faithfully (NaN, Infinity, bigint, functions, symbols, cycles)
 * are refused rather than silently mangled: a hash over a mangled value would be meaningless.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set<object>(), '$');
}

function serialise(value: unknown, ancestors: Set<object>, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw refuse(path, `the number ${String(value)} has no JSON form`);
      }
      // JSON.stringify gives one spelling per number (and -0 becomes 0).
      return JSON.stringify(value);
    case 'undefined':
      // Only reachable at the top level or in an array; object properties are dropped earlier.
      return 'null';
    case 'bigint':
    case 'function':
    case 'symbol':
      throw refuse(path, `a ${typeof value} has no JSON form`);
    case 'object':
      return serialiseObject(value, ancestors, path);
  }
  // typeof has no other answers, but TypeScript cannot see that the switch covers them all.
  throw refuse(path, 'the value is of an unknown kind');
}

function serialiseObject(value: object, ancestors: Set<object>, path: string): string {
  if (ancestors.has(value)) throw refuse(path, 'the value refers to itself');
  // Dates and other values with toJSON serialise as JSON.stringify would show them.
  if ('toJSON' in value && typeof value.toJSON === 'function') {
    return serialise((value.toJSON as () => unknown).call(value), ancestors, path);
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items = (value as unknown[]).map((item, index) =>
        serialise(item, ancestors, `${path}[${index}]`),
      );
      return `[${items.join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      members.push(`${JSON.stringify(key)}:${serialise(member, ancestors, `${path}.${key}`)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function refuse(path: string, reason: string): CountersignError {
  return new CountersignError('validation', `Cannot serialise ${path} canonically: ${reason}.`, {
    path,
  });
}
