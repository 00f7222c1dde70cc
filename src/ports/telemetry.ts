/**
 * Traces and metrics, as the services and adapters need them: a span around a unit of work
 * (a request, a bot activity, a Graph call) and counts of outcomes. The composition root
 * injects OpenTelemetry to Application Insights when a connection string is set
 * (src/adapters/telemetry), and `noTelemetry` otherwise.
 */
export type TelemetryValue = string | number | boolean;
export type TelemetryAttributes = Readonly<Record<string, TelemetryValue>>;

/**
 * `server`: a request this service answers (an Application Insights request); `client`: a call
 * it makes (a dependency); `internal`: work inside a request (an in-process dependency).
 */
export type SpanKind = 'server' | 'client' | 'internal';

export interface ActiveSpan {
  setAttributes(attributes: TelemetryAttributes): void;
  /** Marks the span failed (an error status, the exception recorded). */
  fail(error: unknown): void;
}

/**
 * The counters the workbook draws (infra/countersign-workbook.json). One name per concept, the
 * variants as attributes, so a chart splits by attribute instead of summing names.
 */
export type CounterName =
  /** A signature's outcome, attribute `outcome` (see SignOutcomeLabel) and `channel`. */
  | 'countersign.sign.outcomes'
  /** A Graph answer that is not a success: attribute `status` (429, 503, 0 for a reset…). */
  | 'countersign.graph.failures'
  /** A Graph request sent again after a 429/5xx or a dropped connection, attribute `status`. */
  | 'countersign.graph.retries'
  /** A campaign delivery settled, attribute `outcome` (sent, failed, requeued, dropped). */
  | 'countersign.campaign.deliveries'
  /** A nightly records check ran, attributes `result` (ok, failed) and `failures` (how many). */
  | 'countersign.records_check.results';

/**
 * The gauges the workbook draws, each read when metrics are exported (every 60 s):
 * `countersign.graph.circuit_state` the Graph gateway's circuit breaker (0 closed, 1 half-open:
 * a probe is out, 2 open: calls refused at once); `countersign.sender.lease_held` 1 while this
 * instance holds the campaign sender's lease, else 0, attribute `holder` (its id).
 */
export type GaugeName = 'countersign.graph.circuit_state' | 'countersign.sender.lease_held';

/**
 * How a signature attempt ended, as operators need to tell them apart: `accepted` (stored, or
 * already there), `outdated` (a newer version exists, nothing stored), `refused` (the request
 * was wrong or not allowed: 4xx), `failed` (an outage answered before or after the write, which
 * read back as not stored), `answered-error-maybe-stored` (the write may have landed and the
 * read-back failed too: the "stored but answered error" case the sweeper mends).
 */
export type SignOutcomeLabel =
  'accepted' | 'outdated' | 'refused' | 'failed' | 'answered-error-maybe-stored';

export interface Telemetry {
  /** Runs `work` inside a span, a child of the span active where it is called. */
  span<T>(
    name: string,
    kind: SpanKind,
    attributes: TelemetryAttributes,
    work: (span: ActiveSpan) => Promise<T>,
  ): Promise<T>;
  /** Adds attributes to the active span, if any (e.g. the API's route template). */
  annotate(attributes: TelemetryAttributes): void;
  count(counter: CounterName, attributes?: TelemetryAttributes): void;
  /** A value read at each export (a state, not an event), with fixed attributes. */
  observe(gauge: GaugeName, read: () => number, attributes?: TelemetryAttributes): void;
  /** The active trace id (Application Insights' operation id), for log entries. */
  operationId(): string | undefined;
}

const noSpan: ActiveSpan = { setAttributes: () => undefined, fail: () => undefined };

/** Telemetry off (no connection string, tests): runs the work, records nothing. */
export const noTelemetry: Telemetry = {
  span: (_name, _kind, _attributes, work) => work(noSpan),
  annotate: () => undefined,
  count: () => undefined,
  observe: () => undefined,
  operationId: () => undefined,
};
