import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from '../../domain/circuit-breaker.ts';
import { CountersignError } from '../../domain/errors.ts';
import type { ErrorCode } from '../../domain/errors.ts';
import { backoffMs, parseRetryAfter, retrying } from '../../domain/retry.ts';
import { silentLogger, type Logger } from '../../ports/logger.ts';
import { noTelemetry, type Telemetry } from '../../ports/telemetry.ts';
import { currentGraphDeadline } from './graph-deadline.ts';

/**
 * THE one place HTTP to Microsoft Graph happens. Built on @microsoft/microsoft-graph-client with
 * our own terminal middleware (so a test can pass its own fetch) and our own retry loop, because
 * the client's RetryHandler only sees the outer response of a `$batch`: here a 429/503 inside a
 * batch is re-sent on its own, after its Retry-After.
 *
 * When Graph is down it fails fast: each exchange has a time limit (an AbortSignal on the
 * fetch), retries of a request Graph did not answer stop after a time budget (not only a number
 * of attempts), and a circuit breaker opens after consecutive failures (no answer, or a 5xx;
 * never a 4xx or a 429, which are Graph answering), so while it is open every call is refused
 * at once with a GraphUnavailableError (503 with Retry-After at the API) instead of hanging. One
 * probe then tests Graph again, and the first answer closes the circuit: recovery needs no
 * restart.
 */

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface GraphCall {
  method: GraphMethod;
  /** Relative to the base URL, e.g. `sites/x/lists?$select=id`; the query string already encoded. */
  url: string;
  headers?: Record<string, string>;
  /** JSON, or a file's bytes (a Buffer goes as it is: set its Content-Type). */
  body?: unknown;
  /** A 2xx answer's body as bytes (a file's content), not parsed. */
  responseBytes?: boolean;
}

export interface BatchCall extends GraphCall {
  id: string;
  dependsOn?: string[];
}

export interface GraphReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface RetryOptions {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Exponential backoff when the answer names no Retry-After. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the throttled answer is returned. */
  maxRetryAfterMs: number;
  /**
   * A request Graph does not answer (or answers with a 5xx) is retried only while this much time
   * has passed since its first attempt: someone signing while Graph is down gets an answer in
   * about this long, not after every attempt's backoff. Throttling (429) is not an outage: it
   * keeps its Retry-After, bounded by maxRetryAfterMs.
   */
  maxOutageMs: number;
}

export interface GraphGatewayOptions {
  /** e.g. https://graph.microsoft.com/v1.0 or the emulator's http://127.0.0.1:port/v1.0 */
  baseUrl: string;
  /** Bearer token for app-only access; omitted for the plain-http emulator. */
  accessToken?: () => Promise<string>;
  fetch?: typeof fetch;
  retry?: Partial<RetryOptions>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** SharePoint's throttling guidance asks ISVs to decorate traffic this way. */
  userAgent?: string;
  /** Each HTTP exchange, headers and body, is abandoned after this (default 10 s). */
  timeoutMs?: number;
  /** When the circuit opens and for how long (default: 5 failures in a row, 10 s). */
  circuit?: Partial<CircuitBreakerOptions>;
  /** The clock for the retry budget and the circuit (ms); tests pass their own. */
  now?: () => number;
  /** A span per HTTP exchange (a dependency in Application Insights), counts of failures and retries. */
  telemetry?: Telemetry;
  /** Failed answers and retries, each with its client-request-id and Graph's request-id. */
  log?: Logger;
  /** A fresh client-request-id per exchange (default: a random UUID). */
  newRequestId?: () => string;
  /**
   * The deadline (epoch ms on `now`'s clock) of the work under way, if any: default, the one
   * `withGraphDeadline` set for it (graph-deadline.ts).
   */
  deadline?: () => number | undefined;
}

