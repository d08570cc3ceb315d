// Rate-limit buckets in Redis (CREDENCE_REDIS_URL): every instance that uses the same Redis draws from one bucket per
// key. The same token bucket as the in-memory and PostgreSQL stores (a minute's worth of capacity, refilled
// continuously), run as one Lua script so that a take is atomic across instances. ioredis sends it by its SHA and
// loads it again if the server has forgotten it.
import { Redis, type RedisOptions } from 'ioredis';
import type { RateLimitStore, TakeResult } from './rate-limit.ts';

/**
 * KEYS[1]: the bucket. ARGV: capacity (= per minute), cost, now (ms). Returns {allowed (0|1), tokens left, as text
 * so the fraction survives}. A refused take still records the refill, as the other stores do; updated_ms only moves
 * forward, so a lagging clock never refills backwards. The key expires when the bucket would be full again, which is
 * the same as no key: nothing to sweep.
 */
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local per_ms = capacity / 60000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated_ms')
local tokens = capacity
local updated = now
if state[1] and state[2] then
  local last = tonumber(state[2])
  tokens = math.min(capacity, tonumber(state[1]) + math.max(0, now - last) * per_ms)
  updated = math.max(last, now)
end
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
local text = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', text, 'updated_ms', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) / per_ms) + (updated - now)))
return {allowed, text}
`;

type TakeCommand = (key: string, capacity: number, cost: number, now: number) => Promise<[number, string]>;

export interface RedisRateLimitStoreOptions {
  /** Wall-clock milliseconds (instances share buckets, so a process-local monotonic clock will not do). */
  now?: () => number;
  /** Prefix of every bucket key, so several deployments (or test runs) can share one Redis. */
  keyPrefix?: string;
}

export const DEFAULT_REDIS_KEY_PREFIX = 'credence:rate-limit:';

/** The store over a connected client; the caller owns the client (and closes it). */
export function redisRateLimitStore(redis: Redis, options: RedisRateLimitStoreOptions = {}): RateLimitStore {
  const now = options.now ?? (() => Date.now());
  const prefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  if (!('credenceTakeToken' in redis)) redis.defineCommand('credenceTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const takeToken = (redis as unknown as { credenceTakeToken: TakeCommand }).credenceTakeToken.bind(redis);
  return {
    kind: 'redis',
    async take(key, perMinute, cost = 1): Promise<TakeResult> {
      const [allowed, text] = await takeToken(`${prefix}${perMinute}:${key}`, perMinute, cost, now());
      const tokens = Number(text);
      if (allowed === 1) return { allowed: true, remaining: Math.floor(tokens) };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / (perMinute / 60_000) / 1000)) };
    },
  };
}

/**
 * A client for rate limiting: a take that cannot be sent at once fails at once (no offline queue, no retries, a
 * short command timeout), so an unreachable Redis costs a request a fallback, not a wait. It reconnects on its own.
 */
export function openRateLimitRedis(url: string, options: Partial<RedisOptions> = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
}

/** Resolves true once the client is ready, false if it is not within `timeoutMs` (it keeps trying after that). */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
