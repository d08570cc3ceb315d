import type { AgentRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { AgentKindEnum } from './agent-kind.ts';
import { badgeMarkdown, badgeSvgUrl, profileUrl } from '../../web/badges/trust-badge.ts';

export const AgentRef = builder.loadableNodeRef<AgentRow, string, string>('Agent', {
  id: { resolve: (agent) => agent.did, description: 'The global id (opaque): use it with node(id:).' },
  load: (dids, context) => context.services.agents.findByDids(dids),
  sort: (agent) => agent.did,
});

AgentRef.implement({
  description: 'A DID that proved control of its key by claiming itself.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'claimed_at' in value,
  fields: (t) => ({
    did: t.exposeString('did', { description: 'The agent\'s Ed25519 did:key.' }),
    displayName: t.exposeString('display_name', { nullable: true, description: 'The name it claimed with (1 to 100 characters); null when it gave none.' }),
    kind: t.field({ type: AgentKindEnum, description: 'What stands behind the DID, as claimed.', resolve: (agent) => agent.kind }),
    claimedAt: t.field({ type: 'DateTime', description: 'When the DID was first claimed.', resolve: (agent) => agent.claimed_at }),
    badgeUrl: t.string({
      description: 'Absolute URL of the agent\'s SVG trust badge; embed it as `![trust](<badgeUrl>)`.',
      resolve: (agent, _args, context) => badgeSvgUrl(context.publicUrl, agent.did),
    }),
    badgeMarkdown: t.string({
      description: 'A copy-paste Markdown snippet: the badge, linked to the profile page.',
      resolve: (agent, _args, context) => badgeMarkdown(context.publicUrl, agent.did),
    }),
    profileUrl: t.string({
      description: 'Absolute URL of the agent\'s public profile page.',
      resolve: (agent, _args, context) => profileUrl(context.publicUrl, agent.did),
    }),
  }),
});
