import { AGENT_KINDS } from '../../identity/agent.service.ts';
import { builder } from '../builder.ts';

export const AgentKindEnum = builder.enumType('AgentKind', {
  description: 'What stands behind a DID.',
  values: AGENT_KINDS,
});
