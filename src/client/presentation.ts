// Presentations for agents: show your own credentials to a verifier, signed with your own key and bound to the
// verifier's challenge and domain. Everything happens locally: the key never leaves the caller. The Node build of
// credence/client: JWT presentations as everywhere (presentation-core.ts), plus JSON-LD ones through the same
// JSON-LD libraries and bundled contexts the service verifies with.
import { createDocumentLoader } from '../credentials/document-loader.ts';
import { didKeySigningKey } from '../credentials/signing-key.ts';
import { createJsonLdPresentation } from '../credentials/presentation.ts';
import { preparePresentation, signJwtPresentation, type CreatePresentationOptions } from './presentation-core.ts';

export { MAX_PRESENTATION_BINDING, type CreatePresentationOptions, type PresentationFormat } from './presentation-core.ts';

/**
 * A signed Verifiable Presentation of the holder's own credentials: a JWT VP (iss = holder, nonce = challenge,
 * aud = domain, valid 5 minutes) or a VC 2.0 JSON-LD presentation with an Ed25519Signature2020 authentication proof,
 * returned as JSON text. What `credence verify --challenge C --domain D` and the service's verifyPresentation accept.
 */
export async function createPresentation(options: CreatePresentationOptions): Promise<string> {
  const prepared = preparePresentation(options);
  if (prepared.format === 'JWT') return signJwtPresentation(options, prepared);
  const presentation = await createJsonLdPresentation({
    holder: didKeySigningKey(options.key),
    credentials: prepared.credentials.map((credential) => credential.value as object),
    challenge: options.challenge,
    domain: options.domain,
    now: prepared.now,
    documentLoader: createDocumentLoader(),
  });
  return JSON.stringify(presentation);
}
