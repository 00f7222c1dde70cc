import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
} from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';

/**
 * The production gateway uses @microsoft/microsoft-graph-client; these checks show the emulator
 * answers it as Graph would: errors become GraphError with the documented code, the SDK's
 * batch content (which strips the host and keeps `/v1.0/`) works, and the retry handler
 * honours Retry-After on outer 429s.
 */
let emulator: GraphEmulator;
let client: Client;
let items: string;

/** The SDK only parses https:// absolute URLs, so an http nextLink is made relative first. */
function relative(nextLink: string): string {
  return nextLink.startsWith(emulator.url) ? nextLink.slice(emulator.url.length) : nextLink;
}

beforeAll(async () => {
  // Open (no token needed): the SDK sends a token only to Graph's https hosts and strips any
  // Authorization header from other requests (middleware/AuthenticationHandler.js), so over the
  // emulator's plain http it can send none. This file tests the SDK's shapes, not permissions.
  emulator = await startGraphEmulator({ seed: 'none', permissions: false });
  client = Client.init({
    baseUrl: emulator.url.replace(/\/v1\.0$/, ''),
    defaultVersion: 'v1.0',
    authProvider: (done) => done(null, 'unsent-over-http'),
  });
  await client.api(`/sites/${emulator.siteId}/lists`).post({
    displayName: 'SDK Test',
    columns: [{ name: 'Key', text: {}, indexed: true }],
    list: { template: 'genericList' },
  });
  items = `/sites/${emulator.siteId}/lists/SDK Test/items`;
});

afterAll(async () => {
  await emulator.close();
});

describe('with the Microsoft Graph JavaScript SDK', () => {
  it('batches creates and pages them back through @odata.nextLink', async () => {
    const requests = Array.from({ length: 20 }, (_, k) => ({
      id: String(k + 1),
      request: new Request(`${emulator.url}${encodeURI(items)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ fields: { Key: `sdk-${k}` } }),
      }),
    }));
    const content = await new BatchRequestContent(requests).getContent();
    const raw: unknown = await client.api('/$batch').post(content);
    const responses = new BatchResponseContent(raw as { responses: [] }).getResponses();
    expect([...responses.values()].map((r) => r.status)).toEqual(Array(20).fill(201));

    const keys: string[] = [];
    let page = (await client.api(items).expand('fields').top(7).get()) as {
      value: { fields: { Key: string } }[];
      '@odata.nextLink'?: string;
    };
    for (;;) {
      keys.push(...page.value.map((item) => item.fields.Key));
      const next = page['@odata.nextLink'];
      if (next === undefined) break;
      page = (await client.api(relative(next)).get()) as typeof page;
    }
    expect(keys).toHaveLength(20);
  });

  it('surfaces 404 and 412 as GraphError with the documented codes', async () => {
    const missing: unknown = await (client.api(`${items}/999`).get() as Promise<unknown>).catch(
      (error: unknown) => error,
    );
    expect(missing).toBeInstanceOf(GraphError);
    expect((missing as GraphError).statusCode).toBe(404);
    expect((missing as GraphError).code).toBe('itemNotFound');

    const item = (await client.api(items).post({ fields: { Key: 'etag' } })) as {
      id: string;
      eTag: string;
    };
    await client
      .api(`${items}/${item.id}/fields`)
      .header('If-Match', item.eTag)
      .patch({ Key: 'etag-2' });
    const stale: unknown = await (
      client
        .api(`${items}/${item.id}/fields`)
        .header('If-Match', item.eTag)
        .patch({ Key: 'etag-3' }) as Promise<unknown>
    ).catch((error: unknown) => error);
    expect((stale as GraphError).statusCode).toBe(412);
    expect((stale as GraphError).code).toBe('preconditionFailed');
  });

  it('lets the SDK retry handler ride out an outer 429 with Retry-After', async () => {
    emulator.setFaults({ rate429: 0.3, retryAfterSeconds: 0, seed: 3 });
    emulator.resetCounters();
    for (let i = 0; i < 5; i += 1) {
      const reply = (await client.api(`${items}/1`).get()) as { id: string };
      expect(reply.id).toBe('1');
    }
    const counters = emulator.counters();
    emulator.setFaults({});
    expect(counters.faults).toBeGreaterThan(0);
    expect(counters.requests).toBe(5 + counters.faults);
  });
});
