// Relay paging on every connection, both directions, against a reference: the list as the database orders it (plain
// SQL, no cursors), sliced by the Relay spec's algorithm. Forward and backward walks, every mix of first/last/after/
// before from a grid, empty pages, malformed cursors and out-of-range sizes. Lists have ties on their timestamp, so
// the id tiebreak is exercised too.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, registerPlatform, signReceipt, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

interface Page {
  keys: string[];
  cursors: string[];
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
}

interface ConnectionCase {
  name: string;
  /** The connection field with its fixed arguments; paging arguments are added. */
  field: string;
  /** Selections around the field (`agent(did: …) {` and `}`), when it is not on Query. */
  wrap?: [string, string];
  /** The node field that identifies it in the reference list. */
  key: string;
  auth?: () => TestKey;
  /** The whole list in the connection's order, straight from the database. */
  reference: () => Promise<string[]>;
}

const DEFAULT_PAGE = 20;

/** The Relay spec's algorithm over the whole list (cursors stand for positions, here the keys they were taken from). */
function expected(list: string[], args: PageArgs, keyOf: (cursor: string) => string) {
  let { first, last } = args;
  const after = args.after == null ? null : keyOf(args.after);
  const before = args.before == null ? null : keyOf(args.before);
  if (first == null && last == null) {
    if (before !== null && after === null) last = DEFAULT_PAGE;
    else first = DEFAULT_PAGE;
  }
  const start = after === null ? 0 : list.indexOf(after) + 1;
  const beforeIndex = before === null ? list.length : list.indexOf(before);
  // `after` at or beyond `before`: an empty window.
  const end = Math.max(beforeIndex, start);
  let from = start;
  let to = end;
  if (first != null) to = Math.min(to, from + first);
  if (last != null) from = Math.max(from, to - last);
  return {
    keys: list.slice(from, to),
    // Exact both ways: something before the window (the `after` row at least) / at or after `before`.
    hasPreviousPage: last != null ? end - start > last : start > 0,
    hasNextPage: first != null ? end - start > first : beforeIndex < list.length,
  };
}

