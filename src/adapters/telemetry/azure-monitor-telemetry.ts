import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';
import {
  metrics,
  ProxyTracerProvider,
  SpanKind as OtelSpanKind,
  SpanStatusCode,
  trace,
  type Counter,
  type Span,
} from '@opentelemetry/api';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type {
  ActiveSpan,
  CounterName,
  GaugeName,
  SpanKind,
  Telemetry,
  TelemetryAttributes,
} from '../../ports/telemetry.ts';

/**
 * The Telemetry port on OpenTelemetry, exported to Application Insights by Microsoft's distro
 * (@azure/monitor-opentelemetry, `useAzureMonitor`).
 *
 * Why spans are made here by hand and the distro's HTTP auto-instrumentation is off: the
 * service is ESM, and OpenTelemetry can patch an ES module only through loader hooks registered
 * before it is imported (`node --import @azure/monitor-opentelemetry/loader`, the distro's
 * README "ESM Support"; Azure/azure-sdk-for-js#36852). Called from main.ts, `useAzureMonitor()`
 * comes after `node:http` is already imported, so nothing is patched and nothing is exported;
 * and Graph goes through `fetch` (undici), which the distro does not instrument at all. So the
 * request span (src/server/request-observer.ts), the bot activity span (src/bot) and the Graph
 * call spans (graph-gateway.ts) are created here with @opentelemetry/api, the same whether or
 * not a loader runs; the HTTP instrumentation stays off so a loader added later cannot double
 * every request.
 *
 * The other two reasons a first attempt saw nothing: spans leave in batches every 5 s and
 * metrics every 60 s (the distro's default export interval), so a process that ends without
 * `shutdown()` loses them; and a meter taken before `useAzureMonitor()` stays a no-op for
 * ever (the metrics API has no proxy, and the distro resets the global API), so this adapter
 * takes its tracer and meter only after starting the distro.
 */
export interface AzureMonitorTelemetryOptions {
  connectionString: string;
  /**
   * Traces kept per second (the distro's rate-limited sampler; default 5, whole traces kept or
   * dropped). 0 keeps every trace (fixed ratio 1).
   */
  tracesPerSecond?: number;
  /** Live Metrics (default on); tests turn it off, it polls Microsoft's service. */
  liveMetrics?: boolean;
  /**
   * PEM certificates the exporter trusts besides the system's. The exporter always speaks https
   * (its connection-string parser rewrites http:// to https://), so a test's local ingestion
   * sink has a self-signed certificate; production passes none.
   */
  trustedCertificates?: string;
}

export interface StartedTelemetry extends Telemetry {
  /** Exports what is buffered and stops the exporters (await it before the process ends). */
  shutdown(): Promise<void>;
}

const KIND: Readonly<Record<SpanKind, OtelSpanKind>> = {
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  internal: OtelSpanKind.INTERNAL,
};

const COUNTER_DESCRIPTIONS: Readonly<Record<CounterName, string>> = {
  'countersign.sign.outcomes': 'Signature attempts by outcome',
  'countersign.graph.failures': 'Graph answers that were not a success, by status (0: no answer)',
  'countersign.graph.retries': 'Graph requests sent again, by the status that caused it',
  'countersign.campaign.deliveries': 'Campaign deliveries settled, by outcome',
  'countersign.records_check.results': 'Nightly records checks, by result',
};

const GAUGE_DESCRIPTIONS: Readonly<Record<GaugeName, string>> = {
  'countersign.graph.circuit_state':
    'Graph circuit breaker: 0 closed, 1 half-open (a probe is out), 2 open (calls refused)',
  'countersign.sender.lease_held': 'Whether this instance holds the campaign sender lease (1/0)',
};

/** The SDK's providers have forceFlush; the API's types do not say so. */
function flushable(provider: unknown): provider is { forceFlush(): Promise<void> } {
  return (
    typeof provider === 'object' &&
    provider !== null &&
    'forceFlush' in provider &&
    typeof provider.forceFlush === 'function'
  );
}

function handleOf(span: Span): ActiveSpan {
  return {
    setAttributes: (attributes) => span.setAttributes(attributes),
    fail: (error) => {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      if (error instanceof Error) span.recordException(error);
    },
  };
}

/** Starts the distro (once per process) and returns the port over it. */
export function startAzureMonitorTelemetry(
  options: AzureMonitorTelemetryOptions,
): StartedTelemetry {
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString: options.connectionString,
      ...(options.trustedCertificates === undefined
        ? {}
        : { tlsOptions: { ca: options.trustedCertificates } }),
    },
    enableLiveMetrics: options.liveMetrics ?? true,
    ...(options.tracesPerSecond === undefined ? {} : { tracesPerSecond: options.tracesPerSecond }),
    instrumentationOptions: {
      http: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
    },
  });
  // Only now: before useAzureMonitor these would be no-ops for good.
  const tracer = trace.getTracer('countersign');
  const meter = metrics.getMeter('countersign');
  const counters = new Map<CounterName, Counter>();
  const counter = (name: CounterName): Counter => {
    let found = counters.get(name);
    if (found === undefined) {
      found = meter.createCounter(name, { description: COUNTER_DESCRIPTIONS[name] });
      counters.set(name, found);
    }
    return found;
  };

  // Event-loop lag (what a blocked loop costs every request) and the heap, read at each export.
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  meter
    .createObservableGauge('countersign.event_loop.lag_max_ms', {
      description: 'Longest event-loop delay since the last export',
      unit: 'ms',
    })
    .addCallback((result) => {
      result.observe(loop.max / 1e6);
      loop.reset();
    });
  meter
    .createObservableGauge('countersign.heap.used_bytes', {
      description: 'V8 heap in use',
      unit: 'By',
    })
    .addCallback((result) => result.observe(process.memoryUsage().heapUsed));

  return {
    span: (name, kind, attributes, work) =>
      tracer.startActiveSpan(name, { kind: KIND[kind], attributes }, async (span) => {
        const handle = handleOf(span);
        try {
          return await work(handle);
        } catch (error) {
          handle.fail(error);
          throw error;
        } finally {
          span.end();
        }
      }),
    annotate: (attributes: TelemetryAttributes) => trace.getActiveSpan()?.setAttributes(attributes),
    count: (name, attributes) => counter(name).add(1, attributes),
    observe: (name, read, attributes) => {
      meter
        .createObservableGauge(name, { description: GAUGE_DESCRIPTIONS[name] })
        .addCallback((result) => result.observe(read(), attributes));
    },
    operationId: () => trace.getActiveSpan()?.spanContext().traceId,
    shutdown: async () => {
      loop.disable();
      // Spans first, then metrics, each exported before anything shuts down: the distro's
      // shutdown stops its metric handler and the SDK at once, and a slow machine could
      // otherwise lose the last export between them.
      const tracerProvider = trace.getTracerProvider();
      const tracing =
        tracerProvider instanceof ProxyTracerProvider
          ? tracerProvider.getDelegate()
          : tracerProvider;
      for (const provider of [tracing, metrics.getMeterProvider()]) {
        if (flushable(provider)) await provider.forceFlush();
      }
      await shutdownAzureMonitor();
    },
  };
}
