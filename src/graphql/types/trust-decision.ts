import type { TrustReport } from '../../trust/types.ts';
import { builder } from '../builder.ts';
import { TrustReportRef } from './trust-report.ts';

export const TrustDecisionRef = builder.objectRef<{ allowed: boolean; reasons: string[]; report: TrustReport }>('TrustDecision').implement({
  fields: (t) => ({
    allowed: t.exposeBoolean('allowed'),
    reasons: t.exposeStringList('reasons', { description: 'One reason per failed rule; empty when allowed.' }),
    report: t.field({ type: TrustReportRef, resolve: (d) => d.report }),
  }),
});
