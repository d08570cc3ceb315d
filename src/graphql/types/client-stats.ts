import type { ClientStats } from '../../trust/engine/types.ts';
import { builder } from '../builder.ts';

export const ClientStatsRef = builder.objectRef<ClientStats>('ClientStats').implement({
  description: 'The agent as a buyer. Restricted when its dispute rate is at least 40% with 3 or more disputes filed.',
  fields: (t) => ({
    jobsAsClient: t.exposeInt('jobsAsClient', { description: 'Economic jobs in which this DID was the buyer (the receipt\'s counterparty), lifetime.' }),
    disputesFiled: t.exposeInt('disputesFiled', { description: 'Of those jobs, how many ended disputed.' }),
    disputeRate: t.exposeFloat('disputeRate', { description: 'The share of those jobs that ended disputed (disputesFiled / jobsAsClient), 0..1, 4 decimals; 0 with no jobs.' }),
    restricted: t.exposeBoolean('restricted', { description: 'True when the dispute rate is at least 0.4 with 3 or more disputes: marketplaces may refuse this DID as a buyer.' }),
  }),
});
