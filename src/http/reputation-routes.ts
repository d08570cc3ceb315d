// The reference-compatible REST API under /api/reputation/ (seed 003, "Reputation & DID"): a marketplace built
// against the reference switches by changing its base URL. Every route is a thin adapter over the services GraphQL
// uses (trust, receipts, credentials); the shapes live in reputation-shapes.ts and the statuses in reputation-errors.ts.
//
//   GET  agent/:did/reputation      Phase 1 + Phase 2 reputation of any DID
//   GET  receipts?did=&limit=&offset=      receipts about a DID, newest first
//   GET  credentials?did=&limit=&offset=   credentials issued to a DID, newest first
//   GET  credential/:id             one credential (urn:uuid:… or the bare UUID)
//   POST verify                     { credentialId } or { credential }: signature, revocation, validity
//   GET  revocation-list?listId=    revocations of a status list (1 unless asked)
//   GET  badge/:did                 SVG badge: lifetime acceptance rate and task count
//   POST receipt                    { receipt, cosignatures? }: a platform-signed receipt JWT
import type { Plugin } from 'graphql-yoga';
import { z } from 'zod';
import { renderBadgeSvg } from '../badges/badge-svg.ts';
import { badgeHeaders, computeEtag, etagMatches } from '../badges/trust-badge.ts';
import type { Clock } from '../context.ts';
import { FIRST_STATUS_LIST_ID } from '../credentials/credential.service.ts';
import { decodeJws, isEd25519DidKey } from '../crypto/ed25519.ts';
import { SubjectDidSchema } from '../identity/subject-did.ts';
import type { CredentialEncoding, ReceiptRow } from '../db/schema.ts';
import { CredenceError, InputError, NotFoundError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { Services } from '../services.ts';
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
import { JsonBodyError, MalformedContentLength, parseJsonBody, readBodyWithin } from './body.ts';

export const REPUTATION_API_PREFIX = '/api/reputation/';

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

/** Any DID method's shape, for a receipt's claimed subject; reads about a DID take SubjectDidSchema, as GraphQL's trust queries do. */
const AnyDid = z.string().min(8).max(200).regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'must be a DID');
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

export interface ReputationRouteDeps {
  services: Services;
  clock: Clock;
  /** The global request body limit; this API uses the smaller of it and MAX_REPUTATION_BODY_BYTES. */
  maxBodyBytes: number;
  logger?: Logger;
}

type Method = 'GET' | 'POST';
interface Route {
  method: Method;
  pattern: RegExp;
  handle(request: Request, url: URL, params: string[]): Promise<Response>;
}

class PayloadTooLarge extends Error {}

function zodInput<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.join('.') : field;
  throw new InputError(`${path}: ${issue.message}`, path);
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

