import type { TrustWindows } from '../../trust/engine/types.ts';
import { builder } from '../builder.ts';
import { WindowStatsRef } from './window-stats.ts';

export const TrustWindowsRef = builder.objectRef<TrustWindows>('TrustWindows').implement({
  description: 'Window stats for the last 7, 30 and 90 days and the lifetime, all ending at the report\'s asOf.',
  fields: (t) => ({
    d7: t.field({ description: 'The last 7 days up to `asOf`.', type: WindowStatsRef, resolve: (w) => w.d7 }),
    d30: t.field({ description: 'The last 30 days up to `asOf`.', type: WindowStatsRef, resolve: (w) => w.d30 }),
    d90: t.field({ description: 'The last 90 days up to `asOf`.', type: WindowStatsRef, resolve: (w) => w.d90 }),
    lifetime: t.field({ description: 'All evidence up to `asOf`.', type: WindowStatsRef, resolve: (w) => w.lifetime }),
  }),
});
