// Request-shape loopholes at the HTTP layer: body limits on every content type and transfer encoding, which requests
// may run mutations, CORS only for configured origins, and metric route labels that junk paths cannot exhaust.
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/main.ts';
import { createTestApp, newKey, type TestApp } from '../helpers/test-app.ts';

const LIMIT = 16_384;

/** A body streamed in pieces with no Content-Length (what a chunked upload looks like to the app). */
function streamed(text: string, pieceBytes = 4_096): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + pieceBytes)));
      offset += pieceBytes;
    },
  });
}

function chunkedPost(t: TestApp, pathname: string, contentType: string | null, text: string, headers: Record<string, string> = {}): Promise<Response> {
  return t.fetch(pathname, {
    method: 'POST',
    headers: { ...(contentType ? { 'content-type': contentType } : {}), accept: 'application/json', ...headers },
    body: streamed(text),
    duplex: 'half',
  } as RequestInit);
}

const AGENTS = async (t: TestApp) =>
  Number((await t.testDatabase.database.db.selectFrom('agents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('the body limit holds on every content type and transfer encoding', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('embedded', { CREDENCE_MAX_BODY_BYTES: String(LIMIT) });
  });
  afterAll(async () => {
    await t.close();
  });

  const padding = 'x'.repeat(LIMIT * 3);
  it.each([
    ['application/x-www-form-urlencoded', `query=${encodeURIComponent('{ serviceInfo { did } }')}&pad=${padding}`],
    ['application/x-www-form-urlencoded; charset=utf-8', `query=${encodeURIComponent('{ serviceInfo { did } }')}&pad=${padding}`],
    ['application/json', JSON.stringify({ query: '{ serviceInfo { did } }', extensions: { pad: padding } })],
    ['application/graphql+json', JSON.stringify({ query: '{ serviceInfo { did } }', extensions: { pad: padding } })],
    ['application/graphql', `{ serviceInfo { did } } # ${padding}`],
  ])('a chunked %s POST past CREDENCE_MAX_BODY_BYTES answers 413 on /graphql', async (contentType, body) => {
    const response = await chunkedPost(t, '/graphql', contentType, body);
    expect(response.status).toBe(413);
    expect(JSON.stringify(await response.json())).toContain('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['multipart/form-data; boundary=b', `--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ serviceInfo { did } }"}\r\n--b\r\nContent-Disposition: form-data; name="pad"\r\n\r\n${padding}\r\n--b--\r\n`],
    ['text/plain', JSON.stringify({ query: '{ serviceInfo { did } }', extensions: { pad: padding } })],
  ])('a chunked %s POST is refused with 415 without being read', async (contentType, body) => {
    const response = await chunkedPost(t, '/graphql', contentType, body);
    expect(response.status).toBe(415);
    expect(JSON.stringify(await response.json())).toContain('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a chunked REST body past the limit answers 413 in the REST envelope', async () => {
    const response = await chunkedPost(t, '/api/reputation/verify', 'application/json', JSON.stringify({ credential: { pad: padding } }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ success: false, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('POST /mcp reads its body through the same reader: 413 past the limit when chunked, nesting bounded', async () => {
    const mcpHeaders = { accept: 'application/json, text/event-stream' };
    const big = await chunkedPost(t, '/mcp', 'application/json', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: padding } }), mcpHeaders);
    expect(big.status).toBe(413);
    const deep = await t.fetch('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...mcpHeaders },
      body: `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}`,
    });
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as any).error.code).toBe(-32700);
    const list = await chunkedPost(t, '/mcp', 'application/json', JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), mcpHeaders);
    expect(list.status).toBe(200);
    expect(((await list.json()) as any).result.tools.length).toBeGreaterThan(0);
  });

  it('bodies within the limit still work in every accepted form', async () => {
    const json = await chunkedPost(t, '/graphql', 'application/json', JSON.stringify({ query: '{ serviceInfo { did } }' }));
    expect(json.status).toBe(200);
    expect(((await json.json()) as any).data.serviceInfo.did).toBe(t.app.serviceDid);
    const form = await chunkedPost(t, '/graphql', 'application/x-www-form-urlencoded', `query=${encodeURIComponent('{ serviceInfo { did } }')}`);
    expect(form.status).toBe(200);
    expect(((await form.json()) as any).data.serviceInfo.did).toBe(t.app.serviceDid);
    const graphql = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/graphql', accept: 'application/json' }, body: '{ serviceInfo { did } }' });
    expect(((await graphql.json()) as any).data.serviceInfo.did).toBe(t.app.serviceDid);
  });

  it('a malformed Content-Length is refused', async () => {
    const response = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '12, 12' }, body: '{"query":"{ serviceInfo { did } }"}' });
    expect(response.status).toBe(400);
  });
});

