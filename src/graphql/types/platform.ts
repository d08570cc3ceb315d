import type { PlatformRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { PlatformStatusEnum } from './platform-status.ts';

export const PlatformRef = builder.loadableNodeRef<PlatformRow, string, string>('Platform', {
  id: { resolve: (platform) => platform.did, description: 'The global id (opaque): use it with node(id:).' },
  load: (dids, context) => context.services.platforms.findByDids(dids),
  sort: (platform) => platform.did,
});

PlatformRef.implement({
  description: 'A marketplace or escrow operator whose signed settlements and receipts Credence accepts once approved.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'webhook_secret' in value,
  fields: (t) => ({
    did: t.exposeString('did', { description: 'The platform\'s Ed25519 did:key: the key that signs its settlements and receipts.' }),
    name: t.exposeString('name', { description: 'The platform\'s display name (1 to 100 characters).' }),
    domain: t.exposeString('domain', { description: 'The platform\'s host name, lower case; null when it gave none.', nullable: true }),
    status: t.field({ description: 'Whether its signatures count now.', type: PlatformStatusEnum, resolve: (platform) => platform.status }),
    statusReason: t.exposeString('status_reason', { description: 'Why it was suspended; null unless SUSPENDED.', nullable: true }),
    registeredAt: t.field({ description: 'When registerPlatform was called.', type: 'DateTime', resolve: (platform) => platform.registered_at }),
    approvedAt: t.field({ description: 'When an admin approved it; null while PENDING.', type: 'DateTime', nullable: true, resolve: (platform) => platform.approved_at }),
    // Where events go is the platform's own business and the operators'.
    webhookUrl: t.string({
      description: 'The http(s) URL its webhook events are posted to. Visible only to the platform itself and admins (null for anyone else), and null when it has none.',
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
