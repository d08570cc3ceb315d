// Prometheus metrics: one registry per app (tests build many apps in one process), served at GET /metrics.
// Label values that come from callers (operation names, paths) are bounded: past a fixed number of distinct values
// everything new is counted as "other", so a client cannot grow the registry without limit.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import type { IngestOutcome } from '../receipts/ingest-metrics.ts';
import type { ReadRouterStats } from '../db/read-router.ts';

/** Seconds; tuned for trust reads in milliseconds and batch writes in seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const PROPAGATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Distinct values kept per caller-controlled label. */
export const MAX_LABEL_VALUES = 100;

export type { IngestOutcome };

export interface WebhookBacklog {
  /** Events still waiting for delivery (neither delivered nor given up on). */
  pending: number;
}

export interface MetricsOptions {
  /** Read at scrape time; absent or returning null (no outbox table) reports 0. */
  webhookBacklog?: () => Promise<WebhookBacklog | null>;
  /** Read at scrape time: reads by target and fallbacks to the primary, when a read replica is configured. */
  databaseReads?: () => ReadRouterStats;
  /** Read at scrape time: trust reads answered from memory and from the database, and memory resyncs. */
  trustReads?: () => { memoryReads: number; databaseReads: number; resyncs: number; refreshes: number; catchUps: number };
  /**
   * Read at scrape time: GraphQL reads (POST or GET) the known-query path answered inside yoga, those answered ahead
   * of yoga (node-read-path.ts), and those handed on to yoga's full pipeline.
   */
  knownQueries?: () => { answered: number; answeredAhead: number; handedOn: number };
  /** Process metrics (CPU, memory, event loop, GC); on unless turned off. */
  processMetrics?: boolean;
}

export interface RequestObservation {
  method: string;
  route: string;
  status: number;
  seconds: number;
  /** Set for GraphQL requests. */
  graphql?: { operation: string; type: string; errors: boolean };
}

export interface Metrics {
  registry: Registry;
  observeRequest(observation: RequestObservation): void;
  countIngest(outcome: IngestOutcome, code?: string | null): void;
  countRateLimited(scope: 'ip' | 'did'): void;
  /** A take the shared rate-limit store failed, counted in this instance's memory instead. */
  countRateLimitStoreError(): void;
  observePropagation(seconds: number): void;
  /** The registry in Prometheus text format. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** Keeps the first `max` distinct values and answers "other" for any later newcomer. */
export function boundedLabel(max = MAX_LABEL_VALUES): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}

/**
 * A counter whose value lives elsewhere (a service's running totals) and is copied in at scrape time: one count, or
 * one count per value of `label`.
 */