describe('the body limit on the real server with transfer-encoding: chunked', () => {
  let dataDir: string;
  let running: RunningServer;
  let port: number;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'credence-body-'));
    running = await startServer(
      loadConfig({ CREDENCE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', CREDENCE_LOG_LEVEL: 'silent', CREDENCE_PROPAGATION_INTERVAL_SECONDS: '0', CREDENCE_MAX_BODY_BYTES: '65536' }),
    );
    port = Number(new URL(running.url).port);
  });
  afterAll(async () => {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a 4 MB chunked form POST is cut off with 413 long before it is read whole', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked', accept: 'application/json' } },
        (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      request.write(`query=${encodeURIComponent('{ serviceInfo { did } }')}&pad=`);
      const piece = 'y'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64) {
          sent += 1;
          if (!request.write(piece)) {
            request.once('drain', pump);
            return;
          }
        }
        request.end();
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('PAYLOAD_TOO_LARGE');
  });
});

describe('mutations need a request a browser cannot send cross-site unasked', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('embedded');
  });
  afterAll(async () => {
    await t.close();
  });

  const CLAIM = `mutation { claimDid(input: { displayName: "Cross" }) { __typename } }`;

  it('a form-urlencoded POST does not execute a mutation (chunked or not)', async () => {
    const agent = newKey();
    const before = await AGENTS(t);
    const body = `query=${encodeURIComponent(CLAIM)}`;
    for (const response of [
      await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${t.token(agent)}`, accept: 'application/json' }, body }),
      await chunkedPost(t, '/graphql', 'application/x-www-form-urlencoded', body, { authorization: `Bearer ${t.token(agent)}` }),
    ]) {
      expect(response.status).toBe(415);
      const answer = (await response.json()) as any;
      expect(answer.data).toBeUndefined();
      expect(answer.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await AGENTS(t)).toBe(before);
  });

  it('a text/plain body is never parsed as JSON, chunked or not', async () => {
    const agent = newKey();
    const before = await AGENTS(t);
    const body = JSON.stringify({ query: CLAIM });
    for (const response of [
      await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${t.token(agent)}`, accept: 'application/json' }, body }),
      await chunkedPost(t, '/graphql', 'text/plain', body, { authorization: `Bearer ${t.token(agent)}` }),
      await chunkedPost(t, '/graphql', null, body, { authorization: `Bearer ${t.token(agent)}` }),
      await chunkedPost(t, '/graphql', 'text/plain', JSON.stringify({ query: '{ serviceInfo { did } }' })),
    ]) {
      expect(response.status).toBe(415);
      expect(((await response.json()) as any).data).toBeUndefined();
    }
    expect(await AGENTS(t)).toBe(before);
  });

  it('multipart and application/graphql bodies run no mutation without the CSRF header', async () => {
    const before = await AGENTS(t);
    const multipart = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b', authorization: `Bearer ${t.token(newKey())}`, accept: 'application/json' },
      body: `--b\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: CLAIM })}\r\n--b--\r\n`,
    });
    expect(multipart.status).toBe(415);
    const graphql = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/graphql', authorization: `Bearer ${t.token(newKey())}`, accept: 'application/json' }, body: CLAIM });
    expect(graphql.status).toBe(415);
    expect(await AGENTS(t)).toBe(before);
    // With the header (which no cross-site form can add without a preflight), application/graphql may mutate.
    const withHeader = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/graphql', 'x-credence-csrf': '1', authorization: `Bearer ${t.token(newKey())}`, accept: 'application/json' },
      body: CLAIM,
    });
    expect(((await withHeader.json()) as any).data.claimDid.__typename).toBe('ClaimDidPayload');
    expect(await AGENTS(t)).toBe(before + 1);
  });

  it('JSON mutations work as before, as application/json (with a charset) and application/graphql+json', async () => {
    for (const contentType of ['application/json', 'application/json; charset=utf-8', 'application/graphql+json']) {
      const response = await t.fetch('/graphql', { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${t.token(newKey())}` }, body: JSON.stringify({ query: CLAIM }) });
      expect(response.status).toBe(200);
      expect(((await response.json()) as any).data.claimDid.__typename).toBe('ClaimDidPayload');
    }
    // GET still refuses mutations.
    const get = await t.fetch(`/graphql?query=${encodeURIComponent(CLAIM)}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(405);
  });
});

describe('CORS only for configured origins', () => {
  let closed: TestApp;
  let open: TestApp;
  beforeAll(async () => {
    closed = await createTestApp('embedded');
    open = await createTestApp('embedded', { CREDENCE_CORS_ORIGINS: 'https://app.example, https://admin.example' });
  });
  afterAll(async () => {
    await closed.close();
    await open.close();
  });

  const query = (t: TestApp, origin: string) =>
    t.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ query: '{ serviceInfo { did } }' }) });
  const preflight = (t: TestApp, origin: string) =>
    t.fetch('/graphql', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });

  it('sends no CORS headers at all when CREDENCE_CORS_ORIGINS is empty (same-origin only)', async () => {
    const response = await query(closed, 'https://evil.example');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const pre = await preflight(closed, 'https://evil.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('allows exactly the configured origins, never with credentials, and never reflects another', async () => {
    const allowed = await query(open, 'https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    const second = await query(open, 'https://admin.example');
    expect(second.headers.get('access-control-allow-origin')).toBe('https://admin.example');

    const evil = await query(open, 'https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();

    const pre = await preflight(open, 'https://app.example');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const evilPre = await preflight(open, 'https://evil.example');
    expect(evilPre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a malformed CREDENCE_CORS_ORIGINS at startup', () => {
    expect(() => loadConfig({ CREDENCE_CORS_ORIGINS: '*' })).toThrow(/CREDENCE_CORS_ORIGINS/);
    expect(() => loadConfig({ CREDENCE_CORS_ORIGINS: 'https://app.example/path' })).toThrow(/CREDENCE_CORS_ORIGINS/);
    expect(loadConfig({ CREDENCE_CORS_ORIGINS: 'https://App.Example:8443/' }).corsOrigins).toEqual(['https://app.example:8443']);
  });
});

describe('metric route labels stay bounded', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('embedded', { CREDENCE_CORS_ORIGINS: 'https://app.example' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('110 junk requests of every method count under one route label, and real routes keep theirs', async () => {
    for (let i = 0; i < 110; i += 1) {
      const method = ['GET', 'POST', 'OPTIONS', 'HEAD', 'PUT'][i % 5]!;
      await t.fetch(`/junk-${i}/x`, { method, headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    }
    await t.fetch('/health');
    await t.gql('{ serviceInfo { did } }');
    const text = await (await t.fetch('/metrics')).text();
    const routes = new Set([...text.matchAll(/credence_http_requests_total\{[^}]*route="([^"]*)"/g)].map((m) => m[1]));
    expect(routes.has('other')).toBe(false);
    expect([...routes].some((route) => route!.includes('junk'))).toBe(false);
    expect(routes).toContain('unmatched');
    expect(routes).toContain('/health');
    expect(routes).toContain('/graphql');
  });
});

