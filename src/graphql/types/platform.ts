import type { PlatformRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { PlatformStatusEnum } from './platform-status.ts';

export const PlatformRef = builder.loadableNodeRef<PlatformRow, string, string>('Platform', {
  id: { resolve: (platform) => platform.did },
  load: (dids, context) => context.services.platforms.findByDids(dids),
  sort: (platform) => platform.did,
});

PlatformRef.implement({
  description: 'A marketplace or escrow operator whose signed settlements and receipts Credence accepts once approved.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'webhook_secret' in value,
  fields: (t) => ({
    did: t.exposeString('did'),
    name: t.exposeString('name'),
    domain: t.exposeString('domain', { nullable: true }),
    status: t.field({ type: PlatformStatusEnum, resolve: (platform) => platform.status }),
    statusReason: t.exposeString('status_reason', { nullable: true }),
    registeredAt: t.field({ type: 'DateTime', resolve: (platform) => platform.registered_at }),
    approvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (platform) => platform.approved_at }),
    // Where events go is the platform's own business and the operators'.
    webhookUrl: t.string({
      nullable: true,
      authScopes: async (platform, _args, context) => {
        const viewer = await context.viewer().catch(() => null);
        return viewer !== null && (viewer.isAdmin || viewer.did === platform.did);
      },
      unauthorizedResolver: () => null,
      resolve: (platform) => platform.webhook_url,
    }),
  }),
});
