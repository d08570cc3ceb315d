// Trust badges: `GET /badge/<did>.svg` (a README badge) and `GET /badge/<did>.json` (the shields.io endpoint-badge
// format, so shields.io can draw the same badge). The DID is percent-encoded in the path.
//
// `?label=` replaces the left-hand text (cleaned, cut to 40 characters and escaped by the renderer; empty means no
// label box). `?style=` is `flat` (default), `flat-square` or `for-the-badge`; any other value draws the default
// `flat` badge, so a typo in a README still shows a badge. A string that is not an Ed25519 did:key gets the red
// `invalid did` badge, with status 400 as SVG and 200 with `isError: true` as JSON (shields.io replaces the badge of
// any non-2xx endpoint with its own); a valid DID with no evidence gets the grey `no data`.
// Badges are cached for five minutes and carry a strong ETag over their bytes; a matching `If-None-Match` gets 304.
import { Hono } from 'hono';
import { isBadgeStyle } from './badges/badge-svg.ts';
import {
  badgeHeaders,
  etagMatches,
  renderTrustBadgeJson,
  renderTrustBadgeSvg,
  type TrustBadgeSubject,
} from './badges/trust-badge.ts';
import type { Clock } from '../context.ts';
import { getRoute } from '../http/get-route.ts';
import { isProfileDid, MAX_DID_LENGTH, type ProfileService } from './profile/profile.service.ts';

export interface BadgeRouteDeps {
  profiles: Pick<ProfileService, 'badgeSubject'>;
  clock: Clock;
}

const BADGE_PATH = /^\/badge\/([^/]+)\.(svg|json)$/;

/** The DID in a path segment, or null when the segment cannot be one (bad percent-encoding, far too long). */
export function decodeDidSegment(segment: string): string | null {
  if (segment.length > MAX_DID_LENGTH * 3) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function badgeRoutes(deps: BadgeRouteDeps): Hono {
  const router = new Hono();
  getRoute(router, '/badge/:file{[^/]+\\.(?:svg|json)}', async (request, url) => {
    const match = BADGE_PATH.exec(url.pathname)!;
    const did = decodeDidSegment(match[1]!);
    const subject: TrustBadgeSubject =
      did !== null && isProfileDid(did) ? await deps.profiles.badgeSubject(did, deps.clock()) : { kind: 'invalid' };
    const label = url.searchParams.get('label') ?? undefined;
    const style = url.searchParams.get('style');
    const rendered =
      match[2] === 'svg'
        ? renderTrustBadgeSvg(subject, { label, style: isBadgeStyle(style) ? style : 'flat' })
        : renderTrustBadgeJson(subject, { label });
    const headers = { ...badgeHeaders(rendered), 'Access-Control-Allow-Origin': '*' };
    // Only a successful badge is validated: an error response ignores If-None-Match (RFC 9110, 13.2.1).
    if (rendered.status === 200 && etagMatches(request.headers.get('if-none-match'), rendered.etag)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(request.method === 'HEAD' ? null : rendered.body, { status: rendered.status, headers });
  });
  return router;
}
