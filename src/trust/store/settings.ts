// What the operator configures about trust: anchors and the observable seed rule, as engine parameters.
import type { TrustConfig } from '../../config.ts';
import { DEFAULT_TRUST_PARAMS, trustParams, type TrustParams } from '../engine/params.ts';

export interface TrustSettings {
  params: TrustParams;
  /** Anchors from configuration; those added through the admin API are read from trust_anchors at each run. */
  anchors: readonly string[];
}

export const DEFAULT_TRUST_SETTINGS: TrustSettings = Object.freeze({ params: DEFAULT_TRUST_PARAMS, anchors: Object.freeze([]) as readonly string[] });

export function trustSettings(config: { trust: Readonly<TrustConfig> }): TrustSettings {
  const t = config.trust;
  return {
    params: trustParams({
      propagation: {
        seedMinPlatforms: t.seedMinPlatforms,
        seedMinEscrowJobs: t.seedMinEscrowJobs,
        seedMinCounterparties: t.seedMinCounterparties,
        seedMinMeanAgeDays: t.seedMinMeanAgeDays,
      },
    }),
    anchors: t.anchors,
  };
}
