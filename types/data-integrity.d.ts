// Type shims for the Data Integrity packages (they ship without TypeScript types). Only the surface Credence uses.

declare module '@digitalbazaar/data-integrity' {
  export interface Cryptosuite {
    name: string;
    requiredAlgorithm: string | string[];
    canonize(input: object, options?: object): Promise<string>;
    createVerifier(options: { verificationMethod: object }): Promise<unknown>;
  }
  export class DataIntegrityProof {
    constructor(options?: {
      signer?: { id?: string; algorithm: string; sign(options: { data: Uint8Array }): Promise<Uint8Array> };
      date?: string | Date;
      cryptosuite: Cryptosuite;
      legacyContext?: boolean;
    });
    type: string;
    cryptosuite: string;
    /** The canonical N-Quads of the proof options (proof without its value), under the document's contexts. */
    canonizeProof(
      proof: Record<string, unknown>,
      options: { document: Record<string, unknown>; documentLoader: unknown },
    ): Promise<string>;
  }
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  import type { Cryptosuite } from '@digitalbazaar/data-integrity';
  export const cryptosuite: Cryptosuite;
}

declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
  export const CONTEXT: object;
}

declare module '@digitalbazaar/multikey-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
  export const CONTEXT: object;
}
