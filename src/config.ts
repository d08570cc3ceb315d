// Environment parsed once into a frozen Config; everything else takes a Config, never process.env.
import { z } from 'zod';

const adminDids = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((did) => did.trim()).filter((did) => did.length > 0));

const ConfigSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  CREDENCE_DATA_DIR: z.string().min(1).default('.credence'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  CREDENCE_PUBLIC_URL: z.url().optional(),
  CREDENCE_ADMIN_DIDS: adminDids,
  CREDENCE_ISSUER_KEY: z.string().min(1).optional(),
  CREDENCE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  CREDENCE_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  CREDENCE_PROPAGATION_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
});

export interface Config {
  databaseUrl: string | undefined;
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
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const value = parsed.data;
  return Object.freeze({
    databaseUrl: value.DATABASE_URL,
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
  });
}
