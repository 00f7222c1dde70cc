import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvidenceKeyFile } from '../../src/adapters/evidence-keys/local-evidence-keys.ts';
import { localBotFrameworkKeys } from '../../src/bot/auth/bot-framework-keys.ts';
import { loadEnv } from '../../src/config/env.ts';
import { DEMO_SCHOOL, type DemoPerson } from '../../src/dev/demo/demo-school.ts';
import {
  startGraphEmulator,
  type GraphEmulator,
} from '../../src/dev/graph-emulator/graph-emulator.ts';
import { localBotToken } from '../../src/dev/local-bot-token.ts';
import {
  PRODUCTION_CLIENT_ID,
  productionEnvVars,
  provisionedDemoSite,
  PRODUCTION_TENANT,
} from './support/production-fixture.ts';
import { close, listen } from '../../src/server/http-server.ts';
import {
  composeProductionService,
  type ProductionService,
} from '../../src/server/production-service.ts';

// The production composition (as src/server/main.ts composes it) with
// APPLICATIONINSIGHTS_CONNECTION_STRING set: its IngestionEndpoint is a local HTTPS sink, where
// the Azure Monitor exporter POSTs its envelopes (<IngestionEndpoint>/v2.1/track: the exporter's
// generated client builds `${host}/v2.1` and posts to `/track`,
// node_modules/@azure/monitor-opentelemetry-exporter/dist/esm/generated/api/). HTTPS because
// the exporter's connection-string parser rewrites http:// to https:// (sanitizeUrl in
// utils/connectionStringParser.js): the sink has a self-signed certificate for 127.0.0.1
// (fixtures/, test-only) that the composition is told to trust. Nothing leaves the machine:
// Live Metrics is off and the exporter's statsbeat is off by its own variable.

const CLIENT_ID = PRODUCTION_CLIENT_ID;
const TENANT = DEMO_SCHOOL.tenantId;
const teacher = DEMO_SCHOOL.staff.find((p) => p.team === 'teaching');
if (teacher === undefined) throw new Error('the demo school has a teacher');

interface Envelope {
  name: string;
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: Record<string, unknown> };
}

const received: Envelope[] = [];
const sinkPaths: string[] = [];
const logLines: Record<string, unknown>[] = [];
let sink: Server;
let emulator: GraphEmulator;
let composed: ProductionService | undefined;
let base = '';
let entraKey: CryptoKey;
let entraJwk: JWK;
let contentHash = '';
const dir = mkdtempSync(join(tmpdir(), 'countersign-appinsights-'));
const statsbeatBefore = process.env.APPLICATION_INSIGHTS_NO_STATSBEAT;

function tabToken(person: DemoPerson): Promise<string> {
  return new SignJWT({
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    aud: CLIENT_ID,
    tid: TENANT,
    oid: person.id,
    scp: 'access_as_user',
    name: person.displayName,
    preferred_username: person.userPrincipalName,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'entra-1' })
    .setIssuedAt()
    .setNotBefore('-1m')
    .setExpirationTime('10m')
    .sign(entraKey);
}

