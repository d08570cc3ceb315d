import type { WindowStats } from '../../trust/engine/types.ts';
import { builder } from '../builder.ts';

export const WindowStatsRef = builder.objectRef<WindowStats>('WindowStats').implement({
  description: 'Economic work in a window (posts and other non-economic receipts are not counted).',
  fields: (t) => ({
    tasks: t.exposeInt('tasks', { description: 'Economic tasks that ended: accepted + disputed + refunded.' }),
    accepted: t.exposeInt('accepted', { description: 'Tasks accepted by the buyer.' }),
    disputed: t.exposeInt('disputed', { description: 'Tasks that ended in a dispute.' }),
    refunded: t.exposeInt('refunded', { description: 'Tasks refunded to the buyer.' }),
    acceptedRate: t.exposeFloat('acceptedRate', { description: 'The accepted share (accepted / tasks), 0..1, 4 decimals; 0 with no tasks.' }),
    disputeRate: t.exposeFloat('disputeRate', { description: 'The disputed share (disputed / tasks), 0..1, 4 decimals; 0 with no tasks.' }),
    volumeUsd: t.exposeFloat('volumeUsd', { description: 'US dollar value of the accepted tasks (2 decimals).' }),
    verifiedVolumeUsd: t.exposeFloat('verifiedVolumeUsd', { description: 'The part of volumeUsd backed by a settled escrow (ESCROW_VERIFIED), in US dollars.' }),
    avgValueUsd: t.exposeFloat('avgValueUsd', { description: 'The average value of an accepted task (volumeUsd / accepted), in US dollars; 0 with nothing accepted.' }),
    uniqueCounterparties: t.exposeInt('uniqueCounterparties', { description: 'Distinct counterparties the agent worked with.' }),
    escrowVerifiedShare: t.exposeFloat('escrowVerifiedShare', { description: 'The share of tasks backed by a settled escrow, 0..1.' }),
  }),
});
