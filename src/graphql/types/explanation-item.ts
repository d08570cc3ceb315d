import type { ExplanationItem } from '../../trust/engine/types.ts';
import { builder } from '../builder.ts';

export const ExplanationItemRef = builder.objectRef<ExplanationItem>('ExplanationItem').implement({
  description: 'What moved the score: signed points per factor; the items sum to the score.',
  fields: (t) => ({
    factor: t.exposeString('factor', { description: 'The factor\'s stable name (a vector dimension, a penalty or an adjustment; docs/trust-model.md).' }),
    points: t.exposeFloat('points', { description: 'Signed score points this factor contributes: positive raises the score, negative lowers it.' }),
    detail: t.exposeString('detail', { description: 'A plain-language sentence on why, with the numbers behind it.' }),
  }),
});
