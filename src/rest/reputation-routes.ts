// The reference-compatible REST API under /api/reputation/ (seed 003, "Reputation & DID"): a marketplace built
// against the reference switches by changing its base URL. Every route is a thin adapter over the services GraphQL
// uses (trust, receipts, credentials); the shapes live in reputation-shapes.ts and the statuses in reputation-errors.ts.
// Each route is declared once (method, path, parameters, body, responses): the declaration both routes the request
// and describes it in the OpenAPI 3 document served at GET openapi.json.
//
//   GET  agent/:did/reputation      Phase 1 + Phase 2 reputation of any DID
//   GET  receipts?did=&limit=&offset=      receipts about a DID, newest first
//   GET  credentials?did=&limit=&offset=   credentials issued to a DID, newest first
//   GET  credential/:id             one credential (urn:uuid:… or the bare UUID)
//   POST verify                     { credentialId } or { credential }: signature, revocation, validity
//   GET  revocation-list?listId=    revocations of a status list (1 unless asked)
//   GET  badge/:did                 SVG badge: lifetime acceptance rate and task count
//   POST receipt                    { receipt, cosignatures? }: a platform-signed receipt JWT
//   GET  openapi.json               this API as an OpenAPI 3 document
import { createRoute, OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { renderBadgeSvg } from '../web/badges/badge-svg.ts';
import { badgeHeaders, computeEtag, etagMatches } from '../web/badges/trust-badge.ts';
import type { Clock } from '../context.ts';
import { FIRST_STATUS_LIST_ID } from '../credentials/credential.service.ts';
import { isEd25519DidKey } from '../crypto/ed25519.ts';
import { SubjectDidSchema } from '../identity/subject-did.ts';
import { InputError, NotFoundError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { Services } from '../services.ts';
import { SERVICE_VERSION } from '../version.ts';
import { errorEnvelope, errorResponse, jsonResponse } from './reputation-errors.ts';
import {
  credentialDocumentShape,
  credentialSummaryShape,
  formatReputationDelta,
  receiptShape,
  reputationBadgeContent,
  reputationBody,
  revocationListShape,
  verifyShape,
} from './reputation-shapes.ts';
import { JsonBodyError, MalformedContentLength, parseJsonBody, readBodyWithin } from '../http/body.ts';

export const REPUTATION_API_BASE = '/api/reputation';
export const REPUTATION_API_PREFIX = `${REPUTATION_API_BASE}/`;
export const OPENAPI_DOCUMENT_PATH = `${REPUTATION_API_BASE}/openapi.json`;

/** Bodies of this API are a receipt JWT or one credential; this bounds them below the global request limit. */
export const MAX_REPUTATION_BODY_BYTES = 300_000;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Deep offsets are a scan; beyond this, page through GraphQL's cursors instead. */
export const MAX_OFFSET = 100_000;
/** The same bounds as GraphQL's submitReceipt and verifyCredential. */
const MAX_SIGNED_PAYLOAD = 16_384;
const MAX_COSIGNATURES = 20;
const MAX_DOCUMENT = 262_144;

const DidKey = z.string().max(200).refine(isEd25519DidKey, 'must be an Ed25519 did:key (did:key:z6Mk…)');
const CREDENTIAL_ID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BARE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ReceiptBody = z.object({
  receipt: z.string().min(1, 'receipt must be a signed receipt JWT').max(MAX_SIGNED_PAYLOAD),
  cosignatures: z.array(z.string().min(1).max(MAX_SIGNED_PAYLOAD)).max(MAX_COSIGNATURES).nullish(),
  credentialFormat: z.enum(['JSON_LD', 'JWT', 'DATA_INTEGRITY']).nullish(),
});

const VerifyBody = z
  .object({
    credentialId: z.string().min(1).max(200).optional(),
    credential: z.union([z.string().min(1).max(MAX_DOCUMENT), z.record(z.string(), z.unknown())]).optional(),
  })
  .refine((body) => (body.credentialId === undefined) !== (body.credential === undefined), {
    message: 'send exactly one of credentialId and credential',
  });

// Parameters as the OpenAPI document states them. The handlers read and check the raw request themselves (below),
// so the refusals keep the reference's envelope and wording and every body goes through the capped reader.
const DidPathParams = z.object({ did: z.string().describe('A DID, percent-encoded') });
const PageQuery = (didDescription: string) =>
  z.object({
    did: z.string().describe(didDescription),
    limit: z.string().regex(/^\d+$/).optional().describe(`Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`),
    offset: z.string().regex(/^\d+$/).optional().describe(`Items to skip, 0 to ${MAX_OFFSET}`),
  });

const ErrorBody = z.object({
  success: z.literal(false),
  error: z.string(),
  code: z.string(),
  field: z.string().optional(),
});
const SuccessBody = z.object({ success: z.literal(true) }).catchall(z.unknown());

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const refusal = (description: string) => json(ErrorBody, description);
const svg = (description: string) => ({ description, content: { 'image/svg+xml': { schema: z.string() } } });

const routes = {
  reputation: createRoute({
    method: 'get',
    path: '/agent/{did}/reputation',
    summary: 'Phase 1 and Phase 2 reputation of any DID',
    request: { params: DidPathParams },
    responses: { 200: json(SuccessBody, 'The reputation'), 400: refusal('Not a DID') },
  }),
  receipts: createRoute({
    method: 'get',
    path: '/receipts',
    summary: 'Receipts about a DID, newest first',
    request: { query: PageQuery('The subject DID') },
    responses: { 200: json(SuccessBody, 'A page of receipts'), 400: refusal('A missing or malformed parameter') },
  }),
  credentials: createRoute({
    method: 'get',
    path: '/credentials',
    summary: 'Credentials issued to a DID, newest first',
    request: { query: PageQuery('The subject, an Ed25519 did:key') },
    responses: { 200: json(SuccessBody, 'A page of credential summaries'), 400: refusal('A missing or malformed parameter') },
  }),
  credential: createRoute({
    method: 'get',
    path: '/credential/{id}',
    summary: 'One credential, by urn:uuid id or bare UUID',
    request: { params: z.object({ id: z.string().describe('urn:uuid:… or the bare UUID') }) },
    responses: { 200: json(SuccessBody, 'The credential'), 400: refusal('Not a credential id'), 404: refusal('No such credential') },
  }),
  verify: createRoute({
    method: 'post',
    path: '/verify',
    summary: 'Checks a credential: signature, revocation, validity',
    request: { body: { required: true, content: { 'application/json': { schema: VerifyBody } } } },
    responses: {
      200: json(SuccessBody, 'The verification result'),
      400: refusal('A malformed body'),
      404: refusal('No credential with that id'),
      413: refusal('The body is too large'),
    },
  }),
  revocationList: createRoute({
    method: 'get',
    path: '/revocation-list',
    summary: 'Revocations of a status list',
    request: { query: z.object({ listId: z.string().regex(/^\d+$/).optional().describe(`The status list (default ${FIRST_STATUS_LIST_ID})`) }) },
    responses: { 200: json(SuccessBody, 'The revoked entries'), 400: refusal('A malformed listId'), 404: refusal('No such status list') },
  }),
  badge: createRoute({
    method: 'get',
    path: '/badge/{did}',
    summary: 'SVG badge: lifetime acceptance rate and task count (the path may end in .svg)',
    request: { params: DidPathParams },
    responses: { 200: svg('The badge'), 304: { description: 'The badge is unchanged (If-None-Match)' }, 400: svg('The red "invalid did" badge') },
  }),
  receipt: createRoute({
    method: 'post',
    path: '/receipt',
    summary: 'Submits a platform-signed receipt JWT; answers the reputation delta and any task credential issued',
    request: { body: { required: true, content: { 'application/json': { schema: ReceiptBody } } } },
    responses: {
      200: json(SuccessBody, 'Already stored (duplicate)'),
      201: json(SuccessBody, 'Stored'),
      400: refusal('A malformed body or receipt'),
      401: refusal('A bad signature'),
      403: refusal('The platform is not approved'),
      409: refusal('A conflicting receipt'),
      413: refusal('The body is too large'),
    },
  }),
  openapi: createRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3 document, generated from the route declarations',
    responses: { 200: json(z.object({ openapi: z.string() }).catchall(z.unknown()), 'The OpenAPI document') },
  }),
} satisfies Record<string, RouteConfig>;

