/**
 * Every route the API handler serves, in one table: the handler dispatches from it and the
 * authorisation matrix test enumerates it (a route without matrix rows fails that test).
 *
 * access: `user` any signed-in person; `admin` needs Policy.Admin; `approver` needs
 * Policy.Approver; `dev` no token, and only when the service runs in dev mode (404 otherwise);
 * `public` no token in any mode (only what anyone may read: the evidence keys).
 */
export type RouteAccess = 'user' | 'admin' | 'approver' | 'dev' | 'public';
export type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface RouteDefinition {
  readonly id: string;
  readonly method: HttpMethod;
  /** Segments starting with ":" are parameters (one whole segment each). */
  readonly path: string;
  readonly access: RouteAccess;
}

export const API_ROUTES = [
  // Everyone: my policies, sign, history.
  { id: 'me', method: 'GET', path: '/api/me', access: 'user' },
  { id: 'me.policies', method: 'GET', path: '/api/me/policies', access: 'user' },
  { id: 'policies.version', method: 'GET', path: '/api/policies/:key/versions/:n', access: 'user' },
  { id: 'me.changes', method: 'GET', path: '/api/me/policies/:key/changes', access: 'user' },
  { id: 'me.sign', method: 'POST', path: '/api/me/policies/:key/sign', access: 'user' },
  { id: 'me.history', method: 'GET', path: '/api/me/history', access: 'user' },
  // The text a signature was made on: the signer's own (an admin's: anyone's; the service checks).
  {
    id: 'signatures.text',
    method: 'GET',
    path: '/api/signatures/:ackId/text',
    access: 'user',
  },

  // The school's audiences and approvers' permission choices, as the tab offers them.
  { id: 'school', method: 'GET', path: '/api/school', access: 'user' },

  // Policy.Admin
  { id: 'admin.import', method: 'POST', path: '/api/admin/import', access: 'admin' },
  { id: 'admin.policies', method: 'GET', path: '/api/admin/policies', access: 'admin' },
  {
    id: 'admin.policies.create',
    method: 'POST',
    path: '/api/admin/policies',
    access: 'admin',
  },
  { id: 'admin.draft', method: 'PUT', path: '/api/admin/policies/:key/draft', access: 'admin' },
  {
    id: 'admin.diff',
    method: 'GET',
    path: '/api/admin/policies/:key/versions/:n/diff',
    access: 'admin',
  },
  {
    id: 'admin.publish',
    method: 'POST',
    path: '/api/admin/policies/:key/versions/:n/publish',
    access: 'admin',
  },
  {
    id: 'admin.publish-preview',
    method: 'GET',
    path: '/api/admin/policies/:key/versions/:n/publish-preview',
    access: 'admin',
  },
  {
    id: 'admin.withdraw-preview',
    method: 'GET',
    path: '/api/admin/policies/:key/versions/:n/withdraw-preview',
    access: 'admin',
  },
  {
    id: 'admin.withdraw',
    method: 'POST',
    path: '/api/admin/policies/:key/versions/:n/withdraw',
    access: 'admin',
  },
  { id: 'admin.people', method: 'GET', path: '/api/admin/people', access: 'admin' },
  { id: 'admin.people.csv', method: 'GET', path: '/api/admin/people.csv', access: 'admin' },
  { id: 'admin.person', method: 'GET', path: '/api/admin/people/:userId', access: 'admin' },
  // What the service sent a person of a policy (prompts, reminders) and what became of each.
  {
    id: 'admin.person.deliveries',
    method: 'GET',
    path: '/api/admin/people/:userId/deliveries',
    access: 'admin',
  },
  // The evidence pack's PDFs: a version's register (?version=N, else the current), a person's.
  {
    id: 'admin.policy.evidence',
    method: 'GET',
    path: '/api/admin/policies/:key/evidence.pdf',
    access: 'admin',
  },
  {
    id: 'admin.person.evidence',
    method: 'GET',
    path: '/api/admin/people/:userId/evidence.pdf',
    access: 'admin',
  },
  { id: 'admin.records-check', method: 'GET', path: '/api/admin/records-check', access: 'admin' },
  {
    id: 'admin.approval-requests',
    method: 'GET',
    path: '/api/admin/approval-requests',
    access: 'admin',
  },
  {
    id: 'admin.approval-requests.resend',
    method: 'POST',
    path: '/api/admin/approval-requests/:ackId/resend',
    access: 'admin',
  },

  // Trust-wide policies with school variants (issue 14): signed-in people; the service decides
  // (the trust lead for the master; a school's admin for that school's variant and copy only).
  { id: 'trust.policies', method: 'GET', path: '/api/trust/policies', access: 'user' },
  // The schools side by side: every school for the trust lead, their own for a school's admin.
  { id: 'trust.compliance', method: 'GET', path: '/api/trust/compliance', access: 'user' },
  // One school's register PDF (?version=N, else the current): the trust lead any school's, a
  // school's admin their own (another school's: 404).
  {
    id: 'trust.school.evidence',
    method: 'GET',
    path: '/api/trust/schools/:schoolId/policies/:key/evidence.pdf',
    access: 'user',
  },
  { id: 'trust.policies.create', method: 'POST', path: '/api/trust/policies', access: 'user' },
  { id: 'trust.draft', method: 'PUT', path: '/api/trust/policies/:key/draft', access: 'user' },
  {
    id: 'trust.publish',
    method: 'POST',
    path: '/api/trust/policies/:key/versions/:n/publish',
    access: 'user',
  },
  // The trust lead launches a trust policy's campaign in every school (each school's own campaign).
  {
    id: 'trust.campaigns.launch',
    method: 'POST',
    path: '/api/trust/policies/:key/campaigns',
    access: 'user',
  },
  {
    id: 'trust.variant',
    method: 'PUT',
    path: '/api/trust/policies/:key/schools/:schoolId/variant',
    access: 'user',
  },
  // What a master publish would do in each school (the lead), and a school's text with its own
  // clauses before they are published (that school's admin); both write nothing.
  {
    id: 'trust.publish-preview',
    method: 'GET',
    path: '/api/trust/policies/:key/versions/:n/publish-preview',
    access: 'user',
  },
  // A master published by mistake, withdrawn with every school's text composed from it (the lead),
  // and beforehand what that would do in each school (writes nothing).
  {
    id: 'trust.withdraw-preview',
    method: 'GET',
    path: '/api/trust/policies/:key/versions/:n/withdraw-preview',
    access: 'user',
  },
  {
    id: 'trust.withdraw',
    method: 'POST',
    path: '/api/trust/policies/:key/versions/:n/withdraw',
    access: 'user',
  },
  {
    id: 'trust.variant-preview',
    method: 'POST',
    path: '/api/trust/policies/:key/schools/:schoolId/variant/preview',
    access: 'user',
  },
  // The actor's school's settings (services/actor-school.ts decides which school), and their history.
  { id: 'admin.settings', method: 'GET', path: '/api/admin/settings', access: 'admin' },
  { id: 'admin.settings.save', method: 'PUT', path: '/api/admin/settings', access: 'admin' },
  {
    id: 'admin.settings.history',
    method: 'GET',
    path: '/api/admin/settings/history',
    access: 'admin',
  },
  // The settings page's group picker: Entra groups by name (?search=words).
  { id: 'admin.groups', method: 'GET', path: '/api/admin/groups', access: 'admin' },
  { id: 'admin.campaigns.list', method: 'GET', path: '/api/admin/campaigns', access: 'admin' },
  { id: 'admin.campaigns.launch', method: 'POST', path: '/api/admin/campaigns', access: 'admin' },
  {
    id: 'admin.campaigns.preview-card',
    method: 'GET',
    path: '/api/admin/campaigns/preview-card',
    access: 'admin',
  },
  {
    id: 'admin.campaigns.send-test',
    method: 'POST',
    path: '/api/admin/campaigns/send-test',
    access: 'admin',
  },
  {
    id: 'admin.campaigns.pause',
    method: 'POST',
    path: '/api/admin/campaigns/:id/pause',
    access: 'admin',
  },
  {
    id: 'admin.campaigns.resume',
    method: 'POST',
    path: '/api/admin/campaigns/:id/resume',
    access: 'admin',
  },
  {
    id: 'admin.campaigns.cancel',
    method: 'POST',
    path: '/api/admin/campaigns/:id/cancel',
    access: 'admin',
  },
  {
    id: 'admin.campaigns.recover',
    method: 'POST',
    path: '/api/admin/campaigns/:id/recover',
    access: 'admin',
  },

  // Policy.Approver
  { id: 'approvals.list', method: 'GET', path: '/api/approvals', access: 'approver' },
  { id: 'approvals.bulk', method: 'POST', path: '/api/approvals/bulk', access: 'approver' },
  {
    id: 'approvals.decide',
    method: 'POST',
    path: '/api/approvals/:ackId/decision',
    access: 'approver',
  },

  // Public, no token: the keys that verify the evidence (an inspector needs nothing else).
  { id: 'evidence.keys', method: 'GET', path: '/api/evidence/keys', access: 'public' },

  // Dev mode only: the dev identity provider.
  { id: 'dev.users', method: 'GET', path: '/dev/users', access: 'dev' },
  { id: 'dev.token', method: 'POST', path: '/dev/token', access: 'dev' },
  {
    id: 'dev.openid-configuration',
    method: 'GET',
    path: '/dev/.well-known/openid-configuration',
    access: 'dev',
  },
  { id: 'dev.jwks', method: 'GET', path: '/dev/jwks.json', access: 'dev' },
] as const satisfies readonly RouteDefinition[];

