// A database outage under load, without restarting PostgreSQL (it is shared): the service's connections are
// terminated and its database refuses new ones. /ready must say 503 while it lasts, the process must stay up and
// keep answering, and everything must recover on its own once connections are allowed again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, eventually, freshDatabase, seededKey, startServerProcess, withPg, type ServerProcess } from './harness.ts';

// Real PostgreSQL only (TEST_DATABASE_URL): the outage is made with ALTER DATABASE and pg_terminate_backend.
describe.skipIf(!ADMIN_URL)('database outage under load (PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let name: string;
  let server: ServerProcess | undefined;

  const allowConnections = (allow: boolean) =>
    withPg(ADMIN_URL!, async (admin) => {
      await admin.query(`alter database ${name} allow_connections ${allow}`);
      if (!allow) await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    });

  beforeAll(async () => {
    database = await freshDatabase();
    await database.database.close();
    name = new URL(database.url).pathname.slice(1);
  });
  afterAll(async () => {
    await allowConnections(true).catch(() => undefined);
    await server?.kill('SIGKILL');
    await database?.drop().catch(() => undefined);
  });

  it('reports not ready during the outage and recovers without a restart', async () => {
    server = await startServerProcess(database.url);
    const pid = server.pid;
    const ready = async () => (await server!.client.fetch('/ready')).status;
    expect(await ready()).toBe(200);

    // Load: trust reads from four clients until told to stop; every answer is recorded.
    const dids = Array.from({ length: 8 }, (_, i) => seededKey(60 + i).did);
    const answers: Array<{ status: number; ok: boolean }> = [];
    const transportErrors: string[] = [];
    let running = true;
    const load = Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; running; i += 1) {
        try {
          const answer = await server!.client.gql(`query($did: String!) { trust(did: $did) { did tier } }`, { did: dids[(i + c) % dids.length] });
          answers.push({ status: answer.status, ok: answer.data?.trust?.did === dids[(i + c) % dids.length] });
        } catch (error) {
          transportErrors.push(String(error));
        }
      }
    });

    await eventually(async () => answers.length, (n) => n >= 20, 60_000, 'reads before the outage');
    const beforeOutage = answers.length;
    const outageAt = performance.now();
    await allowConnections(false);
    const during = await eventually(ready, (status) => status === 503, 30_000, '/ready during the outage');
    expect(during).toBe(503);
    const notReadyMs = Math.round(performance.now() - outageAt);
    expect(await (await server.client.fetch('/ready')).json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
    // Reads during the outage fail as clean GraphQL errors, not dropped connections.
    const outageStart = answers.length;
    await eventually(async () => answers.length, (n) => n >= outageStart + 20, 60_000, 'reads during the outage');
    const duringOutage = answers.slice(outageStart);
    expect(duringOutage.some((answer) => !answer.ok)).toBe(true);
    expect(transportErrors).toEqual([]);

    const restoredAt = performance.now();
    await allowConnections(true);
    const after = await eventually(ready, (status) => status === 200, 60_000, '/ready after the outage');
    const readyAgainMs = Math.round(performance.now() - restoredAt);
    expect(after).toBe(200);
    const recovered = answers.length;
    await eventually(async () => answers.slice(recovered).filter((answer) => answer.ok).length, (n) => n >= 20, 60_000, 'good reads after the outage');
    running = false;
    await Promise.all(load);

    // The same process throughout.
    expect(server.exitCode()).toBeNull();
    expect(server.pid).toBe(pid);
    expect(transportErrors).toEqual([]);
    const body = await (await server.client.fetch('/ready')).json();
    expect(body).toEqual({ status: 'ready' });
    console.log(
      `database-outage: /ready 503 within ${notReadyMs} ms of the outage, 200 again ${readyAgainMs} ms after connections were allowed; ` +
        `${beforeOutage} reads before, ${duringOutage.length} during (${duringOutage.filter((a) => !a.ok).length} failed cleanly), ` +
        `${answers.length - recovered} after recovery; statuses during: ${[...new Set(duringOutage.map((a) => a.status))].join(',')}`,
    );
  });
});
