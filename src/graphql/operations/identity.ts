// Identity operations: the service itself, agents claiming DIDs, platforms and their approval.
import { z } from 'zod';
import { isEd25519DidKey } from '../../crypto/ed25519.ts';
import { AuthError, ConflictError, InputError, NotFoundError } from '../../errors.ts';
import { SuspendReasonSchema } from '../../identity/platform.service.ts';
import { builder } from '../builder.ts';
import { resolveKeysetConnection } from '../connection.ts';
import { AgentRef } from '../types/agent.ts';
import { ClaimDidInputRef } from '../types/claim-did-input.ts';
import { ClaimDidPayloadRef } from '../types/claim-did-payload.ts';
import { PlatformPayloadRef } from '../types/platform-payload.ts';
import { PlatformConnectionRef } from '../types/platform-connection.ts';
import { PlatformRef } from '../types/platform.ts';
import { RegisterPlatformInputRef } from '../types/register-platform-input.ts';
import { RegisterPlatformPayloadRef } from '../types/register-platform-payload.ts';
import { ServiceInfoRef } from '../types/service-info.ts';
import { SERVICE_VERSION } from '../../version.ts';

export const DidKeySchema = z
  .string()
  .max(200, 'a DID is at most 200 characters')
  .refine(isEd25519DidKey, 'must be an Ed25519 did:key (did:key:z6Mk…)');

builder.queryFields((t) => ({
  serviceInfo: t.field({
    type: ServiceInfoRef,
    description: 'This service: its DID, version, issuer keys and the URLs of its public documents.',
    resolve: (_root, _args, context) => ({ did: context.serviceDid, version: SERVICE_VERSION, publicUrl: context.publicUrl }),
  }),
  viewer: t.field({
    type: AgentRef,
    nullable: true,
    description: 'The agent behind the bearer token; null when anonymous or not yet claimed.',
    resolve: async (_root, _args, context) => {
      const viewer = await context.viewer();
      return viewer ? viewer.did : null;
    },
  }),
  agent: t.field({
    type: AgentRef,
    nullable: true,
    description: 'The agent that claimed this DID; null when it never claimed it (its trust can still be read with trust(did:)).',
    args: { did: t.arg.string({ description: 'An Ed25519 did:key (did:key:z6Mk…), at most 200 characters; anything else is INVALID_INPUT.', required: true, validate: DidKeySchema }) },
    resolve: (_root, { did }) => did,
  }),
  platform: t.field({
    type: PlatformRef,
    nullable: true,
    description: 'A registered platform by its DID; null when none registered with it.',
    args: { did: t.arg.string({ description: 'The platform\'s Ed25519 did:key.', required: true, validate: DidKeySchema }) },
    resolve: (_root, { did }) => did,
  }),
  platforms: t.connection(
    {
      type: PlatformRef,
      description: 'Registered platforms, oldest first.',
      resolve: (_root, args, context) =>
        resolveKeysetConnection(args, {
          list: 'Platform',
          read: (read) => context.services.platforms.keysetPage(read),
          keyOf: (platform) => ({ at: new Date(platform.registered_at), id: platform.did }),
        }),
    },
    PlatformConnectionRef,
  ),
}));

builder.mutationFields((t) => ({
  claimDid: t.field({
    type: ClaimDidPayloadRef,
    description: 'Claims the DID that signed the bearer token (proof of control). Claiming again updates the profile.',
    errors: { types: [AuthError, InputError] },
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: ClaimDidInputRef, required: false, description: 'Profile fields to set; omitted, a first claim stores none and a later one changes nothing.' }) },
    resolve: async (_root, { input }, context) => {
      const viewer = await context.requireViewer();
      return { agent: await context.services.agents.claim(viewer.did, input ?? {}, context.clock()) };
    },
  }),
  registerPlatform: t.field({
    type: RegisterPlatformPayloadRef,
    description: 'Registers the caller\'s DID as a PENDING platform; an admin approves it.',
    errors: { types: [AuthError, InputError, ConflictError] },
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: RegisterPlatformInputRef, required: true, description: 'The platform\'s name, domain and webhook URL.' }) },
    resolve: async (_root, { input }, context) => {
      const viewer = await context.requireViewer();
      return context.services.platforms.register(viewer.did, input, context.clock());
    },
  }),
  approvePlatform: t.field({
    type: PlatformPayloadRef,
    description: 'Approves a PENDING (or SUSPENDED) platform (admin): its signed settlements and receipts are accepted from now on.',
    errors: { types: [AuthError, InputError, NotFoundError] },
    authScopes: { admin: true },
    args: { did: t.arg.string({ description: 'The platform\'s DID.', required: true, validate: DidKeySchema }) },
    resolve: async (_root, { did }, context) => {
      const admin = await context.requireAdmin();
      return { platform: await context.services.platforms.approve(did, admin.did, context.clock()) };
    },
  }),
  suspendPlatform: t.field({
    type: PlatformPayloadRef,
    description: 'Suspends a platform (admin): its new submissions are refused with PLATFORM_NOT_APPROVED; what it submitted before stays.',
    errors: { types: [AuthError, InputError, NotFoundError] },
    authScopes: { admin: true },
    args: {
      did: t.arg.string({ description: 'The platform\'s DID.', required: true, validate: DidKeySchema }),
      reason: t.arg.string({ description: 'Why, shown as the platform\'s statusReason.', required: true, validate: SuspendReasonSchema }),
    },
    resolve: async (_root, { did, reason }, context) => {
      const admin = await context.requireAdmin();
      return { platform: await context.services.platforms.suspend(did, reason, admin.did, context.clock()) };
    },
  }),
}));