export const USER_AGENT = 'ISV|Countersign|Countersign/0.1';
export const MAX_BATCH = 20;
const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  maxOutageMs: 1_500,
};
export const GRAPH_TIMEOUT_MS = 10_000;
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Graph refused at once because the circuit is open (or a probe is out), or not asked because
 * the work's deadline has come (graph-deadline.ts): the code is 'unavailable' (503) and
 * `retryAfterSeconds` says when to come back.
 */
export class GraphUnavailableError extends CountersignError {
  constructor(retryAfterMs: number, reason: 'circuit-open' | 'deadline' = 'circuit-open') {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      'unavailable',
      `Microsoft 365 is not answering just now, so nothing was done; try again in ${retryAfterSeconds} s.`,
      { reason, retryAfterSeconds },
    );
    this.name = 'GraphUnavailableError';
  }
}

/**
 * What a caller whose deadline came is told to wait: Graph was slow or away for this one
 * request, not known to be down (the circuit says that), so a short pause.
 */
const DEADLINE_RETRY_AFTER_MS = 2_000;
/** How often an exchange past its deadline looks again whether Graph has started failing. */
const DEADLINE_RECHECK_MS = 250;

/**
 * A query SharePoint refused for the list view threshold: a 500 whose message says "exceeds the
 * list view threshold" (SPQueryThrottledException in REST), which SharePoint answers for any
 * query whose indexed condition matches more than 5,000 items (SharePoint/sp-dev-docs#7149,
 * pnp/pnpjs#3149, SharePoint/PnP-JS-Core#203, vgrem/phpSPO#315; the emulator's README). It is
 * SharePoint answering, about the query: the same query fails the same way however often it is
 * sent, so it is never retried and never counts as an outage toward the circuit breaker.
 */
export function isListViewThresholdReply(reply: Pick<GraphReply, 'status' | 'body'>): boolean {
  if (reply.status !== 500) return false;
  const parsed = errorBodySchema.safeParse(reply.body);
  if (!parsed.success) return false;
  const said = `${parsed.data.error.code ?? ''} ${parsed.data.error.message ?? ''}`;
  return /list view threshold|SPQueryThrottledException/i.test(said);
}

/**
 * A query refused for SharePoint's list view threshold: a fault in the query (it must be
 * narrowed through an index, list-partitions.ts), not Microsoft 365 being away. Code 'upstream'
 * with `reason: 'list-view-threshold'`, so callers and logs can tell it from an outage.
 */
export class ListViewThresholdError extends CountersignError {
  constructor(what: string, graphCode: string, graphMessage: string) {
    super('upstream', `${what}: SharePoint refused the query for the list view threshold`, {
      status: 500,
      graphCode,
      graphMessage,
      reason: 'list-view-threshold',
    });
    this.name = 'ListViewThresholdError';
  }
}

/**
 * An exchange that says Graph is not there: no answer at all, or a server error. A 503 with a
 * Retry-After is SharePoint throttling ("Server Too Busy", like a 429: "Avoid getting throttled
 * or blocked in SharePoint Online",
 * https://learn.microsoft.com/sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online),
 * Graph answering and naming its time, so it never opens the circuit; nor does SharePoint's 500
 * for a duplicate value, which is an answer.
 */
function isOutage(reply: GraphReply): boolean {
  if (reply.status === 0) return true;
  if (reply.status < 500 || isDuplicateReply(reply) || isListViewThresholdReply(reply)) {
    return false;
  }
  return retryAfterMs(reply.headers) === undefined;
}

const errorBodySchema = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).loose(),
});

const batchReplySchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

const collectionSchema = z
  .object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() })
  .loose();

/** SharePoint reports a unique-column violation in several ways; all of them are a conflict. */
function isDuplicateMessage(message: string): boolean {
  return /duplicate value|unique constraint|nameAlreadyExists|already exists/i.test(message);
}

/**
 * The one mapping from a Graph/OData error to a CountersignError. The HTTP status and Graph's
 * own code stay in `details` so callers (and logs) can tell a 503 from a dropped connection.
 */
