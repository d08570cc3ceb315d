import type { TrustReport } from '../../trust/types.ts';
import { builder } from '../builder.ts';
import { ClientStatsRef } from './client-stats.ts';
import { ExplanationItemRef } from './explanation-item.ts';
import { TierEnum } from './tier.ts';
import { TrustFlagRef } from './trust-flag.ts';
import { TrustVectorRef } from './trust-vector.ts';
import { TrustWindowsRef } from './trust-windows.ts';

export const TrustReportRef = builder.objectRef<TrustReport>('TrustReport').implement({
  description: 'An agent\'s trust as of a moment: the vector, score, tier, confidence, windows, flags and why.',
  fields: (t) => ({
    did: t.exposeString('did'),
    asOf: t.field({ type: 'DateTime', resolve: (r) => r.asOf }),
    vector: t.field({ type: TrustVectorRef, resolve: (r) => r.vector }),
    score: t.exposeFloat('score', { description: '0..100.' }),
    tier: t.field({ type: TierEnum, resolve: (r) => r.tier }),
    confidence: t.exposeFloat('confidence', { description: '0..1: how much evidence stands behind the score.' }),
    windows: t.field({ type: TrustWindowsRef, resolve: (r) => r.windows }),
    client: t.field({ type: ClientStatsRef, resolve: (r) => r.client }),
    flags: t.field({ type: [TrustFlagRef], resolve: (r) => r.flags }),
    explanation: t.field({ type: [ExplanationItemRef], resolve: (r) => r.explanation }),
  }),
});
