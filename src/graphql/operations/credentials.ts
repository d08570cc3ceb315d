// Verifiable credentials: issuing one for yourself, admin revocation, reads, the revocation list, and verification
// of credentials and presentations (from this service or any did:key issuer).
import { z } from 'zod';
import { decodeGlobalID } from '@pothos/plugin-relay';
import type { RequestContext } from '../../context.ts';
import { FIRST_STATUS_LIST_ID } from '../../credentials/credential.service.ts';
import { AuthError, ConflictError, InputError, NotFoundError, RateLimitError } from '../../errors.ts';
import { builder } from '../builder.ts';
import { resolveKeysetConnection, type ConnectionArgs } from '../connection.ts';
import { AgentRef } from '../types/agent.ts';
import { CredentialConnectionRef } from '../types/credential-connection.ts';
import { CredentialRef } from '../types/credential.ts';
import { IssueCredentialInputRef } from '../types/issue-credential-input.ts';
import { IssueCredentialPayloadRef } from '../types/issue-credential-payload.ts';
import { PresentationVerificationResultRef } from '../types/presentation-verification-result.ts';
import { RevocationListRef } from '../types/revocation-list.ts';
import { RevokeCredentialPayloadRef } from '../types/revoke-credential-payload.ts';
import { VerificationResultRef } from '../types/verification-result.ts';
import { DidKeySchema } from './identity.ts';

/** Credentials and presentations are small; this bounds the work one request can ask for. */
const MAX_DOCUMENT = 262_144;
const DocumentSchema = z.string().min(1).max(MAX_DOCUMENT, `at most ${MAX_DOCUMENT} characters`);
const ReasonSchema = z.string().trim().min(1, 'reason must not be empty').max(500);
const CREDENTIAL_ID = /^urn:uuid:[0-9a-f-]{36}$/;

/** Accepts the credential's own id (`urn:uuid:…`) or its global Node id. */
function credentialIdFrom(value: string): string | null {
  if (CREDENTIAL_ID.test(value)) return value;
  try {
    const decoded = decodeGlobalID(value);
    return decoded.typename === 'Credential' && CREDENTIAL_ID.test(decoded.id) ? decoded.id : null;
  } catch {
    return null;
  }
}

function credentialConnection(did: string, args: ConnectionArgs, context: RequestContext) {
  return resolveKeysetConnection(args, {
    list: 'Credential',
    read: (read) => context.services.credentials.keysetPage(did, read),
    keyOf: (credential) => ({ at: new Date(credential.issued_at), id: credential.id }),
  });
}

builder.queryFields((t) => ({
  credentials: t.connection(
    {
      type: CredentialRef,
      description: 'Credentials issued to a DID, newest first (revoked ones included, marked revoked).',
      args: { did: t.arg.string({ description: 'The subject\'s Ed25519 did:key.', required: true, validate: DidKeySchema }) },
      resolve: (_root, args, context) => credentialConnection(args.did, args, context),
    },
    CredentialConnectionRef,
  ),
  credential: t.field({
    type: CredentialRef,
    nullable: true,
    description: 'One credential by its own id (`urn:uuid:…`) or its global id.',
    args: { id: t.arg.id({ required: true, description: 'The credential\'s own id (urn:uuid:…) or its global id.' }) },
    resolve: (_root, { id }) => credentialIdFrom(String(id)),
  }),
  revocationList: t.field({
    type: RevocationListRef,
    description: 'The signed status list (purpose revocation) and the revocations in it; list 1 unless asked.',
    args: { listId: t.arg.int({ required: false, defaultValue: FIRST_STATUS_LIST_ID, description: 'The status list number.' }) },
    resolve: async (_root, { listId }, context) => {
      const list = await context.services.credentials.statusList(listId ?? FIRST_STATUS_LIST_ID);
      if (!list) throw new NotFoundError(`no status list ${listId}`);
      return list;
    },
  }),
  verifyCredential: t.field({
    type: VerificationResultRef,
    description:
      'Verifies a credential (a JWT, or JSON-LD as JSON text): signature, issuer key (current or retired), validity ' +
      'period, revocation status and schema. Never fails for bad input: the result says why it is invalid.',
    args: { credential: t.arg.string({ description: 'The credential: a JWT, or a JSON-LD document as JSON text.', required: true, validate: DocumentSchema }) },
    resolve: (_root, { credential }, context) => context.services.credentials.verifyCredential(credential, context.clock()),
  }),
  verifyPresentation: t.field({
    type: PresentationVerificationResultRef,
    description:
      'Verifies a holder\'s presentation (JWT or JSON-LD text) and every credential in it. Pass the challenge (and ' +
      'domain) you gave the holder: a presentation made for another challenge is refused.',
    args: {
      presentation: t.arg.string({ description: 'The presentation: a JWT, or a JSON-LD document as JSON text.', required: true, validate: DocumentSchema }),
      challenge: t.arg.string({ description: 'The nonce the verifier gave the holder (at most 500 characters); the presentation must carry it.', required: false, validate: z.string().max(500).nullish() }),
      domain: t.arg.string({ description: 'The verifier\'s domain (at most 500 characters); the presentation must name it.', required: false, validate: z.string().max(500).nullish() }),
    },
    resolve: (_root, { presentation, challenge, domain }, context) =>
      context.services.credentials.verifyPresentation(presentation, { challenge, domain }, context.clock()),
  }),
}));

