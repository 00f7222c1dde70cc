import type { TableClient } from '@azure/data-tables';
import type { OnceMarkers } from '../../ports/once-markers.ts';
import { markerEntity, withKeys } from './table-entities.ts';
import { createOnce, ONE_ROW, readEntity } from './table-access.ts';
import { encodeKey } from './table-keys.ts';

/** Once-markers on Azure Table storage: one partition per key, created once. */
export class AzureTablesOnceMarkers implements OnceMarkers {
  readonly #markers: TableClient;

  constructor(markers: TableClient) {
    this.#markers = markers;
  }

  markOnce(key: string, now: Date): Promise<boolean> {
    return createOnce(
      this.#markers,
      withKeys(encodeKey(key), ONE_ROW, { key, at: now.toISOString() }),
      `mark ${key}`,
    );
  }

  async isMarked(key: string): Promise<boolean> {
    return (await readEntity(this.#markers, encodeKey(key), ONE_ROW, markerEntity)) !== null;
  }
}