/** The exporter's body: a JSON array of envelopes (gzip only to Microsoft's https hosts). */
function envelopesOf(body: Buffer, encoding: string | undefined): Envelope[] {
  const text = (encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
  const parsed: unknown = JSON.parse(text);
  return (Array.isArray(parsed) ? parsed : [parsed]) as Envelope[];
}

beforeAll(async () => {
  // The exporter's own switch for its statsbeat (telemetry about the exporter, sent to
  // Microsoft): off, so the test needs no network.
  process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
  const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
  const certificate = fixture('ingestion-sink-cert.pem');
  sink = createServer({ cert: certificate, key: fixture('ingestion-sink-key.pem') }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      sinkPaths.push(`${req.method ?? ''} ${req.url ?? ''}`);
      const items = envelopesOf(Buffer.concat(chunks), req.headers['content-encoding']);
      received.push(...items);
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(
          JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }),
        );
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `https://127.0.0.1:${(sink.address() as AddressInfo).port}/`;

  emulator = await startGraphEmulator(PRODUCTION_TENANT);
  ({ contentHash } = await provisionedDemoSite(emulator));

  const pair = await generateKeyPair('RS256', { extractable: true });
  entraKey = pair.privateKey;
  entraJwk = { ...(await exportJWK(pair.publicKey)), kid: 'entra-1', alg: 'RS256', use: 'sig' };
  const botKey = await generateKeyPair('RS256', { extractable: true });
  const botJwk = { ...(await exportJWK(botKey.publicKey)), kid: 'bf-1', alg: 'RS256' };

  const evidenceKeyFile = join(dir, 'evidence-key.pem');
  loadEvidenceKeyFile(evidenceKeyFile, { create: true });
  const env = loadEnv(
    productionEnvVars(emulator, dir, {
      COUNTERSIGN_EVIDENCE_KEY_FILE: evidenceKeyFile,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-0000000a1b2c;IngestionEndpoint=${sinkUrl};LiveEndpoint=${sinkUrl}`,
    }),
  );
  if (env.COUNTERSIGN_MODE !== 'production') throw new Error('a production environment');
  composed = await composeProductionService(env, {
    entraKeys: createLocalJWKSet({ keys: [entraJwk] }),
    botFrameworkKeys: localBotFrameworkKeys({ keys: [botJwk] }),
    connectorUrl: 'http://127.0.0.1:9/',
    serviceUrls: { hosts: [], origins: ['http://127.0.0.1:9'] },
    botToken: () => Promise.resolve(localBotToken(CLIENT_ID)()),
    holderId: 'application-insights-test',
    writeLog: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>),
    telemetry: {
      tracesPerSecond: 0,
      liveMetrics: false,
      trustedCertificates: certificate.toString('utf8'),
    },
  });
  base = `http://127.0.0.1:${await listen(composed.server, 0, '127.0.0.1')}`;
}, 60_000);

afterAll(async () => {
  if (composed) {
    await composed.stop();
    await close(composed.server);
  }
  await emulator?.close();
  await new Promise<void>((r) => sink.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
  if (statsbeatBefore === undefined) delete process.env.APPLICATION_INSIGHTS_NO_STATSBEAT;
  else process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = statsbeatBefore;
});

describe('Application Insights through the production composition', () => {
  let signedRequestId = '';
  let failedRequestId = '';
  let failedInstance: unknown;

  it('answers a signature and a Graph outage, each with its request id', async () => {
    if (teacher === undefined || composed === undefined) throw new Error('set up');
    const token = await tabToken(teacher);
    const signed = await fetch(`${base}/api/me/policies/staff-aup/sign`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        versionNumber: 1,
        contentHash,
        declarationAccepted: true,
        typedName: teacher.displayName,
        statedRole: teacher.jobTitle,
      }),
    });
    expect(signed.status).toBe(201);
    signedRequestId = signed.headers.get('x-request-id') ?? '';
    expect(signedRequestId).toMatch(/^[0-9a-f-]{36}$/);

    // Graph answers 503 to everything: the gateway retries (Retry-After 0) and gives up.
    emulator.setFaults({ rate503: 1, retryAfterSeconds: 0 });
    try {
      const failed = await fetch(`${base}/api/me/policies`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(failed.status).toBe(503);
      failedRequestId = failed.headers.get('x-request-id') ?? '';
      failedInstance = ((await failed.json()) as { instance?: unknown }).instance;
    } finally {
      emulator.setFaults({});
    }
    expect(failedInstance).toBe(`urn:uuid:${failedRequestId}`);
  });

  it('logs the failed request and each Graph attempt with the request id and a client-request-id', () => {
    const ofRequest = logLines.filter((l) => l.requestId === failedRequestId);
    const graphFailures = ofRequest.filter((l) => l.msg === 'Graph answered with a failure');
    expect(graphFailures.length).toBeGreaterThan(1);
    expect(graphFailures.every((l) => l.status === 503 && l.component === 'graph')).toBe(true);
    const ids = graphFailures.map((l) => l.clientRequestId);
    expect(ids.every((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ofRequest.some((l) => l.msg === 'Graph request retried')).toBe(true);
    expect(ofRequest.some((l) => l.msg === 'API request failed' && l.level === 'error')).toBe(true);
    // Every entry of the request carries the same operation id (the trace), too.
    const operations = new Set(ofRequest.map((l) => l.operationId));
    expect(operations.size).toBe(1);
    expect([...operations][0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('exports, on shutdown, the request and its Graph dependencies under one operation id', async () => {
    if (composed === undefined) throw new Error('set up');
    await composed.stop();
    expect(sinkPaths.length).toBeGreaterThan(0);
    expect(sinkPaths.every((p) => p === 'POST /v2.1/track')).toBe(true);

    const requests = received.filter((e) => e.name.endsWith('.Request'));
    const signRequest = requests.find(
      (e) =>
        e.data?.baseData?.properties !== undefined &&
        (e.data.baseData.properties as Record<string, unknown>)['countersign.request_id'] ===
          signedRequestId,
    );
    expect(signRequest?.data?.baseData).toMatchObject({
      name: 'POST /api/me/policies/:key/sign',
      responseCode: '201',
      success: true,
    });
    const operationId = signRequest?.tags?.['ai.operation.id'];
    expect(operationId).toMatch(/^[0-9a-f]{32}$/);

    const dependencies = received.filter(
      (e) => e.name.endsWith('.RemoteDependency') && e.tags?.['ai.operation.id'] === operationId,
    );
    const graphCalls = dependencies.filter((e) => e.data?.baseData?.type === 'Http');
    expect(graphCalls.length).toBeGreaterThan(0);
    for (const call of graphCalls) {
      expect(String(call.data?.baseData?.target)).toContain('127.0.0.1');
      const properties = call.data?.baseData?.properties as Record<string, unknown>;
      expect(properties['graph.client_request_id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    // The signature's one $batch write is among them.
    expect(graphCalls.some((e) => e.data?.baseData?.name === 'POST /v1.0/$batch')).toBe(true);

    // The outage: a failed request whose 503 dependencies carry the ids the log has.
    const failed = requests.find(
      (e) =>
        (e.data?.baseData?.properties as Record<string, unknown> | undefined)?.[
          'countersign.request_id'
        ] === failedRequestId,
    );
    expect(failed?.data?.baseData).toMatchObject({ responseCode: '503', success: false });
    const failedDependencies = received.filter(
      (e) =>
        e.name.endsWith('.RemoteDependency') &&
        e.tags?.['ai.operation.id'] === failed?.tags?.['ai.operation.id'],
    );
    const loggedIds = logLines
      .filter((l) => l.requestId === failedRequestId && l.clientRequestId !== undefined)
      .map((l) => l.clientRequestId);
    const exportedIds = failedDependencies
      .filter((e) => e.data?.baseData?.resultCode === '503')
      .map(
        (e) => (e.data?.baseData?.properties as Record<string, unknown>)['graph.client_request_id'],
      );
    expect(exportedIds.sort()).toEqual([...loggedIds].sort());

    // Metrics: the signature's outcome, Graph's 503s and retries, the loop lag and the heap, the
    // circuit breaker's state and who holds the sender lease.
    const metricNames = received
      .filter((e) => e.name.endsWith('.Metric'))
      .flatMap((e) => (e.data?.baseData?.metrics as { name: string }[] | undefined) ?? [])
      .map((m) => m.name);
    expect(metricNames).toEqual(
      expect.arrayContaining([
        'countersign.sign.outcomes',
        'countersign.graph.failures',
        'countersign.graph.retries',
        'countersign.event_loop.lag_max_ms',
        'countersign.heap.used_bytes',
        'countersign.graph.circuit_state',
        'countersign.sender.lease_held',
      ]),
    );
    const lease = received.find(
      (e) =>
        e.name.endsWith('.Metric') &&
        (e.data?.baseData?.metrics as { name: string }[] | undefined)?.[0]?.name ===
          'countersign.sender.lease_held',
    );
    expect(Object.keys(lease?.data?.baseData?.properties ?? {})).toContain('holder');
    const signOutcome = received.find(
      (e) =>
        e.name.endsWith('.Metric') &&
        (e.data?.baseData?.metrics as { name: string }[] | undefined)?.[0]?.name ===
          'countersign.sign.outcomes',
    );
    expect(signOutcome?.data?.baseData?.properties).toMatchObject({
      outcome: 'accepted',
      channel: 'tab',
    });
  });
});
