// The MCP tools over the typed client, for `credence mcp`: a local agent's server that talks to a Credence service
// over HTTP. With the agent's key it acts as that DID (the client mints a fresh single-use token per call) and signs
// presentations locally; the key never leaves this process.
import { badgeSvgUrl, profileUrl } from '../web/badges/trust-badge.ts';
import { CredenceClientError, type CredenceClient } from '../client/credence-client.ts';
import { createPresentation } from '../client/presentation.ts';
import type { Agent, Credential, VerificationResult } from '../client/types.ts';
import { didKeyFromPublicKey, type Ed25519KeyPair } from '../crypto/ed25519.ts';
import type { McpAgent, McpBackend, McpCredential, McpCredentialCheck } from './tools.ts';

/** list_my_credentials answers the newest this many (the service's page maximum). */
export const MY_CREDENTIALS_LIMIT = 100;

export interface ClientBackendOptions {
  /** The agent's key: without it only the read tools work. */
  key?: Ed25519KeyPair;
  /** The clock presentations are signed with; the system clock by default. */
  now?: () => Date;
}

function agentView(agent: Agent): McpAgent {
  return {
    did: agent.did,
    displayName: agent.displayName,
    claimed: true,
    claimedAt: agent.claimedAt,
    profileUrl: agent.profileUrl,
    badgeUrl: agent.badgeUrl,
  };
}

function credentialView(credential: Credential): McpCredential {
  return {
    credentialId: credential.credentialId,
    type: credential.type,
    format: credential.format,
    revoked: credential.revoked,
    issuedAt: credential.issuedAt,
    expiresAt: credential.expiresAt,
  };
}

function checkView(result: VerificationResult): McpCredentialCheck {
  return {
    valid: result.valid,
    revoked: result.revoked,
    expired: result.expired,
    format: result.format,
    credentialId: result.credentialId,
    issuer: result.issuer,
    issuedByService: result.issuedByService,
    subject: result.subject,
    types: result.types,
    validUntil: result.validUntil,
    errors: result.errors,
    warnings: result.warnings,
  };
}

export function clientBackend(client: CredenceClient, options: ClientBackendOptions = {}): McpBackend {
  const { key } = options;
  const now = options.now ?? (() => new Date());
  const holderDid = key ? didKeyFromPublicKey(key.publicKey) : null;
  const requireKey = (): string => {
    if (!holderDid) throw new CredenceClientError('NO_KEY', 'this tool acts as your DID: start `credence mcp` with --key FILE (a key file from `credence keygen`)');
    return holderDid;
  };
  let publicUrl: Promise<string> | undefined;

  const backend: McpBackend = {
    checkTrust: (did, policy) => client.checkTrust(did, policy),
    trustReport: (did, asOf) => client.trust(did, asOf ? { asOf } : {}),
    trustBatch: (dids) => client.trustBatch(dids),
    async agent(did) {
      const agent = await client.agent(did);
      if (agent) return agentView(agent);
      // Profile and badge URLs live under the service's public URL, which its DID document URL names.
      publicUrl ??= client.serviceInfo().then((info) => info.didDocumentUrl.replace(/\/\.well-known\/did\.json$/, ''));
      const base = await publicUrl.catch((error: unknown) => {
        publicUrl = undefined;
        throw error;
      });
      return { did, displayName: null, claimed: false, claimedAt: null, profileUrl: profileUrl(base, did), badgeUrl: badgeSvgUrl(base, did) };
    },
    async verifyCredential(credential) {
      return checkView(await client.verifyCredential(credential));
    },
    async verifyPresentation(presentation, binding) {
      const result = await client.verifyPresentation(presentation, binding);
      return { valid: result.valid, format: result.format, holder: result.holder, errors: result.errors, credentials: result.credentials.map(checkView) };
    },
    async claimDid({ displayName }) {
      requireKey();
      return agentView(await client.claimDid({ displayName: displayName ?? null }));
    },
    async listMyCredentials() {
      return (await client.credentials(requireKey(), { first: MY_CREDENTIALS_LIMIT })).map(credentialView);
    },
    async requestCredential(input) {
      requireKey();
      const credential = await client.issueCredential({ type: input.type, format: input.format, receiptId: input.receiptId ?? null });
      return { ...credentialView(credential), encoded: credential.encoded };
    },
  };
  if (key) {
    backend.createPresentation = async ({ credentialIds, challenge, domain, format }) => {
      const holder = requireKey();
      const credentials = await Promise.all(
        credentialIds.map(async (id) => {
          const credential = await client.credential(id);
          if (!credential) throw new CredenceClientError('NOT_FOUND', `no credential ${id}`);
          if (credential.subject !== holder) {
            throw new CredenceClientError('FORBIDDEN', `credential ${id} was issued to ${credential.subject}, not to your DID ${holder}`);
          }
          // A verifier would refuse it: say so now rather than hand over a presentation that fails.
          if (credential.revoked) throw new CredenceClientError('INVALID_INPUT', `credential ${id} is revoked (${credential.revokedReason ?? 'no reason given'})`, { field: 'credentialIds' });
          return credential.encoded;
        }),
      );
      const presentation = await createPresentation({ key, credentials, challenge, domain, format, now: now() });
      return { presentation, format, holder };
    };
  }
  return backend;
}
