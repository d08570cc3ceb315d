// The REST API's pure parts (shapes, the status table, the delta) and the failure paths a real service cannot be
// made to take on demand: an unexpected error is masked as a 500, a rate limit is a 429 with Retry-After.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, InputError, RateLimitError } from '../../../src/errors.ts';
import { errorResponse, REST_STATUS_BY_CODE } from '../../../src/rest/reputation-errors.ts';
import { createRouter, routerPlugin } from '../../../src/router.ts';
import {
  antiGamingShape,
  formatReputationDelta,
  reputationBadgeContent,
  reputationBody,
} from '../../../src/rest/reputation-shapes.ts';
import { createLogger } from '../../../src/logger.ts';
import type { TrustReport, WindowStats } from '../../../src/trust/engine/types.ts';

const DID = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';

function stats(overrides: Partial<WindowStats> = {}): WindowStats {
  return {
    tasks: 10,
    accepted: 9,
    disputed: 1,
    refunded: 0,
    acceptedRate: 0.9,
    disputeRate: 0.1,
    volumeUsd: 4500,
    avgValueUsd: 500,
    uniqueCounterparties: 7,
    escrowVerifiedShare: 0.8,
    verifiedVolumeUsd: 4000,
    ...overrides,
  };
}

function report(overrides: Partial<TrustReport> = {}): TrustReport {
  return {
    did: DID,
    asOf: '2026-11-01T12:00:00.000Z',
    vector: { E: 0.5, P: 0.1, B: 0.9, D: 0.4, R: 0.8, A: -0.3, C: 0 },
    score: 61.5,
    tier: 'B',
    confidence: 0.6,
    windows: { d7: stats({ tasks: 1 }), d30: stats({ tasks: 4 }), d90: stats({ tasks: 8 }), lifetime: stats() },
    client: { jobsAsClient: 0, disputesFiled: 0, disputeRate: 0, restricted: false },
    flags: [
      { code: 'BURST', severity: 'warning', detail: '6 jobs in one hour' },
      { code: 'STALE_HISTORY', severity: 'info', detail: 'quiet lately' },
    ],
    explanation: [],
    ...overrides,
  };
}

describe('reputation shapes', () => {
  it('maps a trust report to the Phase 1 and Phase 2 fields', () => {
    const body = reputationBody(report(), { liveCredentials: 3, lastActive: new Date('2026-10-30T08:00:00Z') });
    expect(body).toMatchObject({
      success: true,
      did: DID,
      score: 61.5,
      totalTasks: 10,
      successRate: 0.9,
      credentials: 3,
      lastActive: '2026-10-30T08:00:00.000Z',
      trust_vector: { E: 0.5, P: 0.1, B: 0.9, D: 0.4, R: 0.8, A: -0.3, C: 0 },
      computed_at: '2026-11-01T12:00:00.000Z',
      tier: 'B',
    });
    expect(Object.keys(body.reputation.windows)).toEqual(['last_7_days', 'last_30_days', 'last_90_days', 'all_time']);
    expect(body.reputation.windows.last_30_days).toEqual({
      task_count: 4,
      accepted_count: 9,
      disputed_count: 1,
      refunded_count: 0,
      accepted_rate: 0.9,
      dispute_rate: 0.1,
      total_volume: 4500,
      avg_task_value: 500,
      unique_buyers: 7,
      escrow_verified_share: 0.8,
      verified_volume: 4000,
    });
  });

  it('reports only anomaly flags as anti-gaming, with the weight the penalty leaves', () => {
    expect(antiGamingShape(report())).toEqual({ flagged: true, flags: ['burst: 6 jobs in one hour'], adjusted_weight: 0.7 });
    expect(antiGamingShape(report({ flags: [], vector: { E: 0, P: 0, B: 0, D: 0, R: 0, A: 0, C: 0 } }))).toEqual({
      flagged: false,
      flags: [],
      adjusted_weight: 1,
    });
  });

  it('formats the delta as a signed decimal string', () => {
    expect(formatReputationDelta(40, 40.5)).toBe('+0.50');
    expect(formatReputationDelta(40, 38.75)).toBe('-1.25');
    expect(formatReputationDelta(40, 40)).toBe('+0.00');
    expect(formatReputationDelta(40, 39.999)).toBe('+0.00');
  });

  it('colours the badge by acceptance rate, red when anomalies are flagged, grey without tasks', () => {
    const clean = { flags: [], vector: report().vector };
    expect(reputationBadgeContent({ ...clean, windows: report().windows })).toEqual({ label: 'reputation', message: '90% \u00b7 10 tasks', color: 'brightgreen' });
    expect(reputationBadgeContent({ ...clean, windows: { ...report().windows, lifetime: stats({ tasks: 1, acceptedRate: 0.75 }) } })).toMatchObject({
      message: '75% \u00b7 1 task',
      color: 'yellow',
    });
    expect(reputationBadgeContent({ ...clean, windows: { ...report().windows, lifetime: stats({ acceptedRate: 0.5 }) } }).color).toBe('red');
    expect(reputationBadgeContent(report()).color).toBe('red');
    expect(reputationBadgeContent({ ...clean, windows: { ...report().windows, lifetime: stats({ tasks: 0, acceptedRate: 0 }) } })).toMatchObject({
      message: 'no data',
      color: 'lightgrey',
    });
  });
});

