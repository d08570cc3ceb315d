// createApp(deps) builds the Yoga instance: schema, context, security plugins and routes. It never listens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import type { Config } from './config.ts';
import { createRequestContext, type Clock, type RequestContext } from './context.ts';
import type { Database } from './db/database.ts';
import { publicReadHandle } from './db/public-reads.ts';
import { createReadRouter, primaryOnly, type ReadRouter } from './db/read-router.ts';
import { readRoutingPlugin } from './http/read-routing.ts';
import { CredenceError } from './errors.ts';
import { schema } from './graphql/schema.ts';
import { armorPlugin, bodyLimitPlugin, nestingLimitPlugin, nulCharacterPlugin, requestParserPlugin } from './http/security.ts';
import { validationCachePlugin } from './http/validation-cache.ts';
import { corsPlugin } from './http/cors.ts';
import { httpCachePlugin, PersistedDocuments } from './http/http-cache.ts';
import { CompiledQueries, compiledQueriesPlugin } from './http/compiled-queries.ts';
import { knownQueryAnswers, knownQueryPathPlugin } from './http/known-query-path.ts';
import { nodeReadPath } from './http/node-read-path.ts';
import { refuseBadHost } from './http/host-check.ts';
import { mcpRoutePlugin } from './mcp/http.ts';
import { createProfileService } from './web/profile/profile.service.ts';
import type { TrustReportSource } from './credentials/credential.service.ts';
import { serviceSigningKey } from './credentials/signing-key.ts';
import { didWebFromUrl } from './issuer/did-web.ts';
import type { IssuerKey } from './issuer/issuer-key.ts';
import { silentLogger, type Logger } from './logger.ts';
import type { Tracing } from './observability/tracing.ts';
import { createMetrics, metricsRoutePlugin, type Metrics } from './http/metrics.ts';
import { observabilityPlugin, yogaLogger } from './http/observability.ts';
import { clientAddress, createRateLimits, type RateLimitStore } from './http/rate-limit.ts';
import { graphqlSsePlugins } from './http/graphql-sse.ts';
import { postgresRateLimitStore } from './http/rate-limit.repository.ts';
import { StreamSlots } from './http/stream-limits.ts';
import { graphiqlPage } from './http/graphiql-page.ts';
import { readWebhookBacklog } from './http/webhook-backlog.repository.ts';
import { createRouter, routerPlugin } from './router.ts';
import { createServices, type Services } from './services.ts';
import { createTrustChangeFeed } from './webhooks/trust-change-feed.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  issuerKey: IssuerKey;
  clock?: Clock;
  logger?: Logger;
  /** Trust reports for reputation credentials; the trust service's own unless given (tests inject fixed ones). */
  trustReports?: TrustReportSource;
  /** Milliseconds for the rate limiters (tests move it); performance.now() unless given, Date.now() for shared buckets. */
  limiterClock?: () => number;
  /** OpenTelemetry spans for requests, operations and resolvers; absent, no tracing code runs. */
  tracing?: Pick<Tracing, 'yogaPlugins'>;
  /** A read replica of `database` (CREDENCE_READ_DATABASE_URL) for public reads. */
  readDatabase?: Database;
  /** Milliseconds for the replica's probe ages; performance.now() unless given. */
  readRouterClock?: () => number;
  /**
   * Where rate-limit buckets live when CREDENCE_RATE_LIMIT_STORE=redis: the caller opens the client (main.ts) and
   * closes it. Memory and PostgreSQL stores are made here from the config.
   */
  rateLimitStore?: RateLimitStore;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, RequestContext>;
  services: Services;
  serviceDid: string;
  clock: Clock;
  /** This app's own metrics registry (served at /metrics). */
  metrics: Metrics;
  /** Where reads go: the primary, or the read replica for public reads. */
  reads: ReadRouter;
  /**
   * The node:http listener to serve: known public queries answered ahead of yoga (node-read-path.ts), everything
   * else by yoga. In-process callers use `yoga.fetch`, which does not pass here.
   */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

