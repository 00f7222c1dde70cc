import type { DeliveryCounts, DeliveryState } from '../../ports/delivery-queue.ts';

/**
 * Why the sender left a card as it was when a relaunch moved the deadline (the row's reason;
 * campaign-sender.ts settles an update row it does not send as failed with one of these, so
 * its job can finish). Kept here so the words an admin reads follow the reasons stored.
 */
export const UPDATE_NOT_SENT = {
  signedSince: 'left as it is: signed since the deadline moved',
  sentWithNewDeadline: 'not needed: sent with the new deadline',
  activityIdNotKept: 'no card to update: its activity id was not kept',
  noneMeant: 'no card to update: none was meant for them',
} as const;

/** `no card to update: it was failed|skipped`: the card it would replace never reached them. */
export function noCardBecause(sourceState: 'failed' | 'skipped'): string {
  return `no card to update: it was ${sourceState}`;
}

/**
 * What became of one card update. not-needed and no-card are normal (the person signed since,
 * their card was drawn with the new deadline, no card reached them): never shown as failures.
 */
export type CardUpdateOutcome =
  | { kind: 'updated' }
  | { kind: 'waiting' }
  | { kind: 'not-needed'; why: 'signed' | 'sent-with-new-deadline' | 'cancelled' }
  | { kind: 'no-card'; why: 'not-reached' | 'not-kept' }
  | { kind: 'failed'; reason: string };

export function cardUpdateOutcome(state: DeliveryState, reason?: string): CardUpdateOutcome {
  switch (state) {
    case 'sent':
      return { kind: 'updated' };
    case 'queued':
    case 'in-flight':
      return { kind: 'waiting' };
    case 'skipped':
      // Only a cancel skips an update row (launch queues none it would skip).
      return { kind: 'not-needed', why: 'cancelled' };
    case 'failed':
      return failedOutcome(reason ?? '');
  }
}

function failedOutcome(reason: string): CardUpdateOutcome {
  switch (reason) {
    case UPDATE_NOT_SENT.signedSince:
      return { kind: 'not-needed', why: 'signed' };
    case UPDATE_NOT_SENT.sentWithNewDeadline:
      return { kind: 'not-needed', why: 'sent-with-new-deadline' };
    case UPDATE_NOT_SENT.activityIdNotKept:
      return { kind: 'no-card', why: 'not-kept' };
    case UPDATE_NOT_SENT.noneMeant:
    case noCardBecause('failed'):
    case noCardBecause('skipped'):
      return { kind: 'no-card', why: 'not-reached' };
    default:
      return { kind: 'failed', reason };
  }
}

/** The outcome in the words of a person's page ("Card updated with the new deadline", …). */
export function cardUpdateWords(outcome: CardUpdateOutcome): string {
  switch (outcome.kind) {
    case 'updated':
      return 'Card updated with the new deadline';
    case 'waiting':
      return 'Waiting to update the card with the new deadline';
    case 'not-needed':
      switch (outcome.why) {
        case 'signed':
          return 'Not updated: already signed';
        case 'sent-with-new-deadline':
          return 'Not updated: the card was sent with the new deadline';
        case 'cancelled':
          return 'Not updated: the campaign was cancelled';
      }
      break;
    case 'no-card':
      return outcome.why === 'not-kept'
        ? 'Not updated: which card they were sent was not recorded'
        : 'Not updated: no card had reached them';
    case 'failed':
      return `Could not be updated${outcome.reason === '' ? '' : `: ${outcome.reason}`}`;
  }
}

/** One deadline move's card updates, counted for the campaign view. */
export interface CardUpdateTotals {
  /** The move (ISO 8601 UTC). */
  from: string;
  to: string;
  /** Cards replaced with the new deadline. */
  updated: number;
  /** Cards that needed an update: every row but the not-needed and no-card ones. */
  of: number;
  waiting: number;
  /** Left as they were, normally: signed since, already showing the new deadline, cancelled. */
  notNeeded: number;
  /** No card to update (it never reached them). */
  noCard: number;
  /** Could not be updated (the connector refused, retries spent). */
  failed: number;
  /** "Cards updated 40 of 42 · 3 not needed (signed since, or sent with the new deadline)". */
  words: string;
}

/** Totals of a move's update rows from the store's counts and its reasons for failed rows. */
export function cardUpdateTotals(
  move: { from: string; to: string },
  counts: Pick<DeliveryCounts, 'queued' | 'inFlight' | 'sent' | 'failed' | 'skipped'>,
  reasons: Readonly<Record<string, number>>,
): CardUpdateTotals {
  // A cancel skips rows (counts.skipped); every other row not sent is failed with its reason,
  // and only the reasons of a real failure count as one.
  let notNeeded = counts.skipped;
  let noCard = 0;
  for (const [reason, n] of Object.entries(reasons)) {
    const outcome = failedOutcome(reason);
    if (outcome.kind === 'not-needed') notNeeded += n;
    else if (outcome.kind === 'no-card') noCard += n;
  }
  const failed = Math.max(0, counts.failed - (notNeeded - counts.skipped) - noCard);
  const waiting = counts.queued + counts.inFlight;
  const of = counts.sent + waiting + failed;
  const parts = [`Cards updated ${counts.sent} of ${of}`];
  if (waiting > 0) parts.push(`${waiting} waiting`);
  if (failed > 0) parts.push(`${failed} could not be updated`);
  if (notNeeded > 0) {
    parts.push(`${notNeeded} not needed (signed since, or already showing the new deadline)`);
  }
  if (noCard > 0) parts.push(`${noCard} had no card to update`);
  return {
    ...move,
    updated: counts.sent,
    of,
    waiting,
    notNeeded,
    noCard,
    failed,
    words: parts.join(' · '),
  };
}
