// Server-rendered pages: the home page with a DID search, public profiles, and a download and a check page for every
// stored credential. No page carries script; every HTML response goes out with the strict security headers.
//
//   GET /                             home page (DID search box, link to GraphiQL)
//   GET /agents?did=<did>             303 to /agents/<did> (what the search form submits)
//   GET /agents/<did>                 the profile: 200, 404 for a DID nothing is known about, 400 for a non-DID
//   GET /credentials/<uuid>           the stored credential (JWT or JSON-LD) as a download
//   GET /credentials/<uuid>/verify    the credential checked now: signature, issuer key, expiry, revocation
import { Hono } from 'hono';
import { didPathSegment, profileUrl } from './badges/trust-badge.ts';
import type { Clock } from '../context.ts';
import type { CredentialService } from '../credentials/credential.service.ts';
import { getRoute } from '../http/get-route.ts';
import { renderCredentialCheckPage, renderCredentialNotFoundPage } from './pages/credential-page.ts';
import { renderHomePage } from './pages/home-page.ts';
import { HTML_SECURITY_HEADERS } from './pages/layout.ts';
import { profileStatus, renderInvalidDidPage, renderProfilePage } from './pages/profile-page.ts';
import { isProfileDid, MAX_DID_LENGTH, credentialDownloadPath, type ProfileService } from './profile/profile.service.ts';
import { decodeDidSegment } from './badge-routes.ts';

export interface PageRouteDeps {
  profiles: Pick<ProfileService, 'view'>;
  credentials: Pick<CredentialService, 'findByIds' | 'verifyCredential'>;
  clock: Clock;
  publicUrl: string;
  graphqlPath?: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PROFILE_PREFIX = '/agents/';
const CREDENTIAL_PREFIX = '/credentials/';

/** Invalid input is echoed back on the 400 page; this much of it is plenty. */
const MAX_ECHO = MAX_DID_LENGTH;

function echo(value: string): string {
  const chars = Array.from(value);
  return chars.length <= MAX_ECHO ? value : `${chars.slice(0, MAX_ECHO).join('')}\u2026`;
}

function htmlResponse(request: Request, status: number, body: string): Response {
  return new Response(request.method === 'HEAD' ? null : body, {
    status,
    headers: { ...HTML_SECURITY_HEADERS, 'Cache-Control': 'no-cache' },
  });
}

export function pageRoutes(deps: PageRouteDeps): Hono {
  const graphqlUrl = deps.graphqlPath ?? '/graphql';
  const home = (request: Request, status = 200, query?: string, error?: string) =>
    htmlResponse(request, status, renderHomePage({ graphqlUrl, publicUrl: `${deps.publicUrl}/`, query, error }));

  async function profile(request: Request, segment: string): Promise<Response> {
    const did = decodeDidSegment(segment);
    if (did === null || !isProfileDid(did)) {
      return htmlResponse(request, 400, renderInvalidDidPage(echo(did ?? segment), graphqlUrl));
    }
    const view = await deps.profiles.view(did, deps.clock());
    return htmlResponse(request, profileStatus(view), renderProfilePage(view));
  }

  /** The search form's GET: a redirect to the profile path, since a form cannot write into the path itself. */
  function search(request: Request, url: URL): Response {
    const did = (url.searchParams.get('did') ?? '').trim();
    if (did === '') return home(request, 400, '', 'Enter a DID to look up, for example did:key:z6Mk\u2026');
    if (did.length > MAX_DID_LENGTH) return htmlResponse(request, 400, renderInvalidDidPage(echo(did), graphqlUrl));
    return new Response(null, { status: 303, headers: { Location: `/agents/${didPathSegment(did)}`, 'Cache-Control': 'no-store' } });
  }

  async function credential(request: Request, uuid: string, verify: boolean): Promise<Response> {
    const id = `urn:uuid:${uuid}`;
    const [row] = await deps.credentials.findByIds([id]);
    if (!row) {
      if (verify) return htmlResponse(request, 404, renderCredentialNotFoundPage(id, graphqlUrl));
      return Response.json({ error: `no credential ${id}` }, { status: 404 });
    }
    if (!verify) {
      const jwt = row.format === 'JWT';
      return new Response(request.method === 'HEAD' ? null : row.encoded, {
        headers: {
          'Content-Type': jwt ? 'application/jwt' : 'application/vc+ld+json',
          'Content-Disposition': `attachment; filename="credential-${uuid}.${jwt ? 'jwt' : 'json'}"`,
          // The signed document never changes; its revocation lives in the status list.
          'Cache-Control': 'public, max-age=86400',
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "default-src 'none'",
          'Access-Control-Allow-Origin': '*',
        },
      });
    }
    const now = deps.clock();
    const result = await deps.credentials.verifyCredential(row.encoded, now);
    return htmlResponse(
      request,
      200,
      renderCredentialCheckPage({
        credentialId: row.id,
        type: row.type,
        format: row.format,
        valid: result.valid,
        revoked: result.revoked,
        revokedAt: row.revoked_at,
        revocationReason: row.revoked_reason,
        expired: result.expired,
        issuer: result.issuer,
        issuedByService: result.issuedByService,
        subject: result.subject,
        types: result.types,
        validFrom: result.validFrom,
        validUntil: result.validUntil,
        errors: result.errors,
        warnings: result.warnings,
        downloadUrl: credentialDownloadPath(row.id),
        profileUrl: isProfileDid(row.subject_did) ? profileUrl('', row.subject_did) : null,
        checkedAt: now,
        graphqlUrl,
      }),
    );
  }

  const router = new Hono();
  getRoute(router, '/', (request) => home(request));
  getRoute(router, '/agents', search);
  // The segment is read as sent (still percent-encoded); an empty one is the invalid-DID page.
  getRoute(router, ['/agents/', '/agents/:did'], (request, url) => profile(request, url.pathname.slice(PROFILE_PREFIX.length)));
  getRoute(router, `/credentials/:uuid{${UUID}}`, (request, url) => credential(request, url.pathname.slice(CREDENTIAL_PREFIX.length), false));
  getRoute(router, `/credentials/:uuid{${UUID}}/verify`, (request, url) =>
    credential(request, url.pathname.slice(CREDENTIAL_PREFIX.length, -'/verify'.length), true),
  );
  return router;
}
