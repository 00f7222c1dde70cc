import { describe, expect, it } from 'vitest';
import {
  acknowledgementId,
  acknowledgementSchema,
  bySigningOrder,
} from '../../src/domain/acknowledgement.ts';
import { aupV2 } from './aup-versions.ts';
import { acknowledge, version } from './builders.ts';

describe('acknowledgementId', () => {
  it('derives one id per person and version, and a distinct one per renewal', () => {
    expect(acknowledgementId('staff-aup', 3, 'u1')).toBe('staff-aup:v3:u1');
    expect(acknowledgementId('staff-aup', 3, 'u1', 0)).toBe('staff-aup:v3:u1');
    expect(acknowledgementId('staff-aup', 3, 'u1', 1)).toBe('staff-aup:v3:u1:r1');
    expect(acknowledgementId('staff-aup', 3, 'u1', 2)).not.toBe(
      acknowledgementId('staff-aup', 3, 'u1', 1),
    );
  });
});

describe('acknowledgementSchema', () => {
  it('accepts what the builders seal, and refuses a malformed seal', () => {
    const ack = acknowledge(version(2, aupV2), '2026-09-03T08:12:00.000Z');
    expect(acknowledgementSchema.parse(ack)).toEqual(ack);
    expect(acknowledgementSchema.safeParse({ ...ack, seal: 'x' }).success).toBe(false);
  });
});

describe('bySigningOrder', () => {
  // The order listings had: localeCompare on both keys. bySigningOrder must give the same.
  const before = (a: { signedAt: string; id: string }, b: { signedAt: string; id: string }) =>
    a.signedAt.localeCompare(b.signedAt) || a.id.localeCompare(b.id);
  const sign = (n: number) => Math.sign(n);

  it('orders every pair of valid signing times as localeCompare did, whatever their precision', () => {
    const schema = acknowledgementSchema.shape.signedAt;
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const two = (n: number) => String(n).padStart(2, '0');
    // Times close together (the same second, minute, day), with 0-9 fraction digits or none.
    const times = Array.from({ length: 400 }, () => {
      const fraction = next(4) === 0 ? '' : `.${String(next(1_000_000_000)).slice(0, 1 + next(9))}`;
      return `202${String(5 + next(2))}-${two(1 + next(12))}-${two(1 + next(28))}T${two(next(3))}:${two(next(2))}:${two(next(3))}${fraction}Z`;
    });
    times.push('2026-09-02T08:00:00Z', '2026-09-02T08:00:00.0Z', '2026-09-02T08:00:00.000Z');
    for (const t of times) expect(schema.safeParse(t).success).toBe(true);
    const ids = ['staff-aup:v1:u', 'staff-aup:v10:u', 'staff-aup:v1:u:r1', 'Staff-aup:v2:u'];
    let pairs = 0;
    for (const a of times) {
      for (const b of times) {
        const x = { signedAt: a, id: ids[next(ids.length)] ?? '' };
        const y = { signedAt: b, id: ids[next(ids.length)] ?? '' };
        expect(sign(bySigningOrder(x, y))).toBe(sign(before(x, y)));
        pairs += 1;
      }
    }
    expect(pairs).toBe(403 * 403);
  });

  it('orders equal times by id as localeCompare does (not by code unit)', () => {
    const at = '2026-09-02T08:00:00.000Z';
    // ':' sorts before digits in the locale's order, after them by code unit.
    const v1 = { signedAt: at, id: 'staff-aup:v1:u' };
    const v10 = { signedAt: at, id: 'staff-aup:v10:u' };
    expect(bySigningOrder(v1, v10)).toBeLessThan(0);
    expect(bySigningOrder(v10, v1)).toBeGreaterThan(0);
    expect(bySigningOrder(v1, { ...v1 })).toBe(0);
  });
});
