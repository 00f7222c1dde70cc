import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withGraphDeadline } from '../adapters/graph/graph-deadline.ts';
import { requestIdOf } from '../http/request-id.ts';
import type { LogFields, Logger } from '../ports/logger.ts';
import type { Telemetry } from '../ports/telemetry.ts';
import type { RequestObserver } from './http-server.ts';

/**
 * How long a sign may wait on Graph, from the moment it arrives: issue 13's budget is an answer
 * within 3 s however Graph fails (503 with Retry-After while it is away), so its Graph work
 * gets 2.5 s and the rest is left for answering. The gateway starts nothing after that, waits
 * out no retry past it and abandons what is still out (graph-deadline.ts). Other requests keep
 * the gateway's own limits (a cold report reads dozens of pages) and the handler timeout.
 */
export const SIGN_GRAPH_BUDGET_MS = 2_500;
const SIGN_PATH = /^\/api\/me\/policies\/[^/]+\/sign$/;

/** The Graph budget of a request, by its route (undefined: none of its own). */
export function graphBudgetMs(method: string, path: string): number | undefined {
  return method === 'POST' && SIGN_PATH.test(path) ? SIGN_GRAPH_BUDGET_MS : undefined;
}

/**
 * A Sign from a card (an Adaptive Card invoke on /api/messages) gets the same budget as the
 * tab's, from when the bot starts on it (after the inbound gate): the bot's `signBudget`
 * (BotDeps), so the card answers within about 3 s while Graph fails, as the tab does.
 */
export function withSignGraphBudget<T>(work: () => Promise<T>): Promise<T> {
  return withGraphDeadline(Date.now() + SIGN_GRAPH_BUDGET_MS, work);
}

/** Health probes answer every minute from every instance: not requests worth a trace. */
const UNTRACED = new Set(['/healthz', '/readyz']);

export interface RequestScope {
  /** The http server's `observe`: id, `x-request-id`, a server span, the log scope. */
  observer: (log: Logger) => RequestObserver;
  /**
   * The request id and operation id of the request being served, wherever the code is (a Graph
   * call deep in an adapter included): the JSON-lines logger adds these to every entry.
   */
  logContext: () => LogFields;
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

/**
 * What each request carries from the moment it arrives: its id (made once, src/http/request-id.ts),
 * the `x-request-id` header, a server span (an Application Insights request; the Graph calls and
 * the bot's activity are its children) and a log scope, so a Graph call's log entry names the
 * request that caused it.
 */
export function createRequestScope(telemetry: Telemetry): RequestScope {
  const scope = new AsyncLocalStorage<{ requestId: string }>();

  const finish = (
    log: Logger,
    req: IncomingMessage,
    res: ServerResponse,
    startedAt: number,
  ): void => {
    const fields = {
      method: req.method ?? '',
      path: pathOf(req),
      status: res.statusCode,
      durationMs: Math.round(performance.now() - startedAt),
    };
    if (res.statusCode >= 500) log.warn('request answered with a server error', fields);
    else log.debug('request answered', fields);
  };

  return {
    observer: (log) => (req, res, handle) => {
      const requestId = requestIdOf(req);
      res.setHeader('x-request-id', requestId);
      const startedAt = performance.now();
      const path = pathOf(req);
      const method = (req.method ?? 'GET').toUpperCase();
      const budget = graphBudgetMs(method, path);
      const arrivedAt = Date.now();
      const work =
        budget === undefined ? handle : () => withGraphDeadline(arrivedAt + budget, handle);
      return scope.run({ requestId }, async () => {
        if (UNTRACED.has(path)) {
          await work();
          return;
        }
        await telemetry.span(
          `${method} ${path}`,
          'server',
          {
            'http.request.method': method,
            'url.path': path,
            // No query string: it can name people (a filter, an id); the path is enough.
            'url.full': `http://${req.headers.host ?? 'localhost'}${path}`,
            'countersign.request_id': requestId,
          },
          async (span) => {
            try {
              await work();
            } finally {
              span.setAttributes({ 'http.response.status_code': res.statusCode });
              finish(log, req, res, startedAt);
            }
          },
        );
      });
    },
    logContext: () => {
      const requestId = scope.getStore()?.requestId;
      const operationId = telemetry.operationId();
      return {
        ...(requestId === undefined ? {} : { requestId }),
        ...(operationId === undefined ? {} : { operationId }),
      };
    },
  };
}
