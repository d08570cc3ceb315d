import type { WindowStats } from '../../trust/types.ts';
import { builder } from '../builder.ts';

export const WindowStatsRef = builder.objectRef<WindowStats>('WindowStats').implement({
  description: 'Economic work in a window (posts and other non-economic receipts are not counted).',
  fields: (t) => ({
    tasks: t.exposeInt('tasks'),
    accepted: t.exposeInt('accepted'),
    disputed: t.exposeInt('disputed'),
    refunded: t.exposeInt('refunded'),
    acceptedRate: t.exposeFloat('acceptedRate'),
    disputeRate: t.exposeFloat('disputeRate'),
    volumeUsd: t.exposeFloat('volumeUsd'),
    verifiedVolumeUsd: t.exposeFloat('verifiedVolumeUsd'),
    avgValueUsd: t.exposeFloat('avgValueUsd'),
    uniqueCounterparties: t.exposeInt('uniqueCounterparties'),
    escrowVerifiedShare: t.exposeFloat('escrowVerifiedShare'),
  }),
});
