// Badges, profile pages and credential pages through the running app: a real agent's badge and profile, the unknown
// and the invalid, label and style options, caching (ETag, 304), the shields.io JSON format, and the HTML security
// headers.
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_STYLES } from '../../src/web/badges/badge-svg.ts';
import { computeEtag, MAX_LABEL_LENGTH, TIER_COLORS } from '../../src/web/badges/trust-badge.ts';
import { NAMED_COLORS } from '../../src/web/badges/badge-svg.ts';
import { CONTENT_SECURITY_POLICY, HTML_SECURITY_HEADERS } from '../../src/web/pages/layout.ts';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createScene, signReceipt, SUBMIT } from '../helpers/marketplace.ts';
import { buildAgentWithHistory, CLAIM, HOSTILE_NAME, type AgentWithHistory } from '../helpers/profile.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

/**
 * The shields.io endpoint-badge format (https://shields.io/badges/endpoint-badge): `schemaVersion` 1 and a `message`
 * are required; the other keys are optional and typed; nothing else is allowed.
 */
const SHIELDS_ENDPOINT_SCHEMA = {
  type: 'object',
  required: ['schemaVersion', 'label', 'message', 'color'],
  additionalProperties: false,
  properties: {
    schemaVersion: { const: 1 },
    label: { type: 'string' },
    message: { type: 'string', minLength: 1 },
    color: { type: 'string', minLength: 1 },
    labelColor: { type: 'string' },
    isError: { type: 'boolean' },
    namedLogo: { type: 'string' },
    logoSvg: { type: 'string' },
    logoColor: { type: 'string' },
    logoWidth: { type: 'number' },
    style: { enum: ['flat', 'flat-square', 'plastic', 'for-the-badge', 'social'] },
    cacheSeconds: { type: 'integer', minimum: 300 },
  },
} as const;
const validateShields = new Ajv({ strict: true, allErrors: true }).compile(SHIELDS_ENDPOINT_SCHEMA);

const TRUST = `query($did: String!) { trust(did: $did) { score tier } }`;

/** The visible texts of a badge (the label and message `<text>` elements, not their shadows). */
function badgeTexts(svg: string): { label?: string; message?: string } {
  const label = /<text class="label"[^>]*>([^<]*)<\/text>/.exec(svg)?.[1];
  const message = /<text class="message"[^>]*>([^<]*)<\/text>/.exec(svg)?.[1];
  return { label, message };
}

