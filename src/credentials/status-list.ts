// Bitstring Status List (W3C): the GZIP-compressed, multibase base64url bitstring, the BitstringStatusListEntry each
// credential carries, and the signed BitstringStatusListCredential that publishes the bits.
import { gunzipSync, gzipSync } from 'node:zlib';
import { VC_V2_CONTEXT_URL } from './contexts.ts';
import type { DocumentLoader } from './document-loader.ts';
import type { SigningKey } from './signing-key.ts';
import { addCredentialProof, ensureSuiteContext } from './jsonld-proof.ts';
import { toDateTime } from './dates.ts';

/** 16 KiB of bits: the specification's minimum, so a list does not reveal how few credentials exist. */
export const STATUS_LIST_LENGTH = 131_072;
/** Decompressed lists larger than this are refused (a gzip bomb guard; 128 Mi entries). */
const MAX_LIST_BYTES = 16 * 1024 * 1024;

export type StatusPurpose = 'revocation' | 'suspension';

export interface BitstringStatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  /** A decimal string, as the specification requires. */
  statusListIndex: string;
  statusListCredential: string;
}

/** `${publicUrl}/credentials/status/${listId}` */
export function statusListUrl(publicUrl: string, listId: number | string = 1): string {
  return `${publicUrl.replace(/\/+$/, '')}/credentials/status/${listId}`;
}

export function statusListEntry(
  statusListCredential: string,
  index: number,
  statusPurpose: StatusPurpose = 'revocation',
): BitstringStatusListEntry {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('a status list index is a non-negative integer');
  return {
    id: `${statusListCredential}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose,
    statusListIndex: String(index),
    statusListCredential,
  };
}

/** A zeroed list of `length` bits (a multiple of 8). */
export function createBitstring(length: number = STATUS_LIST_LENGTH): Uint8Array {
  if (!Number.isSafeInteger(length) || length <= 0 || length % 8 !== 0) {
    throw new RangeError('a status list length is a positive multiple of 8');
  }
  return new Uint8Array(length / 8);
}

/** Bit `index` counts from the left: index 0 is the most significant bit of the first byte. */
export function getBit(bits: Uint8Array, index: number): boolean {
  const [byte, mask] = position(bits, index);
  return ((bits[byte] ?? 0) & mask) !== 0;
}

export function setBit(bits: Uint8Array, index: number, value: boolean): void {
  const [byte, mask] = position(bits, index);
  bits[byte] = value ? (bits[byte] ?? 0) | mask : (bits[byte] ?? 0) & ~mask;
}

/** A list with exactly the given indexes set. */
export function bitstringFromIndexes(indexes: Iterable<number>, length: number = STATUS_LIST_LENGTH): Uint8Array {
  const bits = createBitstring(length);
  for (const index of indexes) setBit(bits, index, true);
  return bits;
}

/** Indexes of the set bits, ascending. */
export function setIndexes(bits: Uint8Array): number[] {
  const indexes: number[] = [];
  for (let byte = 0; byte < bits.length; byte++) {
    const value = bits[byte] ?? 0;
    if (value === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (value & (0x80 >> bit)) indexes.push(byte * 8 + bit);
  }
  return indexes;
}

/** `u` + base64url(gzip(bits)): the `encodedList` value. */
export function encodeBitstring(bits: Uint8Array): string {
  return `u${gzipSync(bits).toString('base64url')}`;
}

export class StatusListFormatError extends Error {
  override name = 'StatusListFormatError';
}

export function decodeBitstring(encodedList: string): Uint8Array {
  if (typeof encodedList !== 'string' || !encodedList.startsWith('u') || !/^u[A-Za-z0-9_-]+$/.test(encodedList)) {
    throw new StatusListFormatError('encodedList is not multibase base64url ("u…")');
  }
  try {
    return new Uint8Array(gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), { maxOutputLength: MAX_LIST_BYTES }));
  } catch (error) {
    throw new StatusListFormatError(`encodedList is not a gzip-compressed bitstring (${(error as Error).message})`);
  }
}

export interface StatusListCredentialInput {
  /** The list's URL, e.g. statusListUrl(publicUrl, 1); also the credential id. */
  url: string;
  issuer: string;
  bits: Uint8Array;
  /** When this version of the list was made. */
  validFrom: Date;
  validUntil?: Date;
  statusPurpose?: StatusPurpose;
}

/** The unsigned BitstringStatusListCredential (VC 2.0). */
export function statusListCredential(input: StatusListCredentialInput): Record<string, unknown> {
  return {
    '@context': ensureSuiteContext([VC_V2_CONTEXT_URL]),
    id: input.url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom: toDateTime(input.validFrom),
    ...(input.validUntil ? { validUntil: toDateTime(input.validUntil) } : {}),
    credentialSubject: {
      id: `${input.url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.statusPurpose ?? 'revocation',
      encodedList: encodeBitstring(input.bits),
    },
  };
}

/** Builds and signs the list credential (Ed25519Signature2020, created = validFrom). Re-sign whenever a bit changes. */
export async function issueStatusListCredential(
  input: Omit<StatusListCredentialInput, 'issuer'>,
  key: SigningKey,
  options: { documentLoader: DocumentLoader },
): Promise<Record<string, unknown>> {
  const unsigned = statusListCredential({ ...input, issuer: key.did });
  return addCredentialProof(unsigned, key, { documentLoader: options.documentLoader, now: input.validFrom });
}

function position(bits: Uint8Array, index: number): [number, number] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= bits.length * 8) {
    throw new RangeError(`status list index ${index} is outside the list (0..${bits.length * 8 - 1})`);
  }
  return [index >> 3, 0x80 >> (index & 7)];
}