export type RouteId = (typeof API_ROUTES)[number]['id'];

export interface RouteMatch {
  route: (typeof API_ROUTES)[number];
  params: Record<string, string>;
}

function split(path: string): string[] {
  return path.split('/').slice(1);
}

const COMPILED = API_ROUTES.map((route) => ({ route, segments: split(route.path) }));

/**
 * Finds the route for a path. Literal segments win over parameters, so
 * /api/admin/campaigns/preview-card never reads as a campaign id. Returns the methods the path
 * allows when none matches the request's, for 405.
 */
export function matchRoute(
  method: string,
  pathname: string,
): { match?: RouteMatch; allowed: string[] } {
  const parts = split(pathname);
  const candidates: { match: RouteMatch; literals: number }[] = [];
  for (const { route, segments } of COMPILED) {
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (let i = 0; i < segments.length; i += 1) {
      const segment = segments[i] as string;
      const part = parts[i] as string;
      if (segment.startsWith(':')) {
        let decoded: string;
        try {
          decoded = decodeURIComponent(part);
        } catch {
          ok = false; // malformed percent-encoding: treat as no match (404)
          break;
        }
        if (decoded === '') {
          ok = false;
          break;
        }
        params[segment.slice(1)] = decoded;
      } else if (segment === part) {
        literals += 1;
      } else {
        ok = false;
        break;
      }
    }
    if (ok) candidates.push({ match: { route, params }, literals });
  }
  if (candidates.length === 0) return { allowed: [] };
  const best = Math.max(...candidates.map((c) => c.literals));
  const shaped = candidates.filter((c) => c.literals === best);
  const match = shaped.find((c) => c.match.route.method === method)?.match;
  return {
    ...(match === undefined ? {} : { match }),
    allowed: [...new Set(shaped.map((c) => c.match.route.method))],
  };
}
