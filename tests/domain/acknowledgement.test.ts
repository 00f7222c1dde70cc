import { describe, expect, it } from 'vitest';
import { acknowledgementId, acknowledgementSchema } from '../../src/domain/acknowledgement.ts';
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
