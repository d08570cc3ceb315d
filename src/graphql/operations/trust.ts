// Trust reads: single, batched (one round of queries, input order) and policy checks.
import { z } from 'zod';
import { AuthError, InputError, NotFoundError } from '../../errors.ts';
import { MAX_TRUST_BATCH } from '../../trust/store/trust.service.ts';
import { builder } from '../builder.ts';
import { selectsBelow } from '../selection.ts';
import { SubjectDidSchema } from '../../identity/subject-did.ts';
import { AgentRef } from '../types/agent.ts';
import { TrustDecisionRef } from '../types/trust-decision.ts';
import { TrustPolicyInputRef } from '../types/trust-policy-input.ts';
import { TrustReportRef } from '../types/trust-report.ts';
import { TrustAnchorAuditEntryRef } from '../types/trust-anchor-audit-entry.ts';
import { TrustAnchorPayloadRef } from '../types/trust-anchor-payload.ts';
import { TrustAnchorRef } from '../types/trust-anchor.ts';

/** Builds the explanation only for a request that selects it (its texts are most of a report's cost). */
const detailFor = (info: Parameters<typeof selectsBelow>[0]) => ({ explain: selectsBelow(info, 'explanation') });

/** Imported history may name any DID method; only the shape is checked. */
export const AnyDidSchema = z.string().min(8).max(200).regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'must be a DID');

builder.queryFields((t) => ({
  trust: t.field({
    type: TrustReportRef,
    description:
      'The trust report of an Ed25519 did:key or a did:web (anything else is INVALID_INPUT); a DID without history gets tier F, confidence 0 and flag NO_HISTORY.',
    args: {
      did: t.arg.string({ description: 'The DID to report on: an Ed25519 did:key or a did:web.', required: true, validate: SubjectDidSchema }),
      asOf: t.arg({ type: 'DateTime', required: false, description: 'Report as of this moment (evidence after it is ignored); now when omitted.' }),
    },
    resolve: (_root, { did, asOf }, context, info) => context.services.trust.report(did, asOf ?? context.clock(), detailFor(info)),
  }),
  trustBatch: t.field({
    type: [TrustReportRef],
    description: `Reports for up to ${MAX_TRUST_BATCH} DIDs, in input order.`,
    args: {
      dids: t.arg.stringList({ description: `Up to ${MAX_TRUST_BATCH} DIDs (did:key or did:web); one report each, in this order.`, required: true, validate: z.array(SubjectDidSchema).max(MAX_TRUST_BATCH, `at most ${MAX_TRUST_BATCH} DIDs`) }),
      asOf: t.arg({ type: 'DateTime', required: false, description: 'Report as of this moment; now when omitted.' }),
    },
    resolve: (_root, { dids, asOf }, context, info) => context.services.trust.reports(dids, asOf ?? context.clock(), detailFor(info)),
  }),
  checkTrust: t.field({
    type: TrustDecisionRef,
    description: '"Can I hire this agent?": allow or deny under a policy, with a reason for every failed rule.',
    args: {
      did: t.arg.string({ description: 'The DID to check: an Ed25519 did:key or a did:web.', required: true, validate: SubjectDidSchema }),
      policy: t.arg({ type: TrustPolicyInputRef, required: true, description: 'The rules to check; omitted rules are not checked.' }),
      asOf: t.arg({ type: 'DateTime', required: false, description: 'Check as of this moment; now when omitted.' }),
    },
    resolve: (_root, { did, policy, asOf }, context, info) => {
      if (!policy) throw new InputError('policy is required', 'policy');
      return context.services.trust.check(did, policy, asOf ?? context.clock(), detailFor(info));
    },
  }),
}));

builder.objectField(AgentRef, 'trust', (t) =>
  t.field({
    type: TrustReportRef,
    description: 'The agent\'s trust report, as trust(did:) gives it.',
    args: { asOf: t.arg({ type: 'DateTime', required: false, description: 'Report as of this moment; now when omitted.' }) },
    resolve: (agent, { asOf }, context, info) => context.services.trust.report(agent.did, asOf ?? context.clock(), detailFor(info)),
  }),
);

const AnchorReasonSchema = z.string().trim().min(1, 'a reason is required').max(1000, 'at most 1000 characters');

// Operator trust anchors: admin-only, every change audited; effective from the next propagation run.
builder.queryFields((t) => ({
  trustAnchors: t.field({
    type: [TrustAnchorRef],
    description: 'Configured (CREDENCE_TRUST_ANCHORS) and admin-named trust anchors. Admins only.',
    authScopes: { admin: true },
    resolve: async (_root, _args, context) => {
      await context.requireAdmin();
      return context.services.trustAnchors.list();
    },
  }),
  trustAnchorAudit: t.field({
    type: [TrustAnchorAuditEntryRef],
    description: 'The latest anchor changes, newest first (of one DID when given). Admins only.',
    authScopes: { admin: true },
    args: {
      did: t.arg.string({ description: 'Only changes to this DID; all DIDs when omitted.', required: false, validate: AnyDidSchema }),
      first: t.arg.int({ description: 'How many entries, 1 to 500 (default 100).', required: false, validate: z.number().int().min(1).max(500) }),
    },
    resolve: async (_root, { did, first }, context) => {
      await context.requireAdmin();
      return context.services.trustAnchors.audit(did ?? undefined, first ?? 100);
    },
  }),
}));

builder.mutationFields((t) => ({
  addTrustAnchor: t.field({
    type: TrustAnchorPayloadRef,
    description: 'Names a DID the operator vouches for: it seeds credibility propagation from the next run on. Audited.',
    errors: { types: [AuthError, InputError] },
    authScopes: { admin: true },
    args: {
      did: t.arg.string({ description: 'The DID to vouch for (any DID method).', required: true, validate: AnyDidSchema }),
      reason: t.arg.string({ description: 'Why, kept in the audit log.', required: true, validate: AnchorReasonSchema }),
    },
    resolve: async (_root, { did, reason }, context) => {
      const admin = await context.requireAdmin();
      return { anchor: await context.services.trustAnchors.add(did, reason.trim(), admin.did, context.clock()) };
    },
  }),
  removeTrustAnchor: t.field({
    type: TrustAnchorPayloadRef,
    description: 'Stops a DID seeding propagation from the next run on. Audited; NOT_FOUND when it is not an admin-named anchor.',
    errors: { types: [AuthError, InputError, NotFoundError] },
    authScopes: { admin: true },
    args: { did: t.arg.string({ description: 'The anchored DID.', required: true, validate: AnyDidSchema }) },
    resolve: async (_root, { did }, context) => {
      const admin = await context.requireAdmin();
      return { anchor: await context.services.trustAnchors.remove(did, admin.did, context.clock()) };
    },
  }),
}));
