// One entry point for verifying a credential in any format.
import { verifyJsonLdCredential } from './jsonld-credential.ts';
import { looksLikeJwt, verifyJwtCredential } from './jwt-credential.ts';
import { CREDENTIAL_LIMITS } from './credential-shape.ts';
import { unreadable, verificationResult, type CredentialVerification, type VerifyCredentialOptions } from './verification-result.ts';

/**
 * Verifies a JWT VC (compact JWS string) or a JSON-LD VC (object, or its JSON text; Ed25519Signature2020 or Data
 * Integrity eddsa-rdfc-2022 proof): signature against the issuer's
 * DID document key (current or retired), validity period against `options.now`, revocation status, and schema.
 * Only the exact form Credence issues is accepted (see credential-shape.ts), checked before anything costly.
 * Never throws for bad input; every failure is a reason in `errors`.
 */
export async function verifyCredential(
  credential: string | object,
  options: VerifyCredentialOptions,
): Promise<CredentialVerification> {
  try {
    if (typeof credential === 'string') {
      const text = credential.trim();
      if (looksLikeJwt(text)) return await verifyJwtCredential(text, options);
      if (!text.startsWith('{')) return unreadable('format: neither a JWT nor a JSON credential');
      // Whitespace aside, JSON text is about the size the caps measure; refuse far larger text before parsing it.
      if (text.length > 2 * CREDENTIAL_LIMITS.maxChars) {
        return verificationResult(
          { format: 'JSON_LD', id: null, issuer: null, subject: null, types: [], validFrom: null, validUntil: null, credential: null },
          [{ code: 'TOO_COSTLY', message: `too costly: the credential is longer than ${2 * CREDENTIAL_LIMITS.maxChars} characters` }],
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return unreadable('format: not valid JSON');
      }
      return await verifyCredential(parsed as object, options);
    }
    if (credential === null || typeof credential !== 'object' || Array.isArray(credential)) {
      return unreadable('format: a credential is a JWT string or a JSON object');
    }
    return await verifyJsonLdCredential(credential as Record<string, unknown>, options);
  } catch (error) {
    // Defensive: library code paths that throw instead of reporting still yield an answer.
    return unreadable(`verification failed: ${(error as Error)?.message ?? String(error)}`);
  }
}
