// Rate limits per client address and per authenticated DID: token buckets, in memory per instance by default or
// shared by every instance through PostgreSQL (src/http/rate-limit.repository.ts) or Redis
// (src/http/rate-limit.redis.ts). The bucket logic is pure (the clock is passed in); the plugin below applies it to
// requests before any GraphQL work, so a limited request costs neither a parse nor its caller's single-use token.
import { isIP } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import ipaddr from 'ipaddr.js';
import { bearerToken, checkAuthToken, type SpentTokens } from '../auth/did-auth.ts';

export interface TokenBucketOptions {
  /** Sustained rate; the bucket holds a minute's worth, so a burst of this size is allowed from rest. */
  perMinute: number;
  /** Milliseconds from any fixed origin; must not go backwards (performance.now() in production). */
  now: () => number;
  /** Keys remembered at most; the least recently seen are forgotten first. */
  maxKeys?: number;
}

export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBucketLimiter {
  readonly perMinute: number;
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Insertion order is recency order: a key is re-inserted on every take. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    if (!(options.perMinute > 0) || !Number.isFinite(options.perMinute)) throw new RangeError('perMinute must be a positive number');
    this.perMinute = options.perMinute;
    this.capacity = options.perMinute;
    this.refillPerMs = options.perMinute / 60_000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now;
  }

  /** Keys currently remembered (buckets that are not yet full again). */
  get size(): number {
    return this.buckets.size;
  }

  take(key: string, cost = 1): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key);
    let tokens = this.capacity;
    if (bucket) {
      tokens = Math.min(this.capacity, bucket.tokens + Math.max(0, now - bucket.updatedMs) * this.refillPerMs);
      this.buckets.delete(key);
    }
    this.forgetFull(now);
    if (tokens >= cost) {
      tokens -= cost;
      this.remember(key, { tokens, updatedMs: now });
      return { allowed: true, remaining: Math.floor(tokens) };
    }
    this.remember(key, { tokens, updatedMs: now });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / this.refillPerMs / 1000)) };
  }

  private remember(key: string, bucket: Bucket): void {
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }

  /** A bucket that has refilled completely is the same as no bucket: drop a few from the old end each call. */
  private forgetFull(now: number): void {
    let checked = 0;
    for (const [key, bucket] of this.buckets) {
      if (checked++ >= 2) break;
      if (bucket.tokens + (now - bucket.updatedMs) * this.refillPerMs >= this.capacity) this.buckets.delete(key);
      else break;
    }
  }
}

// ---------------------------------------------------------------- where buckets live

/**
 * Where buckets live: this process (memoryRateLimitStore, each instance counting alone) or a store every instance
 * shares (PostgreSQL in src/http/rate-limit.repository.ts, Redis in src/http/rate-limit.redis.ts).
 */
export interface RateLimitStore {
  readonly kind: 'memory' | 'postgres' | 'redis';
  /** Takes `cost` tokens from the bucket `key` of a limit of `perMinute`. */
  take(key: string, perMinute: number, cost?: number): Promise<TakeResult>;
}

/** One TokenBucketLimiter per rate, in this process. */
export function memoryRateLimitStore(now: () => number = () => performance.now()): RateLimitStore {
  const limiters = new Map<number, TokenBucketLimiter>();
  return {
    kind: 'memory',
    async take(key, perMinute, cost = 1) {
      let limiter = limiters.get(perMinute);
      if (!limiter) limiters.set(perMinute, (limiter = new TokenBucketLimiter({ perMinute, now })));
      return limiter.take(key, cost);
    },
  };
}

// ---------------------------------------------------------------- client address

/**
 * IPv6 clients are keyed by their /64 (one subscriber's usual allocation), IPv4 ones by the full address; an
 * IPv4-mapped IPv6 address (either spelling) is the IPv4 client it carries.
 */
