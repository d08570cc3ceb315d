// What the public profile page and the trust badge say about a DID, gathered from the services (reads only). The
// page and badge renderers stay pure: this module builds their input.
import { badgeLinks, profileUrl, type TrustBadgeSubject } from '../badges/trust-badge.ts';
import { isEd25519DidKey } from '../../crypto/ed25519.ts';
import type { Db } from '../../db/database.ts';
import type { CredentialRow, ReceiptRow } from '../../db/schema.ts';
import type { ProfileCredential, ProfileReceipt, ProfileReport, ProfileView } from '../pages/profile-page.ts';
import type { Services } from '../../services.ts';
import type { TrustReport } from '../../trust/engine/types.ts';
import { createActivityRepository } from './activity.repository.ts';

/** The longest DID accepted in a URL (as in the GraphQL API). */
export const MAX_DID_LENGTH = 200;
/** Receipts shown on the profile, newest first. */
export const RECENT_RECEIPTS = 10;
/** Credentials shown on the profile, newest first. */
export const RECENT_CREDENTIALS = 10;
/** Days in the activity chart. */
export const ACTIVITY_DAYS = 90;

/** Profiles and badges are for the DIDs the service knows how to hold: Ed25519 did:key. */
export function isProfileDid(value: string): boolean {
  return value.length <= MAX_DID_LENGTH && isEd25519DidKey(value);
}

/** True when the trust engine had evidence about the DID as a subject (it flags NO_HISTORY otherwise). */
export function hasHistory(report: Pick<TrustReport, 'flags'>): boolean {
  return !report.flags.some((flag) => flag.code === 'NO_HISTORY');
}

/** Same-origin path of a stored credential's download (served by the page routes). */
export function credentialDownloadPath(credentialId: string): string {
  return `/credentials/${encodeURIComponent(credentialId.replace(/^urn:uuid:/, ''))}`;
}

export function credentialVerifyPath(credentialId: string): string {
  return `${credentialDownloadPath(credentialId)}/verify`;
}

export interface ProfileServiceOptions {
  /** Absolute base URL of this service, for permalinks and embed snippets. */
  publicUrl: string;
  /** GraphQL endpoint (GraphiQL in a browser). */
  graphqlPath?: string;
}

type ProfileServices = Pick<Services, 'agents' | 'platforms' | 'receipts' | 'credentials' | 'trust'>;

export function createProfileService(db: Db, services: ProfileServices, options: ProfileServiceOptions) {
  const activity = createActivityRepository(db);
  const publicUrl = options.publicUrl.replace(/\/+$/, '');

  function toProfileReport(report: TrustReport): ProfileReport {
    return {
      asOf: report.asOf,
      score: report.score,
      tier: report.tier,
      confidence: report.confidence,
      vector: report.vector,
      windows: report.windows,
      client: report.client,
      flags: report.flags,
      explanation: report.explanation.map((item) => ({
        dimension: item.factor === 'prior' ? 'Starting point' : item.factor,
        text: item.detail,
        impact: item.points,
      })),
    };
  }

  async function recentReceipts(did: string): Promise<ProfileReceipt[]> {
    // One keyset page, newest first; revoked receipts no longer count, so they are left out of the list.
    const rows = (await services.receipts.page({ subjectDid: did }, null, RECENT_RECEIPTS * 2))
      .filter((row: ReceiptRow) => row.revoked_at === null)
      .slice(0, RECENT_RECEIPTS);
    const platformDids = [...new Set(rows.map((row) => row.platform_did))];
    const names = new Map((await services.platforms.findByDids(platformDids)).map((platform) => [platform.did, platform.name]));
    return rows.map((row) => ({
      platform: names.get(row.platform_did) ?? row.platform_did,
      actionCategory: row.action_category,
      outcome: row.outcome,
      // A receipt without a value (a task, a post) stores 0 USD; it shows as no value rather than $0.00.
      valueUsd: row.amount === null && Number(row.value_usd) === 0 ? null : Number(row.value_usd),
      confidence: row.confidence,
      occurredAt: row.occurred_at,
    }));
  }

  function toProfileCredential(row: CredentialRow): ProfileCredential {
    return {
      id: row.id,
      type: row.type,
      format: row.format,
      issuedAt: row.issued_at,
      revoked: row.revoked_at !== null,
      downloadUrl: credentialDownloadPath(row.id),
      verifyUrl: credentialVerifyPath(row.id),
    };
  }

  return {
    /** What the badge of a valid DID shows: tier and score once there is evidence, `no data` before. */
    async badgeSubject(did: string, now: Date): Promise<TrustBadgeSubject> {
      const report = await services.trust.report(did, now);
      return hasHistory(report) ? { kind: 'scored', tier: report.tier, score: report.score } : { kind: 'unknown' };
    },

    /** Everything the profile page of a valid DID shows, as of `now`. */
    async view(did: string, now: Date): Promise<ProfileView> {
      const [agents, report, days, receipts, credentials] = await Promise.all([
        services.agents.findByDids([did]),
        services.trust.report(did, now),
        activity.dailyReceipts(did, now, ACTIVITY_DAYS),
        recentReceipts(did),
        services.credentials.page(did, null, RECENT_CREDENTIALS),
      ]);
      const agent = agents[0];
      const links = badgeLinks(publicUrl, did);
      // A DID nobody reported on has no report worth drawing (an all-zero F), unless it is known as a client.
      const showReport = hasHistory(report) || report.client.jobsAsClient > 0;
      return {
        did,
        now,
        agent: agent
          ? { did: agent.did, displayName: agent.display_name, kind: agent.kind, claimedAt: agent.claimed_at }
          : null,
        report: showReport ? toProfileReport(report) : null,
        activity: days,
        recentReceipts: receipts,
        credentials: credentials.map(toProfileCredential),
        badge: { svgUrl: links.svgUrl, svgPath: links.svgPath, jsonUrl: links.jsonUrl, markdown: links.markdown, html: links.html },
        publicUrl: profileUrl(publicUrl, did),
        graphqlUrl: options.graphqlPath ?? '/graphql',
      };
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
