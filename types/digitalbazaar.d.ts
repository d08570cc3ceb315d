// Type shims for the JSON-LD / VC packages that ship without TypeScript types.
// Only the surface Credence uses is declared; documents stay loosely typed on purpose (they are open-world JSON-LD).

declare module '@digitalbazaar/vc' {
  export interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
    tag?: string;
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

  export interface VerificationOutcome {
    verified: boolean;
    error?: (Error & { errors?: Error[] }) | undefined;
    results?: Array<{ verified: boolean; error?: Error; proof?: Record<string, unknown> }>;
    statusResult?: { verified: boolean; error?: Error };
  }
  export interface PresentationOutcome {
    verified: boolean;
    presentationResult?: VerificationOutcome;
    credentialResults?: VerificationOutcome[];
    error?: (Error & { errors?: Error[] }) | undefined;
  }
  export type CheckStatus = (options: {
    credential: Record<string, unknown>;
    documentLoader: DocumentLoader;
    suite?: unknown;
    [option: string]: unknown;
  }) => Promise<{ verified: boolean; error?: Error; [key: string]: unknown }>;

  export const defaultDocumentLoader: DocumentLoader;
  export const dateRegex: RegExp;
  export class CredentialIssuancePurpose {
    constructor(options?: { controller?: object; date?: string | Date; maxTimestampDelta?: number });
  }

  export function issue(options: {
    credential: object;
    suite: unknown;
    purpose?: unknown;
    documentLoader?: DocumentLoader;
    now?: string | Date;
    maxClockSkew?: number;
  }): Promise<Record<string, unknown>>;

  export function verifyCredential(options: {
    credential: object;
    suite: unknown;
    purpose?: unknown;
    documentLoader?: DocumentLoader;
    checkStatus?: CheckStatus;
    now?: string | Date;
    maxClockSkew?: number;
    controller?: object;
  }): Promise<VerificationOutcome>;

  export function createPresentation(options?: {
    verifiableCredential?: object | object[];
    id?: string;
    holder?: string;
    now?: string | Date;
    version?: number;
    maxClockSkew?: number;
  }): Record<string, unknown>;

  export function signPresentation(options: {
    presentation: object;
    suite: unknown;
    purpose?: unknown;
    domain?: string;
    challenge: string;
    documentLoader?: DocumentLoader;
  }): Promise<Record<string, unknown>>;

  export function verify(options: {
    presentation: object;
    suite: unknown;
    unsignedPresentation?: boolean;
    presentationPurpose?: unknown;
    challenge?: string;
    domain?: string;
    controller?: object;
    documentLoader?: DocumentLoader;
    checkStatus?: CheckStatus;
    now?: string | Date;
    maxClockSkew?: number;
    includeCredentials?: boolean;
  }): Promise<PresentationOutcome>;
}

declare module '@digitalbazaar/ed25519-signature-2020' {
  export interface Signer {
    id?: string;
    algorithm?: string;
    sign(options: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export interface Verifier {
    id?: string;
    algorithm?: string;
    verify(options: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
  }
  export class Ed25519Signature2020 {
    constructor(options?: {
      key?: unknown;
      signer?: Signer;
      verifier?: Verifier;
      proof?: object;
      date?: string | Date;
      useNativeCanonize?: boolean;
      canonizeOptions?: object;
    });
    verificationMethod?: string;
    /** The canonical N-Quads of the proof options (proof without its value), under the document's contexts. */
    canonizeProof(
      proof: Record<string, unknown>,
      options: { document: Record<string, unknown>; documentLoader: unknown; expansionMap?: unknown },
    ): Promise<string>;
    static CONTEXT_URL: string;
    static CONTEXT: object;
  }
  export const suiteContext: {
    constants: { CONTEXT_URL: string };
    contexts: Map<string, object>;
    CONTEXT_URL: string;
    CONTEXT: object;
  };
}

declare module '@digitalbazaar/ed25519-verification-key-2020' {
  export class Ed25519VerificationKey2020 {
    id?: string;
    controller?: string;
    type: string;
    publicKeyMultibase: string;
    static from(options: object): Promise<Ed25519VerificationKey2020>;
    static generate(options?: { seed?: Uint8Array; id?: string; controller?: string }): Promise<Ed25519VerificationKey2020>;
    fingerprint(): string;
    export(options?: { publicKey?: boolean; privateKey?: boolean; includeContext?: boolean }): Record<string, unknown>;
    signer(): { id?: string; algorithm: string; sign(options: { data: Uint8Array }): Promise<Uint8Array> };
    verifier(): { id?: string; algorithm: string; verify(options: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> };
  }
}

declare module '@digitalbazaar/did-method-key' {
  export interface DidKeyDriver {
    method: string;
    use(options: {
      multibaseMultikeyHeader: string;
      fromMultibase: (options: { publicKeyMultibase: string }) => Promise<unknown> | unknown;
    }): void;
    get(options: { did?: string; url?: string }): Promise<Record<string, unknown>>;
  }
  export function driver(): DidKeyDriver;
}

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
  export const named: Map<string, { id: string; context: object }>;
}

declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
  export const CONTEXT: object;
}

declare module '@digitalbazaar/vc-bitstring-status-list' {
  import type { CheckStatus } from '@digitalbazaar/vc';
  export class BitstringStatusList {
    constructor(options?: { length?: number; buffer?: Uint8Array });
    length: number;
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
    static decode(options: { encodedList: string }): Promise<BitstringStatusList>;
  }
  export function createList(options: { length: number }): Promise<BitstringStatusList>;
  export function decodeList(options: { encodedList: string }): Promise<BitstringStatusList>;
  export function createCredential(options: {
    id: string;
    list: BitstringStatusList;
    statusPurpose: string;
    context?: string[];
  }): Promise<Record<string, unknown>>;
  export const checkStatus: CheckStatus;
  export function statusTypeMatches(options: { credential: object }): boolean;
}

declare module 'did-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
  export const DID_CONTEXT_URL: string;
  export const CONTEXT: object;
}

declare module 'ed25519-signature-2020-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
  export const CONTEXT: object;
  export const constants: { CONTEXT_URL: string };
}

declare module 'jsonld-document-loader' {
  export class JsonLdDocumentLoader {
    addStatic(url: string, document: object): void;
    addDocuments(options: { documents: Iterable<[string, object]> }): void;
    setProtocolHandler(options: { protocol: string; handler: { get(options: { url: string }): Promise<unknown> } }): void;
    setDidResolver(resolver: { get(options: { url: string }): Promise<unknown> }): void;
    build(): (url: string) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown; tag?: string }>;
  }
}

declare module 'jsonld' {
  const jsonld: {
    expand(input: object, options?: object): Promise<object[]>;
    compact(input: object, context: unknown, options?: object): Promise<Record<string, unknown>>;
    toRDF(input: object, options?: object): Promise<unknown>;
    canonize(input: object, options?: object): Promise<string>;
    getValues(subject: object, property: string): unknown[];
  };
  export default jsonld;
}