builder.objectField(AgentRef, 'credentials', (t) =>
  t.connection(
    {
      type: CredentialRef,
      description: 'Credentials issued to this agent, newest first.',
      resolve: (agent, args, context) => credentialConnection(agent.did, args, context),
    },
    CredentialConnectionRef,
  ),
);

builder.mutationFields((t) => ({
  issueCredential: t.field({
    type: IssueCredentialPayloadRef,
    description:
      'Issues a credential to the caller. TASK_COMPLETION needs one of the caller\'s own accepted, ESCROW_VERIFIED, ' +
      'unrevoked receipts (asking again returns the live one; once an admin revoked it, FORBIDDEN). REPUTATION signs ' +
      'the caller\'s current trust report: unchanged numbers within a day return the live credential, and a DID gets ' +
      'at most CREDENCE_REPUTATION_CREDENTIALS_PER_DAY per 24 hours (RATE_LIMITED).',
    errors: { types: [AuthError, InputError, NotFoundError, RateLimitError] },
    authScopes: { authenticated: true },
    args: { input: t.arg({ type: IssueCredentialInputRef, required: true, description: 'Which credential, in which format.' }) },
    resolve: async (_root, { input }, context) => {
      const viewer = await context.requireViewer();
      const credential = await context.services.credentials.issue(
        viewer,
        { type: input.type, format: input.format, receiptId: input.receiptId == null ? null : String(input.receiptId) },
        context.clock(),
      );
      return { credential };
    },
  }),
  reissueCredential: t.field({
    type: IssueCredentialPayloadRef,
    description:
      'Issues a fresh credential in place of a revoked one (admin): same subject, type and format, signed now. A task ' +
      'credential needs its receipt still accepted, ESCROW_VERIFIED and unrevoked; a reputation credential signs the ' +
      'current trust report. Once per revoked credential (ALREADY_EXISTS after that).',
    errors: { types: [AuthError, InputError, NotFoundError, ConflictError] },
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true, description: 'The revoked credential to replace: its own id (urn:uuid:…) or its global id.' }) },
    resolve: async (_root, { id }, context) => {
      const admin = await context.requireAdmin();
      const credentialId = credentialIdFrom(String(id));
      if (!credentialId) throw new NotFoundError(`no credential ${String(id)}`);
      return { credential: await context.services.credentials.reissue(credentialId, admin, context.clock()) };
    },
  }),
  revokeCredential: t.field({
    type: RevokeCredentialPayloadRef,
    description: 'Revokes a credential (admin): sets its bit in the status list and re-signs the list.',
    errors: { types: [AuthError, InputError, NotFoundError] },
    authScopes: { admin: true },
    args: {
      id: t.arg.id({ required: true, description: 'The credential\'s own id (urn:uuid:…) or its global id.' }),
      reason: t.arg.string({ description: 'Why, published with the revocation.', required: true, validate: ReasonSchema }),
    },
    resolve: async (_root, { id, reason }, context) => {
      const admin = await context.requireAdmin();
      const credentialId = credentialIdFrom(String(id));
      if (!credentialId) throw new NotFoundError(`no credential ${String(id)}`);
      return { credential: await context.services.credentials.revoke(credentialId, reason, admin, context.clock()) };
    },
  }),
}));
