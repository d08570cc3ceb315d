// Data Integrity credentials (the DATA_INTEGRITY format): VC 2.0 with a DataIntegrityProof using the eddsa-rdfc-2022
// cryptosuite, the W3C Recommendation that supersedes Ed25519Signature2020. The same Ed25519 issuer key signs; the
// proof names the key's Multikey method in the issuer's DID document. Verification shares the JSON-LD path
// (verifyJsonLdCredential): the shape check, then the proof in the worker pool, then validity and status.
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { multikeyMethodId } from '../issuer/did-web.ts';
import { signBytes } from '../crypto/ed25519.ts';
import { DATA_INTEGRITY_VC_CONTEXTS } from './context-urls.ts';
import type { CredentialDraft } from './credential-types.ts';
import type { DocumentLoader } from './document-loader.ts';
import type { SigningKey } from './signing-key.ts';
import { jsonLdCredential } from './jsonld-credential.ts';
import { memoizedCanonicalProof } from './jsonld-proof.ts';

export { DATA_INTEGRITY_VC_CONTEXTS };

/** The eddsa-rdfc-2022 suite, with canonical proof options remembered as for Ed25519Signature2020. */
export class EddsaRdfc2022Suite extends DataIntegrityProof {
  constructor(options: { signer?: ReturnType<typeof dataIntegritySigner>; date?: Date } = {}) {
    super({ ...options, cryptosuite });
  }

  override canonizeProof(
    proof: Record<string, unknown>,
    options: { document: Record<string, unknown>; documentLoader: unknown },
  ): Promise<string> {
    return memoizedCanonicalProof(proof, options.document, () => super.canonizeProof(proof, options));
  }
}

/** Signs with the cached KeyObject as the key's Multikey method (`…#<keyId>-multikey`). */
export function dataIntegritySigner(key: SigningKey) {
  return {
    id: multikeyMethodId(key.verificationMethod),
    algorithm: 'Ed25519' as const,
    sign: async ({ data }: { data: Uint8Array }) => signBytes(key.privateKey, data),
  };
}

/** The unsigned VC 2.0 document for a draft: the JSON-LD form without the Ed25519Signature2020 suite context. */
export function dataIntegrityCredential(draft: CredentialDraft): Record<string, unknown> {
  return { ...jsonLdCredential(draft), '@context': [...DATA_INTEGRITY_VC_CONTEXTS] };
}

/** Signs the draft; the proof's `created` is the credential's validFrom, so equal drafts give equal credentials. */
export async function issueDataIntegrityCredential(
  draft: CredentialDraft,
  key: SigningKey,
  options: { documentLoader: DocumentLoader },
): Promise<Record<string, unknown>> {
  if (draft.issuer !== key.did) throw new Error(`the key belongs to ${key.did}, not to the issuer ${draft.issuer}`);
  const suite = new EddsaRdfc2022Suite({ signer: dataIntegritySigner(key), date: draft.validFrom });
  return vc.issue({
    credential: dataIntegrityCredential(draft),
    suite,
    documentLoader: options.documentLoader,
    now: draft.validFrom,
  });
}
