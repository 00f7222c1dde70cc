import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEvidenceKeys } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { DEMO_TRUST } from '../../src/dev/demo/demo-trust.ts';
import type { PolicyDocument } from '../../src/domain/policy-document.ts';
import type { School } from '../../src/domain/school.ts';
import { trustOf } from '../../src/domain/trust.ts';
import { createCountersignService } from '../../src/services/create-countersign-service.ts';
import { schoolScopedRecords } from '../../src/services/school-scoped-records.ts';
import type { TrustCompliance } from '../../src/services/trust-compliance.ts';
import { perSchoolCompliance } from '../services/support/per-school-compliance.ts';
import { startLocalStack, type LocalStack } from '../../src/dev/local-stack.ts';
import type { TrustPolicyView } from '../../src/services/trust-policies.ts';
import { emulatorGraphAdapters } from '../support/emulator-graph.ts';

// `npm start`'s demo trust (issue 14, item 5): three schools beside the demo school, the trust
// AUP with each school's contacts and two schools' own clauses, one school's own policy; the
// trust lead and each school's admin in the dev switcher. Through HTTP, as the tab calls it.
let stack: LocalStack;

async function api(user: string, path: string, body?: unknown) {
  const issued = await fetch(`${stack.url}/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  expect(issued.status).toBe(200);
  const { accessToken } = (await issued.json()) as { accessToken: string };
  const res = await fetch(`${stack.url}${path}`, {
    headers: {
      Authorization: `Bearer ${accessToken}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** A policy's versions as stored (another school's policies are not the demo school's to read). */
async function versionsOf(policyKey: string) {
  const { records } = emulatorGraphAdapters(stack.emulator);
  return (await records.listVersions(policyKey)).map((t) => t.value);
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, demoTrust: true });
});

afterAll(async () => {
  await stack.close();
});

