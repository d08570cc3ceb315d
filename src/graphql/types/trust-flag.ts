import type { TrustFlag } from '../../trust/types.ts';
import { builder } from '../builder.ts';

export const TrustFlagRef = builder.objectRef<TrustFlag>('TrustFlag').implement({
  description: 'Something noteworthy in the evidence, with a stable code (docs/trust-model.md lists them).',
  fields: (t) => ({
    code: t.exposeString('code'),
    severity: t.exposeString('severity', { description: 'info, warning or critical.' }),
    detail: t.exposeString('detail'),
  }),
});
