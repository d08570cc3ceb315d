import { AGENT_KINDS } from '../../identity/agent.service.ts';
import { builder } from '../builder.ts';

export const AgentKindEnum = builder.enumType('AgentKind', {
  description: 'What stands behind a DID.',
  values: {
    AGENT: { description: 'An autonomous software agent (the default).' },
    SERVICE: { description: 'A service or API acting under its own DID.' },
    HUMAN: { description: 'A person.' },
  } satisfies Record<(typeof AGENT_KINDS)[number], { description: string }>,
});
