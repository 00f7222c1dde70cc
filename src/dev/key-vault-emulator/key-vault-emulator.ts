// A Key Vault (keys only) for tests and local runs: the REST calls the evidence signer makes,
// with the challenge authentication Key Vault documents. Each behaviour cites its page in
// README.md beside this file; what a page does not say is marked there as inferred.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { readBodyAtMost } from '../../http/read-body.ts';
import { signP256Digest } from './p256-digest-signer.ts';

/** The resource a vault's challenge names; a token is requested for `${resource}/.default`. */
export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';
const PAGE_SIZE = 25;
const MAX_BODY_BYTES = 64 * 1024;

interface KeyVersion {
  version: string;
  privateKey: KeyObject;
  publicJwk: { x: string; y: string };
  keyOps: string[];
  attributes: { enabled: boolean; created: number; updated: number; nbf?: number; exp?: number };
}

export interface KeyVaultEmulatorOptions {
  port?: number;
  /** The tenant the challenge points to (`authorization="https://login.microsoftonline.com/{tenant}"`). */
  tenantId?: string;
  /** The Key Vault clock: `created` of new versions (Unix seconds, as the REST API states them). */
  now?: () => Date;
}

export interface KeyVaultRequestLog {
  method: string;
  path: string;
  authorized: boolean;
  status: number;
}

