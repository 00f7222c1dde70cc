import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/domain/content-hash.ts';
import { CountersignError } from '../../src/domain/errors.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import { importPolicyFile } from '../../src/importer/read-policy-file.ts';
import type { RecordStore } from '../../src/ports/record-store.ts';
import { largestAupFixture, longPolicy } from './long-documents.ts';
import {
  audit,
  campaign,
  freshKey,
  pendingApproval,
  policy,
  policyVersion,
  signature,
} from './record-fixtures.ts';

/** A version's text where an adapter keeps it outside the row (SharePoint: a library file). */
export interface StoredDocument {
  bytes: Buffer;
  /** The SHA-256 (hex) the version row records for the file. */
  recordedHash: string;
  /** What the row's own text column holds (nothing, when the file holds the text). */
  inlineColumn: unknown;
}

export interface RecordStoreUnderTest {
  store: RecordStore;
  /** Rows a listing must page through: the adapter's page size is set below this. */
  pagingRows?: number;
  /**
   * For adapters that keep a version's text outside its row: the stored file of the version
   * whose tag is given, read past the adapter, so the suite checks the production storage path.
   */
  storedDocument?: (versionEtag: string) => Promise<StoredDocument>;
  close?: () => Promise<void>;
}

/** What `open` answers when the store cannot run here (no tenant configured). */
export interface Skipped {
  skip: string;
}

async function failure(promise: Promise<unknown>): Promise<CountersignError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CountersignError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/**
 * The behaviour every RecordStore adapter must have: memory, the Graph emulator, a real
 * tenant. Every test makes its own keys, so the suite also runs against a site that keeps what
 * earlier runs wrote.
 */
