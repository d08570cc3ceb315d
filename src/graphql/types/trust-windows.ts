import type { TrustWindows } from '../../trust/types.ts';
import { builder } from '../builder.ts';
import { WindowStatsRef } from './window-stats.ts';

export const TrustWindowsRef = builder.objectRef<TrustWindows>('TrustWindows').implement({
  fields: (t) => ({
    d7: t.field({ type: WindowStatsRef, resolve: (w) => w.d7 }),
    d30: t.field({ type: WindowStatsRef, resolve: (w) => w.d30 }),
    d90: t.field({ type: WindowStatsRef, resolve: (w) => w.d90 }),
    lifetime: t.field({ type: WindowStatsRef, resolve: (w) => w.lifetime }),
  }),
});
