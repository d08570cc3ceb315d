// SIGKILL of the server in the middle of revokeReceipt, between its two halves: the receipt's revocation (and its
// aggregates) and the revocation of the task credentials built on it (status list bit, re-signed list). Another
// connection holds the status list's row lock, so the revocation stops exactly at the credential half; the server is
// killed there. Afterwards the receipt and its credential are both live or both revoked, never one without the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escrowVerifiedReceipt, issue } from '../helpers/credentials.ts';
import { createScene } from '../helpers/marketplace.ts';
import { ADMIN_URL, eventually, freshDatabase, recomputeCheck, startServerProcess, withPg, type ServerProcess } from './harness.ts';

const REVOKE_RECEIPT = `mutation($id: ID!) { revokeReceipt(receiptId: $id, reason: "chargeback") { __typename ... on Error { code message } } }`;

interface Revocations {
  receiptRevoked: boolean;
  credentialRevoked: boolean;
}

async function revocations(databaseUrl: string, receiptId: string): Promise<Revocations> {
  return withPg(databaseUrl, async (pg) => {
    const receipt = await pg.query<{ revoked: boolean }>('select revoked_at is not null as revoked from receipts where receipt_id = $1', [receiptId]);
    const credential = await pg.query<{ revoked: boolean }>('select revoked_at is not null as revoked from credentials where receipt_id = $1', [receiptId]);
    return { receiptRevoked: receipt.rows[0]!.revoked, credentialRevoked: credential.rows[0]!.revoked };
  });
}

/** Backends of this database other than the caller's that wait for a lock. */
async function lockWaiters(databaseUrl: string): Promise<number> {
  return withPg(databaseUrl, async (pg) => {
    const result = await pg.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
    );
    return result.rows[0]!.n;
  });
}

// Real PostgreSQL only (TEST_DATABASE_URL): the server process is killed, the database must outlive it.
describe.skipIf(!ADMIN_URL)('SIGKILL between a receipt revocation and its credentials (PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    database = await freshDatabase();
    await database.database.close();
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await database?.drop().catch(() => undefined);
  });

  it('leaves no revoked receipt with a live credential, and a retry after restart revokes both', async () => {
    server = await startServerProcess(database.url);
    const t = server.client.asTestApp();
    const scene = await createScene(t);
    const receiptId = await escrowVerifiedReceipt(t, scene);
    const issued = await issue(t, scene.agent, { type: 'TASK_COMPLETION', format: 'JWT', receiptId });
    expect(issued.__typename).toBe('IssueCredentialPayload');
    expect(await revocations(database.url, receiptId)).toEqual({ receiptRevoked: false, credentialRevoked: false });

    // Hold every status list row: revoking the credential has to lock its list, so the revocation waits right there.
    const first = server;
    await withPg(database.url, async (holder) => {
      await holder.query('begin');
      await holder.query('select list_id from credential_status_lists for update');
      const answer = first.client.gql(REVOKE_RECEIPT, { id: receiptId }, scene.platform).catch((error: unknown) => error);
      await eventually(() => lockWaiters(database.url), (n) => n > 0, 60_000, 'revocation waiting on the status list');
      await first.kill('SIGKILL');
      expect(await answer).toBeInstanceOf(Error);
      await holder.query('rollback');
    });
    // The killed server's backend finds its client gone once it gets the lock; wait until it has ended.
    await eventually(
      () => withPg(database.url, async (pg) => (await pg.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`,
      )).rows[0]!.n),
      (n) => n === 0,
      60_000,
      'the killed server\'s transaction to end',
    );

    const afterCrash = await revocations(database.url, receiptId);
    expect(afterCrash.receiptRevoked).toBe(afterCrash.credentialRevoked);
    // Nothing committed without its other half: here, nothing at all.
    expect(afterCrash).toEqual({ receiptRevoked: false, credentialRevoked: false });
    const check = await recomputeCheck(database.url);
    expect(check.code, check.stdout + check.stderr).toBe(0);

    server = await startServerProcess(database.url);
    const retried = await server.client.gql(REVOKE_RECEIPT, { id: receiptId }, scene.platform);
    expect(retried.data?.revokeReceipt?.__typename, JSON.stringify(retried)).toBe('RevokeReceiptPayload');
    expect(await revocations(database.url, receiptId)).toEqual({ receiptRevoked: true, credentialRevoked: true });
    const after = await recomputeCheck(database.url);
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });
});
