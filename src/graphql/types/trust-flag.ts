import type { TrustFlag } from '../../trust/engine/types.ts';
import { builder } from '../builder.ts';

export const TrustFlagRef = builder.objectRef<TrustFlag>('TrustFlag').implement({
  description: 'Something noteworthy in the evidence, with a stable code (docs/trust-model.md lists them).',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'A stable code such as NO_HISTORY, SELF_DEALING or ABUSIVE_CLIENT (docs/trust-model.md).' }),
    severity: t.exposeString('severity', { description: 'How serious it is: info, warning or critical.' }),
    detail: t.exposeString('detail', { description: 'A plain-language sentence on what was seen.' }),
  }),
});