export function graphErrorToCountersign(
  status: number,
  body: unknown,
  what: string,
  headers: Record<string, string> = {},
): CountersignError {
  const parsed = errorBodySchema.safeParse(body);
  const graphCode = parsed.success ? (parsed.data.error.code ?? '') : '';
  const graphMessage = parsed.success ? (parsed.data.error.message ?? '') : '';
  if (isListViewThresholdReply({ status, body })) {
    return new ListViewThresholdError(what, graphCode, graphMessage);
  }
  let code: ErrorCode;
  if (status === 0) code = 'unavailable';
  else if (status === 404) code = 'not-found';
  else if (status === 409) code = 'conflict';
  else if (status === 412) code = 'precondition-failed';
  else if (status === 429) code = 'throttled';
  else if (status === 502 || status === 503 || status === 504) code = 'unavailable';
  else if (isDuplicateMessage(`${graphCode} ${graphMessage}`) && (status === 400 || status === 500))
    code = 'conflict';
  else if (status === 400 || status === 422) code = 'validation';
  // 401/403 from Graph mean the service's own credentials or grants are wrong (an expired
  // secret, a site not granted), never the person's: that is an upstream failure to log, not
  // "you are not signed in" or "you may not" to show them.
  else if (status === 401 || status === 403) code = 'upstream';
  else if (status === 413) code = 'too-large';
  else if (status === 424) code = 'upstream';
  else code = 'upstream';
  const retryAfter = retryAfterMs(headers);
  const said = status === 0 ? 'no answer (connection failed)' : `${status} ${graphCode}`.trim();
  return new CountersignError(
    code,
    `${what}: Graph answered ${said}${graphMessage ? `: ${graphMessage}` : ''}`,
    {
      status,
      graphCode,
      graphMessage,
      // The API passes it on, so a client backs off as long as Graph asked us to.
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: Math.ceil(retryAfter / 1000) }),
    },
  );
}

/** True when a Graph reply says "this value already exists" (unique column or same key). */
export function isDuplicateReply(reply: GraphReply): boolean {
  if (reply.status === 409) return true;
  if (reply.status !== 400 && reply.status !== 500) return false;
  const parsed = errorBodySchema.safeParse(reply.body);
  return (
    parsed.success &&
    isDuplicateMessage(`${parsed.data.error.code ?? ''} ${parsed.data.error.message ?? ''}`)
  );
}

