// Environment parsed once into a frozen Config; everything else takes a Config, never process.env.
import { z } from 'zod';

const adminDids = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((did) => did.trim()).filter((did) => did.length > 0));

// Unset, "false" or 0: the socket address is the client. "true" or N: N proxies in front append to X-Forwarded-For.
const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const text = (value ?? '').trim().toLowerCase();
    if (text === '' || text === 'false') return 0;
    if (text === 'true') return 1;
    if (/^\d{1,2}$/.test(text)) return Number(text);
    ctx.addIssue({ code: 'custom', message: 'must be true, false or a number of proxies' });
    return z.NEVER;
  });

// Unset or "false": false; "true": true. Anything else is a mistake worth stopping for.
const booleanFlag = z
  .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False', ''])
  .optional()
  .transform((value) => (value ?? '').toLowerCase() === 'true');

// Comma-separated DIDs (trust anchors): each must look like a DID.
const didList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const dids = (value ?? '').split(',').map((did) => did.trim()).filter((did) => did.length > 0);
    for (const did of dids) if (!/^did:[a-z0-9]+:\S+$/.test(did)) ctx.addIssue({ code: 'custom', message: `not a DID: ${did}` });
    return [...new Set(dids)];
  });

// Comma-separated origins (scheme://host[:port]) allowed to call the API from a browser; empty keeps it same-origin.
const corsOrigins = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const origins: string[] = [];
    for (const entry of (value ?? '').split(',').map((part) => part.trim()).filter((part) => part.length > 0)) {
      let url: URL | null = null;
      try {
        url = new URL(entry);
      } catch {
        url = null;
      }
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.pathname !== '/' || url.search || url.hash || entry.endsWith('/*')) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not an origin (scheme://host[:port]; "*" is not accepted)` });
        return z.NEVER;
      }
      if (!origins.includes(url.origin)) origins.push(url.origin);
    }
    return origins;
  });

const ConfigSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  CREDENCE_READ_DATABASE_URL: z.string().min(1).optional(),
  CREDENCE_READ_MAX_LAG_MS: z.coerce.number().int().min(0).max(3_600_000).default(2000),
  CREDENCE_DATA_DIR: z.string().min(1).default('.credence'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  CREDENCE_PUBLIC_URL: z.url().optional(),
  CREDENCE_ADMIN_DIDS: adminDids,
  CREDENCE_ISSUER_KEY: z.string().min(1).optional(),
  CREDENCE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  CREDENCE_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  CREDENCE_PROPAGATION_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
  CREDENCE_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  CREDENCE_TRUST_ANCHORS: didList,
  CREDENCE_SEED_MIN_PLATFORMS: z.coerce.number().int().min(1).max(100).default(2),
  CREDENCE_SEED_MIN_ESCROW_JOBS: z.coerce.number().int().min(1).max(100_000).default(5),
  CREDENCE_SEED_MIN_COUNTERPARTIES: z.coerce.number().int().min(1).max(100_000).default(3),
  CREDENCE_SEED_MIN_MEAN_AGE_DAYS: z.coerce.number().min(0).max(3650).default(60),
  CREDENCE_WEBHOOK_SCORE_DELTA: z.coerce.number().gt(0).max(100).default(5),
  CREDENCE_WEBHOOK_INTERVAL_SECONDS: z.coerce.number().min(0).max(86_400).default(5),
  CREDENCE_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().gt(0).max(300).default(10),
  CREDENCE_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  CREDENCE_WEBHOOK_BACKOFF_BASE_SECONDS: z.coerce.number().min(1).max(86_400).default(30),
  CREDENCE_WEBHOOK_BACKOFF_CAP_SECONDS: z.coerce.number().min(1).max(7 * 86_400).default(3_600),
  CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: booleanFlag,
  CREDENCE_WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  CREDENCE_RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
  CREDENCE_RATE_LIMIT_DID_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  CREDENCE_RATE_LIMIT_STORE: z.enum(['memory', 'postgres', 'redis']).optional(),
  CREDENCE_REDIS_URL: z
    .string()
    .min(1)
    .refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// or rediss:// URL')
    .optional(),
  CREDENCE_REPUTATION_CREDENTIALS_PER_DAY: z.coerce.number().int().min(0).max(100_000).default(24),
  CREDENCE_TRUST_PROXY: trustProxy,
  CREDENCE_HEADERS_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(10),
  CREDENCE_REQUEST_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(30),
  CREDENCE_CORS_ORIGINS: corsOrigins,
  CREDENCE_SUBSCRIPTIONS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  CREDENCE_SUBSCRIPTIONS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(50),
  CREDENCE_SUBSCRIPTIONS_PER_DID: z.coerce.number().int().min(1).max(1_000_000).default(50),
  CREDENCE_SUBSCRIPTION_IDLE_SECONDS: z.coerce.number().positive().max(86_400).default(900),
  CREDENCE_SUBSCRIPTION_MAX_LIFETIME_SECONDS: z.coerce.number().positive().max(7 * 86_400).default(3600),
  CREDENCE_TRACING: booleanFlag,
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().optional(),
  OTEL_SDK_DISABLED: z.string().optional(),
});

