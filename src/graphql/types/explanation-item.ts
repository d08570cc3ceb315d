import type { ExplanationItem } from '../../trust/types.ts';
import { builder } from '../builder.ts';

export const ExplanationItemRef = builder.objectRef<ExplanationItem>('ExplanationItem').implement({
  description: 'What moved the score: signed points per factor; the items sum to the score.',
  fields: (t) => ({
    factor: t.exposeString('factor'),
    points: t.exposeFloat('points'),
    detail: t.exposeString('detail'),
  }),
});