describe('the status table', () => {
  it('gives every error code a client-error status', () => {
    for (const code of ERROR_CODES) expect([400, 401, 403, 404, 409, 429]).toContain(REST_STATUS_BY_CODE[code]);
    expect(REST_STATUS_BY_CODE).toMatchObject({ INVALID_INPUT: 400, INVALID_SIGNATURE: 401, NOT_FOUND: 404, RATE_LIMITED: 429 });
  });

  it('keeps the field of an input error', async () => {
    const response = errorResponse(new InputError('limit must be between 1 and 100', 'limit'));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ success: false, error: 'limit must be between 1 and 100', code: 'INVALID_INPUT', field: 'limit' });
  });
});

describe('the routes when a service fails', () => {
  function call(services: unknown, path: string, logs: string[] = []) {
    // Through the app's router, whose other routes these calls never reach.
    const router = createRouter({
      rest: {
        services: services as never,
        clock: () => new Date('2026-11-01T12:00:00Z'),
        maxBodyBytes: 1_000_000,
        logger: createLogger('error', (line) => logs.push(line)),
      },
      service: {} as never,
      credentials: {} as never,
      badges: {} as never,
      pages: {} as never,
    });
    const plugin = routerPlugin(router, { maxBodyBytes: 1_000_000 });
    const request = new Request(`http://localhost${path}`);
    let response: Response | undefined;
    return Promise.resolve(
      plugin.onRequest!({ request, url: new URL(request.url), endResponse: (r: Response) => (response = r) } as never),
    ).then(() => response!);
  }

  it('masks an unexpected error as a 500 and logs it', async () => {
    const logs: string[] = [];
    const failing = {
      trust: { report: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.3:5432')) },
      credentials: { countForSubject: () => Promise.resolve({ total: 0, live: 0 }) },
      receipts: { page: () => Promise.resolve([]) },
    };
    const response = await call(failing, `/api/reputation/agent/${DID}/reputation`, logs);
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toEqual({ success: false, error: 'internal server error', code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
    expect(logs.join('')).toContain('ECONNREFUSED');
  });

  it('answers a rate limit with 429 RATE_LIMITED and Retry-After', async () => {
    const limited = {
      receipts: {
        pageAt: () => Promise.reject(new RateLimitError('too many requests', 7.2)),
        countForSubject: () => Promise.resolve(0),
      },
    };
    const response = await call(limited, `/api/reputation/receipts?did=${DID}`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('8');
    expect(await response.json()).toEqual({ success: false, error: 'too many requests', code: 'RATE_LIMITED' });
  });

  it('leaves every other path to the next handler', async () => {
    expect(await call({}, '/graphql')).toBeUndefined();
    expect(await call({}, '/api/other')).toBeUndefined();
  });
});
