import type { Campaign } from '../../domain/campaign.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { RecordStore, Tagged } from '../../ports/record-store.ts';
import type { DeliveryQueue } from '../../ports/delivery-queue.ts';
import { deliveryRecordsOf, recordTotals } from './delivery-records.ts';

type TotalsQueue = Pick<DeliveryQueue, 'countDeliveries' | 'getJob' | 'storeIdentity'>;

/**
 * Copies a campaign's delivery totals from the delivery queue to its SharePoint record, at most
 * once per flush (the caller flushes every N seconds and when the queue runs dry), and only
 * when they changed: SharePoint sees a handful of writes per campaign, never one per person.
 * Keeps the eTag of its own last write so a flush costs one write, not a read and a write; when
 * someone else changed the record (a pause), it reads it again and keeps their status.
 */
export class CampaignTotals {
  readonly #records: RecordStore;
  readonly #queue: TotalsQueue;
  readonly #tagged = new Map<string, Tagged<Campaign>>();
  readonly #dirty = new Set<string>();
  #writes = 0;
  #pending: Promise<void> = Promise.resolve();

  constructor(records: RecordStore, queue: TotalsQueue) {
    this.#records = records;
    this.#queue = queue;
  }

  /** The record as last written or read here (saves a read). */
  remember(tagged: Tagged<Campaign>): void {
    this.#tagged.set(tagged.value.id, tagged);
  }

  touch(campaignId: string): void {
    this.#dirty.add(campaignId);
  }

  /** SharePoint writes made by flushes so far. */
  get writes(): number {
    return this.#writes;
  }

  /** Flushes run one after another: the last one always sees the last counts. */
  flush(): Promise<void> {
    const run = this.#pending.then(async () => {
      const ids = [...this.#dirty];
      this.#dirty.clear();
      for (const id of ids) await this.flushOne(id);
    });
    // A failed flush must not block the next one; the caller still sees this one fail.
    this.#pending = run.catch(() => undefined);
    return run;
  }

  async flushOne(campaignId: string): Promise<Tagged<Campaign> | null> {
    const counts = await this.#queue.countDeliveries({ jobId: campaignId });
    let current = this.#tagged.get(campaignId) ?? (await this.#records.getCampaign(campaignId));
    // A store that lost this campaign's records counts zero: SharePoint's totals stand.
    if (current !== null && (await deliveryRecordsOf(this.#queue, current.value)).kind === 'lost') {
      return current;
    }
    for (let attempt = 0; current !== null; attempt += 1) {
      const { sent, failed } = current.value.counts;
      const totals = recordTotals(current.value, counts);
      if (sent === totals.sent && failed === totals.failed) return current;
      const next: Campaign = {
        ...current.value,
        counts: { ...current.value.counts, ...totals },
      };
      try {
        const written = await this.#records.updateCampaign(current, next);
        this.#writes += 1;
        this.#tagged.set(campaignId, written);
        return written;
      } catch (error) {
        if (!(error instanceof CountersignError && error.code === 'precondition-failed'))
          throw error;
        if (attempt >= 2) throw error;
        current = await this.#records.getCampaign(campaignId);
      }
    }
    return null;
  }
}
