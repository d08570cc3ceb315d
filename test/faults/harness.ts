// Shared by the fault tests: fresh PostgreSQL databases, `credence serve` processes on free ports, signed receipt
// batches, and reads straight from the database.
import { createServer } from 'node:net';
import pg from 'pg';
import { signTaskReceipt } from '../../src/client/signing.ts';
import { keyPairFromSeed, didKeyFromPublicKey } from '../../src/crypto/ed25519.ts';
import { didWebFromUrl } from '../../src/issuer/did-web.ts';
import { runCli, spawnCli, waitFor, type CliResult } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { httpTestClient, type HttpTestClient } from '../helpers/http-client.ts';
import { receiptInput, registerPlatform } from '../helpers/marketplace.ts';
import type { TestKey } from '../helpers/test-app.ts';

export const ADMIN_URL = process.env.TEST_DATABASE_URL;
/** Every instance shares this public URL, so they are one service with one DID. */
export const PUBLIC_URL = 'http://localhost:4000';
export const SERVICE_DID = didWebFromUrl(PUBLIC_URL);

export function seededKey(seed: number): TestKey {
  const pair = keyPairFromSeed(Buffer.alloc(32, seed));
  return { ...pair, did: didKeyFromPublicKey(pair.publicKey) };
}

export const ADMIN = seededKey(201);
const ISSUER_SEED_HEX = Buffer.alloc(32, 202).toString('hex');

export function serviceEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    CREDENCE_PUBLIC_URL: PUBLIC_URL,
    CREDENCE_ISSUER_KEY: ISSUER_SEED_HEX,
    CREDENCE_ADMIN_DIDS: ADMIN.did,
    CREDENCE_LOG_LEVEL: 'warn',
    CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0',
    CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '0',
    CREDENCE_RATE_LIMIT_DID_PER_MINUTE: '0',
    ...extra,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  client: HttpTestClient;
  pid: number;
  /** Null while running. */
  exitCode(): number | null;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `credence serve` in its own process, answering /health. */
export async function startServerProcess(databaseUrl: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawnCli(['serve'], serviceEnv(databaseUrl, { PORT: String(port), ...extra }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/health`, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`server did not start: ${String(error)}\n${child.output()}`);
  }
  return {
    url,
    client: httpTestClient(url, SERVICE_DID, ADMIN),
    pid: child.pid!,
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
    output: () => child.output(),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function freshDatabase(): Promise<TestDatabase & { url: string }> {
  const database = await createTestDatabase('postgres');
  return database as TestDatabase & { url: string };
}

/** `credence recompute --check` against a database; its exit code and output. */
export function recomputeCheck(databaseUrl: string): Promise<CliResult> {
  return runCli(['recompute', '--check'], serviceEnv(databaseUrl));
}

export async function approvedPlatform(server: ServerProcess, platform: TestKey): Promise<void> {
  await registerPlatform(server.client.asTestApp(), platform);
}

export interface Batch {
  index: number;
  ids: string[];
  receipts: string[];
}

/**
 * `count` batches of `size` receipts signed by `platform` about `agents` (subjects overlap across batches), each
 * with its own buyer so no receipt is self-dealing.
 */
export function signedBatches(platform: TestKey, agents: TestKey[], buyers: TestKey[], count: number, size: number, tag: string): Batch[] {
  const now = new Date();
  const batches: Batch[] = [];
  for (let index = 0; index < count; index += 1) {
    const ids: string[] = [];
    const receipts: string[] = [];
    for (let i = 0; i < size; i += 1) {
      const n = index * size + i;
      const id = `00000000-0000-4000-8000-${tag.padStart(4, '0').slice(-4)}${String(n).padStart(8, '0')}`;
      const scene = { platform, agent: agents[n % agents.length]!, buyer: buyers[(n * 7 + index) % buyers.length]! };
      const outcome = n % 11 === 0 ? 'disputed' : 'accepted';
      const input = receiptInput(scene, { outcome, occurredAt: new Date(now.getTime() - (1 + (n % 500)) * 3_600_000).toISOString() }, now);
      receipts.push(signTaskReceipt(platform, input, { now, receiptId: id }));
      ids.push(id);
    }
    batches.push({ index, ids, receipts });
  }
  return batches;
}

export const SUBMIT_BATCH = `mutation($receipts: [ReceiptSubmissionInput!]!) {
  submitReceipts(receipts: $receipts) {
    __typename
    ... on SubmitReceiptsPayload { results { __typename ... on SubmitReceiptPayload { duplicate } ... on Error { code message } } }
    ... on Error { code message }
  }
}`;

/** Sends a batch; true only when the server acknowledged every receipt in it as stored (or already stored). */
export async function submitBatch(client: HttpTestClient, batch: Batch): Promise<boolean> {
  const answer = await client.gql(SUBMIT_BATCH, { receipts: batch.receipts.map((receipt) => ({ receipt })) });
  const results = answer.data?.submitReceipts?.results as Array<{ __typename: string }> | undefined;
  if (!results || results.length !== batch.ids.length) throw new Error(`unexpected answer: ${JSON.stringify(answer).slice(0, 500)}`);
  const refused = results.filter((result) => result.__typename !== 'SubmitReceiptPayload');
  if (refused.length > 0) throw new Error(`receipts refused: ${JSON.stringify(refused.slice(0, 3))}`);
  return true;
}

/** Direct reads, bypassing the service. */
export async function withPg<T>(databaseUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function storedIds(databaseUrl: string, ids?: readonly string[]): Promise<Set<string>> {
  return withPg(databaseUrl, async (client) => {
    const result = ids
      ? await client.query<{ receipt_id: string }>('select receipt_id from receipts where receipt_id = any($1)', [ids])
      : await client.query<{ receipt_id: string }>('select receipt_id from receipts');
    return new Set(result.rows.map((row) => row.receipt_id));
  });
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}
