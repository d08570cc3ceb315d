// OpenTelemetry tracing, off by default. Only this module (and what it imports) loads the SDK, and only
// `startTracing` is meant to be reached through a dynamic import, so a service without tracing runs no OTel code on
// its request path. The exporter is OTLP over HTTP, configured by the standard OTEL_EXPORTER_OTLP_* variables.
import { context, propagation, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Dialect } from 'kysely';
import type { Plugin } from 'graphql-yoga';
import { SERVICE_VERSION } from '../version.ts';
import { tracedDialect } from './db-tracing.ts';
import { tracingPlugins } from './request-tracing.ts';

/** What a traced service plugs in: yoga plugins for the app, a dialect wrapper for the database, and a shutdown. */
export interface Tracing {
  provider: TracerProvider;
  yogaPlugins(): Plugin[];
  wrapDialect(dialect: Dialect): Dialect;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /**
   * Where spans go. Unset: OTLP over HTTP in batches, to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
   * OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318). Tests pass an in-memory exporter, sent to span by span.
   */
  exporter?: SpanExporter;
}

export function startTracing(options: TracingOptions = {}): Tracing {
  // service.name and version are ours unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'credence', [ATTR_SERVICE_VERSION]: SERVICE_VERSION }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const processor = options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The AsyncLocalStorage context manager (spans follow the request across awaits) and the W3C traceparent
  // propagator (a caller's trace continues here).
  provider.register();
  const tracer: Tracer = provider.getTracer('credence');
  let stopped: Promise<void> | undefined;
  return {
    provider,
    yogaPlugins: () => tracingPlugins(provider),
    wrapDialect: (dialect) => tracedDialect(dialect, tracer),
    shutdown() {
      stopped ??= provider.shutdown().finally(() => {
        trace.disable();
        context.disable();
        propagation.disable();
      });
      return stopped;
    },
  };
}
