// The one cursor format of every connection: base64url of a versioned JSON tuple [version, list, timestamp, id].
// Clients treat it as opaque; the version lets the format change later without misreading old cursors, and the list
// name keeps a cursor of one connection from being taken as a position in another.
import type { KeysetKey } from '../db/keyset.ts';
import { InputError } from '../errors.ts';

const CURSOR_VERSION = 1;
/** Longer than any cursor this service hands out (a 512-character id included). */
const MAX_CURSOR_LENGTH = 1_024;
const MAX_ID_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
// Text PostgreSQL cannot hold; refused here so the message names the argument.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The lists that have cursors, named after the type of their nodes. */
export type CursorList = 'Receipt' | 'Credential' | 'Platform' | 'WebhookDelivery';

export function encodeCursor(list: CursorList, key: KeysetKey): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, list, key.at.toISOString(), key.id])).toString('base64url');
}

/** The position a cursor names in `list`, or INVALID_INPUT naming `argument` (after or before). */
export function decodeCursor(list: CursorList, cursor: string, argument: string): KeysetKey {
  const refuse = (why: string) => new InputError(`${argument} is not a valid cursor: ${why}`, argument);
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw refuse('not a cursor from this service');
  let tuple: unknown;
  try {
    tuple = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not a cursor from this service');
  }
  if (!Array.isArray(tuple) || tuple.length !== 4) throw refuse('not a cursor from this service');
  const [version, kind, at, id] = tuple as unknown[];
  if (version !== CURSOR_VERSION) throw refuse('unknown cursor version');
  if (kind !== list) throw refuse(`a cursor of another list (${typeof kind === 'string' ? kind.slice(0, 40) : 'unknown'})`);
  if (typeof at !== 'string' || !ISO_MILLIS.test(at)) throw refuse('bad position');
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== at) throw refuse('bad position');
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || UNSTORABLE.test(id)) throw refuse('bad position');
  return { at: date, id };
}
