import { canonicalJson } from '../../../src/domain/canonical-json.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphGateway } from '../../../src/adapters/graph/graph-gateway.ts';
import { provisionSite } from '../../../src/adapters/graph/provision.ts';
import { SharePointRecordStore } from '../../../src/adapters/graph/sharepoint-record-store.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../../src/dev/graph-emulator/graph-emulator.ts';
import { acknowledgementRecordSchema } from '../../../src/domain/evidence/evidence-record.ts';
import { signRecord } from '../../../src/domain/evidence/evidence-signer.ts';
import { prepareKeyRing } from '../../../src/domain/evidence/key-ring.ts';
import { checkSignature } from '../../../src/domain/evidence/signature-check.ts';
import {
  audit,
  pendingApproval,
  policyVersion,
  signature,
} from '../../contract/record-fixtures.ts';
import { signedAcknowledgement } from './evidence-fixtures.ts';
import { emulatorGateway } from '../../support/emulator-graph.ts';

describe('signed records in SharePoint', () => {
  let emulator: GraphEmulator;
  let gateway: GraphGateway;
  let store: SharePointRecordStore;
  const keys = memoryEvidenceKeys();

  beforeAll(async () => {
    emulator = await startGraphEmulator({ seed: 'none' });
    gateway = emulatorGateway(emulator);
    store = new SharePointRecordStore({ gateway, site: emulator.siteId });
    await provisionSite(gateway, store.site);
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('stores the record exactly as signed, beside its columns, in the one $batch', async () => {
    // Milliseconds that a SharePoint DateTime would drop: the stored record keeps them.
    const ack = signature(
      policyVersion('signed-aup', 1, { status: 'published' }),
      randomUUID(),
      '2026-11-23T10:00:00.123Z',
    );
    const signed = await signedAcknowledgement(keys.signer, ack);
    await store.listAcknowledgements({ policyKey: 'signed-aup' }); // the list's address, once
    const before = gateway.roundTrips;
    const result = await store.recordSignature(
      ack,
      audit('acknowledgement.signed', ack.id),
      signed,
    );
    expect(gateway.roundTrips - before).toBe(1);
    expect(result).toEqual({ acknowledgement: ack, created: true });

    const [row] = await store.scanAcknowledgements({ policyKey: 'signed-aup' });
    expect(row?.evidence).toEqual({
      record: signed.record,
      signature: signed.signature,
      recordHash: signed.hash,
      // The columns as stored, for the evidence pack: the record as the canonical JSON signed.
      stored: {
        Record: canonicalJson(signed.record),
        Signature: JSON.stringify(signed.signature),
        RecordHash: signed.hash,
      },
    });
    expect(row?.columns).toMatchObject({
      id: ack.id,
      signedAt: '2026-11-23T10:00:00.123Z',
      typedName: ack.typedName,
      consents: ack.consents,
      approvalState: 'not-required',
      hash: signed.hash,
    });
    const record = acknowledgementRecordSchema.parse(row?.evidence?.record);
    expect(
      checkSignature(record, row?.evidence?.signature, prepareKeyRing(keys.keyRing)).status,
    ).toBe('valid');
    // The receipt and every reader still see the acknowledgement as before.
    expect(await store.listAcknowledgements({ policyKey: 'signed-aup' })).toEqual([ack]);
  });

  it('reads a row from before signatures as legacy: no evidence, its seal still there', async () => {
    const ack = signature(policyVersion('legacy-aup', 1, { status: 'published' }), randomUUID());
    await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
    const [row] = await store.scanAcknowledgements({ policyKey: 'legacy-aup' });
    expect(row?.evidence).toBeNull();
    expect(row?.acknowledgement?.seal).toBe(ack.seal);
  });

  it('refuses a signed record of another acknowledgement', async () => {
    const version = policyVersion('mixed-aup', 1, { status: 'published' });
    const ack = signature(version, randomUUID());
    const other = await signedAcknowledgement(keys.signer, signature(version, randomUUID()));
    await expect(
      store.recordSignature(ack, audit('acknowledgement.signed', ack.id), other),
    ).rejects.toMatchObject({ code: 'validation' });
  });

  it('stores a published version and a decision as signed, on their own rows', async () => {
    const draft = await store.createVersion(
      policyVersion('decided-aup', 1),
      audit('policy.saved', 'decided-aup:v1'),
    );
    const publishedAt = '2026-11-23T09:00:00.456Z';
    const version = await signRecord(keys.signer, {
      kind: 'published-version',
      id: 'decided-aup:v1',
      policyKey: 'decided-aup',
      number: 1,
      label: draft.value.label,
      contentHash: draft.value.contentHash,
      changeKind: draft.value.changeKind,
      publishedAt,
      publishedBy: 'dsl',
    });
    await store.publishVersion(
      draft,
      publishedAt,
      [],
      audit('version.published', 'decided-aup:v1', publishedAt),
      version,
    );
    const versions = await store.scanSignedRows('versions');
    const row = versions.find((v) => v.columns.policyKey === 'decided-aup');
    expect(row?.evidence).toMatchObject({
      record: version.record,
      signature: version.signature,
      recordHash: version.hash,
      stored: { Record: canonicalJson(version.record), RecordHash: version.hash },
    });
    expect(row?.columns).toMatchObject({ number: 1, publishedAt, hash: version.hash });
    expect(typeof row?.document).toBe('string');

    const ack = signature(policyVersion('decided-aup', 1, { status: 'published' }), randomUUID());
    await store.recordSignature(
      { ...ack, approvalState: 'pending' },
      audit('acknowledgement.signed', ack.id),
    );
    const pending = await store.createApproval(pendingApproval(ack));
    const decidedAt = '2026-11-24T10:00:00.789Z';
    const decision = await signRecord(keys.signer, {
      kind: 'approval-decision',
      id: `${ack.id}:decision`,
      acknowledgementId: ack.id,
      userId: ack.userId,
      approverId: 'head',
      approverName: 'Helen Head',
      decision: 'approved',
      additionalPermissions: ['Remote access'],
      decidedAt,
    });
    await store.decideApproval(
      pending,
      {
        ...pending.value,
        decision: 'approved',
        approverId: 'head',
        approverName: 'Helen Head',
        additionalPermissions: ['Remote access'],
        decidedAt,
      },
      audit('approval.decided', ack.id, decidedAt),
      decision,
    );
    const decisions = await store.scanSignedRows('approvals');
    const decided = decisions.find((d) => d.columns.acknowledgementId === ack.id);
    expect(decided?.evidence?.record).toEqual(decision.record);
    expect(decided?.columns).toMatchObject({
      decision: 'approved',
      additionalPermissions: ['Remote access'],
      decidedAt,
    });
  });

  it('provisioning adds the new columns once: a second run changes nothing', async () => {
    expect((await provisionSite(gateway, store.site)).changes).toEqual([]);
  });
});
