import type { TrustReport } from '../../trust/engine/types.ts';
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
    did: t.exposeString('did', { description: 'The DID the report is about.' }),
    asOf: t.field({ description: 'The moment the report describes: now, or the `asOf` asked for.', type: 'DateTime', resolve: (r) => r.asOf }),
    vector: t.field({ description: 'The seven dimensions the score is built from.', type: TrustVectorRef, resolve: (r) => r.vector }),
    score: t.exposeFloat('score', { description: '0..100.' }),
    tier: t.field({ description: 'The letter grade of the score.', type: TierEnum, resolve: (r) => r.tier }),
    confidence: t.exposeFloat('confidence', { description: '0..1: how much evidence stands behind the score.' }),
    windows: t.field({ description: 'Economic work in the last 7, 30 and 90 days and over the lifetime.', type: TrustWindowsRef, resolve: (r) => r.windows }),
    client: t.field({ description: 'The DID\'s record as a buyer.', type: ClientStatsRef, resolve: (r) => r.client }),
    flags: t.field({ description: 'Noteworthy findings; empty when there is nothing to say.', type: [TrustFlagRef], resolve: (r) => r.flags }),
    explanation: t.field({ description: 'What moved the score, largest effect first; the points sum to the score.', type: [ExplanationItemRef], resolve: (r) => r.explanation }),
  }),
});