export function addressKey(address: string): string | null {
  let value = address.trim();
  if (value.startsWith('[') && value.includes(']')) value = value.slice(1, value.indexOf(']'));
  const zone = value.indexOf('%');
  if (zone >= 0) value = value.slice(0, zone);
  // node:net decides what counts as an address (no short or octal IPv4 forms); ipaddr.js reads the IPv6 ones.
  const version = isIP(value);
  if (version === 4) return value;
  if (version !== 6) return null;
  const parsed = ipaddr.IPv6.parse(value);
  if (parsed.isIPv4MappedAddress()) return parsed.toIPv4Address().toString();
  return `${parsed.parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}

interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string | undefined } };
}

/**
 * The client's address: the socket's peer, or, behind `trustedProxies` proxies, the entry that many places from the
 * right of X-Forwarded-For (the address the nearest trusted proxy saw). Null when there is no socket (in-process
 * requests) or the value is not an IP address.
 */
export function clientAddress(request: Request, serverContext: unknown, trustedProxies: number): string | null {
  const peer = (serverContext as NodeServerContext | undefined)?.req?.socket?.remoteAddress ?? null;
  if (trustedProxies > 0) {
    const forwarded = request.headers.get('x-forwarded-for');
    if (forwarded) {
      const hops = forwarded.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
      const candidate = hops[Math.max(0, hops.length - trustedProxies)];
      const key = candidate ? addressKey(candidate) : null;
      if (key) return key;
    }
  }
  return peer ? addressKey(peer) : null;
}

// ---------------------------------------------------------------- the plugin

export type RateLimitScope = 'ip' | 'did';

export interface RateLimitDeps {
  ipPerMinute: number;
  didPerMinute: number;
  trustedProxies: number;
  /** The service DID: bearer tokens are checked against it before their DID is charged. */
  audience: string;
  /** Business time, for token expiry. */
  clock: () => Date;
  /** The replay store, read only: a token already spent charges no DID. */
  spentTokens?: SpentTokens;
  /** Monotonic milliseconds for the in-memory buckets. */
  limiterClock?: () => number;
  /** Where buckets live; in memory (this instance alone) when absent. */
  store?: RateLimitStore;
  /** The shared store failed: the request is counted in this instance's memory instead, until the store is back. */
  onStoreError?: (error: unknown) => void;
  /** Paths never limited (probes and scrapes). */
  exempt?: readonly string[];
  onLimited?: (scope: RateLimitScope, request: Request) => void;
}

export const RATE_LIMIT_EXEMPT_PATHS = ['/health', '/ready', '/metrics'] as const;

export function rateLimitedResponse(path: string, retryAfterSeconds: number): Response {
  const headers = { 'retry-after': String(retryAfterSeconds) };
  const message = `rate limit exceeded: retry after ${retryAfterSeconds} seconds`;
  if (path === '/graphql') {
    return Response.json({ errors: [{ message, extensions: { code: 'RATE_LIMITED', retryAfterSeconds } }] }, { status: 429, headers });
  }
  // The REST envelope (`success: false`), which the reference-compatible API under /api/reputation/ promises.
  return Response.json({ success: false, error: message, code: 'RATE_LIMITED', retryAfterSeconds }, { status: 429, headers });
}

/** A request already charged to its address, by the read path ahead of yoga (node-read-path.ts), keyed by its node request. */
type Charged = WeakMap<object, TakeResult>;

/**
 * The rate limits of one app: the plugin, and the address charge the read path ahead of yoga makes for the requests
 * it answers (node-read-path.ts), from the same buckets. A request that path charged and then hands on to yoga is not
 * charged again: the plugin finds its result.
 */
export function createRateLimits(deps: RateLimitDeps) {
  const local = memoryRateLimitStore(deps.limiterClock ?? (() => performance.now()));
  const store = deps.store ?? local;
  const byIp = deps.ipPerMinute > 0;
  const byDid = deps.didPerMinute > 0;
  const exempt = new Set(deps.exempt ?? RATE_LIMIT_EXEMPT_PATHS);
  const charged: Charged = new WeakMap();
  // A shared store that fails does not turn the limit off: this instance counts alone (as with the memory store)
  // until the store answers again. Neither an attacker who can stall the store nor an outage lifts the limit.
  const take = async (key: string, perMinute: number): Promise<TakeResult> => {
    if (store === local) return local.take(key, perMinute);
    try {
      return await store.take(key, perMinute);
    } catch (error) {
      deps.onStoreError?.(error);
      return local.take(key, perMinute);
    }
  };

  const callerDid = async (request: Request): Promise<string | null> => {
    let verified;
    try {
      const token = bearerToken(request.headers.get('authorization'));
      if (token === null) return null;
      verified = checkAuthToken(token, deps.audience, deps.clock());
    } catch {
      return null;
    }
    try {
      if (deps.spentTokens && (await deps.spentTokens.isSpent(verified.did, verified.jti))) return null;
    } catch {
      // The store is unreachable: charge the DID as before; the request itself will fail on the same store.
    }
    return verified.did;
  };

  const chargeAddress = async (request: Request, serverContext: unknown): Promise<TakeResult | null> => {
    const node = (serverContext as { req?: object } | undefined)?.req;
    const before = node ? charged.get(node) : undefined;
    if (before) return before;
    const address = clientAddress(request, serverContext, deps.trustedProxies);
    if (address === null) return null;
    const result = await take(`ip:${address}`, deps.ipPerMinute);
    if (node) charged.set(node, result);
    return result;
  };

  const plugin: Plugin =
    !byIp && !byDid
      ? {}
      : {
          async onRequest({ request, url, serverContext, endResponse }) {
            if (exempt.has(url.pathname)) return;
            if (byIp) {
              const result = await chargeAddress(request, serverContext);
              if (result !== null && !result.allowed) {
                deps.onLimited?.('ip', request);
                endResponse(rateLimitedResponse(url.pathname, result.retryAfterSeconds));
                return;
              }
            }
            if (byDid && request.headers.has('authorization')) {
              const did = await callerDid(request);
              if (did !== null) {
                const result = await take(`did:${did}`, deps.didPerMinute);
                if (!result.allowed) {
                  deps.onLimited?.('did', request);
                  endResponse(rateLimitedResponse(url.pathname, result.retryAfterSeconds));
                }
              }
            }
          },
        };

  return {
    plugin,
    /**
     * For a request without a bearer token to a limited path: its address charged (once per node request, whoever
     * asks first), and whether it may go on. A limited request is left to yoga, whose plugin answers it from the
     * same result.
     */
    async addressAllows(request: Request, serverContext: unknown): Promise<boolean> {
      if (!byIp) return true;
      const result = await chargeAddress(request, serverContext);
      return result === null || result.allowed;
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;

/**
 * Charges one token per request to the client address and, when a bearer token passes every check, replay included,
 * to its DID. A token that does not verify, or was already spent, charges no DID: neither a forged token nor a replay
 * of an agent's used one may drain that agent's bucket. Such requests count toward their sender's address only, and
 * are refused later by the request itself.
 */
export function rateLimitPlugin(deps: RateLimitDeps): Plugin {
  return createRateLimits(deps).plugin;
}
