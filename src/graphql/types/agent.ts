import type { AgentRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { AgentKindEnum } from './agent-kind.ts';
import { badgeMarkdown, badgeSvgUrl, profileUrl } from '../../badges/trust-badge.ts';

export const AgentRef = builder.loadableNodeRef<AgentRow, string, string>('Agent', {
  id: { resolve: (agent) => agent.did },
  load: (dids, context) => context.services.agents.findByDids(dids),
  sort: (agent) => agent.did,
});

AgentRef.implement({
  description: 'A DID that proved control of its key by claiming itself.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'claimed_at' in value,
  fields: (t) => ({
    did: t.exposeString('did'),
    displayName: t.exposeString('display_name', { nullable: true }),
    kind: t.field({ type: AgentKindEnum, resolve: (agent) => agent.kind }),
    claimedAt: t.field({ type: 'DateTime', resolve: (agent) => agent.claimed_at }),
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