export function isOk(reply: GraphReply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/** Returns the reply when it is a success, else throws the mapped CountersignError. */
export function ensureOk(reply: GraphReply, what: string): GraphReply {
  if (isOk(reply)) return reply;
  throw graphErrorToCountersign(reply.status, reply.body, what, reply.headers);
}

/** A reply's Retry-After (any header case) in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(
  headers: Record<string, string>,
  now = Date.now(),
): number | undefined {
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  return parseRetryAfter(raw, now);
}

/** A failure with no HTTP answer (reset, refused): retried like a 503. */
class NoAnswer extends Error {
  override readonly name = 'NoAnswer';
}

/** The end of the client's middleware chain: our fetch, so tests and the emulator plug in. */
class FetchMiddleware implements Middleware {
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  constructor(fetchFn: typeof fetch, timeoutMs: number) {
    this.#fetch = fetchFn;
    this.#timeoutMs = timeoutMs;
  }
  async execute(context: Context): Promise<void> {
    try {
      // The client always builds a URL string (its RequestInfo type needs the DOM lib).
      const url = context.request as unknown as string;
      const init = context.options as unknown as RequestInit;
      // The signal also bounds reading the body, which happens after this returns.
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
      context.response = await this.#fetch(url, { ...init, signal });
    } catch (error) {
      throw new NoAnswer(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }
}

/** A Graph path as a span name: ids (GUIDs, numbers, site ids, `host:/path:` forms) become {id}. */
export function graphPathTemplate(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path
    .split('/')
    .map((segment) =>
      /^\d+$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|[,:]/i.test(segment)
        ? '{id}'
        : segment,
    )
    .join('/');
}

function headersToRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class GraphGateway {
  readonly baseUrl: string;
  readonly #client: Client;
  readonly #accessToken: (() => Promise<string>) | undefined;
  readonly #retry: RetryOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #userAgent: string;
  readonly #circuit: CircuitBreaker;
  readonly #now: () => number;
  readonly #telemetry: Telemetry;
  readonly #log: Logger;
  readonly #newRequestId: () => string;
  readonly #deadline: () => number | undefined;
  #roundTrips = 0;

  constructor(options: GraphGatewayOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const cut = this.baseUrl.lastIndexOf('/');
    const host = this.baseUrl.slice(0, cut);
    const version = this.baseUrl.slice(cut + 1);
    this.#client = Client.initWithMiddleware({
      baseUrl: host,
      defaultVersion: version,
      middleware: new FetchMiddleware(
        options.fetch ?? globalThis.fetch,
        options.timeoutMs ?? GRAPH_TIMEOUT_MS,
      ),
    });
    this.#accessToken = options.accessToken;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#userAgent = options.userAgent ?? USER_AGENT;
    this.#telemetry = options.telemetry ?? noTelemetry;
    this.#log = options.log ?? silentLogger;
    this.#newRequestId = options.newRequestId ?? (() => crypto.randomUUID());
    this.#circuit = new CircuitBreaker(options.circuit);
    this.#now = options.now ?? Date.now;
    this.#deadline = options.deadline ?? currentGraphDeadline;
  }

  /** Milliseconds left before the work's deadline (undefined: it has none). */
  #timeLeft(): number | undefined {
    const at = this.#deadline();
    return at === undefined ? undefined : at - this.#now();
  }

  /** A wait before another attempt, unless it would end at or past the work's deadline. */
  #beforeDeadline(delay: number | undefined): number | undefined {
    const left = this.#timeLeft();
    return delay === undefined || left === undefined || delay < left ? delay : undefined;
  }

  /** The circuit breaker's state: closed, open (until when) or half-open (a probe is out). */
  get circuit(): CircuitState {
    return this.#circuit.state;
  }

  /** HTTP requests sent so far (each retry and each `$batch` counts one). */
  get roundTrips(): number {
    return this.#roundTrips;
  }

  /**
   * One HTTP exchange, no retry, in its own client span (a child of the request being served).
   * Each exchange sends a new client-request-id: Microsoft's "Best practices for working with
   * Microsoft Graph" (Reliability and support, https://learn.microsoft.com/en-us/graph/best-practices-concept)
   * asks for a GUID per request in `client-request-id`, logged with Graph's own `request-id`,
   * which is what Microsoft support asks for (Dev Proxy's GraphClientRequestIdGuidancePlugin,
   * https://learn.microsoft.com/en-us/microsoft-cloud/dev/dev-proxy/technical-reference/graphclientrequestidguidanceplugin,
   * flags a request without it). A failed answer is logged here with both ids.
   */
  #send(call: GraphCall): Promise<GraphReply> {
    const clientRequestId = this.#newRequestId();
    const path = call.url.split('?')[0] ?? '';
    return this.#telemetry.span(
      `${call.method} ${graphPathTemplate(call.url)}`,
      'client',
      {
        'http.request.method': call.method,
        // No query string: filters name people.
        'url.full': `${this.baseUrl}/${path}`,
        'server.address': new URL(this.baseUrl).host,
        'graph.client_request_id': clientRequestId,
      },
      async (span) => {
        const reply = await this.#guarded(call, clientRequestId);
        const graphRequestId = reply.headers['request-id'];
        span.setAttributes({
          'http.response.status_code': reply.status,
          ...(graphRequestId === undefined ? {} : { 'graph.request_id': graphRequestId }),
        });
        if (!isOk(reply) && (reply.status === 0 || reply.status === 429 || reply.status >= 500)) {
          this.#telemetry.count('countersign.graph.failures', { status: reply.status });
          this.#log.warn('Graph answered with a failure', {
            method: call.method,
            path: graphPathTemplate(call.url),
            status: reply.status,
            clientRequestId,
            ...(graphRequestId === undefined ? {} : { graphRequestId }),
            ...(retryAfterMs(reply.headers) === undefined
              ? {}
              : { retryAfterMs: retryAfterMs(reply.headers) }),
          });
        }
        return reply;
      },
    );
  }

  /** Counts and logs a request about to be sent again. */
  #retrying(status: number, attempt: number, delayMs: number, what: string): void {
    this.#telemetry.count('countersign.graph.retries', { status });
    this.#log.info('Graph request retried', {
      what,
      status,
      attempt,
      delayMs: Math.round(delayMs),
    });
  }

  /**
   * The exchange behind the circuit breaker. A connection failure comes back as status 0. Refused at once
   * (GraphUnavailableError) while the circuit is open; every exchange let through tells the
   * circuit how it went, whatever happens.
   */
  async #guarded(call: GraphCall, clientRequestId: string): Promise<GraphReply> {
    const left = this.#timeLeft();
    if (left !== undefined && left <= 0 && this.#failing()) {
      throw new GraphUnavailableError(DEADLINE_RETRY_AFTER_MS, 'deadline');
    }
    const decision = this.#circuit.request(this.#now());
    if (!decision.allowed) throw new GraphUnavailableError(decision.retryAfterMs);
    // Cut off at the deadline, while Graph is failing. Being cut off says nothing about Graph
    // (this caller had little time), so it neither opens nor closes the circuit; a probe cut off
    // frees the probe's place.
    const cut = left === undefined ? undefined : new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (cut !== undefined && left !== undefined) {
      const check = (): void => {
        if (this.#failing())
          cut.abort(new Error('The work this exchange was for ran out of time.'));
        else timer = setTimeout(check, DEADLINE_RECHECK_MS);
      };
      timer = setTimeout(check, Math.max(0, left));
    }
    let answered = false;
    try {
      const reply = await this.#exchangeOnce(call, clientRequestId, cut?.signal);
      answered = !isOutage(reply);
      return reply;
    } finally {
      clearTimeout(timer);
      if (answered) this.#circuit.succeeded();
      else if (cut?.signal.aborted === true) this.#circuit.abandoned(this.#now());
      else this.#circuit.failed(this.#now());
    }
  }

  /**
   * Graph is failing: the circuit is open or probing, or the last exchange failed. Only then is
   * a deadline enforced on exchanges: a Graph that answers, however slowly (a loaded instance),
   * is waited for, so a sign slow under load still lands rather than being refused every time.
   */
  #failing(): boolean {
    const state = this.#circuit.state;
    return state.kind !== 'closed' || state.failures > 0;
  }

  async #exchangeOnce(
    call: GraphCall,
    clientRequestId: string,
    cut?: AbortSignal,
  ): Promise<GraphReply> {
    const headers: Record<string, string> = {
      'User-Agent': this.#userAgent,
      'client-request-id': clientRequestId,
      ...call.headers,
    };
    if (this.#accessToken) headers.Authorization = `Bearer ${await this.#accessToken()}`;
    const request = this.#client.api(call.url).headers(headers).responseType(ResponseType.RAW);
    // The client passes its fetch options on to FetchMiddleware, which adds its own timeout.
    if (cut !== undefined) request.option('signal', cut);
    this.#roundTrips += 1;
    try {
      let response: unknown;
      switch (call.method) {
        case 'GET':
          response = await request.get();
          break;
        case 'POST':
          response = await request.post(call.body ?? {});
          break;
        case 'PATCH':
          response = await request.patch(call.body ?? {});
          break;
        case 'PUT':
          response = await request.put(call.body ?? {});
          break;
        case 'DELETE':
          response = await request.delete();
          break;
      }
      if (!(response instanceof Response)) {
        throw new CountersignError('upstream', 'The Graph client returned no HTTP response.');
      }
      return {
        status: response.status,
        headers: headersToRecord(response.headers),
        body:
          call.responseBytes === true && response.ok
            ? Buffer.from(await response.arrayBuffer())
            : await readBody(response),
      };
    } catch (error) {
      if (error instanceof CountersignError) throw error;
      // The client wraps what our middleware threw; anything else without an answer is the same.
      const message = error instanceof Error ? error.message : String(error);
      return { status: 0, headers: {}, body: { error: { code: 'connectionFailed', message } } };
    }
  }

  /**
   * How long to wait before attempt `attempt + 1`: the Retry-After when given (plus a little
   * jitter so callers throttled together do not return together), else jittered exponential
   * backoff. Undefined when Graph asks for longer than we are willing to wait.
   */
  #delay(attempt: number, headers: Record<string, string>): number | undefined {
    const jitter = this.#random() * this.#retry.baseDelayMs;
    const named = retryAfterMs(headers);
    if (named !== undefined)
      return named > this.#retry.maxRetryAfterMs ? undefined : named + jitter;
    return backoffMs(attempt, this.#retry.baseDelayMs, this.#retry.maxDelayMs, this.#random);
  }

  /**
   * Sends a request, retrying 429/502/503/504 and dropped connections (bounded, Retry-After
   * honoured, jittered). Returns the last reply whatever its status: callers decide (a 404 may
   * be an answer); use `call` to throw on failure.
   */
  exchange(call: GraphCall): Promise<GraphReply> {
    const started = this.#now();
    return retrying(
      () => this.#send(call),
      (reply, attempt) => {
        const retryable = reply.status === 0 || RETRYABLE.has(reply.status);
        if (!retryable || attempt >= this.#retry.maxAttempts) return undefined;
        const delay = this.#beforeDeadline(
          this.#withinBudget(started, reply, this.#delay(attempt, reply.headers)),
        );
        if (delay !== undefined) {
          this.#retrying(
            reply.status,
            attempt,
            delay,
            `${call.method} ${graphPathTemplate(call.url)}`,
          );
        }
        return delay;
      },
      this.#sleep,
    );
  }

  /** The wait before the next attempt, unless an outage's retries would outlast maxOutageMs. */
  #withinBudget(started: number, reply: GraphReply, delay: number | undefined): number | undefined {
    if (delay === undefined || !isOutage(reply)) return delay;
    return this.#now() + delay - started > this.#retry.maxOutageMs ? undefined : delay;
  }

  /** `exchange`, throwing the mapped CountersignError unless the reply is a 2xx. */
  async call(
    call: GraphCall,
    what = `${call.method} ${call.url.split('?')[0] ?? ''}`,
  ): Promise<GraphReply> {
    return ensureOk(await this.exchange(call), what);
  }

  /**
   * One `$batch` (at most 20 requests; `dependsOn` honoured by Graph). Requests answered 429/503
   * (or the whole batch, when the outer request fails) are re-sent, only those, after the
   * longest Retry-After among them; a dependant answered 424 because its dependency was
   * throttled goes with it. Returns every request's final reply, successes and failures alike.
   */
  async batch(calls: BatchCall[]): Promise<Map<string, GraphReply>> {
    if (calls.length > MAX_BATCH) {
      throw new CountersignError(
        'validation',
        `A Graph $batch holds at most ${MAX_BATCH} requests.`,
        {
          requests: calls.length,
        },
      );
    }
    const results = new Map<string, GraphReply>();
    const started = this.#now();
    let pending = calls;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      const outer = await this.#send({
        method: 'POST',
        url: '$batch',
        headers: { 'Content-Type': 'application/json' },
        body: { requests: pending.map((c) => this.#batchEntry(c, results)) },
      });
      const lastAttempt = attempt >= this.#retry.maxAttempts;
      if (outer.status === 0 || RETRYABLE.has(outer.status)) {
        const delay = lastAttempt
          ? undefined
          : this.#beforeDeadline(
              this.#withinBudget(started, outer, this.#delay(attempt, outer.headers)),
            );
        if (delay === undefined) {
          for (const c of pending) results.set(c.id, outer);
          return results;
        }
        this.#retrying(outer.status, attempt, delay, 'POST $batch');
        await this.#sleep(delay);
        continue;
      }
      ensureOk(outer, 'POST $batch');
      const parsed = batchReplySchema.safeParse(outer.body);
      if (!parsed.success) {
        throw new CountersignError('upstream', 'Graph answered a $batch with an unreadable body.', {
          status: outer.status,
        });
      }
      const replies = new Map(parsed.data.responses.map((r) => [r.id, r]));
      const retry = new Set<string>();
      let wait = 0;
      for (const c of pending) {
        const r = replies.get(c.id);
        if (r === undefined) {
          // Graph left it out: treat as not done.
          retry.add(c.id);
          continue;
        }
        const reply: GraphReply = { status: r.status, headers: r.headers ?? {}, body: r.body };
        const delay =
          RETRYABLE.has(r.status) && !lastAttempt
            ? this.#beforeDeadline(this.#delay(attempt, reply.headers))
            : undefined;
        if (delay !== undefined) {
          retry.add(c.id);
          wait = Math.max(wait, delay);
          // Inside a $batch the outer answer is a 200: the failure is counted per request here.
          this.#telemetry.count('countersign.graph.failures', { status: r.status });
          this.#retrying(
            r.status,
            attempt,
            delay,
            `$batch ${c.method} ${graphPathTemplate(c.url)}`,
          );
        } else {
          results.set(c.id, reply);
        }
      }
      // A 424 whose dependency is being retried is not final either.
      let grew = true;
      while (grew && !lastAttempt) {
        grew = false;
        for (const c of pending) {
          if (retry.has(c.id) || results.get(c.id)?.status !== 424) continue;
          if ((c.dependsOn ?? []).some((d) => retry.has(d))) {
            results.delete(c.id);
            retry.add(c.id);
            grew = true;
          }
        }
      }
      pending = pending.filter((c) => retry.has(c.id));
      if (pending.length > 0) await this.#sleep(wait);
    }
    return results;
  }

  /** A batch entry; dependencies already satisfied in an earlier attempt are dropped. */
  #batchEntry(call: BatchCall, done: Map<string, GraphReply>): Record<string, unknown> {
    const dependsOn = (call.dependsOn ?? []).filter((d) => !done.has(d));
    const headers = { ...call.headers };
    if (call.body !== undefined) headers['Content-Type'] ??= 'application/json';
    return {
      id: call.id,
      method: call.method,
      url: `/${call.url}`,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(call.body !== undefined ? { body: call.body } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
    };
  }

  /** Every page of a collection, following `@odata.nextLink` (same host only). */
  async *pages(url: string, headers?: Record<string, string>): AsyncIterable<unknown[]> {
    let next: string | undefined = url;
    while (next !== undefined) {
      const reply = await this.call({ method: 'GET', url: next, ...(headers ? { headers } : {}) });
      const page = collectionSchema.safeParse(reply.body);
      if (!page.success) {
        throw new CountersignError('upstream', `Graph answered GET ${url} with no collection.`);
      }
      yield page.data.value;
      const link = page.data['@odata.nextLink'];
      next = link === undefined ? undefined : this.relativeUrl(link);
    }
  }

  /** A link Graph returned, made relative to our base URL; refuses any other host. */
  relativeUrl(link: string): string {
    const base = new URL(`${this.baseUrl}/`);
    const target = new URL(link, base);
    if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) {
      throw new CountersignError('upstream', 'Graph returned a link outside its base URL.', {
        link,
      });
    }
    return target.pathname.slice(base.pathname.length) + target.search;
  }
}

/** Encodes a query for `GraphCall.url`: values percent-encoded, `$` names kept readable. */
export function withQuery(
  path: string,
  query: Record<string, string | number | undefined>,
): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? path : `${path}?${parts.join('&')}`;
}
