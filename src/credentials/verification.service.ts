// Verifying credentials and presentations against the service's own documents, with what a verifier should know
// about the issuer added to the library's answer.
import type { DocumentLoader } from './document-loader.ts';
import { verifyPresentation, type PresentationVerification } from './presentation.ts';
import type { CredentialVerification } from './verification-result.ts';
import { verifyCredential } from './verify.ts';

export interface ServiceCredentialVerification extends CredentialVerification {
  /** The issuer is this service's DID. */
  issuedByService: boolean;
  /** Facts a verifier should know that do not make the credential invalid. */
  warnings: string[];
}

export interface ServicePresentationVerification extends Omit<PresentationVerification, 'credentials'> {
  credentials: ServiceCredentialVerification[];
}

export function createVerificationService(options: { serviceDid: string; documentLoader: DocumentLoader }) {
  const { serviceDid, documentLoader } = options;

  function withIssuerFacts(result: CredentialVerification): ServiceCredentialVerification {
    const issuedByService = result.issuer === serviceDid;
    const warnings =
      result.issuer && !issuedByService
        ? [`issuer: ${result.issuer} is not this service (${serviceDid}); Credence did not issue this credential`]
        : [];
    return { ...result, issuedByService, warnings };
  }

  return {
    async verifyCredential(credential: string, now: Date): Promise<ServiceCredentialVerification> {
      return withIssuerFacts(await verifyCredential(credential, { now, documentLoader }));
    },

    async verifyPresentation(
      presentation: string,
      binding: { challenge?: string | null; domain?: string | null },
      now: Date,
    ): Promise<ServicePresentationVerification> {
      const result = await verifyPresentation(presentation, {
        now,
        documentLoader,
        ...(binding.challenge != null ? { challenge: binding.challenge } : {}),
        ...(binding.domain != null ? { domain: binding.domain } : {}),
      });
      return { ...result, credentials: result.credentials.map(withIssuerFacts) };
    },
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
