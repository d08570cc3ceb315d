import type { ClientStats } from '../../trust/types.ts';
import { builder } from '../builder.ts';

export const ClientStatsRef = builder.objectRef<ClientStats>('ClientStats').implement({
  description: 'The agent as a buyer. Restricted when its dispute rate is at least 40% with 3 or more disputes filed.',
  fields: (t) => ({
    jobsAsClient: t.exposeInt('jobsAsClient'),
    disputesFiled: t.exposeInt('disputesFiled'),
    disputeRate: t.exposeFloat('disputeRate'),
    restricted: t.exposeBoolean('restricted'),
  }),
});