function countedAtScrape(registry: Registry, name: string, help: string, label: string | null, read: () => number | Readonly<Record<string, number>>): void {
  new Counter({
    name,
    help,
    labelNames: label === null ? [] : [label],
    registers: [registry],
    collect() {
      const counts = read();
      this.reset();
      if (typeof counts === 'number') this.inc(counts);
      else for (const [value, count] of Object.entries(counts)) this.inc({ [label!]: value }, count);
    },
  });
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({
    name: 'credence_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'credence_http_request_duration_seconds',
    help: 'HTTP request latency by method and route (until the response starts).',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const graphqlRequests = new Counter({
    name: 'credence_graphql_requests_total',
    help: 'GraphQL requests by operation name (or its root fields when anonymous), type and result.',
    labelNames: ['operation', 'type', 'result'] as const,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: 'credence_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const ingest = new Counter({
    name: 'credence_receipts_ingested_total',
    help: 'Submitted receipts by outcome (stored, duplicate, rejected, failed) and error code.',
    labelNames: ['outcome', 'code'] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: 'credence_rate_limited_total',
    help: 'Requests refused by a rate limit, by scope (ip, did).',
    labelNames: ['scope'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'credence_rate_limit_store_errors_total',
    help: 'Takes the shared rate-limit store (postgres, redis) failed; each was counted in the instance\'s memory instead.',
    registers: [registry],
  });
  const propagation = new Histogram({
    name: 'credence_propagation_duration_seconds',
    help: 'Duration of completed credibility propagation runs.',
    buckets: PROPAGATION_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'credence_webhook_backlog',
    help: 'Webhook events waiting for delivery (0 when there is no outbox).',
    registers: [registry],
    async collect() {
      if (!options.webhookBacklog) return this.set(0);
      try {
        this.set((await options.webhookBacklog())?.pending ?? 0);
      } catch {
        // The database is unreachable: keep the last value rather than fail the scrape or report a false 0.
      }
    },
  });

  if (options.trustReads) {
    const trustReads = options.trustReads;
    countedAtScrape(registry, 'credence_trust_reads_total', 'Trust reads (one per trust, trustBatch or checkTrust resolution) by where their inputs came from (memory, database).', 'source', () => {
      const stats = trustReads();
      return { memory: stats.memoryReads, database: stats.databaseReads };
    });
    countedAtScrape(registry, 'credence_trust_cache_refreshes_total', 'Background statements that reloaded agents a change notice had dropped from the trust read cache.', null, () => trustReads().refreshes);
    countedAtScrape(registry, 'credence_trust_cache_resyncs_total', 'Times the trust read cache was cleared because its change listener came back on a new connection.', null, () => trustReads().resyncs);
    countedAtScrape(
      registry,
      'credence_trust_cache_catch_ups_total',
      'Catch-up queries sent on the change listener; each read from memory waits for one, shared with the reads that asked before it left.',
      null,
      () => trustReads().catchUps,
    );
  }

  if (options.knownQueries) {
    const knownQueries = options.knownQueries;
    countedAtScrape(
      registry,
      'credence_graphql_known_query_requests_total',
      'GraphQL reads (POST or GET) of a query document already served, by text or by hash, by outcome: answered on the known-query path inside yoga, answered ahead of yoga (a POST without credentials), or handed on to the full pipeline (an answer with errors).',
      'outcome',
      () => {
        const stats = knownQueries();
        return { answered: stats.answered, answered_ahead: stats.answeredAhead, handed_on: stats.handedOn };
      },
    );
  }

  if (options.databaseReads) {
    const databaseReads = options.databaseReads;
    countedAtScrape(registry, 'credence_db_reads_total', 'Reads routed by the read router, by where they ran (primary, replica).', 'target', () => databaseReads().reads);
    countedAtScrape(
      registry,
      'credence_db_read_fallbacks_total',
      'Public reads sent to the primary instead of the replica, by reason (down, lagging, behind, unknown, not-a-replica).',
      'reason',
      () => databaseReads().fallbacks,
    );
    new Gauge({
      name: 'credence_db_replica_lag_seconds',
      help: 'Replay lag of the read replica at its last probe (-1 when unknown or down).',
      registers: [registry],
      collect() {
        const { lagMs } = databaseReads();
        this.set(lagMs === null ? -1 : lagMs / 1000);
      },
    });
  }

  const operationLabel = boundedLabel();
  const routeLabel = boundedLabel();
  const codeLabel = boundedLabel(50);

  return {
    registry,
    observeRequest({ method, route, status, seconds, graphql }) {
      const routeValue = routeLabel(route);
      httpRequests.inc({ method, route: routeValue, status: String(status) });
      httpDuration.observe({ method, route: routeValue }, seconds);
      if (graphql) {
        const operation = operationLabel(graphql.operation);
        graphqlRequests.inc({ operation, type: graphql.type, result: graphql.errors || status >= 400 ? 'error' : 'ok' });
        graphqlDuration.observe({ operation, type: graphql.type }, seconds);
      }
    },
    countIngest(outcome, code) {
      ingest.inc({ outcome, code: code ? codeLabel(code) : '' });
    },
    countRateLimited(scope) {
      limited.inc({ scope });
    },
    countRateLimitStoreError() {
      storeErrors.inc();
    },
    observePropagation(seconds) {
      propagation.observe(seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** GET /metrics. */
export function metricsRoutePlugin(metrics: Metrics): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== '/metrics') return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new Response('method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      const { contentType, body } = await metrics.render();
      endResponse(new Response(request.method === 'HEAD' ? null : body, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } }));
    },
  };
}
