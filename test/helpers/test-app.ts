// An in-process Credence for integration tests: a real database, the real app, requests through yoga.fetch,
// and a clock the test moves.
import { createApp, type App, type AppDeps } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { generateEd25519KeyPair, didKeyFromPublicKey, keyPairFromSeed, type Ed25519KeyPair } from '../../src/crypto/ed25519.ts';
import { issuerKeyFromPair } from '../../src/issuer/issuer-key.ts';
import { mintAuthToken } from '../../src/auth/mint-token.ts';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from './database.ts';

export interface TestKey extends Ed25519KeyPair {
  did: string;
}

export function newKey(): TestKey {
  const pair = generateEd25519KeyPair();
  return { ...pair, did: didKeyFromPublicKey(pair.publicKey) };
}

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export interface TestApp {
  app: App;
  config: Config;
  testDatabase: TestDatabase;
  admin: TestKey;
  /** The injected clock reads this. */
  now: Date;
  setNow(iso: string | Date): void;
  token(key: Ed25519KeyPair, overrides?: { audience?: string; lifetimeSeconds?: number; now?: Date }): string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, auth?: Ed25519KeyPair | string): Promise<GraphQLResponse<T>>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export const ISSUER_SEED = Buffer.alloc(32, 7);

export async function createTestApp(
  kind: TestDatabaseKind | TestDatabase,
  env: Record<string, string> = {},
  overrides: Pick<AppDeps, 'trustReports' | 'limiterClock' | 'logger' | 'readDatabase' | 'readRouterClock'> = {},
): Promise<TestApp> {
  const admin = newKey();
  const config = loadConfig({
    CREDENCE_PUBLIC_URL: 'http://localhost:4000',
    CREDENCE_DATA_DIR: 'memory://',
    CREDENCE_ADMIN_DIDS: admin.did,
    ...env,
  });
  // A database made by the caller (a replicated pair) is used as given.
  const testDatabase = typeof kind === 'string' ? await createTestDatabase(kind) : kind;
  const state = { now: new Date('2026-11-01T12:00:00Z') };
  const app = await createApp({
    config,
    database: testDatabase.database,
    issuerKey: issuerKeyFromPair(keyPairFromSeed(ISSUER_SEED)),
    clock: () => new Date(state.now),
    ...overrides,
  });

  const token: TestApp['token'] = (key, overrides = {}) =>
    mintAuthToken(key, {
      audience: overrides.audience ?? app.serviceDid,
      now: overrides.now ?? state.now,
      ...(overrides.lifetimeSeconds ? { lifetimeSeconds: overrides.lifetimeSeconds } : {}),
    });

  const fetchApp = (path: string, init?: RequestInit): Promise<Response> =>
    Promise.resolve(app.yoga.fetch(new Request(`http://localhost:4000${path}`, init)));

  return {
    app,
    config,
    testDatabase,
    admin,
    get now() {
      return state.now;
    },
    setNow(iso) {
      state.now = new Date(iso);
    },
    token,
    async gql(query, variables, auth) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth !== undefined) headers.authorization = `Bearer ${typeof auth === 'string' ? auth : token(auth)}`;
      const response = await fetchApp('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status };
    },
    fetch: fetchApp,
    close: () => testDatabase.drop(),
  };
}
