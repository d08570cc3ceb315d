import * as vc from '@digitalbazaar/vc';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { checkJsonLdCredentialShape } from 'credence/client';

/** `documentLoader` serves the contexts, the issuer's DID document and the status list you fetched; nothing else. */
export async function verifyCredenceCredential(credential: object, documentLoader: vc.DocumentLoader, now = new Date()) {
  // 1. Only the exact form Credence issues: its @context list, its terms, its value forms. Otherwise an inline
  //    context can hide credentialStatus or validUntil while the signature still holds.
  const shape = checkJsonLdCredentialShape(credential);
  if (shape.length > 0) return { verified: false, errors: shape.map((problem) => problem.message) };
  // 2. Proof and validity dates, then 3. status, strictly: the library reports a set bit as `status: true`.
  //    JSON_LD credentials and status lists carry Ed25519Signature2020 proofs, DATA_INTEGRITY credentials an
  //    eddsa-rdfc-2022 DataIntegrityProof; the library picks the suite matching each proof.
  const result = await vc.verifyCredential({
    credential,
    suite: [new Ed25519Signature2020(), new DataIntegrityProof({ cryptosuite })],
    documentLoader,
    now,
    checkStatus: async (options) => {
      const status = await checkStatus(options);
      const results = (status.results ?? []) as Array<{ status?: boolean }>;
      const revoked = results.some((entry) => entry.status === true);
      return revoked ? { verified: false, error: new Error('revoked: the status bit is set') } : status;
    },
  });
  const error = result.error ?? result.statusResult?.error;
  return { verified: result.verified, errors: result.verified ? [] : [error?.message ?? 'verification failed'] };
}