describe.each(testDatabaseKinds)('Relay paging on every connection (%s database)', (kind) => {
  let t: TestApp;
  let scene: Scene;
  let stranger: TestKey;
  const evtId = () => `evt_${randomBytes(16).toString('hex')}`;
  const deliveryIds: string[] = [];

  async function page(connection: ConnectionCase, args: PageArgs): Promise<{ page?: Page; errors?: Array<{ extensions?: { code?: string } }> }> {
    const [open, close] = connection.wrap ?? ['', ''];
    const query = `query($first: Int, $last: Int, $after: String, $before: String) { ${open} ${connection.field.replace(
      /\)$|$/,
      (end) => (end ? ', first: $first, last: $last, after: $after, before: $before)' : '(first: $first, last: $last, after: $after, before: $before)'),
    )} {
      edges { cursor node { key: ${connection.key} } }
      pageInfo { startCursor endCursor hasPreviousPage hasNextPage }
    } ${close} }`;
    const answer = await t.gql(query, args as Record<string, unknown>, connection.auth?.());
    if (answer.errors) return { errors: answer.errors };
    let data = answer.data;
    for (const part of [connection.wrap ? connection.wrap[0].split('(')[0]!.trim() : null, connection.field.split('(')[0]!.trim()]) {
      if (part) data = data[part];
    }
    return {
      page: {
        keys: data.edges.map((edge: any) => edge.node.key),
        cursors: data.edges.map((edge: any) => edge.cursor),
        pageInfo: data.pageInfo,
      },
    };
  }

  const cases: ConnectionCase[] = [];

  beforeAll(async () => {
    t = await createTestApp(kind, { CREDENCE_RATE_LIMIT_IP_PER_MINUTE: '0', CREDENCE_RATE_LIMIT_DID_PER_MINUTE: '0' });
    scene = await createScene(t);
    stranger = newKey();
    const db = t.testDatabase.database.db;
    const claimed = await t.gql(`mutation { claimDid { __typename } }`, {}, scene.agent);
    expect(claimed.data.claimDid.__typename).toBe('ClaimDidPayload');

    // Nine receipts, three and two of them at the same instant.
    const base = t.now.getTime() - 10 * 86_400_000;
    const hours = [0, 0, 0, 1, 2, 2, 3, 4, 5];
    const receipts = hours.map((hour, index) => ({
      receipt: signReceipt(t, scene, {
        actionCategory: 'productivity.task',
        actionType: 'task_done',
        outcome: index % 3 === 1 ? 'rejected' : 'accepted',
        occurredAt: new Date(base + hour * 3_600_000).toISOString(),
      }),
    }));
    const submitted = await t.gql(
      `mutation($receipts: [ReceiptSubmissionInput!]!) { submitReceipts(receipts: $receipts) { __typename ... on SubmitReceiptsPayload { results { __typename } } } }`,
      { receipts },
    );
    expect(submitted.data.submitReceipts.results.map((r: any) => r.__typename)).toEqual(hours.map(() => 'SubmitReceiptPayload'));

    // Five more platforms, three registered at the same instant as the scene's.
    for (let index = 0; index < 5; index++) {
      if (index === 3) t.setNow(new Date(t.now.getTime() + 1_000));
      await registerPlatform(t, newKey(), index % 2 === 0);
    }

    // Reputation credentials in both formats at the same instant, on four days.
    for (let day = 0; day < 4; day++) {
      t.setNow(new Date(t.now.getTime() + 25 * 3_600_000));
      for (const format of ['JWT', 'JSON_LD']) {
        const issued = await t.gql(
          `mutation($input: IssueCredentialInput!) { issueCredential(input: $input) { __typename ... on Error { code message } } }`,
          { input: { type: 'REPUTATION', format } },
          scene.agent,
        );
        expect(issued.data.issueCredential.__typename).toBe('IssueCredentialPayload');
      }
    }

    // Webhook deliveries are written straight into the outbox: how many events a change makes is the event
    // pipeline's business (tested with it); here the log's paging is under test. Ties on created_at again.
    const minutes = [0, 0, 1, 1, 1, 2, 3, 3];
    const rows = minutes.map((minute, index) => {
      const delivered = index % 3 === 0;
      const id = evtId();
      deliveryIds.push(id);
      return {
        id,
        platform_did: scene.platform.did,
        event_type: 'trust.changed' as const,
        agent_did: scene.agent.did,
        payload: JSON.stringify({ n: index }),
        created_at: new Date(base + minute * 60_000),
        status: delivered ? ('DELIVERED' as const) : ('PENDING' as const),
        attempts: delivered ? 1 : 0,
        next_attempt_at: new Date(base),
        delivered_at: delivered ? new Date(base + 3_600_000) : null,
      };
    });
    const otherPlatform = newKey();
    await registerPlatform(t, otherPlatform);
    rows.push({ ...rows[0]!, id: evtId(), platform_did: otherPlatform.did });
    await db.insertInto('webhook_outbox').values(rows as never).execute();

    const ids = async (query: { execute(): Promise<Array<{ key: string }>> }) => (await query.execute()).map((row) => row.key);
    const agentWrap = (did: string): [string, string] => [`agent(did: "${did}") {`, '}'];
    cases.push(
      {
        name: 'Query.receipts',
        field: `receipts(did: "${scene.agent.did}")`,
        key: 'receiptId',
        reference: () =>
          ids(db.selectFrom('receipts').select('receipt_id as key').where('subject_did', '=', scene.agent.did).orderBy('occurred_at', 'desc').orderBy('receipt_id', 'desc')),
      },
      {
        name: 'Query.receipts with a filter',
        field: `receipts(did: "${scene.agent.did}", filter: { outcomes: ["accepted"] })`,
        key: 'receiptId',
        reference: () =>
          ids(
            db
              .selectFrom('receipts')
              .select('receipt_id as key')
              .where('subject_did', '=', scene.agent.did)
              .where('outcome', '=', 'accepted')
              .orderBy('occurred_at', 'desc')
              .orderBy('receipt_id', 'desc'),
          ),
      },
      {
        name: 'Agent.receipts',
        field: 'receipts',
        wrap: agentWrap(scene.agent.did),
        key: 'receiptId',
        reference: () =>
          ids(db.selectFrom('receipts').select('receipt_id as key').where('subject_did', '=', scene.agent.did).orderBy('occurred_at', 'desc').orderBy('receipt_id', 'desc')),
      },
      {
        name: 'Query.credentials',
        field: `credentials(did: "${scene.agent.did}")`,
        key: 'credentialId',
        reference: () => ids(db.selectFrom('credentials').select('id as key').where('subject_did', '=', scene.agent.did).orderBy('issued_at', 'desc').orderBy('id', 'desc')),
      },
      {
        name: 'Agent.credentials',
        field: 'credentials',
        wrap: agentWrap(scene.agent.did),
        key: 'credentialId',
        reference: () => ids(db.selectFrom('credentials').select('id as key').where('subject_did', '=', scene.agent.did).orderBy('issued_at', 'desc').orderBy('id', 'desc')),
      },
      {
        name: 'Query.platforms',
        field: 'platforms',
        key: 'did',
        reference: () => ids(db.selectFrom('platforms').select('did as key').orderBy('registered_at', 'asc').orderBy('did', 'asc')),
      },
      {
        name: 'Platform.webhookDeliveries',
        field: 'webhookDeliveries',
        wrap: [`platform(did: "${scene.platform.did}") {`, '}'],
        key: 'id',
        auth: () => scene.platform,
        reference: () =>
          ids(db.selectFrom('webhook_outbox').select('id as key').where('platform_did', '=', scene.platform.did).orderBy('created_at', 'desc').orderBy('id', 'desc')),
      },
      {
        name: 'Platform.webhookDeliveries with a status',
        field: 'webhookDeliveries(status: DELIVERED)',
        wrap: [`platform(did: "${scene.platform.did}") {`, '}'],
        key: 'id',
        auth: () => t.admin,
        reference: () =>
          ids(
            db
              .selectFrom('webhook_outbox')
              .select('id as key')
              .where('platform_did', '=', scene.platform.did)
              .where('status', '=', 'DELIVERED')
              .orderBy('created_at', 'desc')
              .orderBy('id', 'desc'),
          ),
      },
    );
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  /** The whole list through the connection, checked against the reference, and each key's cursor. */
  async function whole(connection: ConnectionCase) {
    const reference = await connection.reference();
    const answer = await page(connection, { first: 100 });
    expect(answer.errors, connection.name).toBeUndefined();
    const all = answer.page!;
    expect(all.keys, connection.name).toEqual(reference);
    const cursorOf = new Map(all.keys.map((key, index) => [key, all.cursors[index]!]));
    const keyOf = new Map(all.cursors.map((cursor, index) => [cursor, all.keys[index]!]));
    return { reference, cursorOf, keyOf: (cursor: string) => keyOf.get(cursor)! };
  }

  function checkPage(got: Page, want: ReturnType<typeof expected>, cursorOf: Map<string, string>, label: string) {
    expect(got.keys, label).toEqual(want.keys);
    expect({ hasPreviousPage: got.pageInfo.hasPreviousPage, hasNextPage: got.pageInfo.hasNextPage }, label).toEqual({
      hasPreviousPage: want.hasPreviousPage,
      hasNextPage: want.hasNextPage,
    });
    // A key's cursor is the same in every page it appears on; empty pages have no cursors.
    expect(got.cursors, label).toEqual(want.keys.map((key) => cursorOf.get(key)));
    expect(got.pageInfo.startCursor, label).toBe(got.cursors[0] ?? null);
    expect(got.pageInfo.endCursor, label).toBe(got.cursors.at(-1) ?? null);
  }

  it('has lists long enough to page, with ties on the timestamp', async () => {
    const lengths = Object.fromEntries(await Promise.all(cases.map(async (connection) => [connection.name, (await connection.reference()).length])));
    expect(lengths).toEqual({
      'Query.receipts': 9,
      'Query.receipts with a filter': 6,
      'Agent.receipts': 9,
      'Query.credentials': 8,
      'Agent.credentials': 8,
      'Query.platforms': 7,
      'Platform.webhookDeliveries': 8,
      'Platform.webhookDeliveries with a status': 3,
    });
  });

  it.each([1, 2, 3])('walks every connection forward with first: %i and back with last of the same size', async (size) => {
    for (const connection of cases) {
      const { reference, cursorOf, keyOf } = await whole(connection);
      const forward: string[] = [];
      let args: PageArgs = { first: size };
      for (let pages = 0; pages <= reference.length; pages++) {
        const got = (await page(connection, args)).page!;
        checkPage(got, expected(reference, args, keyOf), cursorOf, `${connection.name} forward ${JSON.stringify(args)}`);
        expect(got.pageInfo.hasPreviousPage).toBe(pages > 0);
        forward.push(...got.keys);
        if (!got.pageInfo.hasNextPage) break;
        args = { first: size, after: got.pageInfo.endCursor };
      }
      expect(forward, connection.name).toEqual(reference);

      const backward: string[] = [];
      args = { last: size };
      for (let pages = 0; pages <= reference.length; pages++) {
        const got = (await page(connection, args)).page!;
        checkPage(got, expected(reference, args, keyOf), cursorOf, `${connection.name} backward ${JSON.stringify(args)}`);
        expect(got.pageInfo.hasNextPage).toBe(pages > 0);
        backward.unshift(...got.keys);
        if (!got.pageInfo.hasPreviousPage) break;
        args = { last: size, before: got.pageInfo.startCursor };
      }
      expect(backward, connection.name).toEqual(reference);
    }
  }, 240_000);

  it('answers every mix of first, last, after and before like the reference', async () => {
    for (const connection of cases) {
      const { reference, cursorOf, keyOf } = await whole(connection);
      const n = reference.length;
      const at = (index: number) => cursorOf.get(reference[index]!)!;
      const grid: PageArgs[] = [];
      for (const after of [null, at(0), at(2), at(n - 1)]) {
        for (const before of [null, at(0), at(n - 2)]) {
          for (const first of [null, 0, 2, 100]) {
            for (const last of [null, 0, 2, 100]) grid.push({ first, last, after, before });
          }
        }
      }
      // Run a few at a time: the real PostgreSQL pool serves them side by side.
      for (let offset = 0; offset < grid.length; offset += 8) {
        await Promise.all(
          grid.slice(offset, offset + 8).map(async (args) => {
            const label = `${connection.name} ${JSON.stringify({ ...args, after: args.after && keyOf(args.after), before: args.before && keyOf(args.before) })}`;
            const answer = await page(connection, args);
            expect(answer.errors, label).toBeUndefined();
            checkPage(answer.page!, expected(reference, args, keyOf), cursorOf, label);
          }),
        );
      }
    }
  }, 600_000);

  it('pages of size zero are empty, with null cursors and flags that say what is on either side', async () => {
    for (const connection of cases) {
      const { reference, cursorOf, keyOf } = await whole(connection);
      const middle = cursorOf.get(reference[3]!)!;
      for (const args of [{ first: 0 }, { last: 0 }, { first: 0, after: middle }, { last: 0, before: middle }, { last: 0, after: middle }]) {
        const got = (await page(connection, args)).page!;
        expect(got.keys).toEqual([]);
        expect(got.pageInfo.startCursor).toBeNull();
        expect(got.pageInfo.endCursor).toBeNull();
        checkPage(got, expected(reference, args, keyOf), cursorOf, `${connection.name} ${JSON.stringify(args)}`);
      }
      // first: 0 on a non-empty list: there is a next page, nothing before it.
      expect((await page(connection, { first: 0 })).page!.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      // Beyond either end.
      const lastCursor = cursorOf.get(reference.at(-1)!)!;
      const firstCursor = cursorOf.get(reference[0]!)!;
      expect((await page(connection, { first: 5, after: lastCursor })).page).toMatchObject({ keys: [], pageInfo: { hasNextPage: false, hasPreviousPage: true } });
      expect((await page(connection, { last: 5, before: firstCursor })).page).toMatchObject({ keys: [], pageInfo: { hasNextPage: true, hasPreviousPage: false } });
      // `before` alone: the page nearest it, walking back.
      const nearest = (await page(connection, { before: lastCursor })).page!;
      expect(nearest.keys).toEqual(reference.slice(0, -1).slice(-DEFAULT_PAGE));
    }
  }, 240_000);

  it('refuses malformed and foreign cursors and sizes outside 0..100 with INVALID_INPUT, for after and before alike', async () => {
    const platformCursor = (await page(cases.find((c) => c.name === 'Query.platforms')!, { first: 1 })).page!.cursors[0]!;
    const receiptCursor = (await page(cases[0]!, { first: 1 })).page!.cursors[0]!;
    const tuple = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const connection of cases) {
      const own = (await page(connection, { first: 1 })).page!.cursors[0]!;
      const [version, list, time, id] = JSON.parse(Buffer.from(own, 'base64url').toString('utf8'));
      expect(version).toBe(1);
      const foreign = list === 'Platform' ? receiptCursor : platformCursor;
      const bad = [
        'garbage!',
        '',
        'bm9wZQ',
        foreign,
        tuple([2, list, time, id]),
        tuple([version, list, 'yesterday', id]),
        tuple([version, list, time, 'a\u0000b']),
        tuple([version, list, time, '\ud800']),
        tuple([version, list, time]),
        Buffer.from(`${time}|${id}`).toString('base64url'),
        'A'.repeat(5_000),
      ];
      for (const cursor of bad) {
        for (const argument of ['after', 'before'] as const) {
          const answer = await page(connection, { [argument]: cursor, ...(argument === 'before' ? { last: 2 } : { first: 2 }) });
          const label = `${connection.name} ${argument}: ${cursor.slice(0, 40)}`;
          expect(answer.errors?.[0]?.extensions?.code, label).toBe('INVALID_INPUT');
        }
      }
      for (const args of [{ first: -1 }, { first: 101 }, { last: -1 }, { last: 101 }]) {
        const answer = await page(connection, args);
        expect(answer.errors?.[0]?.extensions?.code, `${connection.name} ${JSON.stringify(args)}`).toBe('INVALID_INPUT');
      }
    }
  }, 240_000);

  it('keeps a platform\'s deliveries private, whichever way they are paged', async () => {
    const deliveries = cases.find((c) => c.name === 'Platform.webhookDeliveries')!;
    for (const args of [{ first: 2 }, { last: 2 }]) {
      expect((await page({ ...deliveries, auth: () => stranger }, args)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await page({ ...deliveries, auth: undefined }, args)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(deliveryIds).toHaveLength(8);
  });
});
