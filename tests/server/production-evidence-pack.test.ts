import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvidenceKeyFile } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import type { GraphAdapters } from '../../src/adapters/graph/create-graph-adapters.ts';
import { localBotFrameworkKeys } from '../../src/bot/auth/bot-framework-keys.ts';
import { loadEnv } from '../../src/config/env.ts';
import {
  startConnectorEmulator,
  type ConnectorEmulator,
} from '../../src/dev/connector-emulator/connector-emulator.ts';
import { DEMO_SCHOOL, type DemoPerson } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import { close, listen } from '../../src/server/http-server.ts';
import {
  composeProductionService,
  type ProductionService,
} from '../../src/server/production-service.ts';
import { writeCheckpoint } from '../../src/services/write-checkpoint.ts';
import { pdfText } from '../cli/evidence-pack-fixture.ts';
import {
  PRODUCTION_CLIENT_ID,
  productionEnvVars,
  provisionedDemoSite,
  rs256SigningKey,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';

// The Admin view's evidence pack download in the service as src/server/main.ts composes it:
// real Entra-shaped tokens (a local key pair stands in for Entra's), the SharePoint record store
// on the Graph emulator, the service's own evidence key, the pdf-lib renderer; the PDF read
// back with pdf.js.

const teacher = DEMO_SCHOOL.staff.find((p) => p.team === 'teaching');
const colleague = DEMO_SCHOOL.staff.find((p) => p.team === 'teaching' && p !== teacher);
if (teacher === undefined || colleague === undefined)
  throw new Error('the demo school has teachers');
const admin = DEMO_SCHOOL.dsl;

let emulator: GraphEmulator;
let connector: ConnectorEmulator;
let composed: ProductionService;
let graph: GraphAdapters;
let base = '';
let contentHash = '';
let entra: { privateKey: CryptoKey; jwk: JWK };
let checkpointId = '';
const dir = mkdtempSync(join(tmpdir(), 'countersign-prod-pack-'));

/** The tab's token for the API; roles come from the school's settings, never from the token. */
function token(person: DemoPerson): Promise<string> {
  return new SignJWT({
    iss: `https://login.microsoftonline.com/${DEMO_SCHOOL.tenantId}/v2.0`,
    aud: PRODUCTION_CLIENT_ID,
    tid: DEMO_SCHOOL.tenantId,
    oid: person.id,
    scp: 'access_as_user',
    name: person.displayName,
    preferred_username: person.userPrincipalName,
  })
    .setProtectedHeader({ alg: 'RS256', kid: entra.jwk.kid ?? '' })
    .setIssuedAt()
    .setNotBefore('-1m')
    .setExpirationTime('10m')
    .sign(entra.privateKey);
}

async function get(path: string, person: DemoPerson): Promise<Response> {
  return fetch(`${base}${path}`, {
    headers: { authorization: `Bearer ${await token(person)}` },
  });
}

/** The admin publishes version 2 through the API, so its published record is signed too. */
async function publishVersion2(): Promise<void> {
  const auth = { authorization: `Bearer ${await token(admin)}` };
  const draft = await fetch(`${base}/api/admin/policies/staff-aup/draft`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      label: '2027-28',
      changeKind: 'material',
      document: { ...DEMO_SCHOOL.aup, declaration: `${DEMO_SCHOOL.aup.declaration} (2027)` },
    }),
  });
  if (draft.status !== 200)
    throw new Error(`draft answered ${draft.status}: ${await draft.text()}`);
  const published = await fetch(`${base}/api/admin/policies/staff-aup/versions/2/publish`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{}',
  });
  if (published.status !== 200) throw new Error(`publish answered ${published.status}`);
  contentHash = ((await published.json()) as { contentHash: string }).contentHash;
}

async function signAs(person: DemoPerson, typedName: string): Promise<void> {
  const res = await fetch(`${base}/api/me/policies/staff-aup/sign`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await token(person)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      versionNumber: 2,
      contentHash,
      declarationAccepted: true,
      typedName,
      statedRole: person.jobTitle,
      consents: { photo: true },
    }),
  });
  if (res.status !== 201) throw new Error(`sign answered ${res.status}: ${await res.text()}`);
}

