import { describe, expect, it } from 'vitest';
import { createDemoIdentityProvider, demoDevUsers } from '../../src/dev/demo/demo-identities.ts';
import { createTokenVerifier } from '../../src/api/auth/token-verifier.ts';
import { DEMO_SCHOOL } from '../../src/dev/demo/demo-school.ts';

describe('demo identities', () => {
  it('are people of the demo school, with roles that match its admins and approvers', () => {
    const users = demoDevUsers();
    expect(users.map((u) => u.key)).toEqual(['staff', 'governor', 'dsl', 'head']);
    const byKey = Object.fromEntries(users.map((u) => [u.key, u]));
    expect(byKey['dsl']?.id).toBe(DEMO_SCHOOL.dsl.id);
    expect(byKey['head']?.id).toBe(DEMO_SCHOOL.headteacher.id);
    expect(DEMO_SCHOOL.school.adminIds).toContain(byKey['dsl']?.id);
    expect(DEMO_SCHOOL.school.approverIds).toContain(byKey['head']?.id);
    expect(DEMO_SCHOOL.governors.map((g) => g.id)).toContain(byKey['governor']?.id);
    const staff = DEMO_SCHOOL.staff.find((p) => p.id === byKey['staff']?.id);
    expect(staff?.team).toBe('teaching');
    for (const user of users) {
      const admin = user.roles.includes('Policy.Admin');
      const approver = user.roles.includes('Policy.Approver');
      expect([user.key, admin, approver]).toEqual([
        user.key,
        user.key === 'dsl',
        user.key === 'head' || user.key === 'governor',
      ]);
    }
    // The governor is the chair, who approves the headteacher's own signature only.
    expect(DEMO_SCHOOL.school.approversApprover?.id).toBe(byKey['governor']?.id);
    expect(DEMO_SCHOOL.school.approverIds).not.toContain(byKey['governor']?.id);
  });

  it('signs tokens in the demo tenant that its own verifier accepts', async () => {
    const idp = await createDemoIdentityProvider();
    expect(idp.tenantId).toBe(DEMO_SCHOOL.tenantId);
    const actor = await createTokenVerifier(idp.verifierConfig()).verify(
      `Bearer ${await idp.issueToken('head')}`,
    );
    expect(actor).toEqual({
      id: DEMO_SCHOOL.headteacher.id,
      displayName: DEMO_SCHOOL.headteacher.displayName,
      upn: DEMO_SCHOOL.headteacher.userPrincipalName,
      roles: ['Policy.Approver'],
    });
  });
});