export interface Config {
  databaseUrl: string | undefined;
  /**
   * A read replica of DATABASE_URL (PostgreSQL streaming replication) for public reads, and how far behind it may
   * fall before reads go back to the primary (docs/operations.md, "Read replicas").
   */
  readDatabaseUrl: string | undefined;
  readMaxLagMs: number;
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  adminDids: readonly string[];
  issuerKey: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  maxBodyBytes: number;
  /** Seconds between credibility propagation runs; 0 turns the background job off. */
  propagationIntervalSeconds: number;
  /** Server processes sharing the port (`credence serve` forks them with node:cluster); 1 serves from this process. */
  workers: number;
  /** Trust anchors and the observable seed rule of the credibility propagation. */
  trust: Readonly<TrustConfig>;
  webhooks: Readonly<WebhookConfig>;
  /** Requests per minute per client address and per authenticated DID; 0 turns that limit off. */
  rateLimitIpPerMinute: number;
  rateLimitDidPerMinute: number;
  /** Where rate-limit buckets live: this instance's memory, or the database every instance shares. */
  /** `redis` when CREDENCE_REDIS_URL is set and no store is named; `memory` otherwise. */
  rateLimitStore: 'memory' | 'postgres' | 'redis';
  redisUrl: string | undefined;
  /** Reputation credentials one DID may be issued per 24 hours; 0 means no limit. */
  reputationCredentialsPerDay: number;
  /** Proxies in front whose X-Forwarded-For entries are believed; 0 uses the socket address. */
  trustProxy: number;
  /** Slow clients: time to send the headers, and the whole request. */
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  /** Origins allowed by CORS (normalized scheme://host[:port]); empty: no CORS headers at all. */
  corsOrigins: readonly string[];
  subscriptions: Readonly<SubscriptionConfig>;
  /**
   * OpenTelemetry tracing: on with CREDENCE_TRACING=true or an OTLP endpoint set, unless OTEL_SDK_DISABLED=true. The
   * exporter reads the OTEL_EXPORTER_OTLP_* variables itself.
   */
  tracing: boolean;
}