export interface ReputationRouteDeps {
  services: Services;
  clock: Clock;
  /** The global request body limit; this API uses the smaller of it and MAX_REPUTATION_BODY_BYTES. */
  maxBodyBytes: number;
  logger?: Logger;
}

class PayloadTooLarge extends Error {}

function zodInput<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.join('.') : field;
  throw new InputError(`${path}: ${issue.message}`, path);
}

/** The path segment at `index` (counted under /api/reputation/) as sent, still percent-encoded. */
function rawSegment(url: URL, index: number): string {
  return url.pathname.slice(REPUTATION_API_PREFIX.length).split('/')[index]!;
}

function pathParam(segment: string, field: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InputError(`${field} is not valid percent-encoding`, field);
  }
}

function queryInt(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new InputError(`${name} must be a whole number`, name);
  const value = Number(raw);
  if (value < min || value > max) throw new InputError(`${name} must be between ${min} and ${max}`, name);
  return value;
}

function requiredDid(url: URL, schema: z.ZodType<string>): string {
  const did = url.searchParams.get('did');
  if (did === null || did === '') throw new InputError('the did query parameter is required', 'did');
  return zodInput(schema, did, 'did');
}

/** The credential's own id from `urn:uuid:<uuid>` or the bare UUID; null when it cannot be one. */
export function credentialIdFrom(value: string): string | null {
  const lower = value.toLowerCase();
  if (CREDENTIAL_ID.test(lower)) return lower;
  if (BARE_UUID.test(lower)) return `urn:uuid:${lower}`;
  return null;
}

