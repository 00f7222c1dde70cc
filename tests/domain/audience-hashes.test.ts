import { describe, expect, it } from 'vitest';
import { AudienceHashes } from '../../src/domain/audience-hashes.ts';
import { audienceContentHash } from '../../src/domain/content-hash.ts';
import { computeStatus, type StatusInput } from '../../src/domain/status.ts';
import { aupV1, aupV2, aupV3 } from './aup-versions.ts';
import { acknowledge, staffAup, version } from './builders.ts';

const v1 = version(1, aupV1, { status: 'retired', publishedAt: '2025-09-01T07:00:00.000Z' });
const v2 = version(2, aupV2, { publishedAt: '2026-09-01T07:00:00.000Z' });
/** v3 changes only the staff-only clause: governors who signed v2 stay signed. */
const v3 = version(3, aupV3, { publishedAt: '2026-09-20T07:00:00.000Z' });

/** The memo over the real hash, counting how often it really hashes. */
function counted(): { hashes: AudienceHashes; computed: () => number } {
  let count = 0;
  const hashes = new AudienceHashes(4_096, (doc, audiences) => {
    count += 1;
    return audienceContentHash(doc, audiences);
  });
  return { hashes, computed: () => count };
}

describe('AudienceHashes', () => {
  it('answers what audienceContentHash answers, whatever the order of the audiences', () => {
    const memo = new AudienceHashes();
    expect(memo.of(v2, ['staff', 'governors'])).toBe(
      audienceContentHash(aupV2, ['governors', 'staff']),
    );
    expect(memo.of(v2, ['governors', 'staff', 'staff'])).toBe(memo.of(v2, ['staff', 'governors']));
    expect(memo.of(v3, ['staff'])).not.toBe(memo.of(v2, ['staff']));
  });

  it('is keyed by content: a version whose document changed is hashed again', () => {
    const { hashes, computed } = counted();
    const before = hashes.of(v2, ['staff']);
    expect(hashes.of({ ...v2 }, ['staff'])).toBe(before);
    expect(computed()).toBe(1);
    const edited = { ...v3, number: 2 };
    expect(hashes.of(edited, ['staff'])).toBe(audienceContentHash(aupV3, ['staff']));
    expect(hashes.of(edited, ['staff'])).not.toBe(before);
    expect(computed()).toBe(2);
  });

  it('stays bounded: past its size it starts again', () => {
    let computed = 0;
    const hashes = new AudienceHashes(2, (doc, audiences) => {
      computed += 1;
      return audienceContentHash(doc, audiences);
    });
    for (const v of [v1, v2, v3, v1]) hashes.of(v, ['staff']);
    expect(computed).toBe(4);
  });

  it('gives computeStatus the same answers as hashing afresh, for many people at once', () => {
    const people: StatusInput[] = ['staff', 'governors'].flatMap((audience) =>
      Array.from({ length: 50 }, (_, i) => ({
        policy: { ...staffAup, audiences: ['staff', 'governors'] },
        versions: [v1, v2, v3],
        acknowledgements: [acknowledge(i % 2 === 0 ? v1 : v2, `2026-09-1${i % 10}T09:00:00.000Z`)],
        personAudiences: [audience],
        timeZone: 'Europe/London',
        now: new Date('2026-10-01T12:00:00.000Z'),
      })),
    );
    const { hashes, computed } = counted();
    const fresh = people.map((input) => computeStatus(input));
    const memoised = people.map((input) => computeStatus({ ...input, viewHash: hashes.of }));
    expect(memoised).toEqual(fresh);
    expect(new Set(fresh.map((s) => s.kind))).toEqual(new Set(['due', 'signed']));
    // Each (version, audience set) once: 3 versions × 2 sets, not two hashes per person.
    expect(computed()).toBe(6);
  });
});