export interface SubscriptionConfig {
  /** Open trustChanged streams one process serves at most. */
  max: number;
  /** Open streams per client address (IPv6: per /64) and per authenticated DID. */
  perAddress: number;
  perDid: number;
  /** A stream that delivered no event for this long is ended (clients reconnect); so is any stream this old. */
  idleSeconds: number;
  maxLifetimeSeconds: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const value = parsed.data;
  if (value.CREDENCE_READ_DATABASE_URL && !value.DATABASE_URL) {
    throw new Error(
      'invalid configuration: CREDENCE_READ_DATABASE_URL needs a PostgreSQL primary in DATABASE_URL; ' +
        'the embedded database (no DATABASE_URL) has no replicas',
    );
  }
  if (value.CREDENCE_RATE_LIMIT_STORE === 'redis' && !value.CREDENCE_REDIS_URL) {
    throw new Error('invalid configuration: CREDENCE_RATE_LIMIT_STORE=redis needs CREDENCE_REDIS_URL (redis://host:6379)');
  }
  return Object.freeze({
    databaseUrl: value.DATABASE_URL,
    readDatabaseUrl: value.CREDENCE_READ_DATABASE_URL,
    readMaxLagMs: value.CREDENCE_READ_MAX_LAG_MS,
    dataDir: value.CREDENCE_DATA_DIR,
    port: value.PORT,
    host: value.HOST,
    // Defaults to where this process listens, so the DID and its document agree out of the box.
    publicUrl: (value.CREDENCE_PUBLIC_URL ?? `http://localhost:${value.PORT}`).replace(/\/+$/, ''),
    adminDids: Object.freeze(value.CREDENCE_ADMIN_DIDS),
    issuerKey: value.CREDENCE_ISSUER_KEY,
    logLevel: value.CREDENCE_LOG_LEVEL,
    maxBodyBytes: value.CREDENCE_MAX_BODY_BYTES,
    propagationIntervalSeconds: value.CREDENCE_PROPAGATION_INTERVAL_SECONDS,
    workers: value.CREDENCE_WORKERS,
    trust: Object.freeze({
      anchors: Object.freeze(value.CREDENCE_TRUST_ANCHORS),
      seedMinPlatforms: value.CREDENCE_SEED_MIN_PLATFORMS,
      seedMinEscrowJobs: value.CREDENCE_SEED_MIN_ESCROW_JOBS,
      seedMinCounterparties: value.CREDENCE_SEED_MIN_COUNTERPARTIES,
      seedMinMeanAgeDays: value.CREDENCE_SEED_MIN_MEAN_AGE_DAYS,
    }),
    webhooks: Object.freeze({
      scoreDelta: value.CREDENCE_WEBHOOK_SCORE_DELTA,
      intervalSeconds: value.CREDENCE_WEBHOOK_INTERVAL_SECONDS,
      timeoutSeconds: value.CREDENCE_WEBHOOK_TIMEOUT_SECONDS,
      maxAttempts: value.CREDENCE_WEBHOOK_MAX_ATTEMPTS,
      backoffBaseSeconds: value.CREDENCE_WEBHOOK_BACKOFF_BASE_SECONDS,
      backoffCapSeconds: Math.max(value.CREDENCE_WEBHOOK_BACKOFF_CAP_SECONDS, value.CREDENCE_WEBHOOK_BACKOFF_BASE_SECONDS),
      allowPrivateAddresses: value.CREDENCE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
      retentionDays: value.CREDENCE_WEBHOOK_RETENTION_DAYS,
    }),
    rateLimitIpPerMinute: value.CREDENCE_RATE_LIMIT_IP_PER_MINUTE,
    rateLimitDidPerMinute: value.CREDENCE_RATE_LIMIT_DID_PER_MINUTE,
    rateLimitStore: value.CREDENCE_RATE_LIMIT_STORE ?? (value.CREDENCE_REDIS_URL ? 'redis' : 'memory'),
    redisUrl: value.CREDENCE_REDIS_URL,
    reputationCredentialsPerDay: value.CREDENCE_REPUTATION_CREDENTIALS_PER_DAY,
    trustProxy: value.CREDENCE_TRUST_PROXY,
    headersTimeoutSeconds: value.CREDENCE_HEADERS_TIMEOUT_SECONDS,
    requestTimeoutSeconds: value.CREDENCE_REQUEST_TIMEOUT_SECONDS,
    corsOrigins: Object.freeze(value.CREDENCE_CORS_ORIGINS),
    subscriptions: Object.freeze({
      max: value.CREDENCE_SUBSCRIPTIONS_MAX,
      perAddress: value.CREDENCE_SUBSCRIPTIONS_PER_ADDRESS,
      perDid: value.CREDENCE_SUBSCRIPTIONS_PER_DID,
      idleSeconds: value.CREDENCE_SUBSCRIPTION_IDLE_SECONDS,
      maxLifetimeSeconds: value.CREDENCE_SUBSCRIPTION_MAX_LIFETIME_SECONDS,
    }),
    tracing:
      (value.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() !== 'true' &&
      (value.CREDENCE_TRACING || Boolean(value.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) || Boolean(value.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim())),
  });
}

export interface TrustConfig {
  /** DIDs that seed propagation whatever the observable rule says (with those added through addTrustAnchor). */
  anchors: readonly string[];
  /** The observable seed rule (capped at the number of platforms with escrow-verified work). */
  seedMinPlatforms: number;
  seedMinEscrowJobs: number;
  seedMinCounterparties: number;
  seedMinMeanAgeDays: number;
}

export interface WebhookConfig {
  /** A trust.changed event needs a tier change or a score move of at least this many points (0..100). */
  scoreDelta: number;
  /** Seconds between delivery rounds; 0 turns the delivery worker off. */
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Attempts before a delivery is FAILED. */
  maxAttempts: number;
  /** Retry n waits about base·2^(n−1) seconds (half to all of it, jittered), at most cap. */
  backoffBaseSeconds: number;
  backoffCapSeconds: number;
  /** Lets webhook URLs point at loopback, private, link-local and other special-purpose addresses (tests, labs). */
  allowPrivateAddresses: boolean;
  /** Days DELIVERED and FAILED outbox rows are kept; 0 keeps them forever. */
  retentionDays: number;
}
