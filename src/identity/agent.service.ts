import { z } from 'zod';
import type { AgentRow } from '../db/schema.ts';
import type { AgentRepository } from './agent.repository.ts';

export const AGENT_KINDS = ['AGENT', 'SERVICE', 'HUMAN'] as const;

export const ClaimDidInputSchema = z.object({
  displayName: z
    .string()
    .trim()
    .min(1, 'displayName must not be empty')
    .max(100, 'displayName is at most 100 characters')
    // Control characters have no place in a name shown on pages and badges.
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'displayName must not contain control characters')
    .nullish(),
  kind: z.enum(AGENT_KINDS).nullish(),
});

export type ClaimDidInput = z.infer<typeof ClaimDidInputSchema>;

/** `lists` serves the lookups (on the public read handle, which may be a replica); `agents` the writes. */
export function createAgentService(agents: AgentRepository, lists: AgentRepository = agents) {
  return {
    /** The caller proved control of `did` with its token; claiming again refreshes the profile. */
    claim(did: string, input: ClaimDidInput, now: Date): Promise<AgentRow> {
      return agents.upsertClaim({ did, displayName: input.displayName ?? null, kind: input.kind ?? 'AGENT', now });
    },
    findByDids: lists.findByDids,
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
