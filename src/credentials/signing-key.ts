// Signing keys for credentials and presentations: one Ed25519 key pair with its DID and verification method id,
// holding a cached node:crypto KeyObject so neither format re-imports the key per signature.
import type { KeyObject } from 'node:crypto';
import {
  didKeyFromPublicKey,
  nodeEdDsaSigner,
  privateKeyObject,
  publicKeyMultibase,
  signBytes,
  type Ed25519KeyPair,
} from '../crypto/ed25519.ts';
import type { IssuerKey } from '../issuer/issuer-key.ts';

export interface SigningKey {
  /** The DID that controls the key (`did:web:…` for the service, `did:key:…` for holders). */
  did: string;
  /** Fragment naming the key inside the DID document, e.g. `key-1`. */
  keyId: string;
  /** `${did}#${keyId}`: what proofs and JWT headers name. */
  verificationMethod: string;
  publicKey: Uint8Array;
  /** `z6Mk…` */
  publicKeyMultibase: string;
  privateKey: KeyObject;
}

/** A key behind a DID document the caller publishes (the service's did:web keys). */
export function signingKeyForDid(pair: Ed25519KeyPair, did: string, keyId: string): SigningKey {
  if (!keyId || keyId.includes('#')) throw new Error('keyId is a bare fragment such as "key-1"');
  return {
    did,
    keyId,
    verificationMethod: `${did}#${keyId}`,
    publicKey: Uint8Array.from(pair.publicKey),
    publicKeyMultibase: publicKeyMultibase(pair.publicKey),
    privateKey: privateKeyObject(pair),
  };
}

/** The issuer key loaded at start, as the signing key of the service's did:web. */
export function serviceSigningKey(key: IssuerKey, serviceDid: string): SigningKey {
  return {
    did: serviceDid,
    keyId: key.keyId,
    verificationMethod: `${serviceDid}#${key.keyId}`,
    publicKey: key.publicKey,
    publicKeyMultibase: key.publicKeyMultibase,
    privateKey: key.privateKey,
  };
}

/** A did:key key (holders, platforms): its only verification method is `did:key:z…#z…`. */
export function didKeySigningKey(pair: Ed25519KeyPair): SigningKey {
  const multibase = publicKeyMultibase(pair.publicKey);
  return signingKeyForDid(pair, didKeyFromPublicKey(pair.publicKey), multibase);
}

/** did-jwt signer over the cached key. */
export function jwtSigner(key: SigningKey): (data: string | Uint8Array) => Promise<string> {
  return nodeEdDsaSigner(key.privateKey);
}

export interface JsonLdSigner {
  id: string;
  algorithm: 'Ed25519';
  sign(options: { data: Uint8Array }): Promise<Uint8Array>;
}

/**
 * Signer for Ed25519Signature2020 suites. The stock key class re-imports the private key for every signature;
 * signing with the cached KeyObject roughly doubles JSON-LD issuance.
 */
export function jsonLdSigner(key: SigningKey): JsonLdSigner {
  return {
    id: key.verificationMethod,
    algorithm: 'Ed25519',
    sign: async ({ data }) => signBytes(key.privateKey, data),
  };
}
