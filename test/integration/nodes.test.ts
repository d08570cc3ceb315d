// node(id:) and nodes(ids:): every Node type resolves by its global id; an id that is unknown, malformed, of a type
// that is not a Node, or of an object the caller may not see answers null in its place, the others intact.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, recordEscrow, signReceipt, SUBMIT, type Scene } from '../helpers/marketplace.ts';
import { createTestApp, newKey, type TestApp, type TestKey } from '../helpers/test-app.ts';

const NODES = /* GraphQL */ `
  query($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename id
      ... on Agent { did }
      ... on Platform { did }
      ... on Receipt { receiptId }
      ... on Credential { credentialId }
      ... on Settlement { escrowId platform }
      ... on WebhookDelivery { type agentDid }
    }
  }
`;
const NODE = /* GraphQL */ `query($id: ID!) { node(id: $id) { __typename id ... on Settlement { escrowId } ... on WebhookDelivery { type } } }`;
const base64 = (text: string) => Buffer.from(text).toString('base64');

describe.each(testDatabaseKinds)('node and nodes (%s database)', (kind) => {
  let t: TestApp;
  let scene: Scene;
  let stranger: TestKey;
  const known: Record<string, string> = {};
  const deliveryId = `evt_${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestApp(kind);
    scene = await createScene(t);
    stranger = newKey();
    known.agent = (await t.gql(`mutation { claimDid { ... on ClaimDidPayload { agent { id } } } }`, {}, scene.agent)).data.claimDid.agent.id;
    known.platform = (await t.gql(`query($did: String!) { platform(did: $did) { id } }`, { did: scene.platform.did })).data.platform.id;
    known.receipt = (await t.gql(SUBMIT, { receipt: signReceipt(t, scene, { actionCategory: 'productivity.task', actionType: 'task' }) })).data.submitReceipt.receipt.id;
    await recordEscrow(t, scene, 'esc_a/b', ['FUNDED']);
    known.settlement = (await t.gql(`query($p: String!) { settlement(platform: $p, escrowId: "esc_a/b") { id } }`, { p: scene.platform.did })).data.settlement.id;
    const issued = await t.gql(
      `mutation { issueCredential(input: { type: REPUTATION, format: JWT }) { ... on IssueCredentialPayload { credential { id } } ... on Error { code } } }`,
      {},
      scene.agent,
    );
    known.credential = issued.data.issueCredential.credential.id;
    // A delivery row as the outbox holds it (the event pipeline that writes them is tested with webhooks).
    await t.testDatabase.database.db
      .insertInto('webhook_outbox')
      .values({
        id: deliveryId,
        platform_did: scene.platform.did,
        event_type: 'trust.changed',
        agent_did: scene.agent.did,
        payload: JSON.stringify({ score: 1 }) as never,
        created_at: t.now,
        status: 'PENDING',
        attempts: 0,
        next_attempt_at: t.now,
      })
      .execute();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const unknown = [
    base64('Receipt:urn:uuid:00000000-0000-4000-8000-000000000000'),
    base64('Agent:did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'),
    base64('Settlement:did:key:z6Mknone/esc_none'),
    base64('Settlement:no-slash'),
    `evt_${'0'.repeat(32)}`,
    'not a global id',
    base64('Query:x'),
    base64('TrustReport:x'),
    base64('Nope:x'),
    base64('Receipt:a\u0000b'),
  ];

  it('resolves each Node type, and answers null for each unknown, malformed or non-Node id, the rest intact', async () => {
    const ids = [known.agent, unknown[0], known.platform, known.receipt, unknown[1], known.settlement, known.credential, ...unknown.slice(2)];
    const answer = await t.gql(NODES, { ids }, scene.platform);
    expect(answer.errors).toBeUndefined();
    const nodes = answer.data.nodes;
    expect(nodes).toHaveLength(ids.length);
    expect(nodes[0]).toMatchObject({ __typename: 'Agent', id: known.agent, did: scene.agent.did });
    expect(nodes[2]).toMatchObject({ __typename: 'Platform', id: known.platform, did: scene.platform.did });
    expect(nodes[3]).toMatchObject({ __typename: 'Receipt', id: known.receipt });
    expect(nodes[5]).toMatchObject({ __typename: 'Settlement', id: known.settlement, escrowId: 'esc_a/b', platform: scene.platform.did });
    expect(nodes[6]).toMatchObject({ __typename: 'Credential', id: known.credential });
    expect([nodes[1], nodes[4], ...nodes.slice(7)]).toEqual(Array(2 + unknown.length - 2).fill(null));
  });

  it('shows a webhook delivery only to its platform and admins; to anyone else it is null, like an unknown id', async () => {
    const ids = [known.receipt, deliveryId];
    const as = async (auth?: TestKey) => (await t.gql(NODES, { ids }, auth)).data.nodes;
    expect((await as(scene.platform))[1]).toMatchObject({ __typename: 'WebhookDelivery', id: deliveryId, type: 'trust.changed', agentDid: scene.agent.did });
    expect((await as(t.admin))[1]).toMatchObject({ __typename: 'WebhookDelivery', id: deliveryId });
    for (const outsider of [stranger, scene.agent, undefined]) {
      const nodes = await as(outsider);
      expect(nodes[0]).toMatchObject({ __typename: 'Receipt' });
      expect(nodes[1]).toBeNull();
    }
    expect((await t.gql(NODE, { id: deliveryId }, scene.platform)).data.node).toEqual({ __typename: 'WebhookDelivery', id: deliveryId, type: 'trust.changed' });
    expect((await t.gql(NODE, { id: deliveryId }, stranger)).data.node).toBeNull();
    // The delivery log hands out the same id.
    const log = await t.gql(`query($did: String!) { platform(did: $did) { webhookDeliveries(first: 5) { edges { node { id } } } } }`, { did: scene.platform.did }, scene.platform);
    expect(log.data.platform.webhookDeliveries.edges.map((edge: any) => edge.node.id)).toContain(deliveryId);
  });

  it('node(id:) answers null, without an error, for ids that name nothing', async () => {
    expect((await t.gql(NODE, { id: known.settlement })).data.node).toEqual({ __typename: 'Settlement', id: known.settlement, escrowId: 'esc_a/b' });
    for (const id of unknown) {
      const answer = await t.gql(NODE, { id });
      expect(answer.errors, id).toBeUndefined();
      expect(answer.data.node, id).toBeNull();
    }
  });

  it('takes at most 100 ids (INVALID_INPUT beyond)', async () => {
    expect((await t.gql(NODES, { ids: Array(100).fill(known.receipt) })).data.nodes).toHaveLength(100);
    const tooMany = await t.gql(NODES, { ids: Array(101).fill(known.receipt) });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });
});
