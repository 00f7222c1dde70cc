import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { z } from 'zod';
import { createGraphAdapters } from '../src/adapters/graph/create-graph-adapters.ts';
import { provisionSite } from '../src/adapters/graph/provision.ts';
import { myPolicyViewSchema } from '../src/api/contract/responses.ts';
import { DEMO_SCHOOL } from '../src/dev/demo/demo-school.ts';
import { seedDemoPolicy } from '../src/dev/demo/seed-demo-policy.ts';
import { startGraphEmulator, syntheticPeople } from '../src/dev/graph-emulator/graph-emulator.ts';
import { startEmulatorProcess } from './emulator-process.ts';
import { emulatorAppToken } from '../src/adapters/graph/emulator-app-token.ts';
import { LOCAL_APP_ID } from '../src/dev/local-app-id.ts';

/**
 * What bench:soak and bench:outage run against: the Graph emulator (its own process, a file
 * database) with the demo school plus `extraPeople` staff in All staff and the demo AUP
 * published, and the service composed as the local stack composes it (bench/soak-service.ts,
 * its own process), trusting this process's tokens so each of those people can act as
 * themselves.
 */
type MyPolicyView = z.infer<typeof myPolicyViewSchema>;

export interface BenchPerson {
  id: string;
  name: string;
  upn: string;
}

export interface ServiceStack {
  /** The service's base URL. */
  url: string;
  /** The Graph emulator's base URL and site (for reading SharePoint afterwards). */
  graphUrl: string;
  siteId: string;
  /** The extra staff (not the demo school's own people). */
  people: readonly BenchPerson[];
  admin: BenchPerson;
  /** The demo AUP as a member of staff sees it. */
  view: MyPolicyView;
  call(
    path: string,
    person: BenchPerson,
    init?: { roles?: string[]; body?: unknown; timeoutMs?: number },
  ): Promise<Response>;
  /** A message to the service process, and its answer. */
  ask(message: unknown): Promise<unknown>;
  /** Stops the Graph emulator (its process ends: connections are refused). */
  stopGraph(): Promise<void>;
  /** Starts it again on the same port and database. */
  startGraph(): Promise<void>;
  close(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 30_000;

export async function startServiceStack(options: { extraPeople: number }): Promise<ServiceStack> {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-stack-'));
  const dbPath = join(dir, 'graph.sqlite');
  const staff = syntheticPeople(options.extraPeople, { prefix: 'soak' });

  // Set-up, not measured: the demo school, the extra staff in All staff, the lists, the AUP.
  {
    // The soak service installs the demo's app: it is in the (strict) emulator's catalog.
    const emulator = await startGraphEmulator({
      dbPath,
      seed: 'demo',
      permissions: { catalog: [LOCAL_APP_ID] },
    });
    emulator.setup.putUsers(staff);
    for (const person of staff)
      emulator.setup.addGroupMember(DEMO_SCHOOL.groups.allStaff.id, person.id);
    const graph = createGraphAdapters({
      baseUrl: emulator.url,
      accessToken: emulatorAppToken,
      site: emulator.siteId,
    });
    await provisionSite(graph.gateway, graph.records.site);
    await seedDemoPolicy(graph.records, {
      schoolId: DEMO_SCHOOL.school.id,
      audiences: DEMO_SCHOOL.school.audiences.map((a) => a.key),
      document: DEMO_SCHOOL.aup,
      actorId: DEMO_SCHOOL.dsl.id,
      now: new Date(),
    });
    await emulator.close();
  }

  // The tokens: this benchmark is the identity provider the service trusts.
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'bench-key';
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const issuer = 'urn:countersign:bench';
  const audience = 'api://localhost/countersign-bench';
  const scope = 'access_as_user';
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (person: BenchPerson, roles: string[]): Promise<string> => {
    const cached = tokens.get(person.id);
    if (cached !== undefined) return cached;
    const seconds = Math.floor(Date.now() / 1000);
    const token = new SignJWT({
      oid: person.id,
      tid: DEMO_SCHOOL.tenantId,
      name: person.name,
      preferred_username: person.upn,
      scp: scope,
      roles,
      ver: '2.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(person.id)
      .setIssuedAt(seconds)
      .setNotBefore(seconds)
      .setExpirationTime(seconds + 3 * 3600)
      .sign(privateKey);
    tokens.set(person.id, token);
    return token;
  };

  let emulator = await startEmulatorProcess(dbPath);
  const graphPort = Number(new URL(emulator.url).port);
  const service = fork(join(import.meta.dirname, 'soak-service.ts'), [], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => service.once('exit', () => resolve()));
  const replies: ((message: unknown) => void)[] = [];
  service.on('message', (message) => replies.shift()?.(message));
  const ask = (message: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      replies.push(resolve);
      service.send(message as object);
    });
  let graphRunning = true;
  const close = async (): Promise<void> => {
    if (service.exitCode === null) {
      service.send({ kind: 'stop' });
      await exited;
    }
    if (graphRunning) await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { url } = z.object({ url: z.string() }).parse(
      await ask({
        kind: 'start',
        input: { graphUrl: emulator.url, siteId: emulator.siteId, jwks, issuer, audience, scope },
      }),
    );
    const call: ServiceStack['call'] = async (path, person, init = {}) =>
      await fetch(`${url}${path}`, {
        method: init.body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${await tokenFor(person, init.roles ?? [])}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS),
      });
    const people = staff.map((p) => ({ id: p.id, name: p.displayName, upn: p.userPrincipalName }));
    const first = people[0];
    if (first === undefined) throw new Error('--people must be at least 1');
    const [view] = z
      .array(myPolicyViewSchema)
      .parse(await (await call('/api/me/policies', first)).json());
    if (view === undefined) throw new Error('the demo AUP is not among the policies of staff');
    return {
      url,
      graphUrl: emulator.url,
      siteId: emulator.siteId,
      people,
      admin: {
        id: DEMO_SCHOOL.dsl.id,
        name: DEMO_SCHOOL.dsl.displayName,
        upn: DEMO_SCHOOL.dsl.userPrincipalName,
      },
      view,
      call,
      ask,
      stopGraph: async () => {
        graphRunning = false;
        await emulator.close();
      },
      startGraph: async () => {
        emulator = await startEmulatorProcess(dbPath, graphPort);
        graphRunning = true;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The body of a signature by `person` of the version on screen. */
export function signBodyFor(view: MyPolicyView, person: BenchPerson) {
  return {
    versionNumber: view.version.number,
    contentHash: view.version.contentHash,
    declarationAccepted: true,
    typedName: person.name,
    statedRole: 'Teaching assistant',
    consents: {},
  };
}