describe('the demo trust', () => {
  it('has three schools of different sizes beside the demo school, each with its settings', async () => {
    expect(DEMO_TRUST.schools.map((s) => s.people.length)).toEqual([8, 20, 45]);
    const { settings } = emulatorGraphAdapters(stack.emulator);
    const stored = await settings.list();
    // The trust's own row ('@trust': its lead) beside every school's; the demo school is one.
    expect(stored.map((s) => s.school.id)).toEqual([
      '@trust',
      'demo-school',
      'hazel-lane',
      'kingsmead',
      'northfield-academy',
    ]);
    expect(stored.find((s) => s.school.id === 'kingsmead')?.school.contacts?.[0]).toMatchObject({
      key: 'dsl',
      name: 'Shreya Nair',
    });
    // The demo school is still the one the service serves.
    expect(stack.service.school({ id: 'x', upn: 'x', displayName: 'x', roles: [] }).name).toBe(
      'Demo Primary School',
    );
    expect(stack.devUsers.map((u) => u.key)).toEqual([
      'staff',
      'governor',
      'dsl',
      'head',
      'trust-lead',
      'hazel-lane-admin',
      'kingsmead-admin',
      'northfield-admin',
      'shared-teacher',
    ]);
  });

  it('the trust lead sees every school side by side, each on the master with its own clauses', async () => {
    const res = await api('trust-lead', '/api/trust/policies');
    expect(res.status).toBe(200);
    const [view] = res.body as TrustPolicyView[];
    expect(view?.policy).toMatchObject({ key: 'trust-aup', scope: 'trust' });
    expect(
      view?.schools.map((s) => [
        s.schoolId,
        s.current?.number,
        s.current?.masterVersion,
        s.current?.variantVersion,
      ]),
    ).toEqual([
      ['demo-school', 1, 1, 0],
      ['hazel-lane', 1, 1, 0],
      ['kingsmead', 2, 1, 1],
      ['northfield-academy', 2, 1, 1],
    ]);
    expect(view?.schools.find((s) => s.schoolId === 'kingsmead')?.current?.label).toBe(
      '2026-27 · Kingsmead Primary School variant 1',
    );
  });

  it("a school's admin sees their own school only; a member of staff nothing", async () => {
    const mine = await api('kingsmead-admin', '/api/trust/policies');
    expect(mine.status).toBe(200);
    expect((mine.body as TrustPolicyView[])[0]?.schools.map((s) => s.schoolId)).toEqual([
      'kingsmead',
    ]);
    expect((await api('staff', '/api/trust/policies')).status).toBe(403);
  });

  it("a school's own clauses are numbered after the master's and for its audiences; a wrong one is refused clearly", async () => {
    const preview = '/api/trust/policies/trust-aup/schools/kingsmead/variant/preview';
    const clause = (extra: Record<string, unknown>) => ({
      sections: [
        {
          heading: 'Kingsmead: our own rules',
          clauses: [
            { number: '1', text: 'Class iPads are signed out.', items: [], ...extra },
            { text: 'Ask the office if unsure.', items: [] },
            { number: '2', text: 'Chargers stay in school.', items: [] },
          ],
        },
      ],
    });
    const composed = await api('kingsmead-admin', preview, clause({ audience: ['staff'] }));
    expect(composed.status).toBe(200);
    const sections = (composed.body as { document: PolicyDocument }).document.sections;
    const masterNumbers = sections
      .slice(0, -1)
      .flatMap((s) => s.clauses.flatMap((c) => (c.number === undefined ? [] : [c.number])));
    const last = Number(masterNumbers.at(-1));
    expect(masterNumbers).toEqual(masterNumbers.map((_, i) => String(i + 1)));
    expect(sections.at(-1)?.clauses.map((c) => [c.number, c.audience])).toEqual([
      [String(last + 1), ['staff']],
      [undefined, undefined],
      [String(last + 2), undefined],
    ]);

    // Not an audience key at all: the boundary's schema says where and why.
    const malformed = await api('kingsmead-admin', preview, clause({ audience: ['Staff Room'] }));
    expect(malformed.status).toBe(422);
    expect(malformed.body).toMatchObject({
      code: 'validation',
      detail:
        'The request body is not valid: sections.0.clauses.0.audience.0: an audience key is lower-case letters, digits and hyphens',
    });
    // An audience Kingsmead does not have: the clause and the audiences it may name.
    const unknown = await api('kingsmead-admin', preview, clause({ audience: ['governors'] }));
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({
      code: 'validation',
      detail:
        "A clause can be for Kingsmead Primary School's audiences this policy applies to only (staff): “governors” on clause 1 (“Class iPads are signed out.”).",
    });
  });

  it("each school's people sign a text naming their own DSL; one school has a policy of its own", async () => {
    const [hazel, kings] = DEMO_TRUST.schools;
    const copy = async (key: string) =>
      (await versionsOf(key)).find((v) => v.status === 'published');
    const hazelText = JSON.stringify((await copy('trust-aup--hazel-lane'))?.document);
    const kingsText = JSON.stringify((await copy('trust-aup--kingsmead'))?.document);
    expect(hazelText).toContain(
      `speak to ${hazel.admin.displayName} (Designated Safeguarding Lead`,
    );
    expect(kingsText).toContain(
      `speak to ${kings.admin.displayName} (Designated Safeguarding Lead`,
    );
    expect(kingsText).toContain('Class iPads are signed out');
    expect(hazelText).not.toContain('Class iPads');
    // The demo school is in the trust: its staff see the trust AUP in My AUP, naming its DSL.
    const mine = await api('staff', '/api/me/policies');
    const copy0 = (mine.body as { policy: { key: string }; version: { document: unknown } }[]).find(
      (v) => v.policy.key === 'trust-aup--demo-school',
    );
    expect(JSON.stringify(copy0?.version.document)).toContain(
      'speak to Daniel Okafor (Designated Safeguarding Lead',
    );
    const own = (await versionsOf(DEMO_TRUST.ownPolicy.key))[0];
    expect(own?.document.title).toBe('Northfield Academy — Staff Laptop Loan Agreement');
    expect(own?.status).toBe('published');
  });

  it("one deployment serves each school's people: Kingsmead's admin is served by Kingsmead", async () => {
    // Routing by school (2523dfa): the local stack re-reads the settings list after seeding the
    // trust, so a request from Kingsmead's admin reaches Kingsmead's service, not the demo school's.
    const school = await api('kingsmead-admin', '/api/school');
    expect(school.status).toBe(200);
    expect((school.body as { name: string }).name).toBe('Kingsmead Primary School');
    const mine = await api('kingsmead-admin', '/api/me/policies');
    expect(mine.status).toBe(200);
    const keys = (mine.body as { policy: { key: string } }[]).map((v) => v.policy.key);
    expect(keys).toContain('trust-aup--kingsmead');
    expect(keys).not.toContain('trust-aup--demo-school');
    // The demo school's DSL is still served by the demo school.
    const dsl = await api('dsl', '/api/school');
    expect((dsl.body as { name: string }).name).toBe('Demo Primary School');
  });

  it('one teacher is in two schools (Kingsmead and Hazel Lane), each serving her its own copy', async () => {
    const me = await api('shared-teacher', '/api/me');
    expect(me.status).toBe(200);
    const body = me.body as { school?: string; schools?: { id: string }[] };
    expect(body.schools?.map((s) => s.id).sort()).toEqual(['hazel-lane', 'kingsmead']);
    for (const school of ['hazel-lane', 'kingsmead']) {
      const mine = await api('shared-teacher', `/api/me/policies?school=${school}`);
      expect(mine.status).toBe(200);
      const keys = (mine.body as { policy: { key: string } }[]).map((v) => v.policy.key);
      expect(keys).toEqual([`trust-aup--${school}`]);
    }
  });

  it("the Schools view's figures are each school's own report's, from one shared read", async () => {
    const graph = emulatorGraphAdapters(stack.emulator);
    const trust = trustOf((await graph.settings.list()).map((stored) => stored.school));
    const serve = (school: School) =>
      createCountersignService({
        records: schoolScopedRecords(graph.records, () => school.id),
        directory: graph.directory,
        clock: { now: () => new Date() },
        sealKey: 'demo-trust-test-seal-key-0123456789abcdef',
        evidence: memoryEvidenceKeys(),
        school,
        readCache: false,
      });
    // Two of Kingsmead's staff sign its copy of the trust AUP (version 2: master and variant).
    const kingsmead = trust.schools.find((s) => s.id === 'kingsmead');
    if (kingsmead === undefined) throw new Error('kingsmead is a school of the trust');
    for (const p of DEMO_TRUST.schools[1].people.slice(0, 2)) {
      await serve(kingsmead).sign(
        { id: p.id, displayName: p.displayName, upn: p.userPrincipalName, roles: [] },
        {
          policyKey: 'trust-aup--kingsmead',
          versionNumber: 2,
          declarationAccepted: true,
          typedName: p.displayName,
          statedRole: p.jobTitle,
          consents: {},
          channel: 'tab',
        },
      );
    }
    const res = await api('trust-lead', '/api/trust/compliance');
    expect(res.status).toBe(200);
    const expected = [];
    for (const school of trust.schools)
      expected.push(await perSchoolCompliance(serve(school), school));
    const body = res.body as TrustCompliance;
    expect(body.schools).toEqual(expected);
    expect(
      body.schools
        .find((s) => s.id === 'kingsmead')
        ?.policies.find((p) => p.key === 'trust-aup--kingsmead')?.overall.signed,
    ).toBe(2);
  });
});
