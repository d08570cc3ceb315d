import type { TrustReport } from '../../trust/engine/types.ts';
import { builder } from '../builder.ts';
import { TrustReportRef } from './trust-report.ts';

export const TrustDecisionRef = builder.objectRef<{ allowed: boolean; reasons: string[]; report: TrustReport }>('TrustDecision').implement({
  description: 'The answer of checkTrust: allowed or not under the policy, why not, and the report it was checked against.',
  fields: (t) => ({
    allowed: t.exposeBoolean('allowed', { description: 'True when every rule of the policy passes.' }),
    reasons: t.exposeStringList('reasons', { description: 'One reason per failed rule; empty when allowed.' }),
    report: t.field({ description: 'The trust report the policy was checked against.', type: TrustReportRef, resolve: (d) => d.report }),
  }),
});