async function readJson(request: Request, limit: number): Promise<unknown> {
  let value: unknown;
  try {
    // The shared reader: capped bytes, bounded nesting and no NUL, checked before anything walks the value.
    value = parseJsonBody(await readBodyWithin(request, limit, () => new PayloadTooLarge()));
  } catch (error) {
    if (error instanceof JsonBodyError) throw new InputError(error.problem === 'empty' ? 'the request body must be a JSON object' : error.message, 'body');
    if (error instanceof MalformedContentLength) throw new InputError(error.message, 'content-length');
    throw error;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('the request body must be a JSON object', 'body');
  }
  return value;
}

type Handler = (request: Request, url: URL) => Promise<Response>;

/** The REST API's routes, mounted at REPUTATION_API_BASE by the HTTP router (src/http/router.ts). */
export function createReputationApi(deps: ReputationRouteDeps): OpenAPIHono {
  const { services, clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const bodyLimit = Math.min(deps.maxBodyBytes, MAX_REPUTATION_BODY_BYTES);
  const api = new OpenAPIHono();
  /** Methods per path, for the Allow header of a 405. */
  const methodsByPath = new Map<string, Set<string>>();

  async function answer(request: Request, handle: Handler): Promise<Response> {
    const url = new URL(request.url);
    try {
      return await handle(request, url);
    } catch (error) {
      if (error instanceof PayloadTooLarge) return errorEnvelope(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${bodyLimit} bytes`);
      return errorResponse(error, (unexpected) =>
        logger.error('unexpected error', { route: url.pathname, error: unexpected instanceof Error ? unexpected.message : String(unexpected) }),
      );
    }
  }

  /**
   * Routes `route` to `handle` and lists it in the OpenAPI document. Hono's request validation is not used: the
   * handlers check their input in the reference's wording, and read bodies only through the capped reader.
   */
  function define(route: RouteConfig, handle: Handler, extraPaths: string[] = []): void {
    api.openAPIRegistry.registerPath(route);
    const paths = [route.path.replaceAll(/\{([^}]+)\}/g, ':$1'), ...extraPaths];
    for (const path of paths) {
      api.on(route.method.toUpperCase(), path, (c: Context) => answer(c.req.raw, handle));
      const methods = methodsByPath.get(path) ?? new Set<string>();
      methods.add(route.method.toUpperCase());
      methodsByPath.set(path, methods);
    }
  }

  async function lastActive(did: string): Promise<Date | string | null> {
    const [newest] = await services.receipts.page({ subjectDid: did }, null, 1);
    return newest?.occurred_at ?? null;
  }

  define(routes.reputation, async (_request, url) => {
    const did = zodInput(SubjectDidSchema, pathParam(rawSegment(url, 1), 'did'), 'did');
    const now = clock();
    const [report, counts, active] = await Promise.all([services.trust.report(did, now), services.credentials.countForSubject(did), lastActive(did)]);
    return jsonResponse(reputationBody(report, { liveCredentials: counts.live, lastActive: active }), 200, { 'access-control-allow-origin': '*' });
  });

  define(routes.receipts, async (_request, url) => {
    const did = requiredDid(url, SubjectDidSchema);
    const limit = queryInt(url, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const offset = queryInt(url, 'offset', 0, 0, MAX_OFFSET);
    const [rows, total] = await Promise.all([services.receipts.pageAt(did, offset, limit), services.receipts.countForSubject(did)]);
    return jsonResponse({ success: true, receipts: rows.map(receiptShape), total, limit, offset }, 200, { 'access-control-allow-origin': '*' });
  });

  define(routes.credentials, async (_request, url) => {
    const did = requiredDid(url, DidKey);
    const limit = queryInt(url, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    const offset = queryInt(url, 'offset', 0, 0, MAX_OFFSET);
    const [rows, counts] = await Promise.all([services.credentials.pageAt(did, offset, limit), services.credentials.countForSubject(did)]);
    return jsonResponse({ success: true, credentials: rows.map(credentialSummaryShape), total: counts.total, limit, offset }, 200, {
      'access-control-allow-origin': '*',
    });
  });

  define(routes.credential, async (_request, url) => {
    const raw = pathParam(rawSegment(url, 1), 'id');
    const id = credentialIdFrom(raw);
    if (!id) throw new InputError('id must be a credential id (urn:uuid:…)', 'id');
    const [row] = await services.credentials.findByIds([id]);
    if (!row) throw new NotFoundError(`no credential ${id}`);
    return jsonResponse({ success: true, credential: credentialDocumentShape(row) }, 200, { 'access-control-allow-origin': '*' });
  });

  define(routes.verify, async (request) => {
    const body = zodInput(VerifyBody, await readJson(request, bodyLimit), 'body');
    let encoded: string;
    if (body.credentialId !== undefined) {
      const id = credentialIdFrom(body.credentialId);
      if (!id) throw new InputError('credentialId must be a credential id (urn:uuid:…)', 'credentialId');
      const [row] = await services.credentials.findByIds([id]);
      if (!row) throw new NotFoundError(`no credential ${id}`);
      encoded = row.encoded;
    } else {
      encoded = typeof body.credential === 'string' ? body.credential : JSON.stringify(body.credential);
      if (encoded.length > MAX_DOCUMENT) throw new InputError(`credential: at most ${MAX_DOCUMENT} characters`, 'credential');
    }
    return jsonResponse(verifyShape(await services.credentials.verifyCredential(encoded, clock())));
  });

  define(routes.revocationList, async (_request, url) => {
    const listId = queryInt(url, 'listId', FIRST_STATUS_LIST_ID, 1, 999_999_999);
    const list = await services.credentials.statusList(listId);
    if (!list) throw new NotFoundError(`no status list ${listId}`);
    const entries = await services.credentials.revokedInList(listId);
    return jsonResponse(revocationListShape(list, entries), 200, { 'access-control-allow-origin': '*' });
  });

  define(routes.badge, async (request, url) => {
    // The reference's badge path takes an optional .svg; a DID never ends in it.
    const segment = rawSegment(url, 1).replace(/\.svg$/, '');
    let did: string | null = null;
    try {
      did = zodInput(SubjectDidSchema, pathParam(segment, 'did'), 'did');
    } catch {
      did = null;
    }
    const content = did ? reputationBadgeContent(await services.trust.report(did, clock())) : { label: 'reputation', message: 'invalid did', color: 'red' };
    const status = did ? 200 : 400;
    const body = renderBadgeSvg({ ...content, style: 'flat' });
    const etag = computeEtag(body);
    const headers = { ...badgeHeaders({ etag, contentType: 'image/svg+xml; charset=utf-8' }), 'Access-Control-Allow-Origin': '*' };
    if (status === 200 && etagMatches(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
    return new Response(body, { status, headers });
  });

  define(routes.receipt, async (request) => {
    const body = zodInput(ReceiptBody, await readJson(request, bodyLimit), 'body');
    // The platform is authenticated by its signature on the receipt (an approved platform's did:key), exactly
    // as GraphQL's submitReceipt: no bearer token is needed, and one sent is not consulted.
    const submitted = await services.submissions.submitWithStanding(
      { receipt: body.receipt, cosignatures: body.cosignatures ?? null },
      body.credentialFormat ?? 'JSON_LD',
      clock(),
    );
    return jsonResponse(
      {
        success: true,
        receiptId: submitted.receipt.receipt_id,
        credentialId: submitted.credentialId,
        reputationDelta: formatReputationDelta(submitted.scoreBefore, submitted.after.score),
        duplicate: submitted.duplicate,
        confidence: submitted.receipt.confidence,
        score: submitted.after.score,
        tier: submitted.after.tier,
      },
      submitted.duplicate ? 200 : 201,
    );
  });

  // Read once every route is declared (below); the document itself is one of them.
  let documentBody = '';
  define(routes.openapi, async () =>
    new Response(documentBody, {
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
    }),
  );
  documentBody = JSON.stringify(
    api.getOpenAPIDocument({
      openapi: '3.0.3',
      info: {
        title: 'Credence reputation REST API',
        version: SERVICE_VERSION,
        description: 'The reference-compatible REST API. GraphQL at /graphql is the full API.',
      },
      servers: [{ url: REPUTATION_API_BASE }],
    }),
    null,
    2,
  );

  // A known path asked with another method: 405 with the methods it takes (GET brings HEAD).
  for (const [path, methods] of methodsByPath) {
    api.all(path, (c) => {
      const allow = [...methods].flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])).join(', ');
      return errorEnvelope(405, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${new URL(c.req.url).pathname}`, { headers: { allow } });
    });
  }
  return api;
}

/** The answer for a path under REPUTATION_API_PREFIX that no route takes (the HTTP router's not-found, there). */
export function reputationNotFound(url: URL): Response {
  return errorEnvelope(404, 'NOT_FOUND', `no route ${url.pathname}`);
}