/** The `sub` a receipt JWT claims, read without verifying (only to take the before-score); null if unreadable. */
export function claimedSubject(jwt: string): string | null {
  try {
    const sub = decodeJws(jwt.trim()).payload.sub;
    return typeof sub === 'string' && AnyDid.safeParse(sub).success ? sub : null;
  } catch {
    return null;
  }
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

export function reputationRoutesPlugin(deps: ReputationRouteDeps): Plugin {
  const { services, clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const bodyLimit = Math.min(deps.maxBodyBytes, MAX_REPUTATION_BODY_BYTES);

  async function lastActive(did: string): Promise<Date | string | null> {
    const [newest] = await services.receipts.page({ subjectDid: did }, null, 1);
    return newest?.occurred_at ?? null;
  }

  /** A task credential for an accepted, escrow-verified receipt, as the reference issues one per settled task. */
  async function taskCredentialFor(receipt: ReceiptRow, format: CredentialEncoding, now: Date): Promise<string | null> {
    if (receipt.confidence !== 'ESCROW_VERIFIED' || receipt.outcome !== 'accepted' || receipt.revoked_at !== null) return null;
    try {
      // Issued to the receipt's subject, exactly as its own issueCredential would; a repeat returns the live one.
      const credential = await services.credentials.issue(
        { did: receipt.subject_did },
        { type: 'TASK_COMPLETION', format, receiptId: receipt.receipt_id },
        now,
      );
      return credential.id;
    } catch (error) {
      // Revoked between the two steps, say: the receipt stands, without a credential.
      if (error instanceof CredenceError) return null;
      throw error;
    }
  }

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^agent\/([^/]+)\/reputation$/,
      async handle(_request, _url, [segment]) {
        const did = zodInput(SubjectDidSchema, pathParam(segment!, 'did'), 'did');
        const now = clock();
        const [report, counts, active] = await Promise.all([
          services.trust.report(did, now),
          services.credentials.countForSubject(did),
          lastActive(did),
        ]);
        return jsonResponse(reputationBody(report, { liveCredentials: counts.live, lastActive: active }), 200, {
          'access-control-allow-origin': '*',
        });
      },
    },
    {
      method: 'GET',
      pattern: /^receipts$/,
      async handle(_request, url) {
        const did = requiredDid(url, SubjectDidSchema);
        const limit = queryInt(url, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        const offset = queryInt(url, 'offset', 0, 0, MAX_OFFSET);
        const [rows, total] = await Promise.all([
          services.receipts.pageAt(did, offset, limit),
          services.receipts.countForSubject(did),
        ]);
        return jsonResponse({ success: true, receipts: rows.map(receiptShape), total, limit, offset }, 200, {
          'access-control-allow-origin': '*',
        });
      },
    },
    {
      method: 'GET',
      pattern: /^credentials$/,
      async handle(_request, url) {
        const did = requiredDid(url, DidKey);
        const limit = queryInt(url, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        const offset = queryInt(url, 'offset', 0, 0, MAX_OFFSET);
        const [rows, counts] = await Promise.all([
          services.credentials.pageAt(did, offset, limit),
          services.credentials.countForSubject(did),
        ]);
        return jsonResponse(
          { success: true, credentials: rows.map(credentialSummaryShape), total: counts.total, limit, offset },
          200,
          { 'access-control-allow-origin': '*' },
        );
      },
    },
    {
      method: 'GET',
      pattern: /^credential\/([^/]+)$/,
      async handle(_request, _url, [segment]) {
        const raw = pathParam(segment!, 'id');
        const id = credentialIdFrom(raw);
        if (!id) throw new InputError('id must be a credential id (urn:uuid:…)', 'id');
        const [row] = await services.credentials.findByIds([id]);
        if (!row) throw new NotFoundError(`no credential ${id}`);
        return jsonResponse({ success: true, credential: credentialDocumentShape(row) }, 200, { 'access-control-allow-origin': '*' });
      },
    },
    {
      method: 'POST',
      pattern: /^verify$/,
      async handle(request) {
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
      },
    },
    {
      method: 'GET',
      pattern: /^revocation-list$/,
      async handle(_request, url) {
        const listId = queryInt(url, 'listId', FIRST_STATUS_LIST_ID, 1, 999_999_999);
        const list = await services.credentials.statusList(listId);
        if (!list) throw new NotFoundError(`no status list ${listId}`);
        const entries = await services.credentials.revokedInList(listId);
        return jsonResponse(revocationListShape(list, entries), 200, { 'access-control-allow-origin': '*' });
      },
    },
    {
      method: 'GET',
      pattern: /^badge\/([^/]+?)(?:\.svg)?$/,
      async handle(request, _url, [segment]) {
        let did: string | null = null;
        try {
          did = zodInput(SubjectDidSchema, pathParam(segment!, 'did'), 'did');
        } catch {
          did = null;
        }
        const content = did
          ? reputationBadgeContent(await services.trust.report(did, clock()))
          : { label: 'reputation', message: 'invalid did', color: 'red' };
        const status = did ? 200 : 400;
        const body = renderBadgeSvg({ ...content, style: 'flat' });
        const etag = computeEtag(body);
        const headers = {
          ...badgeHeaders({ etag, contentType: 'image/svg+xml; charset=utf-8' }),
          'Access-Control-Allow-Origin': '*',
        };
        if (status === 200 && etagMatches(request.headers.get('if-none-match'), etag)) {
          return new Response(null, { status: 304, headers });
        }
        return new Response(body, { status, headers });
      },
    },
    {
      method: 'POST',
      pattern: /^receipt$/,
      async handle(request) {
        const body = zodInput(ReceiptBody, await readJson(request, bodyLimit), 'body');
        const now = clock();
        // The platform is authenticated by its signature on the receipt (an approved platform's did:key), exactly
        // as GraphQL's submitReceipt: no bearer token is needed, and one sent is not consulted.
        const subject = claimedSubject(body.receipt);
        const before = subject ? await services.trust.report(subject, now) : null;
        const [result] = await services.receipts.submitMany([{ receipt: body.receipt, cosignatures: body.cosignatures ?? null }], now);
        if (result instanceof CredenceError) throw result;
        const { receipt, duplicate } = result!;
        const credentialId = await taskCredentialFor(receipt, body.credentialFormat ?? 'JSON_LD', now);
        const after = await services.trust.report(receipt.subject_did, now);
        const beforeScore = before && before.did === receipt.subject_did ? before.score : after.score;
        return jsonResponse(
          {
            success: true,
            receiptId: receipt.receipt_id,
            credentialId,
            reputationDelta: formatReputationDelta(beforeScore, after.score),
            duplicate,
            confidence: receipt.confidence,
            score: after.score,
            tier: after.tier,
          },
          duplicate ? 200 : 201,
        );
      },
    },
  ];

  return {
    async onRequest({ request, url, endResponse }) {
      if (!url.pathname.startsWith(REPUTATION_API_PREFIX)) return;
      const rest = url.pathname.slice(REPUTATION_API_PREFIX.length);
      const matching = routes.filter((route) => route.pattern.test(rest));
      if (matching.length === 0) {
        endResponse(errorEnvelope(404, 'NOT_FOUND', `no route ${url.pathname}`));
        return;
      }
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const route = matching.find((candidate) => candidate.method === method);
      if (!route) {
        const allow = [...new Set(matching.flatMap((candidate) => (candidate.method === 'GET' ? ['GET', 'HEAD'] : [candidate.method])))].join(', ');
        endResponse(errorEnvelope(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}`, { headers: { allow } }));
        return;
      }
      let response: Response;
      try {
        response = await route.handle(request, url, route.pattern.exec(rest)!.slice(1));
      } catch (error) {
        response =
          error instanceof PayloadTooLarge
            ? errorEnvelope(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${bodyLimit} bytes`)
            : errorResponse(error, (unexpected) =>
                logger.error('unexpected error', {
                  route: url.pathname,
                  error: unexpected instanceof Error ? unexpected.message : String(unexpected),
                }),
              );
      }
      endResponse(request.method === 'HEAD' ? new Response(null, { status: response.status, headers: response.headers }) : response);
    },
  };
}
