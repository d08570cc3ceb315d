// The schema builder: plugins and scalars only; types live in ./types, one per file.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context.ts';
import type { AuthFailure } from '@pothos/plugin-scope-auth';
import { AuthError, InputError } from '../errors.ts';
import { MAX_PAGE_SIZE } from './connection.ts';
import { decodeNodeId, encodeNodeId } from './global-id.ts';

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
  };
  AuthScopes: { authenticated: boolean; admin: boolean };
}>({
  // Errors first so it wraps the others: auth and validation failures become typed error results.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // node and nodes are defined in operations/nodes.ts: an id that names nothing (or nothing the caller may see)
    // answers null there, where the stock fields fail the whole list.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    encodeGlobalID: encodeNodeId,
    decodeGlobalID: decodeNodeId,
    firstArgOptions: { description: `Forward paging: at most this many edges from the start of the window (0 to ${MAX_PAGE_SIZE}).` },
    afterArgOptions: { description: 'Forward paging: only edges after this cursor (an endCursor or edge cursor of the same list).' },
    lastArgOptions: { description: `Backward paging: at most this many edges from the end of the window (0 to ${MAX_PAGE_SIZE}).` },
    beforeArgOptions: { description: 'Backward paging: only edges before this cursor (a startCursor or edge cursor of the same list).' },
  },
  errors: {
    directResult: true,
    unsafelyHandleInputErrors: true,
  },
  validation: {
    validationError: (failure) => {
      const issue = failure.issues[0];
      const field = issue?.path?.map((part) => String(typeof part === 'object' ? part.key : part)).join('.') ?? null;
      return new InputError(issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid input', field || null);
    },
  },
  scopeAuth: {
    treatErrorsAsUnauthorized: true,
    authScopes: async (context) => ({
      authenticated: async () => (await context.viewer()) !== null,
      admin: async () => (await context.requireViewer()).isAdmin,
    }),
    // A bad token reports its own reason (expired, replayed…); a missing one is UNAUTHENTICATED; a valid
    // caller without the role is FORBIDDEN.
    unauthorizedError: (_parent, _context, _info, result) => {
      const cause = findFailure(result.failure, (failure) => 'error' in failure && failure.error instanceof AuthError);
      if (cause && 'error' in cause && cause.error instanceof AuthError) return cause.error;
      // Any other failure while checking the caller (bad input reaching the token store, say) is reported as what it
      // is, not as a missing token.
      const other = findFailure(result.failure, (failure) => 'error' in failure && failure.error instanceof Error);
      if (other && 'error' in other && other.error instanceof Error) return other.error;
      if (findFailure(result.failure, (failure) => failure.kind === 'AuthScope' && failure.scope === 'admin')) {
        return new AuthError('FORBIDDEN', 'this operation is for admin DIDs');
      }
      return new AuthError('UNAUTHENTICATED', 'this operation needs a DID-JWT bearer token');
    },
  },
});

/** Accepted DateTime inputs: 1970-01-01T00:00:00Z up to the end of year 9999 (beyond it, hour and day counts overflow). */
export const DATETIME_MIN = new Date('1970-01-01T00:00:00.000Z');
export const DATETIME_MAX = new Date('9999-12-31T23:59:59.999Z');

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date-time in UTC, from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new GraphQLError('DateTime must be an ISO-8601 string', { extensions: { code: 'INVALID_INPUT' } });
    }
    const date = new Date(value);
    if (date < DATETIME_MIN || date > DATETIME_MAX) {
      throw new GraphQLError('DateTime must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z', { extensions: { code: 'INVALID_INPUT' } });
    }
    return date;
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** Depth-first search of scope-auth's failure tree (any/all scopes nest). */
function findFailure(failure: AuthFailure, match: (failure: AuthFailure) => boolean): AuthFailure | undefined {
  if (match(failure)) return failure;
  if ('failures' in failure) {
    for (const nested of failure.failures) {
      const found = findFailure(nested, match);
      if (found) return found;
    }
  }
  return undefined;
}
