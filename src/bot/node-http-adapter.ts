import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpMethod, HttpRouteHandler, IHttpServerAdapter } from '@microsoft/teams.apps';
import { CountersignError } from '../domain/errors.ts';
import { readBodyAtMost } from '../http/read-body.ts';
import type { GateResult, InboundActivityGate } from './auth/inbound-activity-gate.ts';

/** Teams activities are small; a card action with every input is a few KB. */
const MAX_BODY_BYTES = 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBodyAtMost(req, MAX_BODY_BYTES);
  if (body === undefined) {
    throw new CountersignError('too-large', 'The activity is larger than 1 MB.');
  }
  const raw = body.toString('utf8');
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    throw new CountersignError('validation', 'The body is not JSON.', {}, { cause: error });
  }
}

function headersOf(req: IncomingMessage): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const json = JSON.stringify(body);
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    })
    .end(json);
}

/**
 * The Teams SDK's transport seam, for a node:http server we own: the SDK registers its routes
 * here (the messaging endpoint, and any app.function routes), and `handle` serves them. With a
 * gate (production), Countersign verifies the Bot Connector token itself; activity parsing and
 * invoke responses stay the SDK's (HttpServer.handleRequest).
 */
export interface NodeHttpAdapterOptions {
  /**
   * Verifies every activity before the SDK sees it (production). What passes reaches the SDK as
   * a pre-authenticated token, so the SDK's own, looser check is not run; without a gate the
   * SDK validates (or, in dev mode with the Playground, accepts) by itself.
   */
  gate?: InboundActivityGate;
  /** Told of every refusal (to log, and to audit the 403s). Never throws into the response. */
  onRefused?: (refusal: Extract<GateResult, { kind: 'refused' }>) => Promise<void>;
}

export class NodeHttpAdapter implements IHttpServerAdapter {
  readonly #routes = new Map<string, HttpRouteHandler>();
  readonly #options: NodeHttpAdapterOptions;

  constructor(options: NodeHttpAdapterOptions = {}) {
    this.#options = options;
  }

  registerRoute(method: HttpMethod, path: string, handler: HttpRouteHandler): void {
    this.#routes.set(`${method} ${path}`, handler);
  }

  /** Whether a route is registered for the request's method and path (query ignored). */
  matches(req: IncomingMessage): boolean {
    return this.#routes.has(this.#key(req));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const handler = this.#routes.get(this.#key(req));
    if (handler === undefined) {
      writeJson(res, req.method === 'POST' ? 404 : 405, { error: 'No bot route here.' });
      return;
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (error) {
      if (!(error instanceof CountersignError)) throw error;
      // Too large: the rest of the body is not read, so close the connection rather than drain it.
      if (error.code === 'too-large') res.setHeader('connection', 'close');
      writeJson(res, error.code === 'too-large' ? 413 : 400, { error: error.message });
      return;
    }
    const headers = headersOf(req);
    const gate = this.#options.gate;
    if (gate === undefined) {
      const response = await handler({ body, headers });
      writeJson(res, response.status, response.body);
      return;
    }
    const raw = req.headers.authorization;
    const verdict = await gate.check(raw, body);
    if (verdict.kind === 'refused') {
      await this.#options.onRefused?.(verdict);
      writeJson(res, verdict.status, { error: verdict.message });
      return;
    }
    const response = await handler({ body, headers, token: verdict.token });
    writeJson(res, response.status, response.body);
  }

  #key(req: IncomingMessage): string {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    return `${req.method ?? 'GET'} ${path}`;
  }
}