describe.each(testDatabaseKinds)('badges and pages on %s database', (kind) => {
  let t: TestApp;
  let agent: AgentWithHistory;
  let did: string;
  let expected: { score: string; tier: keyof typeof TIER_COLORS };

  beforeAll(async () => {
    t = await createTestApp(kind);
    agent = await buildAgentWithHistory(t, { displayName: HOSTILE_NAME });
    did = agent.scene.agent.did;
    const { data } = await t.gql(TRUST, { did });
    // The API's number as the badge and the page write it: one decimal, the same rule everywhere.
    expected = { score: String(data.trust.score), tier: data.trust.tier };
  });
  afterAll(async () => {
    await t.close();
  });

  describe('SVG badge', () => {
    it('shows the tier and score of an agent with history, in the tier colour, cached five minutes with an ETag', async () => {
      const response = await t.fetch(`/badge/${did}.svg`);
      const body = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
      expect(response.headers.get('etag')).toBe(computeEtag(body));
      expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(Number(expected.score)).toBeGreaterThan(0);
      expect(badgeTexts(body)).toEqual({ label: 'trust', message: `${expected.tier} \u00b7 ${expected.score}` });
      expect(body).toContain(`fill="${NAMED_COLORS[TIER_COLORS[expected.tier]]}"`);
      expect(body).toContain(`aria-label="trust: ${expected.tier} \u00b7 ${expected.score}"`);
    });

    it('takes the DID percent-encoded as well as plain', async () => {
      const plain = await (await t.fetch(`/badge/${did}.svg`)).text();
      const encoded = await t.fetch(`/badge/${encodeURIComponent(did)}.svg`);
      expect(encoded.status).toBe(200);
      expect(await encoded.text()).toBe(plain);
    });

    it('says "no data" in grey for a valid DID nobody reported on, claimed or not', async () => {
      for (const subject of [newKey(), agent.scene.buyer]) {
        const response = await t.fetch(`/badge/${subject.did}.svg`);
        const body = await response.text();
        expect(response.status).toBe(200);
        expect(badgeTexts(body)).toEqual({ label: 'trust', message: 'no data' });
        expect(body).toContain(`fill="${NAMED_COLORS.lightgrey}"`);
      }
      const claimedOnly = newKey();
      await t.gql(CLAIM, { input: { displayName: 'New agent' } }, claimedOnly);
      expect(badgeTexts(await (await t.fetch(`/badge/${claimedOnly.did}.svg`)).text()).message).toBe('no data');
    });

    it('answers 400 with the red "invalid did" badge for anything that is not an Ed25519 did:key', async () => {
      const bad = [
        'not-a-did',
        'did:web:example.com',
        `${did}x`,
        'did:key:z6Mk%3Cscript%3E',
        '%E0%A4%A', // broken percent-encoding
        'did%3Akey%3A' + 'z'.repeat(700),
      ];
      for (const segment of bad) {
        const response = await t.fetch(`/badge/${segment}.svg`);
        const body = await response.text();
        expect(response.status, segment).toBe(400);
        expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
        expect(badgeTexts(body), segment).toEqual({ label: 'trust', message: 'invalid did' });
        expect(body).toContain(`fill="${NAMED_COLORS.red}"`);
        expect(body).not.toContain('<script');
      }
    });

    it('overrides the label with ?label=, escaped and capped', async () => {
      const hostile = await t.fetch(`/badge/${did}.svg?label=${encodeURIComponent('<x> & "y"')}`);
      const body = await hostile.text();
      expect(hostile.status).toBe(200);
      expect(badgeTexts(body).label).toBe('&lt;x&gt; &amp; &quot;y&quot;');
      expect(body).not.toContain('<x>');
      const long = badgeTexts(await (await t.fetch(`/badge/${did}.svg?label=${'a'.repeat(500)}`)).text()).label!;
      expect(Array.from(long).length).toBe(MAX_LABEL_LENGTH);
      expect(long.endsWith('\u2026')).toBe(true);
      // An empty label draws the message box alone.
      const bare = await (await t.fetch(`/badge/${did}.svg?label=`)).text();
      expect(badgeTexts(bare)).toEqual({ label: undefined, message: `${expected.tier} \u00b7 ${expected.score}` });
      // The label is part of the bytes, so of the ETag.
      expect(hostile.headers.get('etag')).not.toBe((await t.fetch(`/badge/${did}.svg`)).headers.get('etag'));
    });

    it('draws each style, and the default flat badge for an unknown style', async () => {
      const bodies = new Map<string, string>();
      for (const style of BADGE_STYLES) {
        const response = await t.fetch(`/badge/${did}.svg?style=${style}`);
        expect(response.status).toBe(200);
        bodies.set(style, await response.text());
      }
      const flat = bodies.get('flat')!;
      const square = bodies.get('flat-square')!;
      const big = bodies.get('for-the-badge')!;
      expect(flat).toMatch(/height="20"/);
      expect(flat).toContain('<linearGradient');
      expect(flat).toMatch(/<clipPath[^>]*><rect [^>]*rx="3"/);
      expect(square).toMatch(/height="20"/);
      expect(square).not.toContain('<linearGradient');
      expect(square).not.toContain('rx=');
      expect(big).toMatch(/height="28"/);
      expect(big).toContain('font-weight="bold"');
      expect(badgeTexts(big)).toEqual({ label: 'TRUST', message: `${expected.tier} \u00b7 ${expected.score}` });
      expect(new Set(bodies.values()).size).toBe(3);
      expect(await (await t.fetch(`/badge/${did}.svg`)).text()).toBe(flat);
      const unknownStyle = await t.fetch(`/badge/${did}.svg?style=plastic%3Cb%3E`);
      expect(unknownStyle.status).toBe(200);
      expect(await unknownStyle.text()).toBe(flat);
    });

    it('answers a matching If-None-Match with 304, for GET and HEAD', async () => {
      const first = await t.fetch(`/badge/${did}.svg`);
      const etag = first.headers.get('etag')!;
      await first.text();
      for (const method of ['GET', 'HEAD']) {
        for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
          const response = await t.fetch(`/badge/${did}.svg`, { method, headers: { 'if-none-match': header } });
          expect(response.status, `${method} ${header}`).toBe(304);
          expect(response.headers.get('etag')).toBe(etag);
          expect(response.headers.get('cache-control')).toBe('public, max-age=300');
          expect(await response.text()).toBe('');
        }
      }
      const stale = await t.fetch(`/badge/${did}.svg`, { headers: { 'if-none-match': '"stale"' } });
      expect(stale.status).toBe(200);
      expect(await stale.text()).toContain('<svg');
      const head = await t.fetch(`/badge/${did}.svg`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('etag')).toBe(etag);
      expect(await head.text()).toBe('');
    });

    it('never answers 304 for an error badge, and refuses other methods', async () => {
      const invalid = await t.fetch('/badge/nope.svg');
      const etag = invalid.headers.get('etag')!;
      const again = await t.fetch('/badge/nope.svg', { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(400);
      expect(await again.text()).toContain('invalid did');
      const post = await t.fetch(`/badge/${did}.svg`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    });

    it('moves with the score: a new receipt changes the message and the ETag', async () => {
      const before = await t.fetch(`/badge/${did}.json`);
      const beforeEtag = before.headers.get('etag')!;
      const beforeDoc = await before.json();
      // A subject that starts from nothing: its first receipt turns "no data" into a score.
      const fresh = await createScene(t);
      const empty = await t.fetch(`/badge/${fresh.agent.did}.json`);
      const emptyEtag = empty.headers.get('etag')!;
      expect((await empty.json()).message).toBe('no data');
      await t.gql(SUBMIT, { receipt: signReceipt(t, fresh) });
      const after = await t.fetch(`/badge/${fresh.agent.did}.json`, { headers: { 'if-none-match': emptyEtag } });
      expect(after.status).toBe(200);
      expect((await after.json()).message).toMatch(/^[ABCDF] \u00b7 \d+(?:\.\d)?$/);
      expect(after.headers.get('etag')).not.toBe(emptyEtag);
      // Untouched subjects keep their ETag.
      const still = await t.fetch(`/badge/${did}.json`, { headers: { 'if-none-match': beforeEtag } });
      expect(still.status).toBe(304);
      expect(beforeDoc.message).toBe(`${expected.tier} \u00b7 ${expected.score}`);
    });
  });

  describe('shields.io endpoint JSON', () => {
    it('validates against the endpoint-badge format for scored, unknown, invalid and relabelled badges', async () => {
      const cases: Array<[string, number, Record<string, unknown>]> = [
        [`/badge/${did}.json`, 200, { label: 'trust', message: `${expected.tier} \u00b7 ${expected.score}`, color: TIER_COLORS[expected.tier] }],
        [`/badge/${newKey().did}.json`, 200, { label: 'trust', message: 'no data', color: 'lightgrey' }],
        // 200 with isError: shields.io replaces a non-2xx endpoint's badge with its own generic one.
        ['/badge/not-a-did.json', 200, { label: 'trust', message: 'invalid did', color: 'red', isError: true }],
        ['/badge/did%3Aweb%3Aexample.com.json', 200, { label: 'trust', message: 'invalid did', color: 'red', isError: true }],
        ['/badge/%E0%A4%A.json', 200, { label: 'trust', message: 'invalid did', color: 'red', isError: true }],
        [`/badge/${did}.json?label=${encodeURIComponent('<rep>')}`, 200, { label: '<rep>' }],
      ];
      for (const [path, status, fields] of cases) {
        const response = await t.fetch(path);
        expect(response.status, path).toBe(status);
        expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(response.headers.get('cache-control')).toBe('public, max-age=300');
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        const text = await response.text();
        expect(response.headers.get('etag')).toBe(computeEtag(text));
        const doc = JSON.parse(text);
        expect(validateShields(doc), JSON.stringify(validateShields.errors)).toBe(true);
        expect(doc).toMatchObject({ schemaVersion: 1, ...fields });
      }
    });

    it('supports ETag and 304 like the SVG', async () => {
      const first = await t.fetch(`/badge/${did}.json`);
      const etag = first.headers.get('etag')!;
      expect(etag).not.toBe((await t.fetch(`/badge/${did}.svg`)).headers.get('etag'));
      const second = await t.fetch(`/badge/${did}.json`, { headers: { 'if-none-match': etag } });
      expect(second.status).toBe(304);
      expect(await second.text()).toBe('');
    });
  });

  describe('profile page', () => {
    function expectHtmlHeaders(response: Response): void {
      for (const [name, value] of Object.entries(HTML_SECURITY_HEADERS)) {
        expect(response.headers.get(name), name).toBe(value);
      }
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
      expect(CONTENT_SECURITY_POLICY).not.toContain('script-src');
    }

    it('shows the score, tier, receipts, activity, credentials and badge snippets of an agent with history', async () => {
      const response = await t.fetch(`/agents/${did}`);
      const page = await response.text();
      expect(response.status).toBe(200);
      expectHtmlHeaders(response);
      expect(page).toContain(`<dd id="trust-score">${expected.score} <small>/ 100</small></dd>`);
      expect(page).toContain(`id="trust-tier" class="tier tier-${expected.tier}"`);
      expect(page).toContain(`<code id="agent-did">${did}</code>`);
      expect(page).toContain('<svg class="chart radar"');
      expect(page).toContain('id="windows-table"');
      // The receipts, newest first, with platform name, category, outcome, value and evidence.
      const receiptsTable = /<table id="receipts-table"[\s\S]*?<\/table>/.exec(page)![0];
      const rows = receiptsTable.match(/<tr role="row"><td/g) ?? [];
      expect(rows.length).toBe(agent.receipts);
      expect(receiptsTable).toContain('Test market');
      expect(receiptsTable).toContain('Paid job');
      expect(receiptsTable).toContain('Accepted');
      expect(receiptsTable).toContain('$500.00');
      expect(receiptsTable).toContain('Escrow verified');
      // The activity chart has one bar per day, coloured on the days with receipts, counted from the trust store.
      const bars = /<g class="bars">([\s\S]*?)<\/g>/.exec(page)![1]!;
      expect(bars.match(/<rect /g)?.length).toBe(90);
      const active = [...agent.days.entries()];
      expect(bars.match(/fill="#0b5cad"/g)?.length).toBe(active.length);
      for (const [day, count] of active) {
        expect(bars).toContain(`<title>${day}: ${count} receipt${count === 1 ? '' : 's'}</title>`);
      }
      // The credential, with its download and check links.
      const uuid = agent.credentialId.replace('urn:uuid:', '');
      expect(page).toContain(`href="/credentials/${uuid}" download`);
      expect(page).toContain(`href="/credentials/${uuid}/verify"`);
      expect(page).toContain('Reputation credential');
      // Badge preview and snippets.
      expect(page).toContain(`<img src="/badge/${did}.svg"`);
      // The snippet, with a line-break opportunity after each URL separator (copied, it is the plain snippet).
      expect(page.replace(/<wbr>/g, '')).toContain(`[![trust](http://localhost:4000/badge/${did}.svg)](http://localhost:4000/agents/${did})`);
      expect(page).toContain(`http://localhost:4000/badge/${did}.json`);
    });

    it('treats the hostile display name as text', async () => {
      const page = await (await t.fetch(`/agents/${did}`)).text();
      expect(page).toContain('<h1 id="agent-name">&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
      expect(page).not.toContain(HOSTILE_NAME);
      expect(page).not.toMatch(/<script/i);
    });

    it('shows an unclaimed DID with receipts', async () => {
      const unclaimed = await createScene(t);
      await t.gql(SUBMIT, { receipt: signReceipt(t, unclaimed, { actionCategory: 'productivity.task', value: undefined }) });
      const response = await t.fetch(`/agents/${unclaimed.agent.did}`);
      const page = await response.text();
      expect(response.status).toBe(200);
      expect(page).toContain('<h1 id="agent-name">Unclaimed DID</h1>');
      expect(page).toContain('Platform signed');
      // A task without a value shows no value, not $0.00.
      expect(page).toContain('<td role="cell" data-label="Value" class="num">\u2014</td>');
    });

    it('answers 404 for a DID nothing is known about and 400 for a non-DID, both as safe HTML', async () => {
      const unknown = newKey().did;
      const notFound = await t.fetch(`/agents/${unknown}`);
      expect(notFound.status).toBe(404);
      expectHtmlHeaders(notFound);
      const notFoundPage = await notFound.text();
      expect(notFoundPage).toContain('No profile for this DID');
      expect(notFoundPage).toContain(unknown);

      const invalid = await t.fetch(`/agents/${encodeURIComponent('did:key:<img src=x onerror=alert(1)>')}`);
      expect(invalid.status).toBe(400);
      expectHtmlHeaders(invalid);
      const invalidPage = await invalid.text();
      expect(invalidPage).toContain('That is not a valid DID');
      expect(invalidPage).toContain('did:key:&lt;img src=x onerror=alert(1)&gt;');
      expect(invalidPage).not.toContain('<img src=x');
      for (const segment of ['%E0%A4%A', '', 'x'.repeat(5000)]) {
        const response = await t.fetch(`/agents/${segment}`);
        expect(response.status, segment.slice(0, 20)).toBe(400);
        expect((await response.text()).length).toBeLessThan(20_000);
      }
      expect((await t.fetch(`/agents/${did}`, { method: 'HEAD' })).status).toBe(200);
      expect((await t.fetch(`/agents/${did}`, { method: 'DELETE' })).status).toBe(405);
    });

    it('redirects the search form (/agents?did=) to the profile path', async () => {
      const found = await t.fetch(`/agents?did=${encodeURIComponent(`  ${did} `)}`, { redirect: 'manual' });
      expect(found.status).toBe(303);
      expect(found.headers.get('location')).toBe(`/agents/${did}`);
      // Whatever was typed lands inside the path, encoded: no header injection, no other host.
      const hostile = await t.fetch(`/agents?did=${encodeURIComponent('//evil.example/\r\nSet-Cookie: a=b')}`, { redirect: 'manual' });
      expect(hostile.status).toBe(303);
      expect(hostile.headers.get('location')).toBe('/agents/%2F%2Fevil.example%2F%0D%0ASet-Cookie:%20a%3Db');
      expect(hostile.headers.get('set-cookie')).toBeNull();
      expect((await t.fetch(hostile.headers.get('location')!)).status).toBe(400);
      const empty = await t.fetch('/agents?did=', { redirect: 'manual' });
      expect(empty.status).toBe(400);
      expectHtmlHeaders(empty);
      expect(await empty.text()).toContain('Enter a DID to look up');
      expect((await t.fetch(`/agents?did=${'z'.repeat(300)}`, { redirect: 'manual' })).status).toBe(400);
    });

    it('serves the home page with a DID search and a GraphiQL link', async () => {
      const response = await t.fetch('/');
      const page = await response.text();
      expect(response.status).toBe(200);
      expectHtmlHeaders(response);
      expect(page).toContain('<form class="search" method="get" action="/agents" role="search">');
      expect(page).toContain('<input id="did-input" name="did"');
      expect(page).toContain('href="/graphql"');
      // GraphiQL is still there for browsers.
      const graphiql = await t.fetch('/graphql', { headers: { accept: 'text/html' } });
      expect(await graphiql.text()).toContain('GraphiQL');
    });
  });

  describe('credential download and check', () => {
    it('downloads the stored credential and checks it, then shows it revoked', async () => {
      const uuid = agent.credentialId.replace('urn:uuid:', '');
      const download = await t.fetch(`/credentials/${uuid}`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/jwt');
      expect(download.headers.get('content-disposition')).toBe(`attachment; filename="credential-${uuid}.jwt"`);
      expect(await download.text()).toBe(agent.credentialEncoded);

      const check = await t.fetch(`/credentials/${uuid}/verify`);
      expect(check.status).toBe(200);
      expect(check.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      const checked = await check.text();
      expect(checked).toContain('<strong>Valid.</strong>');
      expect(checked).toContain(did);

      const revoked = await t.gql(
        `mutation($id: ID!) { revokeCredential(id: $id, reason: "test") { __typename } }`,
        { id: agent.credentialId },
        t.admin,
      );
      expect(revoked.data.revokeCredential.__typename).toBe('RevokeCredentialPayload');
      const after = await (await t.fetch(`/credentials/${uuid}/verify`)).text();
      expect(after).toContain('Not valid');
      expect(after).toContain('It was revoked on ');
      expect(await (await t.fetch(`/agents/${did}`)).text()).toContain('<span class="revoked">Revoked</span>');
    });

    it('answers 404 for an unknown credential', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      expect((await t.fetch(`/credentials/${missing}`)).status).toBe(404);
      const page = await t.fetch(`/credentials/${missing}/verify`);
      expect(page.status).toBe(404);
      expect(await page.text()).toContain('No such credential');
    });
  });

  describe('GraphQL', () => {
    it('gives Agent.badgeUrl, badgeMarkdown and profileUrl as absolute URLs that the routes serve', async () => {
      const { data } = await t.gql(`query($did: String!) { agent(did: $did) { displayName badgeUrl badgeMarkdown profileUrl } }`, { did });
      expect(data.agent).toEqual({
        displayName: HOSTILE_NAME,
        badgeUrl: `http://localhost:4000/badge/${did}.svg`,
        badgeMarkdown: `[![trust](http://localhost:4000/badge/${did}.svg)](http://localhost:4000/agents/${did})`,
        profileUrl: `http://localhost:4000/agents/${did}`,
      });
      expect((await t.fetch(new URL(data.agent.badgeUrl).pathname)).status).toBe(200);
      expect((await t.fetch(new URL(data.agent.profileUrl).pathname)).status).toBe(200);
    });
  });
});
