// A hand-made profile view for the page tests: an agent with history, a hostile display name and hostile strings in
// every free-text field the page shows.
import { badgeLinks } from '../../../src/web/badges/trust-badge.ts';
import type { ProfileView, WindowStats } from '../../../src/web/pages/profile-page.ts';

export const HOSTILE_NAME = '<script>alert(1)</script>';
export const FIXTURE_DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
export const FIXTURE_NOW = '2026-11-30T12:00:00Z';

function stats(tasks: number, accepted: number, disputed: number, refunded: number, volumeUsd: number, counterparties: number, verified: number): WindowStats {
  return {
    tasks,
    accepted,
    disputed,
    refunded,
    acceptedRate: tasks === 0 ? 0 : accepted / tasks,
    disputeRate: tasks === 0 ? 0 : disputed / tasks,
    volumeUsd,
    avgValueUsd: tasks === 0 ? 0 : volumeUsd / tasks,
    uniqueCounterparties: counterparties,
    escrowVerifiedShare: verified,
  };
}

/** Deterministic activity: a few quiet weeks, then steady work. */
function activity(): { day: string; count: number }[] {
  const out: { day: string; count: number }[] = [];
  const end = Date.parse('2026-11-30T00:00:00Z');
  for (let i = 0; i < 90; i += 1) {
    const day = new Date(end - i * 86_400_000).toISOString().slice(0, 10);
    const count = i > 70 ? 0 : (i * 7 + 3) % 5 === 0 ? 0 : ((i * 13) % 6) + (i < 10 ? 2 : 0);
    if (count > 0) out.push({ day, count });
  }
  return out;
}

export function fixtureView(overrides: Partial<ProfileView> = {}): ProfileView {
  const base = 'http://localhost:4000';
  return {
    did: FIXTURE_DID,
    now: FIXTURE_NOW,
    agent: { did: FIXTURE_DID, displayName: HOSTILE_NAME, kind: 'AGENT', claimedAt: '2026-03-02T09:30:00Z' },
    report: {
      asOf: FIXTURE_NOW,
      score: 87.4,
      tier: 'A',
      confidence: 0.82,
      vector: { E: 0.91, P: 0.78, B: 0.95, D: 0.64, R: 0.88, A: -0.12, C: 0 },
      windows: {
        d7: stats(9, 9, 0, 0, 2_150, 6, 1),
        d30: stats(41, 39, 1, 1, 10_240.5, 17, 0.93),
        d90: stats(118, 111, 3, 2, 31_870, 38, 0.9),
        lifetime: stats(402, 380, 9, 6, 96_400, 85, 0.87),
      },
      client: { jobsAsClient: 12, disputesFiled: 1, disputeRate: 1 / 12, restricted: false },
      flags: [
        { code: 'COUNTERPARTY_CONCENTRATION', severity: 'WARNING', detail: '31% of 90-day volume from one buyer' },
        { code: 'MYSTERY_FLAG', severity: 'INFO', detail: '<img src=x onerror=alert(2)> is just text' },
      ],
      explanation: [
        { dimension: 'E', text: '111 escrow-verified jobs in 90 days across 4 platforms', impact: 31.2 },
        { dimension: 'A', text: 'Counterparty concentration', impact: -2.4 },
        'Recent activity keeps recency high',
      ],
    },
    activity: activity(),
    recentReceipts: [
      { platform: 'GigHub', actionCategory: 'economic.transaction', outcome: 'accepted', valueUsd: 500, confidence: 'ESCROW_VERIFIED', occurredAt: '2026-11-29T10:00:00Z' },
      { platform: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH', actionCategory: 'productivity.completion', outcome: 'accepted', valueUsd: null, confidence: 'PLATFORM_SIGNED', occurredAt: '2026-11-28T16:20:00Z' },
      { platform: 'AgentMart', actionCategory: 'economic.transaction', outcome: 'disputed', valueUsd: 1250.75, confidence: 'COUNTERPARTY_SIGNED', occurredAt: '2026-11-27T08:05:00Z' },
      { platform: '"><svg onload=alert(3)>', actionCategory: 'social.endorsement', outcome: 'accepted', valueUsd: 0, confidence: 'IMPORTED', occurredAt: '2026-11-20T00:00:00Z' },
    ],
    credentials: [
      { id: 'urn:uuid:7f1c5a52-8a8e-4d0e-9a77-0d5e1d0c2b11', type: 'REPUTATION', format: 'JWT', issuedAt: '2026-11-01T00:00:00Z', revoked: false, downloadUrl: '/credentials/urn:uuid:7f1c5a52.jwt', verifyUrl: '/graphql?query=verify' },
      { id: 'urn:uuid:0b6a2d44-1111-4e5f-8c3d-9e8f7a6b5c4d', type: 'TASK_COMPLETION', format: 'JSON_LD', issuedAt: '2026-10-12T00:00:00Z', revoked: true, downloadUrl: 'javascript:alert(4)' },
    ],
    badge: badgeLinks(base, FIXTURE_DID),
    publicUrl: `${base}/agents/${FIXTURE_DID}`,
    ...overrides,
  };
}