beforeAll(async () => {
  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ graph, contentHash } = await provisionedDemoSite(emulator));
  connector = await startConnectorEmulator({ tenantId: DEMO_SCHOOL.tenantId });
  entra = await rs256SigningKey('entra-1');
  const botFramework = await rs256SigningKey('bf-1', { endorsements: ['msteams'] });
  const evidenceKeyFile = join(dir, 'evidence-key.pem');
  const keys = loadEvidenceKeyFile(evidenceKeyFile, { create: true });
  const env = loadEnv(
    productionEnvVars(emulator, dir, { COUNTERSIGN_EVIDENCE_KEY_FILE: evidenceKeyFile }),
  );
  if (env.COUNTERSIGN_MODE !== 'production') throw new Error('a production environment');
  composed = await composeProductionService(env, {
    entraKeys: createLocalJWKSet({ keys: [entra.jwk] }),
    botFrameworkKeys: localBotFrameworkKeys({ keys: [botFramework.jwk] }),
    connectorUrl: connector.url,
    serviceUrls: { hosts: [], origins: [new URL(connector.url).origin] },
    botToken: () => Promise.resolve(localBotToken(PRODUCTION_CLIENT_ID)()),
    holderId: 'production-evidence-pack-test',
  });
  base = `http://127.0.0.1:${await listen(composed.server, 0, '127.0.0.1')}`;

  await publishVersion2();
  await signAs(teacher, `${teacher.displayName} (typed)`);
  await signAs(colleague, colleague.displayName);
  // A signed checkpoint in the site, as the scheduled work writes one, with the service's key.
  const outcome = await writeCheckpoint(
    { ledger: graph.records, archives: [], signer: keys.signer, keyRing: keys.keyRing },
    new Date(),
  );
  checkpointId = outcome.id;
}, 120_000);

afterAll(async () => {
  await composed?.stop();
  if (composed) await close(composed.server);
  await connector?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A PDF's text as one line of words (a table cell wraps over lines). */
async function words(res: Response): Promise<string> {
  const pages = await pdfText(new Uint8Array(await res.arrayBuffer()));
  return pages.join(' ').replace(/\s+/g, ' ');
}

describe('the evidence pack from the Admin view, in the production composition', () => {
  it('a member of staff is refused the policy’s and a person’s evidence PDF (403)', async () => {
    const policy = await get('/api/admin/policies/staff-aup/evidence.pdf', teacher);
    expect(policy.status).toBe(403);
    const person = await get(
      `/api/admin/people/${teacher.id}/evidence.pdf?policyKey=staff-aup`,
      teacher,
    );
    expect(person.status).toBe(403);
    // The headteacher approves (the school's settings say so) but is not an admin.
    const approver = await get(
      '/api/admin/policies/staff-aup/evidence.pdf',
      DEMO_SCHOOL.headteacher,
    );
    expect(approver.status).toBe(403);
  });

  it('an admin downloads the register of the current version: names, typed names, the checkpoint, the records check', async () => {
    const res = await get('/api/admin/policies/staff-aup/evidence.pdf', admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="evidence-staff-aup-v2-\d{4}-\d{2}-\d{2}\.pdf"$/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-countersign-records')).toBe('hold');
    const text = await words(res);
    expect(text).toContain(DEMO_SCHOOL.school.name);
    expect(text).toContain(`Register: ${DEMO_SCHOOL.aup.title}`);
    expect(text).toContain(teacher.displayName);
    expect(text).toContain(`${teacher.displayName} (typed)`);
    expect(text).toContain(colleague.displayName);
    expect(text).toContain('Records check');
    expect(text).toContain('All signed records this PDF rests on hold: 2 signature(s)');
    expect(text).toContain(`Signed checkpoint: ${checkpointId}, taken`);
    expect(text).toContain('countersign evidence --policy staff-aup');
  });

  it('an admin downloads one person’s evidence: their signature, the text signed, the checkpoint', async () => {
    const res = await get(
      `/api/admin/people/${teacher.id}/evidence.pdf?policyKey=staff-aup`,
      admin,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const text = await words(res);
    expect(text).toContain(`${teacher.displayName}: ${DEMO_SCHOOL.aup.title}`);
    expect(text).toContain(`Typed name ${teacher.displayName} (typed)`);
    expect(text).toContain('The text signed');
    expect(text).not.toContain(colleague.displayName);
    expect(text).toContain(`Signed checkpoint: ${checkpointId}, taken`);
  });

  it('a version that was never published is 404, and a bad version number 422', async () => {
    const missing = await get('/api/admin/policies/staff-aup/evidence.pdf?version=7', admin);
    expect(missing.status).toBe(404);
    const bad = await get('/api/admin/policies/staff-aup/evidence.pdf?version=x', admin);
    expect(bad.status).toBe(422);
  });
});