export function recordStoreContract(
  name: string,
  open: () => Promise<RecordStoreUnderTest | Skipped>,
): void {
  describe(`RecordStore contract: ${name}`, () => {
    let subject: RecordStoreUnderTest | undefined;
    let skipped: string | undefined;

    beforeAll(async () => {
      const opened = await open();
      if ('skip' in opened) skipped = opened.skip;
      else subject = opened;
    });
    afterAll(async () => {
      await subject?.close?.();
    });

    /** Each test gets the store, or is skipped (saying why) when there is none. */
    function test(title: string, body: (store: RecordStore) => Promise<void>, timeout?: number) {
      it(
        title,
        async (context) => {
          if (skipped !== undefined) context.skip(skipped);
          if (subject === undefined) throw new Error('store not opened');
          await body(subject.store);
        },
        timeout,
      );
    }

    test('creates a policy, reads it back tagged, lists it by school', async (store) => {
      const key = freshKey();
      const created = await store.putPolicy(policy(key, { schoolId: `school-${key}` }));
      expect(created.value.key).toBe(key);
      expect(created.etag).not.toBe('');
      const read = await store.getPolicy(key);
      expect(read?.value).toEqual(policy(key, { schoolId: `school-${key}` }));
      expect(read?.etag).toBe(created.etag);
      expect((await store.listPolicies(`school-${key}`)).map((p) => p.key)).toEqual([key]);
      expect(await store.getPolicy(freshKey())).toBeNull();
    });

    test('refuses a second policy with the same key, replaces with the eTag read, refuses a stale one', async (store) => {
      const key = freshKey();
      const first = await store.putPolicy(policy(key));
      expect((await failure(store.putPolicy(policy(key, { title: 'Other' })))).code).toBe(
        'conflict',
      );
      const second = await store.putPolicy(policy(key, { title: 'Renamed' }), first.etag);
      expect(second.etag).not.toBe(first.etag);
      expect((await store.getPolicy(key))?.value.title).toBe('Renamed');
      const stale = await failure(
        store.putPolicy(policy(key, { title: 'Lost update' }), first.etag),
      );
      expect(stale.code).toBe('precondition-failed');
      expect((await store.getPolicy(key))?.value.title).toBe('Renamed');
    });

    test('creates versions with their audit event; a number is taken once; lists in order', async (store) => {
      const key = freshKey();
      const since = new Date(Date.now() - 1000).toISOString();
      const v2 = policyVersion(key, 2);
      const v1 = policyVersion(key, 1);
      const event = audit('policy.saved', `${key}:v2`);
      await store.createVersion(v2, event);
      await store.createVersion(v1, audit('policy.saved', `${key}:v1`));
      const again = await failure(
        store.createVersion(policyVersion(key, 2), audit('policy.saved', key)),
      );
      expect(again.code).toBe('conflict');
      const versions = await store.listVersions(key);
      expect(versions.map((v) => v.value.number)).toEqual([1, 2]);
      expect(versions[1]?.value).toEqual(v2);
      expect((await store.getVersion(key, 2))?.value.document).toEqual(v2.document);
      expect(await store.getVersion(key, 3)).toBeNull();
      const events = await store.listAudit({ type: 'policy.saved', since });
      expect(events.filter((e) => e.id === event.id)).toEqual([event]);
    });

    test('lists the versions of several policies at once, by key then number (issue 14)', async (store) => {
      const [a, b, other] = [freshKey(), freshKey(), freshKey()].sort();
      if (a === undefined || b === undefined || other === undefined) throw new Error('keys');
      await store.createVersion(policyVersion(b, 1), audit('policy.saved', `${b}:v1`));
      await store.createVersion(policyVersion(a, 2), audit('policy.saved', `${a}:v2`));
      await store.createVersion(policyVersion(a, 1), audit('policy.saved', `${a}:v1`));
      await store.createVersion(policyVersion(other, 1), audit('policy.saved', `${other}:v1`));
      const listed = await store.listVersionsOf([b, a, 'no-such-policy']);
      expect(listed.map((v) => [v.value.policyKey, v.value.number])).toEqual([
        [a, 1],
        [a, 2],
        [b, 1],
      ]);
      expect(listed[2]?.value).toEqual((await store.listVersions(b))[0]?.value);
      expect(await store.listVersionsOf([])).toEqual([]);
    });

    test("keeps a school copy's composition and a trust policy's scope (issue 14)", async (store) => {
      const key = freshKey();
      await store.putPolicy({ ...policy(key), scope: 'trust', schoolId: 'a-trust' });
      expect((await store.getPolicy(key))?.value.scope).toBe('trust');
      const composition = {
        masterPolicyKey: key,
        masterVersion: 3,
        variantVersion: 2,
        variant: {
          sections: [{ heading: 'Our own', clauses: [{ text: 'Tablets in the box.', items: [] }] }],
        },
      };
      const draft = await store.createVersion(
        policyVersion(key, 1, { composition }),
        audit('policy.saved', `${key}:v1`),
      );
      expect((await store.getVersion(key, 1))?.value.composition).toEqual(composition);
      const published = await store.publishVersion(
        draft,
        new Date().toISOString(),
        [],
        audit('version.published', `${key}:v1`),
      );
      expect(published.value.composition).toEqual(composition);
      expect((await store.listVersions(key))[0]?.value.composition).toEqual(composition);
    });

    /** A version of `document` stored and read back three ways: all must be the same bytes. */
    async function roundTrip(store: RecordStore, document: PolicyDocument): Promise<void> {
      const key = freshKey();
      await store.putPolicy(policy(key));
      const version = policyVersion(key, 1, { document });
      const json = JSON.stringify(document);
      const created = await store.createVersion(version, audit('policy.saved', `${key}:v1`));
      const read = await store.getVersion(key, 1);
      expect(read?.value).toEqual(version);
      expect(JSON.stringify(read?.value.document)).toBe(json);
      expect(contentHash(read?.value.document ?? document)).toBe(version.contentHash);
      const listed = await store.listVersions(key);
      expect(JSON.stringify(listed[0]?.value.document)).toBe(json);
      expect(JSON.stringify((await store.listVersionsOf([key]))[0]?.value.document)).toBe(json);
      const stored = await subject?.storedDocument?.(created.etag);
      if (stored !== undefined) {
        // The production path: a file whose bytes are the text, named by id and hash in the row.
        expect(stored.bytes.equals(Buffer.from(json, 'utf8'))).toBe(true);
        expect(stored.recordedHash).toBe(createHash('sha256').update(stored.bytes).digest('hex'));
        expect(stored.inlineColumn).toBeNull();
      }
    }

    test('a 200-clause policy (over 64 K characters) round-trips byte-exact (issue 12, item 6)', async (store) => {
      const document = longPolicy();
      expect(JSON.stringify(document).length).toBeGreaterThan(64 * 1024);
      await roundTrip(store, document);
    }, 60_000);

    const fixture = largestAupFixture();
    it(
      'path' in fixture
        ? `the largest AUP fixture (${fixture.path}) round-trips byte-exact (issue 12, item 6)`
        : `the largest AUP fixture round-trips byte-exact (skipped: ${fixture.missing})`,
      async (context) => {
        if (!('path' in fixture)) context.skip(`no AUP fixture: ${fixture.missing}`);
        if (skipped !== undefined) context.skip(skipped);
        if (subject === undefined || !('path' in fixture)) throw new Error('store not opened');
        const imported = await importPolicyFile(readFileSync(fixture.path), fixture.path);
        await roundTrip(subject.store, imported.document);
      },
      60_000,
    );

    test("after each update the caller holds the eTag a fresh read gives, whether or not Graph's reply carried one (issue 12, item 5)", async (store) => {
      const key = freshKey();
      const draft = await store.createVersion(policyVersion(key, 1), audit('policy.saved', key));
      const once = await store.updateDraft(draft, policyVersion(key, 1, { label: 'Once' }));
      expect(once.etag).toBe((await store.getVersion(key, 1))?.etag);
      // The eTag handed back is good for the next conditional write, and the one before is not.
      const twice = await store.updateDraft(once, policyVersion(key, 1, { label: 'Twice' }));
      expect(twice.etag).toBe((await store.getVersion(key, 1))?.etag);
      expect((await failure(store.updateDraft(once, policyVersion(key, 1)))).code).toBe(
        'precondition-failed',
      );
      expect((await store.getVersion(key, 1))?.value.label).toBe('Twice');

      const c = campaign(key, 1);
      const created = await store.createCampaign(c, audit('campaign.launched', c.id));
      const paused = await store.updateCampaign(created, { ...c, status: 'paused' });
      expect(paused.etag).toBe((await store.getCampaign(c.id))?.etag);
      await store.updateCampaign(paused, { ...c, status: 'running' });
      expect((await failure(store.updateCampaign(paused, c))).code).toBe('precondition-failed');

      const p = await store.putPolicy(policy(key));
      const renamed = await store.putPolicy(policy(key, { title: 'Renamed' }), p.etag);
      expect(renamed.etag).toBe((await store.getPolicy(key))?.etag);
    }, 60_000);

    test('updates a draft with its eTag and refuses a stale one', async (store) => {
      const key = freshKey();
      const draft = await store.createVersion(policyVersion(key, 1), audit('policy.saved', key));
      const edited = policyVersion(key, 1, { label: 'Corrected' });
      const updated = await store.updateDraft(draft, edited);
      expect(updated.value.label).toBe('Corrected');
      expect((await store.getVersion(key, 1))?.value.label).toBe('Corrected');
      const stale = await failure(
        store.updateDraft(draft, policyVersion(key, 1, { label: 'Lost' })),
      );
      expect(stale.code).toBe('precondition-failed');
    });

    test('publishes a draft, retires the version it supersedes, refuses a stale draft', async (store) => {
      const key = freshKey();
      const v1 = await store.createVersion(
        policyVersion(key, 1, { status: 'published', publishedAt: '2025-09-01T08:00:00.000Z' }),
        audit('version.published', `${key}:v1`),
      );
      const draft = await store.createVersion(policyVersion(key, 2), audit('policy.saved', key));
      const event = audit('version.published', `${key}:v2`);
      const published = await store.publishVersion(draft, '2026-09-01T08:00:00.000Z', [v1], event);
      expect(published.value.status).toBe('published');
      expect(published.value.publishedAt).toBe('2026-09-01T08:00:00.000Z');
      const versions = await store.listVersions(key);
      expect(versions.map((v) => [v.value.number, v.value.status])).toEqual([
        [1, 'retired'],
        [2, 'published'],
      ]);
      expect(versions[1]?.etag).toBe(published.etag);
      const stale = await failure(
        store.publishVersion(draft, '2026-09-02T08:00:00.000Z', [], event),
      );
      expect(stale.code).toBe('precondition-failed');
      const audits = await store.listAudit({ type: 'version.published' });
      expect(audits.filter((e) => e.id === event.id)).toHaveLength(1);
    });

    test('withdraws the current version and restores the one before, in one write with its event; refuses a stale copy', async (store) => {
      const key = freshKey();
      const v1 = await store.createVersion(
        policyVersion(key, 1, { status: 'published', publishedAt: '2025-09-01T08:00:00.000Z' }),
        audit('version.published', `${key}:v1`),
      );
      const draft = await store.createVersion(policyVersion(key, 2), audit('policy.saved', key));
      const v2 = await store.publishVersion(
        draft,
        '2026-09-01T08:00:00.000Z',
        [v1],
        audit('version.published', `${key}:v2`),
      );
      const retired = await store.getVersion(key, 1);
      if (retired === null) throw new Error('version 1 is gone');
      const event = audit('version.withdrawn', `${key}:v2`);
      const result = await store.withdrawVersion(v2, retired, event);
      expect(result.withdrawn.value.status).toBe('withdrawn');
      expect(result.restored.value.status).toBe('published');
      const versions = await store.listVersions(key);
      expect(versions.map((v) => [v.value.number, v.value.status])).toEqual([
        [1, 'published'],
        [2, 'withdrawn'],
      ]);
      // Nothing of the withdrawn version is lost: its text and publishing time stay.
      expect(versions[1]?.value.publishedAt).toBe('2026-09-01T08:00:00.000Z');
      expect(versions[1]?.value.contentHash).toBe(v2.value.contentHash);
      expect(versions[0]?.etag).toBe(result.restored.etag);
      const stale = await failure(
        store.withdrawVersion(v2, retired, audit('version.withdrawn', `${key}:v2`)),
      );
      expect(stale.code).toBe('precondition-failed');
      const events = await store.listAudit({ type: 'version.withdrawn' });
      expect(events.filter((e) => e.subject === `${key}:v2`).map((e) => e.id)).toEqual([event.id]);
    });

    test('records a signature with its audit event; a second signature of the version is idempotent', async (store) => {
      const key = freshKey();
      const version = policyVersion(key, 1, { status: 'published' });
      const userId = randomUUID();
      const first = signature(version, userId, '2026-09-03T08:12:00.123Z');
      const firstAudit = audit('acknowledgement.signed', first.id);
      const result = await store.recordSignature(first, firstAudit);
      expect(result).toEqual({ acknowledgement: first, created: true });

      const repeat = signature(version, userId, '2026-09-03T08:13:30.456Z');
      const repeatAudit = audit('acknowledgement.signed', repeat.id);
      const second = await store.recordSignature(repeat, repeatAudit);
      expect(second.created).toBe(false);
      expect(second.acknowledgement).toEqual(first);

      expect(await store.listAcknowledgements({ policyKey: key })).toEqual([first]);
      expect((await store.getAcknowledgement(first.id))?.value).toEqual(first);
      expect(await store.getAcknowledgement(`${key}:v1:nobody`)).toBeNull();
      const signedEvents = (await store.listAudit({ type: 'acknowledgement.signed' })).filter(
        (e) => e.subject === first.id,
      );
      expect(signedEvents.map((e) => e.id)).toEqual([firstAudit.id]);
    });

    test('concurrent signatures of one version by one person leave exactly one row', async (store) => {
      const key = freshKey();
      const version = policyVersion(key, 1, { status: 'published' });
      const userId = randomUUID();
      const attempts = Array.from({ length: 6 }, (_, i) =>
        signature(version, userId, `2026-09-03T08:12:0${i}.000Z`),
      );
      const results = await Promise.all(
        attempts.map((ack) => store.recordSignature(ack, audit('acknowledgement.signed', ack.id))),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const stored = await store.listAcknowledgements({ policyKey: key });
      expect(stored).toHaveLength(1);
      for (const r of results) expect(r.acknowledgement).toEqual(stored[0]);
      const events = (await store.listAudit({ type: 'acknowledgement.signed' })).filter(
        (e) => e.subject === stored[0]?.id,
      );
      expect(events).toHaveLength(1);
    });

    test('filters acknowledgements by policy, person and version', async (store) => {
      const key = freshKey();
      const v1 = policyVersion(key, 1, { status: 'published' });
      const v2 = policyVersion(key, 2, { status: 'published' });
      const [alice, bob] = [randomUUID(), randomUUID()];
      for (const [v, user, at] of [
        [v1, alice, '2026-01-01T09:00:00.000Z'],
        [v2, alice, '2026-02-01T09:00:00.000Z'],
        [v1, bob, '2026-01-15T09:00:00.000Z'],
      ] as const) {
        const ack = signature(v, user, at);
        await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
      }
      const all = await store.listAcknowledgements({ policyKey: key });
      expect(all.map((a) => [a.userId, a.versionNumber])).toEqual([
        [alice, 1],
        [bob, 1],
        [alice, 2],
      ]);
      expect(await store.listAcknowledgements({ policyKey: key, userId: alice })).toHaveLength(2);
      expect(
        (await store.listAcknowledgements({ policyKey: key, versionNumber: 1 })).map(
          (a) => a.userId,
        ),
      ).toEqual([alice, bob]);
      expect(await store.listAcknowledgements({ userId: bob })).toHaveLength(1);
    });

    test("lists a policy's signature facts: the listing's rows without seal, consents, channel or content hash", async (store) => {
      const key = freshKey();
      const v1 = policyVersion(key, 1, { status: 'published' });
      const v2 = policyVersion(key, 2, { status: 'published' });
      const [alice, bob] = [randomUUID(), randomUUID()];
      for (const [v, user, at] of [
        [v2, alice, '2026-02-01T09:00:00.000Z'],
        [v1, alice, '2026-01-01T09:00:00.000Z'],
        [v1, bob, '2026-01-15T09:00:00.000Z'],
      ] as const) {
        const ack = signature(v, user, at);
        await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
      }
      const other = signature(policyVersion(freshKey(), 1, { status: 'published' }), alice);
      await store.recordSignature(other, audit('acknowledgement.signed', other.id));
      const listed = await store.listAcknowledgements({ policyKey: key });
      const facts = await store.listSignatureFacts({ policyKey: key });
      expect(facts).toEqual(
        listed.map(
          ({ seal: _seal, consents: _consents, channel: _channel, contentHash: _hash, ...rest }) =>
            rest,
        ),
      );
      expect(facts.map((f) => [f.userId, f.versionNumber])).toEqual([
        [alice, 1],
        [bob, 1],
        [alice, 2],
      ]);
      expect(Object.keys(facts[0] ?? {}).sort()).toEqual([
        'approvalState',
        'displayName',
        'id',
        'policyKey',
        'signedAt',
        'statedRole',
        'typedName',
        'upn',
        'userId',
        'versionNumber',
      ]);
      expect(await store.listSignatureFacts({ policyKey: freshKey() })).toEqual([]);
      // Without a policy key: every policy's, in one read of the whole list (the trust report).
      const all = await store.listSignatureFacts({});
      expect(all).toEqual(
        (await store.listAcknowledgements({})).map(
          ({ seal: _seal, consents: _consents, channel: _channel, contentHash: _hash, ...rest }) =>
            rest,
        ),
      );
      expect(all.filter((f) => f.policyKey === key)).toEqual(facts);
      expect(all.map((f) => f.id)).toContain(other.id);
    });

    test('lists more acknowledgements than fit in one page', async (store) => {
      const count = subject?.pagingRows ?? 25;
      const key = freshKey();
      const version = policyVersion(key, 1, { status: 'published' });
      const acks = Array.from({ length: count }, () => signature(version, randomUUID()));
      for (let i = 0; i < acks.length; i += 10) {
        await Promise.all(
          acks
            .slice(i, i + 10)
            .map((ack) => store.recordSignature(ack, audit('acknowledgement.signed', ack.id))),
        );
      }
      const listed = await store.listAcknowledgements({ policyKey: key });
      expect(listed).toHaveLength(count);
      expect(new Set(listed.map((a) => a.id))).toEqual(new Set(acks.map((a) => a.id)));
      const facts = await store.listSignatureFacts({ policyKey: key });
      expect(facts.map((f) => f.id)).toEqual(listed.map((a) => a.id));
    }, 60_000);

    test('refuses a malformed acknowledgement as validation and stores nothing', async (store) => {
      const key = freshKey();
      const ack = { ...signature(policyVersion(key, 1), randomUUID()), seal: 'not-a-seal' };
      const error = await failure(
        store.recordSignature(ack, audit('acknowledgement.signed', ack.id)),
      );
      expect(error.code).toBe('validation');
      expect(await store.listAcknowledgements({ policyKey: key })).toEqual([]);
    });

    test('approvals: one per acknowledgement, decided once with the eTag, state copied to the acknowledgement', async (store) => {
      const key = freshKey();
      const ack = {
        ...signature(policyVersion(key, 1), randomUUID()),
        approvalState: 'pending' as const,
      };
      await store.recordSignature(ack, audit('acknowledgement.signed', ack.id));
      const pending = await store.createApproval(pendingApproval(ack));
      expect((await failure(store.createApproval(pendingApproval(ack)))).code).toBe('conflict');
      const mine = await store.listApprovals({ userId: ack.userId });
      expect(mine.map((a) => a.value)).toEqual([pendingApproval(ack)]);
      expect(
        (await store.listApprovals({ decision: 'pending' })).some(
          (a) => a.value.acknowledgementId === ack.id,
        ),
      ).toBe(true);

      const decided = {
        ...pendingApproval(ack),
        decision: 'approved' as const,
        approverId: 'head-1',
        approverName: 'Emma Bonnin',
        additionalPermissions: ['admin'],
        comment: 'Welcome',
        decidedAt: '2026-09-04T10:00:00.000Z',
      };
      const event = audit('approval.decided', ack.id);
      const result = await store.decideApproval(pending, decided, event);
      expect(result.value).toEqual(decided);
      expect((await store.listApprovals({ userId: ack.userId }))[0]?.value).toEqual(decided);
      expect((await store.getAcknowledgement(ack.id))?.value.approvalState).toBe('approved');
      const again = await failure(
        store.decideApproval(
          pending,
          { ...decided, decision: 'rejected' },
          audit('approval.decided', ack.id),
        ),
      );
      expect(again.code).toBe('precondition-failed');
      expect((await store.listApprovals({ userId: ack.userId }))[0]?.value.decision).toBe(
        'approved',
      );
    });

    test('campaigns: created with an audit event, listed by policy and status, updated with the eTag', async (store) => {
      const key = freshKey();
      const c = campaign(key, 2);
      const created = await store.createCampaign(c, audit('campaign.launched', c.id));
      expect((await store.getCampaign(c.id))?.value).toEqual(c);
      expect((await failure(store.createCampaign(c, audit('campaign.launched', c.id)))).code).toBe(
        'conflict',
      );
      expect((await store.listCampaigns({ policyKey: key })).map((x) => x.value.id)).toEqual([
        c.id,
      ]);
      expect(await store.listCampaigns({ policyKey: key, status: 'paused' })).toEqual([]);
      const paused = { ...c, status: 'paused' as const, counts: { ...c.counts, sent: 80 } };
      const updated = await store.updateCampaign(created, paused);
      expect(updated.value).toEqual(paused);
      expect((await store.listCampaigns({ policyKey: key, status: 'paused' }))[0]?.etag).toBe(
        updated.etag,
      );
      expect((await failure(store.updateCampaign(created, c))).code).toBe('precondition-failed');
      expect(await store.getCampaign(freshKey())).toBeNull();
    });

    test('the audit log appends once per event id and filters by type and time', async (store) => {
      const subjectKey = freshKey();
      const early = audit('campaign.status-changed', subjectKey, '2020-01-01T00:00:00.000Z');
      const late = audit('campaign.status-changed', subjectKey, '2099-01-01T00:00:00.000Z');
      await store.appendAudit([early, late]);
      await store.appendAudit([late]);
      const all = (await store.listAudit({ type: 'campaign.status-changed' })).filter(
        (e) => e.subject === subjectKey,
      );
      expect(all).toEqual([early, late]);
      const recent = (
        await store.listAudit({
          type: 'campaign.status-changed',
          since: '2098-12-31T00:00:00.000Z',
        })
      ).filter((e) => e.subject === subjectKey);
      expect(recent).toEqual([late]);
      // A point read by id: the event as appended, or null for an id nobody used.
      expect(await store.getAuditEvent(late.id)).toEqual(late);
      expect(await store.getAuditEvent(`${late.id}:none`)).toBeNull();
    });

    test('hands out copies: changing what a read returned changes nothing stored', async (store) => {
      const key = freshKey();
      await store.putPolicy(policy(key));
      const read = await store.getPolicy(key);
      if (read === null) throw new Error('policy missing');
      read.value.audiences.push('governors');
      expect((await store.getPolicy(key))?.value.audiences).toEqual(['staff']);
    });
  });
}
