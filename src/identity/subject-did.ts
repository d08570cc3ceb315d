// Which DIDs a trust read can be about: an agent's Ed25519 did:key, or a did:web (imported history may name one).
// Anything else (a typo, a truncated key, another key type) is refused as INVALID_INPUT instead of answering tier F
// with score 0, which would read as a bad agent.
import { z } from 'zod';
import { isEd25519DidKey } from '../crypto/ed25519.ts';

export const MAX_SUBJECT_DID_LENGTH = 200;

// did:web:<host>[%3A<port>][:<path segment>]...: a DNS name (or localhost), lower- or upper-case.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DID_WEB = new RegExp(`^did:web:${LABEL}(?:\\.${LABEL})*(?:%3[Aa][0-9]{1,5})?(?::[A-Za-z0-9._~-]+|:%[0-9A-Fa-f]{2})*$`);

export function isDidWeb(value: string): boolean {
  return value.length <= MAX_SUBJECT_DID_LENGTH && DID_WEB.test(value);
}

// Checking a did:key decodes its Ed25519 point, which costs more than a warm trust read itself: DIDs found valid
// are remembered (a valid DID stays valid), the one longest unmoved forgotten first.
const KNOWN_VALID_LIMIT = 10_000;

function isValidSubjectDid(value: string): boolean {
  return value.length <= MAX_SUBJECT_DID_LENGTH && (isEd25519DidKey(value) || DID_WEB.test(value));
}

/**
 * A subject-DID check that remembers up to `limit` valid DIDs, by the second-chance (CLOCK) policy, as the trust read
 * cache does: a hit marks its DID (a Map set only when it was unmarked); when full, the DID at the front goes unless
 * it was seen since it last came to the front, in which case it goes to the back unmarked. Reordering on every hit
 * was about 5% of a trustBatch, which checks 100, and the earlier "move when old" rule, counting its own moves, still
 * moved half the hits when as many DIDs were read as it holds.
 */
export function createSubjectDidCheck(limit = KNOWN_VALID_LIMIT, validate: (value: string) => boolean = isValidSubjectDid): (value: string) => boolean {
  // Each known DID with whether it was seen since it last came to the front (a Map iterates in insertion order).
  const knownValid = new Map<string, boolean>();
  return (value) => {
    const seen = knownValid.get(value);
    if (seen !== undefined) {
      if (!seen) knownValid.set(value, true);
      return true;
    }
    const valid = validate(value);
    if (!valid || limit <= 0) return valid;
    // Room first, so the new DID is never the one its own arrival sweeps out.
    while (knownValid.size >= limit) {
      const [known, seenSince] = knownValid.entries().next().value!;
      knownValid.delete(known);
      if (seenSince) knownValid.set(known, false);
    }
    knownValid.set(value, false);
    return true;
  };
}

export const isSubjectDid = createSubjectDidCheck();

export const SUBJECT_DID_MESSAGE = 'must be an Ed25519 did:key (did:key:z6Mk…) or a did:web';

export const SubjectDidSchema = z.string().refine(isSubjectDid, SUBJECT_DID_MESSAGE);
