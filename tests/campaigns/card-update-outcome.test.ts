import { describe, expect, it } from 'vitest';
import {
  cardUpdateOutcome,
  cardUpdateTotals,
  cardUpdateWords,
  noCardBecause,
  UPDATE_NOT_SENT,
} from '../../src/services/campaigns/card-update-outcome.ts';

const move = { from: '2027-03-12T23:59:59.000Z', to: '2027-03-26T23:59:59.000Z' };

describe('card updates in words', () => {
  it('names each outcome plainly, and only a real refusal as a failure', () => {
    const words = (state: Parameters<typeof cardUpdateOutcome>[0], reason?: string) =>
      cardUpdateWords(cardUpdateOutcome(state, reason));
    expect(words('sent')).toBe('Card updated with the new deadline');
    expect(words('queued')).toBe('Waiting to update the card with the new deadline');
    expect(words('failed', UPDATE_NOT_SENT.signedSince)).toBe('Not updated: already signed');
    expect(words('failed', UPDATE_NOT_SENT.sentWithNewDeadline)).toBe(
      'Not updated: the card was sent with the new deadline',
    );
    expect(words('failed', noCardBecause('failed'))).toBe('Not updated: no card had reached them');
    expect(words('skipped', 'cancelled')).toBe('Not updated: the campaign was cancelled');
    expect(words('failed', '403 user blocked the app')).toBe(
      'Could not be updated: 403 user blocked the app',
    );
  });

  it('counts N of M over the cards that needed an update; the normal skips apart', () => {
    const totals = cardUpdateTotals(
      move,
      { queued: 1, inFlight: 0, sent: 40, failed: 6, skipped: 0 },
      {
        [UPDATE_NOT_SENT.signedSince]: 3,
        [UPDATE_NOT_SENT.sentWithNewDeadline]: 1,
        [noCardBecause('failed')]: 1,
        '429 throttled 8 times': 1,
      },
    );
    expect(totals).toEqual({
      ...move,
      updated: 40,
      of: 42,
      waiting: 1,
      notNeeded: 4,
      noCard: 1,
      failed: 1,
      words:
        'Cards updated 40 of 42 · 1 waiting · 1 could not be updated · 4 not needed (signed since, or already showing the new deadline) · 1 had no card to update',
    });
    // Cancelled: the skipped rows are not needed any more, and no failure.
    expect(
      cardUpdateTotals(
        move,
        { queued: 0, inFlight: 0, sent: 2, failed: 0, skipped: 5 },
        { cancelled: 5 },
      ),
    ).toMatchObject({ of: 2, notNeeded: 5, failed: 0 });
  });
});
