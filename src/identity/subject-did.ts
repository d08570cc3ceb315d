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
 * A subject-DID check that remembers up to `limit` valid DIDs. A hit moves its DID to the newest end only once
 * `limit / 2` moves have passed since its last one (as the trust read cache does): a Map delete and set on every hit
 * was about 5% of a trustBatch, which checks 100. A DID seen at least once in every `limit / 2` moves stays known.
 */
export function createSubjectDidCheck(limit = KNOWN_VALID_LIMIT, validate: (value: string) => boolean = isValidSubjectDid): (value: string) => boolean {
  // Each known DID with the move count when it last moved to the newest end (a Map iterates in insertion order).
  const knownValid = new Map<string, number>();
  let moves = 0;
  const moveToNewest = (value: string) => {
    knownValid.delete(value);
    knownValid.set(value, ++moves);
    if (knownValid.size > limit) knownValid.delete(knownValid.keys().next().value!);
  };
  return (value) => {
    const movedAt = knownValid.get(value);
    if (movedAt !== undefined) {
      if (moves - movedAt >= limit / 2) moveToNewest(value);
      return true;
    }
    const valid = validate(value);
    if (valid) moveToNewest(value);
    return valid;
  };
}

export const isSubjectDid = createSubjectDidCheck();

export const SUBJECT_DID_MESSAGE = 'must be an Ed25519 did:key (did:key:z6Mk…) or a did:web';

export const SubjectDidSchema = z.string().refine(isSubjectDid, SUBJECT_DID_MESSAGE);
