// The REST API's OpenAPI document at GET /api/reputation/openapi.json: a valid OpenAPI 3 document (checked by an
// OpenAPI schema validator), listing every route of the reference-compatible API, each of which the router answers.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../helpers/database.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** The REST routes docs/api.md promises, written out here so a route missing from the document fails the test. */
const REST_ROUTES = [
  ['get', '/agent/{did}/reputation'],
  ['get', '/receipts'],
  ['get', '/credentials'],
  ['get', '/credential/{id}'],
  ['post', '/verify'],
  ['get', '/revocation-list'],
  ['get', '/badge/{did}'],
  ['post', '/receipt'],
  ['get', '/openapi.json'],
] as const;

interface OpenApiDocument {
  openapi: string;
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown; responses: Record<string, unknown> }>>;
}

describe.each(testDatabaseKinds)('the OpenAPI document on %s database', (kind) => {
  let t: TestApp;
  let document: OpenApiDocument;

  beforeAll(async () => {
    t = await createTestApp(kind);
  }, 120_000);
  afterAll(() => t?.close());

  it('is served as JSON at /api/reputation/openapi.json and validates as OpenAPI 3', async () => {
    const response = await t.fetch('/api/reputation/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toMatch(/^3\./);
    expect(document.servers).toEqual([{ url: '/api/reputation' }]);
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every REST route, with its parameters and bodies, and nothing else', () => {
    const listed = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => [method, path]));
    expect(listed.sort()).toEqual(REST_ROUTES.map(([method, path]) => [method, path]).sort());
    const parameters = (method: string, path: string) => document.paths[path]![method]!.parameters?.map((p) => `${p.in}:${p.name}`) ?? [];
    expect(parameters('get', '/agent/{did}/reputation')).toEqual(['path:did']);
    expect(parameters('get', '/receipts')).toEqual(['query:did', 'query:limit', 'query:offset']);
    expect(parameters('get', '/revocation-list')).toEqual(['query:listId']);
    expect(document.paths['/receipt']!.post!.requestBody).toBeDefined();
    expect(document.paths['/verify']!.post!.requestBody).toBeDefined();
    expect(Object.keys(document.paths['/receipt']!.post!.responses).sort()).toEqual(['200', '201', '400', '401', '403', '409', '413']);
  });

  it('describes only routes the router answers', async () => {
    for (const [method, path] of REST_ROUTES) {
      const concrete = path.replace('{did}', 'did%3Akey%3Az6Mkx').replace('{id}', 'not-an-id');
      const response = await t.fetch(`/api/reputation${concrete}`, method === 'post' ? { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } } : {});
      const body = response.headers.get('content-type')?.startsWith('application/json') ? ((await response.json()) as { code?: string }) : {};
      expect(body.code, `${method} ${path}`).not.toBe('NOT_FOUND');
      expect(response.status, `${method} ${path}`).not.toBe(405);
    }
    const unknown = await t.fetch('/api/reputation/nowhere');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ success: false, code: 'NOT_FOUND' });
  });
});
