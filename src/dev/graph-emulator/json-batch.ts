import type { DatabaseSync } from 'node:sqlite';
import { graphError, jsonResponse, type EmulatedResponse } from './emulated-http.ts';
import { inTransaction, keepIf } from './emulator-database.ts';
import type { FaultInjector } from './faults.ts';
import { GraphRouter } from './graph-router.ts';
import { throttledResponse } from './throttling.ts';

/**
 * `POST /$batch` as Graph documents it: at most 20 requests, unique ids, `dependsOn` ordering
 * and 424 for a request whose dependency failed. Faults are drawn for each inner request too, so
 * a client must handle a 429 inside a 200 batch.
 */
export const MAX_BATCH_REQUESTS = 20;

interface BatchStep {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  dependsOn: string[];
}

export interface BatchOutcome {
  response: EmulatedResponse;
  innerRequests: number;
  resourceUnits: number;
}

function badBatch(message: string): BatchOutcome {
  return { response: graphError(400, 'BadRequest', message), innerRequests: 0, resourceUnits: 0 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The inner url relative to the version root: `/sites/x`, `sites/x`, `/v1.0/sites/x` or absolute. */
function innerPath(url: string): string {
  let path = url.replace(/^https?:\/\/[^/]+/i, '');
  path = path.replace(/^\/+/, '');
  path = path.replace(/^(v1\.0|beta)\//i, '');
  return path;
}

function parseSteps(body: unknown): BatchStep[] | string {
  if (!isRecord(body) || !Array.isArray(body.requests)) {
    return 'Invalid batch payload format: a "requests" array is required.';
  }
  if (body.requests.length === 0) return 'Invalid batch payload format: no requests.';
  if (body.requests.length > MAX_BATCH_REQUESTS) {
    return `The number of requests in a batch exceeds the limit of ${MAX_BATCH_REQUESTS}.`;
  }
  const steps: BatchStep[] = [];
  const ids = new Set<string>();
  for (const raw of body.requests) {
    if (!isRecord(raw)) return 'Invalid batch payload format: each request must be an object.';
    const { id, method, url } = raw;
    if (typeof id !== 'string' || id === '') return 'Each batch request needs a string id.';
    if (ids.has(id.toLowerCase())) return `Duplicate request id '${id}' in the batch.`;
    ids.add(id.toLowerCase());
    if (typeof method !== 'string' || typeof url !== 'string') {
      return `Batch request '${id}' needs a method and a url.`;
    }
    const headers: Record<string, string> = {};
    if (isRecord(raw.headers)) {
      for (const [key, value] of Object.entries(raw.headers)) {
        if (typeof value === 'string') headers[key.toLowerCase()] = value;
      }
    }
    if (raw.body !== undefined && headers['content-type'] === undefined) {
      return `Batch request '${id}' has a body but no Content-Type header.`;
    }
    const dependsOn = raw.dependsOn === undefined ? [] : raw.dependsOn;
    if (!Array.isArray(dependsOn) || dependsOn.some((dep) => typeof dep !== 'string')) {
      return `dependsOn of batch request '${id}' must be an array of request ids.`;
    }
    steps.push({
      id,
      method: method.toUpperCase(),
      url,
      headers,
      body: raw.body,
      dependsOn: dependsOn as string[],
    });
  }
  for (const step of steps) {
    for (const dep of step.dependsOn) {
      if (!ids.has(dep.toLowerCase())) {
        return `Batch request '${step.id}' depends on '${dep}', which is not in the batch.`;
      }
    }
  }
  return steps;
}

/**
 * Graph's known limit on `dependsOn` (mirrored by the Graph SDK's own check): a batch is fully
 * parallel (no dependencies), fully serial (each request depends on the one before it), or
 * "same" (every request but one depends on that one request). Each request depends on one at most.
 */
function dependencyPatternAllowed(steps: BatchStep[]): boolean {
  const key = (id: string): string => id.toLowerCase();
  if (steps.every((step) => step.dependsOn.length === 0)) return true;
  if (steps.some((step) => step.dependsOn.length > 1)) return false;
  const serial = steps.every((step, index) =>
    index === 0
      ? step.dependsOn.length === 0
      : key(step.dependsOn[0] ?? '') === key(steps[index - 1]?.id ?? ''),
  );
  if (serial) return true;
  const first = steps[0];
  if (first === undefined) return false;
  const root = key(first.dependsOn[0] ?? first.id);
  return steps.every((step) =>
    key(step.id) === root ? step.dependsOn.length === 0 : key(step.dependsOn[0] ?? '') === root,
  );
}

/** Orders steps so each runs after what it depends on (stable otherwise); undefined on a cycle. */
function executionOrder(steps: BatchStep[]): BatchStep[] | undefined {
  const done = new Set<string>();
  const ordered: BatchStep[] = [];
  const remaining = [...steps];
  while (remaining.length > 0) {
    const index = remaining.findIndex((step) =>
      step.dependsOn.every((dep) => done.has(dep.toLowerCase())),
    );
    if (index < 0) return undefined;
    const [step] = remaining.splice(index, 1);
    if (step === undefined) return undefined;
    ordered.push(step);
    done.add(step.id.toLowerCase());
  }
  return ordered;
}

export function executeBatch(
  body: unknown,
  router: GraphRouter,
  faults: FaultInjector,
  db: DatabaseSync,
): BatchOutcome {
  // One commit for the whole batch; each request has its own savepoint (see inTransaction).
  return inTransaction(db, () => runBatch(body, router, faults, db));
}

function runBatch(
  body: unknown,
  router: GraphRouter,
  faults: FaultInjector,
  db: DatabaseSync,
): BatchOutcome {
  const steps = parseSteps(body);
  if (typeof steps === 'string') return badBatch(steps);
  if (!dependencyPatternAllowed(steps)) {
    return badBatch(
      'Batch should be either fully sequential or fully parallel: every dependsOn must name the request before it, or all the same request.',
    );
  }
  const ordered = executionOrder(steps);
  if (ordered === undefined) return badBatch('The dependsOn references in the batch form a cycle.');
  const statusById = new Map<string, number>();
  const responses: Record<string, unknown>[] = [];
  let resourceUnits = 0;
  for (const step of ordered) {
    const failedDependency = step.dependsOn.find((dep) => {
      const status = statusById.get(dep.toLowerCase()) ?? 0;
      return status < 200 || status >= 300;
    });
    let response: EmulatedResponse;
    if (failedDependency !== undefined) {
      response = graphError(
        424,
        'FailedDependency',
        `The request depends on request '${failedDependency}', which failed.`,
      );
    } else {
      const [pathPart = '', queryPart = ''] = innerPath(step.url).split(/\?(.*)/s);
      const fault = faults.decide(false);
      if (pathPart === '$batch') {
        response = graphError(400, 'BadRequest', 'A batch cannot contain another batch.');
      } else if (fault.kind === 'throttle') {
        response = throttledResponse(
          fault.status,
          GraphRouter.isSharePoint(pathPart),
          faults.retryAfterSeconds,
        );
      } else {
        // A failed request leaves nothing behind, as it would on its own.
        const handled = keepIf(
          db,
          () =>
            router.routePath(
              step.method,
              pathPart,
              new URLSearchParams(queryPart),
              step.headers,
              step.body,
            ),
          (result) => result.response.status < 400,
        );
        response = handled.response;
        resourceUnits += handled.resourceUnits;
      }
    }
    statusById.set(step.id.toLowerCase(), response.status);
    responses.push({
      id: step.id,
      status: response.status,
      headers: response.headers,
      ...(response.body === undefined ? {} : { body: response.body }),
    });
  }
  // Graph answers in any order; keeping the request order makes logs easier to read.
  const position = new Map(steps.map((step, index) => [step.id, index]));
  responses.sort((a, b) => (position.get(String(a.id)) ?? 0) - (position.get(String(b.id)) ?? 0));
  return {
    response: jsonResponse(200, { responses }),
    innerRequests: steps.length,
    resourceUnits,
  };
}
