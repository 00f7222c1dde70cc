import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { audit, policyVersion, signature } from '../../contract/record-fixtures.ts';
import { signedAcknowledgement } from './evidence-fixtures.ts';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

/** What went over the wire: each request's URL and body, each response's text. */
interface Exchange {
  url: string;
  requestBody: string;
  responseText: string;
}

describe("the people report's listing of signatures (listSignatureFacts)", () => {
  let emulator: GraphEmulator;
  let store: SharePointRecordStore;
  let exchanges: Exchange[] = [];
  const keys = memoryEvidenceKeys();

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const responseText = await response.clone().text();
      exchanges.push({
        url: input instanceof Request ? input.url : String(input),
        requestBody: typeof init?.body === 'string' ? init.body : '',
        responseText,
      });
      return response;
    };
    const gateway = emulatorGateway(emulator, { fetch: recording });
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
    const version = policyVersion('facts-aup', 1, { status: 'published' });
    await store.createVersion(version, audit('policy.saved', 'facts-aup:v1'));
    for (let i = 0; i < 6; i++) {
      const ack = signature(version, randomUUID(), `2026-09-0${String(i + 1)}T08:00:00.000Z`);
      await store.recordSignature(
        ack,
        audit('acknowledgement.signed', ack.id),
        await signedAcknowledgement(keys.signer, ack),
      );
    }
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('asks Graph for the facts columns only, and gets no seal, consents, signed record or item eTag back', async () => {
    exchanges = [];
    const facts = await store.listSignatureFacts({ policyKey: 'facts-aup' });
    expect(facts).toHaveLength(6);
    const factsExchanges = exchanges;
    exchanges = [];
    const full = await store.listAcknowledgements({ policyKey: 'facts-aup' });
    expect(full).toHaveLength(6);
    const fullExchanges = exchanges;

    // The reads of the rows are $batches of GETs on the items with $expand=fields($select=…).
    const selects = (list: Exchange[]) =>
      list
        .filter((e) => e.url.endsWith('/$batch'))
        .flatMap((e) => {
          const body = JSON.parse(e.requestBody) as { requests: { url: string }[] };
          return body.requests.map(
            (r) => /\$expand=fields\(\$select=([^)]*)\)/.exec(decodeURIComponent(r.url))?.[1] ?? '',
          );
        });
    const factsSelects = new Set(selects(factsExchanges));
    expect([...factsSelects]).toEqual([
      'AckKey,PolicyKey,VersionNumber,UserId,SignedAt,Upn,DisplayName,TypedName,StatedRole,ApprovalState',
    ]);
    const answered = factsExchanges.map((e) => e.responseText).join('');
    for (const column of ['"Seal"', '"Consents"', '"Channel"', '"ContentHash"', '"Record"']) {
      expect(answered).not.toContain(column);
    }
    // Nothing writes a fact back, so the rows' items come without their eTag (`$select=id`).
    const rowsAnswered = factsExchanges
      .filter((e) => e.url.endsWith('/$batch'))
      .map((e) => e.responseText)
      .join('');
    expect(rowsAnswered).toContain('"AckKey"');
    expect(rowsAnswered).not.toContain('"eTag"');
    // The full listing's answers carry those columns (Record excepted): the facts' are smaller.
    const fullAnswered = fullExchanges.map((e) => e.responseText).join('');
    expect(fullAnswered).toContain('"Seal"');
    expect(fullAnswered).toContain('"eTag"');
    expect(answered.length).toBeLessThan(fullAnswered.length);
  });
});