export interface KeyVaultEmulator {
  /** The vault URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** The token the vault accepts (what the emulator's credential hands out). */
  credential: TokenCredential;
  /** Every request, in order: method, path, whether it carried an accepted token, status. */
  requests(): readonly KeyVaultRequestLog[];
  /** The scopes and tenants the credential was asked for. */
  tokenRequests(): readonly { scopes: string[]; tenantId?: string }[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function keyError(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export async function startKeyVaultEmulator(
  options: KeyVaultEmulatorOptions = {},
): Promise<KeyVaultEmulator> {
  const tenantId = options.tenantId ?? '00000000-0000-0000-0000-00000000cafe';
  const now = options.now ?? (() => new Date());
  const token = `kv-emulator-${randomBytes(16).toString('hex')}`;
  const keys = new Map<string, KeyVersion[]>();
  const log: KeyVaultRequestLog[] = [];
  const tokenLog: { scopes: string[]; tenantId?: string }[] = [];
  let base = '';

  const kidOf = (name: string, version: string) => `${base}/keys/${name}/${version}`;
  const bundleOf = (name: string, v: KeyVersion) => ({
    key: {
      kid: kidOf(name, v.version),
      kty: 'EC',
      crv: 'P-256',
      key_ops: v.keyOps,
      x: v.publicJwk.x,
      y: v.publicJwk.y,
    },
    attributes: { ...v.attributes, recoveryLevel: 'Recoverable' },
  });

  function createVersion(name: string, body: Record<string, unknown>): Reply {
    if (body.kty !== 'EC' || (body.crv !== undefined && body.crv !== 'P-256')) {
      return keyError(400, 'BadParameter', 'The emulator makes EC P-256 keys only.');
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const attributes = (body.attributes ?? {}) as Record<string, unknown>;
    const created = seconds(now());
    const version: KeyVersion = {
      version: randomBytes(16).toString('hex'),
      privateKey,
      publicJwk: { x: String(jwk.x), y: String(jwk.y) },
      keyOps: Array.isArray(body.key_ops) ? body.key_ops.map(String) : ['sign', 'verify'],
      attributes: {
        enabled: attributes.enabled !== false,
        created,
        updated: created,
        ...(typeof attributes.nbf === 'number' ? { nbf: attributes.nbf } : {}),
        ...(typeof attributes.exp === 'number' ? { exp: attributes.exp } : {}),
      },
    };
    keys.set(name, [...(keys.get(name) ?? []), version]);
    return { status: 200, body: bundleOf(name, version) };
  }

  function findVersion(name: string, version: string): KeyVersion | undefined {
    const versions = keys.get(name) ?? [];
    // A versionless request means the current (newest) version.
    return version === '' ? versions.at(-1) : versions.find((v) => v.version === version);
  }

  async function route(req: IncomingMessage, url: URL): Promise<Reply> {
    const parts = url.pathname.split('/').slice(1);
    if (parts[0] !== 'keys' || parts[1] === undefined || parts[1] === '') {
      return keyError(404, 'NotFound', `No route ${url.pathname}.`);
    }
    const name = decodeURIComponent(parts[1]);
    const rest = parts.slice(2);
    if (req.method === 'GET' && rest.length === 1 && rest[0] === 'versions') {
      const versions = keys.get(name) ?? [];
      const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
      const size = Math.min(Number(url.searchParams.get('maxresults') ?? PAGE_SIZE), PAGE_SIZE);
      const page = versions.slice(skip, skip + size);
      const next = skip + size < versions.length ? new URL(url) : undefined;
      next?.searchParams.set('$skiptoken', String(skip + size));
      return {
        status: 200,
        body: {
          value: page.map((v) => ({
            kid: kidOf(name, v.version),
            attributes: { ...v.attributes, recoveryLevel: 'Recoverable' },
          })),
          nextLink: next === undefined ? null : `${base}${next.pathname}${next.search}`,
        },
      };
    }
    if (req.method === 'GET' && rest.length <= 1) {
      const found = findVersion(name, rest[0] ?? '');
      return found === undefined
        ? keyError(
            404,
            'KeyNotFound',
            `A key with (name/id) ${name} was not found in this key vault.`,
          )
        : { status: 200, body: bundleOf(name, found) };
    }
    const raw = await readBodyAtMost(req, MAX_BODY_BYTES);
    if (raw === undefined) return keyError(413, 'RequestTooLarge', 'Body too large.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return keyError(400, 'BadParameter', 'The body is not JSON.');
    }
    if (req.method === 'POST' && rest.length === 1 && rest[0] === 'create') {
      return createVersion(name, body);
    }
    if (req.method === 'POST' && rest.length === 2 && rest[1] === 'sign') {
      const found = findVersion(name, rest[0] ?? '');
      if (found === undefined) return keyError(404, 'KeyNotFound', `Key ${name} not found.`);
      if (!found.attributes.enabled) {
        return keyError(403, 'Forbidden', 'Operation sign is not allowed on a disabled key.');
      }
      if (!found.keyOps.includes('sign')) {
        return keyError(403, 'Forbidden', 'Operation sign is not permitted on this key.');
      }
      const digest = Buffer.from(typeof body.value === 'string' ? body.value : '', 'base64url');
      if (body.alg !== 'ES256' || digest.length !== 32) {
        return keyError(400, 'BadParameter', 'ES256 signs a 32-byte SHA-256 digest.');
      }
      return {
        status: 200,
        body: {
          kid: kidOf(name, found.version),
          value: signP256Digest(found.privateKey, digest).toString('base64url'),
        },
      };
    }
    return keyError(
      405,
      'MethodNotAllowed',
      `${req.method ?? ''} ${url.pathname} is not emulated.`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const authorized = req.headers.authorization === `Bearer ${token}`;
    let reply: Reply;
    if (!authorized) {
      // The challenge: a request without an accepted token gets 401 and where to get one.
      reply = {
        status: 401,
        headers: {
          'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${KEY_VAULT_RESOURCE}"`,
        },
        body: {
          error: {
            code: 'Unauthorized',
            message: 'AKV10000: Request is missing a Bearer or PoP token.',
          },
        },
      };
    } else if (url.searchParams.get('api-version') === null) {
      reply = keyError(400, 'BadParameter', 'The api-version query parameter is required.');
    } else {
      reply = await route(req, url);
    }
    log.push({ method: req.method ?? '', path: url.pathname, authorized, status: reply.status });
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      ...reply.headers,
    });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const credential: TokenCredential = {
    getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      tokenLog.push({
        scopes: list,
        ...(getTokenOptions?.tenantId === undefined ? {} : { tenantId: getTokenOptions.tenantId }),
      });
      if (!list.includes(`${KEY_VAULT_RESOURCE}/.default`)) {
        return Promise.reject(
          new Error(`The emulator issues tokens for ${KEY_VAULT_RESOURCE} only.`),
        );
      }
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 });
    },
  };

  return {
    url: base,
    credential,
    requests: () => log,
    tokenRequests: () => tokenLog,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
