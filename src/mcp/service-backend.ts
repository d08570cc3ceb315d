// The MCP tools over the service's own services, for one HTTP request: reads need nothing, acting tools verify the
// request's bearer token exactly as GraphQL does (lazily, so a read never spends it; single use; audience = the
// service DID) through the same request context.
import { badgeSvgUrl, profileUrl } from '../web/badges/trust-badge.ts';
import type { RequestContext } from '../context.ts';
import type { AgentRow, CredentialRow } from '../db/schema.ts';
import type { ServiceCredentialVerification } from '../credentials/credential.service.ts';
import type { McpAgent, McpBackend, McpCredential, McpCredentialCheck } from './tools.ts';

/** list_my_credentials answers the newest this many. */
export const MY_CREDENTIALS_LIMIT = 100;

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export function agentView(publicUrl: string, did: string, row: AgentRow | undefined): McpAgent {
  return {
    did,
    displayName: row?.display_name ?? null,
    claimed: row !== undefined,
    claimedAt: row ? iso(row.claimed_at) : null,
    profileUrl: profileUrl(publicUrl, did),
    badgeUrl: badgeSvgUrl(publicUrl, did),
  };
}

function credentialView(row: CredentialRow): McpCredential {
  return {
    credentialId: row.id,
    type: row.type,
    format: row.format,
    revoked: row.revoked_at !== null,
    issuedAt: iso(row.issued_at)!,
    expiresAt: iso(row.expires_at),
  };
}

function checkView(result: ServiceCredentialVerification): McpCredentialCheck {
  return {
    valid: result.valid,
    revoked: result.revoked,
    expired: result.expired,
    format: result.format,
    credentialId: result.id,
    issuer: result.issuer,
    issuedByService: result.issuedByService,
    subject: result.subject,
    types: result.types,
    validUntil: result.validUntil ? result.validUntil.toISOString() : null,
    errors: result.errors,
    warnings: result.warnings,
  };
}

export function serviceBackend(context: RequestContext): McpBackend {
  const { services } = context;
  return {
    checkTrust: (did, policy) => services.trust.check(did, policy, context.clock()),
    trustReport: (did, asOf) => services.trust.report(did, asOf ?? context.clock()),
    trustBatch: (dids) => services.trust.reports(dids, context.clock()),
    async agent(did) {
      const [row] = await services.agents.findByDids([did]);
      return agentView(context.publicUrl, did, row);
    },
    async verifyCredential(credential) {
      return checkView(await services.credentials.verifyCredential(credential, context.clock()));
    },
    async verifyPresentation(presentation, binding) {
      const result = await services.credentials.verifyPresentation(presentation, binding, context.clock());
      return { valid: result.valid, format: result.format, holder: result.holder, errors: result.errors, credentials: result.credentials.map(checkView) };
    },
    async claimDid({ displayName }) {
      const viewer = await context.requireViewer();
      const row = await services.agents.claim(viewer.did, { displayName: displayName ?? null }, context.clock());
      return agentView(context.publicUrl, viewer.did, row);
    },
    async listMyCredentials() {
      const viewer = await context.requireViewer();
      return (await services.credentials.page(viewer.did, null, MY_CREDENTIALS_LIMIT)).map(credentialView);
    },
    async requestCredential(input) {
      const viewer = await context.requireViewer();
      const row = await services.credentials.issue(viewer, { type: input.type, format: input.format, receiptId: input.receiptId ?? null }, context.clock());
      return { ...credentialView(row), encoded: row.encoded };
    },
  };
}