export async function createApp(deps: AppDeps): Promise<App> {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const serviceDid = didWebFromUrl(deps.config.publicUrl);
  if (deps.readDatabase && deps.database.kind !== 'postgres') {
    throw new Error('a read replica needs a PostgreSQL primary; the embedded database has no replicas');
  }
  const reads = deps.readDatabase
    ? createReadRouter(deps.database.db, deps.readDatabase.db, {
        maxLagMs: deps.config.readMaxLagMs,
        ...(deps.readRouterClock ? { now: deps.readRouterClock } : {}),
        onStateChange: (state, detail) => {
          if (state === 'ready') logger.info('read replica serving', { state, ...detail });
          else logger.warn('read replica not serving; reads go to the primary', { state, ...detail });
        },
      })
    : primaryOnly(deps.database.db);
  const metrics = createMetrics({
    webhookBacklog: () => readWebhookBacklog(deps.database.db),
    ...(deps.readDatabase ? { databaseReads: () => reads.stats() } : {}),
    // Called at scrape time only, once the services below exist.
    trustReads: () => services.trust.cacheStats(),
    knownQueries: () => knownQueries?.stats() ?? { answered: 0, answeredAhead: 0, handedOn: 0 },
  });
  // Listings, profiles and badges read through this: the replica inside public requests, else the primary.
  const publicReads = publicReadHandle(reads);
  const services = createServices(deps.database.db, clock, {
    reads,
    publicReads,
    credentials: {
      serviceDid,
      publicUrl: deps.config.publicUrl,
      signingKey: serviceSigningKey(deps.issuerKey, serviceDid),
      trustReports: deps.trustReports,
      reputationCredentialsPerDay: deps.config.reputationCredentialsPerDay,
    },
    webhooks: { scoreDelta: deps.config.webhooks.scoreDelta, allowPrivateAddresses: deps.config.webhooks.allowPrivateAddresses },
    trustChanges: createTrustChangeFeed(deps.database, logger),
    trustAnchors: deps.config.trust.anchors,
    ingestCounter: metrics,
  });
  await services.issuerKeys.publish(deps.issuerKey, clock());
  await services.credentials.ensureStatusList(clock());
  // Listening from the start: a trustChanged subscriber hears every change committed after it subscribed.
  await services.trustChanges.start();
  // Warm trust reads answer from memory, kept current by the database's change notices (trust.service.ts).
  await services.trust.follow(deps.database);

  const sharedRateLimitStore = rateLimitStoreFor(deps);

  const contextDeps = {
    services,
    clock,
    serviceDid,
    publicUrl: deps.config.publicUrl,
    adminDids: deps.config.adminDids,
    streams: new StreamSlots({
      max: deps.config.subscriptions.max,
      perAddress: deps.config.subscriptions.perAddress,
      perDid: deps.config.subscriptions.perDid,
      idleMs: deps.config.subscriptions.idleSeconds * 1000,
      maxLifetimeMs: deps.config.subscriptions.maxLifetimeSeconds * 1000,
    }),
  };

  const profiles = createProfileService(publicReads, services, { publicUrl: deps.config.publicUrl });

  const router = createRouter({
    rest: { services, clock, maxBodyBytes: deps.config.maxBodyBytes, logger },
    service: { services, ping: () => deps.database.ping() },
    credentials: { statusList: (listId) => services.credentials.statusList(listId) },
    badges: { profiles, clock },
    pages: { profiles, credentials: services.credentials, clock, publicUrl: deps.config.publicUrl },
  });

  /**
   * The request's context, one per request: the known-query path's, and yoga's when the path hands the request on. So
   * a bearer token the path's run verified (and spent) is the same verified caller in yoga's run, not a replay.
   */
  const contexts = new WeakMap<Request, RequestContext>();
  const contextFor = (request: Request, serverContext: unknown) => {
    let context = contexts.get(request);
    if (context === undefined) {
      context = createRequestContext(contextDeps, request.headers.get('authorization'), clientAddress(request, serverContext, deps.config.trustProxy));
      contexts.set(request, context);
    }
    return context;
  };
  // Queries compiled by graphql-jit, kept by their text; the known-query path answers those already served.
  const compiledQueries = new CompiledQueries();
  // Documents named by hash (hashed queries): remembered by httpCachePlugin, looked up there and on the known-query path.
  const persistedDocuments = new PersistedDocuments();
  // Not with tracing on, like compiled queries: resolver spans come from graphql-js's executor.
  const knownQueries = deps.tracing
    ? undefined
    : knownQueryAnswers({
        queries: compiledQueries,
        documents: persistedDocuments,
        // Yoga's context also holds the server context (req, res, waitUntil), which no resolver reads; copying it cost
        // more than the rest of the context together. The request's own context object, with what yoga adds to it.
        context: (request, serverContext, params) => Object.assign(contextFor(request, serverContext), { request, params }),
      });
  const rateLimits = createRateLimits({
    ipPerMinute: deps.config.rateLimitIpPerMinute,
    didPerMinute: deps.config.rateLimitDidPerMinute,
    trustedProxies: deps.config.trustProxy,
    audience: serviceDid,
    clock,
    spentTokens: services.tokenStore,
    ...(deps.limiterClock ? { limiterClock: deps.limiterClock } : {}),
    ...(sharedRateLimitStore ? { store: sharedRateLimitStore } : {}),
    onLimited: (scope) => metrics.countRateLimited(scope),
    onStoreError: rateLimitStoreWarning(logger, deps.config.rateLimitStore, () => metrics.countRateLimitStoreError()),
  });

  const graphiql = graphiqlPage();
  const yoga = createYoga<Record<string, unknown>, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'Credence GraphiQL' },
    // The GraphiQL bundle served inline from the package: no CDN, so it works offline and tells no third party.
    renderGraphiQL: graphiql.render,
    // Ours instead (corsPlugin): yoga's default reflects any Origin and allows credentials.
    cors: false,
    // Every body is read by requestParserPlugin, capped at CREDENCE_MAX_BODY_BYTES; no file uploads.
    multipart: false,
    maxRequestBodySize: false,
    // Parsed documents are still cached by yoga; validation results by validationCachePlugin (see there why).
    parserAndValidationCache: { validationCache: false },
    logging: yogaLogger(logger),
    context: (initial) => contextFor(initial.request, initial),
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof CredenceError) {
          const graphQLError = error instanceof GraphQLError ? error : undefined;
          return new GraphQLError(original.message, {
            nodes: graphQLError?.nodes ?? null,
            // A compiled query's errors carry their source positions, not nodes (compiled-queries.ts): kept, so its
            // answers have the same locations as graphql-js's.
            ...(graphQLError?.nodes ? {} : { source: graphQLError?.source ?? null, positions: graphQLError?.positions ?? null }),
            path: graphQLError?.path ?? null,
            extensions: { code: original.code },
          });
        }
        const masked = maskError(error, message, isDev);
        // Only what was actually hidden from the client is unexpected: invalid variables and other GraphQL errors
        // pass through unmasked (and may quote the caller's input, which stays out of the log).
        if (masked !== error && masked.message === message) {
          const hidden = error instanceof GraphQLError && error.originalError ? error.originalError : error;
          logger.error('unexpected error', { error: hidden instanceof Error ? hidden.message : String(hidden) });
        }
        return masked;
      },
    },
    plugins: [
      // Ahead of the observability plugin only so that its log line and metrics see the 304 this one may answer
      // (response hooks run in order); it ends no request early and looks up hashed queries before any check.
      httpCachePlugin(persistedDocuments),
      // Before everything: request ids, the request log line and request metrics see every response.
      observabilityPlugin({ logger, metrics }),
      // Decides, per request, whether its reads may go to the replica (public reads) or must see the primary.
      readRoutingPlugin(reads),
      // Inside it, so the request span knows the request id and the log lines get the trace ids.
      ...(deps.tracing?.yogaPlugins() ?? []),
      corsPlugin(deps.config.corsOrigins),
      graphiql.plugin,
      rateLimits.plugin,
      metricsRoutePlugin(metrics),
      // REST, pages, badges, credential documents, /health, /ready and the DID document. Before bodyLimitPlugin, so
      // the REST API answers its own oversized bodies in its own envelope; every other path it leaves to that plugin.
      routerPlugin(router, { maxBodyBytes: deps.config.maxBodyBytes }),
      bodyLimitPlugin(deps.config.maxBodyBytes),
      // graphql-sse at /graphql/stream (single-connection and distinct-connections modes), under the same caps.
      // Known queries (already parsed, validated, compiled and answered) run here, skipping yoga's GraphQL handling;
      // every hook above still applies.
      ...(knownQueries ? [knownQueryPathPlugin(knownQueries, deps.config.maxBodyBytes)] : []),
      ...graphqlSsePlugins({ streams: contextDeps.streams, maxBodyBytes: deps.config.maxBodyBytes, trustProxy: deps.config.trustProxy }),
      // MCP over Streamable HTTP: tools over the same services and per-request context as /graphql.
      mcpRoutePlugin({ context: (authorization) => createRequestContext(contextDeps, authorization), maxBodyBytes: deps.config.maxBodyBytes, logger }),
      armorPlugin(),
      nestingLimitPlugin(),
      nulCharacterPlugin(),
      requestParserPlugin(deps.config.maxBodyBytes),
      // Single-query documents run compiled (graphql-jit), once per document: the executor's per-request walk of the
      // selection set was the largest cost of a warm read after the engine (docs/performance-log.md, "Compiled
      // queries"). Not with tracing on: resolver spans come from graphql-js's executor.
      ...(deps.tracing
        ? []
        : [compiledQueriesPlugin({ queries: compiledQueries, onCompileError: (message) => logger.warn('query not compiled; graphql-js answers it instead', { error: message }) })]),
      // Last: it must see the rules the plugins above added.
      validationCachePlugin(),
    ],
  });

  const ahead = knownQueries
    ? nodeReadPath({
        yoga,
        answers: knownQueries,
        request: (url, headers) => new yoga.fetchAPI.Request(url, { method: 'POST', headers: headers as Record<string, string> }),
        limits: rateLimits,
        reads,
        observability: { logger, metrics },
        maxBodyBytes: deps.config.maxBodyBytes,
        varyOrigin: deps.config.corsOrigins.length > 0,
      })
    : yoga;
  // First of all: a request whose Host makes no URL would get whatwg-node's 500 with a stack trace (host-check.ts);
  // the path ahead of yoga counts on it.
  const listener = refuseBadHost(ahead, { logger, metrics });
  return { yoga, services, serviceDid, clock, metrics, reads, listener };
}

/** The shared rate-limit store the config names, or undefined for the in-memory one. */
function rateLimitStoreFor(deps: AppDeps): RateLimitStore | undefined {
  if (deps.rateLimitStore) return deps.rateLimitStore;
  switch (deps.config.rateLimitStore) {
    case 'memory':
      return undefined;
    case 'postgres':
      return postgresRateLimitStore(deps.database.db, deps.limiterClock ? { now: deps.limiterClock } : {});
    case 'redis':
      throw new Error('CREDENCE_RATE_LIMIT_STORE=redis: createApp needs the Redis store passed in (rateLimitStore)');
  }
}

/** Logs a failing shared store once, then at most once a minute while it keeps failing (every request would). */
function rateLimitStoreWarning(logger: Logger, kind: string, count: () => void): (error: unknown) => void {
  let lastLogged = -Infinity;
  let failures = 0;
  return (error) => {
    count();
    failures += 1;
    const now = performance.now();
    if (now - lastLogged < 60_000) return;
    lastLogged = now;
    logger.warn('rate-limit store unavailable; this instance counts alone until it is back', {
      store: kind,
      failuresSinceLastWarning: failures,
      error: error instanceof Error ? error.message : String(error),
    });
    failures = 0;
  };
}
